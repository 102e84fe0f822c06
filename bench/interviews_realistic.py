"""The realistic load model of ``bench/interviews_load.py --realistic``.

N candidates start at random moments spread over ``ramp`` seconds. Each opens the personal
link, passes the identity check, loads the interview, reads the notice (5-20 s) and consents,
then for each of the six questions opens it, thinks and types for 60-120 s while the page
autosaves the draft every 15 s, and saves the final answer; then submits. A share of them
reload the page once (link and page state again), and a few lose a connection mid-request
(the client gives up on an autosave; the page sends it again). Every answer text is distinct
(``answer_pool.distinct_answer``), so scoring embeds fresh sentences.

``pace`` divides every wait (the ramp, reading, thinking, autosave interval): ``--pace 4``
runs the same requests four times as densely in a quarter of the time.

A failed request (transport error, 5xx) is counted as an error and sent again after a short
back-off, to the next web process, as the page does; a 409 on a repeated write (the first
attempt had landed) counts as done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from answer_pool import distinct_answer

TAB = "load-tab-0001"


def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile by nearest rank (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


@dataclass
class Model:
    """What the simulated candidates do, in seconds of real (uncompressed) time."""

    candidates: int = 1000
    ramp: float = 600.0
    pace: float = 1.0
    think: tuple[float, float] = (60.0, 120.0)
    reading: tuple[float, float] = (5.0, 20.0)
    autosave: float = 15.0
    reload_share: float = 0.1
    drop_share: float = 0.002
    seed: int = 17

    def wait(self, seconds: float) -> float:
        return seconds / self.pace

    def expected_seconds(self) -> float:
        """About how long the run lasts (the last start plus one candidate's interview)."""
        one = sum(self.reading) / 2 + 6 * sum(self.think) / 2
        return self.wait(self.ramp + one)

    def describe(self) -> str:
        return (
            f"{self.candidates} candidates starting over {self.ramp:.0f} s, an answer every "
            f"{self.think[0]:.0f}-{self.think[1]:.0f} s, autosave every {self.autosave:.0f} s, "
            f"{self.reload_share:.0%} reload once, {self.drop_share:.1%} drop a connection; "
            f"pace x{self.pace:g} (all waits divided by {self.pace:g})"
        )


@dataclass
class Recorder:
    """Latencies per step, errors, and what every candidate sent."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    accepted_409: int = 0
    drops: int = 0
    reloads: int = 0
    completed: int = 0
    gave_up: int = 0
    gave_up_why: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    in_flight: int = 0
    peak: int = 0
    # invitation id -> {question id: sha256 of the final text}
    sent: dict[int, dict[str, str]] = field(default_factory=dict)
    submitted: set[int] = field(default_factory=set)
    # invitation id -> monotonic time of the submission's answer, then of the report's arrival
    submitted_at: dict[int, float] = field(default_factory=dict)
    report_after: dict[int, float] = field(default_factory=dict)
    load_samples: list[float] = field(default_factory=list)


class Pool:
    """One HTTP client per web process; requests go round-robin, retries to the next one."""

    def __init__(self, urls: list[str], recorder: Recorder, connections: int) -> None:
        import httpx

        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.clients = [
            httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(60.0))
            for url in urls
        ]
        self.urls = urls
        self.recorder = recorder
        self._turn = 0
        self._down_until = [0.0] * len(urls)

    def _next(self) -> int:
        """The next web process in turn, skipping one that refused a connection in the last
        5 s (what a load balancer's health check does)."""
        now = time.monotonic()
        for _ in self.clients:
            self._turn = (self._turn + 1) % len(self.clients)
            if self._down_until[self._turn] <= now:
                break
        return self._turn

    async def call(self, step: str, method: str, path: str, tries: int = 8, **kwargs: Any) -> Any:
        import httpx

        rec = self.recorder
        for attempt in range(tries):
            started = time.perf_counter()
            turn = self._next()
            try:
                response = await self.clients[turn].request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                rec.latencies[step].append(time.perf_counter() - started)
                rec.errors[f"{step}:{type(exc).__name__}"] += 1
                if isinstance(exc, httpx.ConnectError):
                    self._down_until[turn] = time.monotonic() + 5.0
            else:
                rec.latencies[step].append(time.perf_counter() - started)
                if response.status_code < 300:
                    return response
                if response.status_code == 409 and attempt > 0:
                    rec.accepted_409 += 1  # the earlier attempt had landed
                    return response
                rec.errors[f"{step}:{response.status_code}"] += 1
                if response.status_code < 500:
                    raise RuntimeError(f"{step} {response.status_code} {response.text[:200]}")
            await asyncio.sleep(min(8.0, 0.5 * 2**attempt))
        raise RuntimeError(f"{step}: gave up after {tries} tries")

    async def drop(self, method: str, path: str, **kwargs: Any) -> None:
        """Send a request and hang up before the answer (a lost mobile connection)."""
        import httpx

        async with httpx.AsyncClient(base_url=self.urls[0], timeout=httpx.Timeout(0.002)) as client:
            with contextlib.suppress(httpx.HTTPError):
                await client.request(method, path, **kwargs)
        self.recorder.drops += 1

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def candidate(pool: Pool, model: Model, cand: Any, rng: random.Random) -> None:
    """One candidate's whole interview at the model's pace."""
    rec = pool.recorder
    await asyncio.sleep(model.wait(rng.uniform(0, model.ramp)))
    rec.in_flight += 1
    rec.peak = max(rec.peak, rec.in_flight)
    try:
        await _interview(pool, model, cand, rng)
        rec.completed += 1
    except RuntimeError as exc:
        rec.gave_up += 1
        rec.gave_up_why[str(exc)[:160]] += 1
    finally:
        rec.in_flight -= 1


async def _interview(pool: Pool, model: Model, cand: Any, rng: random.Random) -> None:
    rec = pool.recorder
    base = f"/api/v1/links/{cand.token}"
    await pool.call("open", "GET", base)
    verified = await pool.call("verify", "POST", f"{base}/verify", json={"answer": cand.id_last4})
    headers = {"X-Link-Access": verified.json()["access"]}
    state = (await pool.call("load", "GET", f"{base}/interview", headers=headers)).json()
    await asyncio.sleep(model.wait(rng.uniform(*model.reading)))
    consent = {
        "tab": TAB,
        "recording": True,
        "ai_assessment": True,
        "notice_version": state["notice_version"],
    }
    await pool.call("consent", "POST", f"{base}/interview/consent", headers=headers, json=consent)
    questions = [q["id"] for q in state["questions"]]
    reload_at = rng.randrange(len(questions)) if rng.random() < model.reload_share else -1
    drop_at = rng.randrange(len(questions)) if rng.random() < model.drop_share else -1
    texts = rec.sent.setdefault(cand.invitation_id, {})
    for position, qid in enumerate(questions):
        if position == reload_at:  # the page again: link, then state, no new identity check
            rec.reloads += 1
            await pool.call("reload", "GET", base)
            await pool.call("reload", "GET", f"{base}/interview", headers=headers)
        url = f"{base}/interview/questions/{qid}"
        await pool.call("question", "POST", f"{url}/open", headers=headers, json={"tab": TAB})
        text = distinct_answer("zh")
        think = rng.uniform(*model.think)
        # The page's clock, not the server's answers, sets the pace: autosaves fire every 15 s
        # from the question's start and the answer goes at the end of the thinking time, however
        # long the requests before took (a slow server does not give the candidate more time).
        began, elapsed = time.monotonic(), model.autosave
        while elapsed < think:
            await _until(began + model.wait(elapsed))
            draft = {"tab": TAB, "text": text[: int(len(text) * elapsed / think)], "final": False}
            if position == drop_at:
                drop_at = -1
                await pool.drop("PUT", f"{url}/text", headers=headers, json=draft)
            await pool.call("autosave", "PUT", f"{url}/text", headers=headers, json=draft)
            elapsed += model.autosave
        await _until(began + model.wait(think))
        final = {"tab": TAB, "text": text, "final": True}
        await pool.call("answer", "PUT", f"{url}/text", headers=headers, json=final)
        texts[qid] = digest(text)
    await pool.call(
        "submit", "POST", f"{base}/interview/submit", headers=headers, json={"tab": TAB}
    )
    rec.submitted.add(cand.invitation_id)
    rec.submitted_at[cand.invitation_id] = time.monotonic()


def reported(database: Any, invitation_ids: list[int]) -> set[int]:
    """Which of these invitations' interviews have a stored report."""
    from sqlalchemy import select

    from hireflow.interviews.models import InterviewReport, InterviewSession

    with database.session() as session:
        return set(
            session.scalars(
                select(InterviewSession.invitation_id)
                .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
                .where(InterviewSession.invitation_id.in_(invitation_ids))
            )
        )


async def watch_reports(database: Any, rec: Recorder, every: float = 1.0) -> None:
    """What HR sees: how long after its submission each interview's report is there
    (polled every second, as a page would)."""
    while True:
        pending = [i for i in rec.submitted_at if i not in rec.report_after]
        if pending:
            try:
                found = await asyncio.to_thread(reported, database, pending)
            except Exception:  # the database restarting under a fault run: look again
                found = set()
            now = time.monotonic()
            for inv in found:
                rec.report_after[inv] = now - rec.submitted_at[inv]
        await asyncio.sleep(every)


async def _until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


async def sample_load(rec: Recorder, every: float = 10.0) -> None:
    while True:
        rec.load_samples.append(os.getloadavg()[0])
        await asyncio.sleep(every)


def step_figures(rec: Recorder) -> dict[str, dict[str, float]]:
    """Per step: count, p50, p95 and max in milliseconds."""
    return {
        step: {
            "n": len(values),
            "p50_ms": round(pct(values, 50) * 1000, 1),
            "p95_ms": round(pct(values, 95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        for step, values in rec.latencies.items()
    }


CACHE_LINE = re.compile(r"embedder cache pid=(\d+) requested=(\d+) hits=(\d+)")


def cache_hit_rate(logs: list[Path]) -> tuple[int, int]:
    """(texts asked for, texts found in the cache) over every scoring process, from the last
    line each process (pid) wrote into the worker logs."""
    last: dict[str, tuple[int, int]] = {}
    for log in logs:
        if log.exists():
            for pid, requested, hits in CACHE_LINE.findall(log.read_text(errors="replace")):
                last[f"{log}:{pid}"] = (int(requested), int(hits))
    return sum(r for r, _ in last.values()), sum(h for _, h in last.values())


def integrity(database: Any, rec: Recorder, invitation_ids: list[int]) -> dict[str, Any]:
    """Interviews, reports and answers as stored, against what the candidates sent."""
    from sqlalchemy import func, select

    from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession

    out: dict[str, Any] = {"interviews": 0, "submitted": 0, "reports": 0}
    with database.session() as session:
        rows = session.execute(
            select(
                InterviewSession.id, InterviewSession.invitation_id, InterviewSession.status
            ).where(InterviewSession.invitation_id.in_(invitation_ids))
        ).all()
        by_id = {row.id: row for row in rows}
        out["interviews"] = len(rows)
        out["submitted"] = sum(1 for r in rows if r.status in ("submitted", "scored", "reviewed"))
        counts = dict(
            session.execute(
                select(InterviewReport.interview_id, func.count())
                .where(InterviewReport.interview_id.in_(list(by_id)))
                .group_by(InterviewReport.interview_id)
            ).all()
        )
        out["reports"] = sum(counts.values())
        out["submitted_without_report"] = sum(
            1 for i, r in by_id.items() if r.invitation_id in rec.submitted and not counts.get(i)
        )
        out["more_than_one_report"] = sum(1 for c in counts.values() if c > 1)
        out["not_submitted_by_server"] = sum(
            1 for r in rows if r.invitation_id in rec.submitted and r.status == "in_progress"
        )
        stored = defaultdict(dict)
        for answer in session.scalars(
            select(InterviewAnswer).where(InterviewAnswer.interview_id.in_(list(by_id)))
        ):
            if answer.status == "answered":
                stored[by_id[answer.interview_id].invitation_id][answer.question_id] = digest(
                    answer.text
                )
        sent_answers = sum(len(texts) for texts in rec.sent.values())
        out["answers_sent"] = sent_answers
        out["answers_stored_intact"] = sum(
            1
            for inv, texts in rec.sent.items()
            for qid, sha in texts.items()
            if stored.get(inv, {}).get(qid) == sha
        )
    return out


async def wait_for_reports(database: Any, rec: Recorder, grace: float) -> float:
    """Keep watching until every submitted interview has its report or ``grace`` seconds
    passed; returns the seconds waited."""
    started = time.monotonic()
    watcher = asyncio.create_task(watch_reports(database, rec))
    while time.monotonic() - started < grace and len(rec.report_after) < len(rec.submitted_at):
        await asyncio.sleep(1)
    watcher.cancel()
    return round(time.monotonic() - started, 1)
