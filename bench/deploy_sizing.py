"""Sizing for 1,000 simultaneous interviews (docs/deploy.md), from figures measured here.

Measures on this machine, printing the load average beside each figure:

1. **Speech throughput**: audio seconds transcribed per wall second by the embedded Whisper
   base model (faster-whisper, int8 on the CPU unless ``--device``/``--compute-type`` say
   otherwise), one thread per process, for 1 and for N processes side by side (a speech
   queue with N workers). Clips: the ~60 s English and Chinese answers of
   bench/interviews_speech.py, language given (what the interview does).
2. **Per-request web cost**: ``bench/interviews_load.py --one-at-a-time`` (one candidate
   after another, no concurrency) on SQLite; its requests per second is what one web
   process serves when each request has a core to itself.

Then derives, for ``--interviews`` simultaneous interviews on the load model of issue 17
(an answer every ``--answer-every`` s, an autosave every ``--autosave-every`` s; a voice
answer of ``--audio-per-answer`` s each) and a target utilisation (``--utilisation``), how
many web processes and speech workers (cores) are needed. A GPU is sized the same way with
``--device cuda`` on a machine that has one.

Run: ``.venv/bin/python bench/deploy_sizing.py [--processes 1,2] [--runs 2]`` (a few minutes).
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _transcribe(job: tuple[str, str, int, float]) -> tuple[float, float]:
    """In a worker process: load the model, warm up, wait for the common start, then
    transcribe both minute clips ``runs`` times; (audio seconds, wall seconds)."""
    device, compute_type, runs, start_at = job
    sys.path.insert(0, str(BENCH))
    import interviews_speech as clips

    from hireflow.interviews import media, speech

    transcriber = speech.WhisperTranscriber(device=device, compute_type=compute_type, cpu_threads=1)
    transcriber.transcribe(clips.DATA / "en_answer.wav", "en")  # warm-up
    en, _text, _how = clips.english_minute()
    zh, _text, _how = clips.chinese_minute()
    work = [(en, "en"), (zh, "zh")] * runs
    while time.time() < start_at:
        time.sleep(0.01)
    started = time.perf_counter()
    audio = 0.0
    for samples, language in work:
        transcriber.transcribe(media.DecodedAudio(samples, clips.RATE, "wav"), language)
        audio += len(samples) / clips.RATE
    return audio, time.perf_counter() - started


def speech_throughput(processes: int, device: str, compute_type: str, runs: int) -> float:
    """Audio seconds per wall second of ``processes`` transcribing side by side."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 20 + 5 * processes  # after every process has loaded the model
    with context.Pool(processes) as pool:
        results = pool.map(_transcribe, [(device, compute_type, runs, start_at)] * processes)
    audio = sum(a for a, _w in results)
    wall = max(w for _a, w in results)
    return audio / wall


def web_requests_per_second(candidates: int) -> float:
    """Requests per second of one web process, candidates one at a time (interviews_load)."""
    output = subprocess.run(
        [
            sys.executable,
            str(BENCH / "interviews_load.py"),
            "--counts",
            str(candidates),
            "--backends",
            "sqlite",
            "--one-at-a-time",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"requests in [\d.]+ s: ([\d.]+) req/s", output)
    if found is None:
        raise SystemExit(f"interviews_load.py printed no req/s figure:\n{output[-2000:]}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interviews", type=int, default=1000)
    parser.add_argument("--answer-every", type=float, default=90.0, help="s between answers")
    parser.add_argument("--autosave-every", type=float, default=15.0, help="s between saves")
    parser.add_argument("--audio-per-answer", type=float, default=60.0, help="s per answer")
    parser.add_argument("--utilisation", type=float, default=0.5, help="target busy share")
    parser.add_argument("--processes", default="1,2", help="speech processes side by side")
    parser.add_argument("--runs", type=int, default=1, help="passes over the two clips")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--candidates", type=int, default=40, help="for the web cost")
    parser.add_argument("--web-rps", type=float, default=0.0, help="skip the web measurement")
    parser.add_argument(
        "--speech-rate", type=float, default=0.0, help="audio s per wall s per core: skip it"
    )
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; load average at start {load()}")
    per_process = args.speech_rate
    if per_process:
        print(f"speech: {per_process:.1f} audio s per wall s per core (given, not measured)")
    for count in [int(x) for x in args.processes.split(",") if x and not args.speech_rate]:
        rate = speech_throughput(count, args.device, args.compute_type, args.runs)
        per_process = per_process or rate
        print(
            f"speech ({args.device}, {args.compute_type}, 1 thread per process): {count} "
            f"process(es) side by side transcribe {rate:.1f} audio s per wall s "
            f"({rate / count:.1f} per process); load average {load()}"
        )
    if args.web_rps:
        web_rps = args.web_rps
        print(f"web: {web_rps:.1f} req/s per process (given, not measured in this run)")
    else:
        web_rps = web_requests_per_second(args.candidates)
        print(
            f"web: one process serves {web_rps:.1f} req/s one candidate at a time "
            f"({1000 / web_rps:.1f} ms per request, SQLite); load average {load()}"
        )

    n = args.interviews
    requests = n * (1 / args.answer_every + 1 / args.autosave_every)
    web = math.ceil(requests / (web_rps * args.utilisation))
    audio = n * args.audio_per_answer / args.answer_every
    speech_cores = math.ceil(audio / (per_process * args.utilisation))
    print()
    print(
        f"load model: {n} interviews, an answer every {args.answer_every:.0f} s, an autosave "
        f"every {args.autosave_every:.0f} s, {args.audio_per_answer:.0f} s of audio per voice "
        f"answer, target utilisation {args.utilisation:.0%}"
    )
    print(
        f"text: {requests:.0f} candidate requests per s -> {web} web processes (one core "
        f"each) at {web_rps:.1f} req/s per process"
    )
    print(
        f"voice: {audio:.0f} audio s per wall s to transcribe -> {speech_cores} speech "
        f"workers (one core each) at {per_process:.1f} audio s per wall s per core, plus the "
        f"web processes above"
    )
    print(f"load average at end {load()}")


if __name__ == "__main__":
    main()
