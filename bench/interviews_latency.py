"""Benchmark: from submission to the stored report, with the embedded worker (target p95 < 5 s).

A fresh installation (SQLite database and the embedded SQLite broker, as ``hireflow serve``
runs by default) and one embedded worker process. Candidates take a six-question interview by
text (the service functions the pages call); the clock starts when the submission commits
and stops when the report row is visible in the database (polled every 10 ms). Measured:

1. the first interview after the worker started (the worker loads the engine and embedder);
2. interviews submitted one after another (the latency a candidate's recruiter sees);
3. a burst of interviews submitted together (queueing behind one embedded worker).

Also prints what the worker did inside that time (the scoring pipeline alone, measured
in-process on the same data). With ``--voice`` it also measures the speech step of the
pipeline (``pipeline.process_answer``: decrypt, decode, Whisper, speech features) on the
committed 55 s Mandarin answer and a minute of English from espeak-ng, as real-time factors
(wall time / audio length; target < 0.3 on 2 cores). Run: ``.venv/bin/python
bench/interviews_latency.py [--sequential 30] [--burst 20] [--voice]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import interviews_world as world_module
from answer_pool import distinct_answer

TAB = "bench-tab-0001"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def take_interview(database, candidate, answer: bool = True) -> int:
    """Open the link's interview, consent, answer six questions by text; return its id."""
    from hireflow.interviews import candidate as interview_candidate
    from hireflow.interviews import schemas, sessions
    from hireflow.scheduling.models import Invitation

    with database.session() as session:
        invitation = session.get(Invitation, candidate.invitation_id)
        invitation.status = "verified"
        invitation.verified_at = invitation.sent_at
        session.commit()
        interview = sessions.ensure_session(session, invitation)
        interview_candidate.give_consent(
            session,
            interview,
            schemas.ConsentIn(
                tab=TAB,
                recording=True,
                ai_assessment=True,
                notice_version=interview_candidate.NOTICE_VERSION,
            ),
        )
        for question in interview.questions if answer else []:
            interview_candidate.open_question(session, interview, question["id"], TAB)
            interview_candidate.save_text(
                session,
                interview,
                question["id"],
                schemas.TextAnswerIn(tab=TAB, text=distinct_answer("zh"), final=True),
            )
        return interview.id


def submit(database, interview_id: int) -> float:
    from hireflow.interviews import candidate as interview_candidate
    from hireflow.interviews.models import InterviewSession

    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        interview_candidate.submit(session, interview, TAB)
    return time.perf_counter()


def wait_report(database, interview_ids: list[int], timeout: float = 300) -> dict[int, float]:
    from sqlalchemy import select

    from hireflow.interviews.models import InterviewReport

    done: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(done) < len(interview_ids) and time.monotonic() < deadline:
        with database.session() as session:
            found = session.scalars(
                select(InterviewReport.interview_id).where(
                    InterviewReport.interview_id.in_(interview_ids)
                )
            ).all()
        now = time.perf_counter()
        for interview_id in found:
            done.setdefault(interview_id, now)
        time.sleep(0.01)
    missing = set(interview_ids) - set(done)
    if missing:
        raise RuntimeError(f"no report for {sorted(missing)} within {timeout} s")
    return done


def summary(name: str, values: list[float]) -> None:
    print(
        f"{name:<38} n={len(values):<3} p50 {statistics.median(values):5.2f} s   "
        f"p95 {percentile(values, 95):5.2f} s   max {max(values):5.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--voice", action="store_true")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireflow-latency-"))
    world = world_module.prepare(data_dir, f"sqlite:///{data_dir / 'hireflow.db'}")
    total = 1 + args.sequential + args.burst
    candidates = world_module.add_candidates(world, total)
    env = world_module.environment(data_dir, f"sqlite:///{data_dir / 'hireflow.db'}")
    ids = [take_interview(world.database, c) for c in candidates]
    print(f"{total} six-question text interviews answered; load average {os.getloadavg()}")
    worker = world_module.start_worker(env, data_dir / "worker.log")
    try:
        time.sleep(3)  # the worker process starts (imports, broker connection)
        started = submit(world.database, ids[0])
        cold = wait_report(world.database, ids[:1])[ids[0]] - started
        print(f"{'first interview (worker cold)':<38} {cold:5.2f} s")

        sequential = []
        for interview_id in ids[1 : 1 + args.sequential]:
            started = submit(world.database, interview_id)
            sequential.append(wait_report(world.database, [interview_id])[interview_id] - started)
        summary("one at a time (embedded worker)", sequential)

        burst_ids = ids[1 + args.sequential :]
        starts = {i: submit(world.database, i) for i in burst_ids}
        arrived = wait_report(world.database, burst_ids)
        summary(
            f"burst of {len(burst_ids)} submitted together",
            [arrived[i] - starts[i] for i in burst_ids],
        )

        # The pipeline alone (no broker): what the worker spends per interview.
        from hireflow.interviews import engine_adapter
        from hireflow.interviews.models import InterviewReport, InterviewSession

        with world.database.session() as session:
            interview = session.get(InterviewSession, ids[1])
            times = []
            for _ in range(10):
                t0 = time.perf_counter()
                report = engine_adapter.compute_report(session, interview)
                times.append(time.perf_counter() - t0)
            stored = session.query(InterviewReport).filter_by(interview_id=ids[1]).one()
            assert (
                report.to_json()
                == __import__("hireflow.scoring.report", fromlist=["Report"])
                .Report.from_json(stored.body)
                .to_json()
            )
        print(
            f"{'engine scoring of one interview':<38} p50 {statistics.median(times) * 1000:5.0f} ms"
            f" (same report as stored: yes)"
        )
        print(f"load average after: {os.getloadavg()}")
    finally:
        world_module.stop(worker)
    if args.voice:
        voice(world)
    return 0


EN_MINUTE = (
    "In my last role I was responsible for the payment platform of an online retailer. When I "
    "joined, releases took two weeks and failed about one time in five. I proposed moving to "
    "continuous delivery and wrote the plan with our operations lead. First we added automated "
    "tests to the checkout service, which had almost none. Then we built a staging environment "
    "that matched production, and we started to release small changes every day. After three "
    "months, releases took less than an hour and failures dropped below two percent."
)


def voice(world) -> None:
    """The speech step of the pipeline on a minute of Chinese and of English."""
    import shutil
    import subprocess

    from hireflow.interviews import candidate as interview_candidate
    from hireflow.interviews import pipeline, schemas, uploads
    from hireflow.interviews.media import decode_audio
    from hireflow.interviews.models import InterviewSession

    data_dir = Path(__file__).resolve().parent.parent / "tests" / "data" / "interviews"
    clips = [
        (
            "Mandarin, 55 s (zh_paragraph.ogg)",
            (data_dir / "zh_paragraph.ogg").read_bytes(),
            "audio/ogg",
        )
    ]
    if shutil.which("espeak-ng"):
        wav = Path(tempfile.mkdtemp()) / "en.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), EN_MINUTE], check=True
        )
        clips.append(("English, espeak-ng paragraph", wav.read_bytes(), "audio/wav"))
    extra = world_module.add_candidates(world, len(clips) * 3, prefix="voice")
    print(f"speech step of the pipeline (Whisper base int8, 2 threads); load {os.getloadavg()}")
    for index, (name, data, content_type) in enumerate(clips):
        seconds = decode_audio(data, content_type).duration
        ratios = []
        for run in range(3):
            candidate = extra[index * 3 + run]
            interview_id = take_interview(world.database, candidate, answer=False)
            with world.database.session() as session:
                interview = session.get(InterviewSession, interview_id)
                qid = interview.questions[0]["id"]
                interview_candidate.open_question(session, interview, qid, TAB)
                upload = uploads.start_upload(
                    session,
                    interview,
                    qid,
                    schemas.UploadStartIn(tab=TAB, mode="voice", content_type=content_type),
                )
                step = 512 * 1024
                for offset in range(0, len(data), step):
                    uploads.put_chunk(
                        session,
                        interview,
                        upload.upload_token,
                        offset,
                        data[offset : offset + step],
                    )
                uploads.complete_upload(session, interview, upload.upload_token)
                answer_id = next(a.id for a in interview.answers if a.question_id == qid)
            started = time.perf_counter()
            outcome = pipeline.process_answer(world.database, answer_id)
            elapsed = time.perf_counter() - started
            assert outcome == "processed", outcome
            ratios.append(elapsed / seconds)
        print(
            f"  {name:<36} {seconds:5.1f} s audio: RTF runs {', '.join(f'{r:.2f}' for r in ratios)}"
            " (the first includes loading the model)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
