"""Benchmark: from the end of an utterance to its line on HR's screen, and from the end of an
answer to its hint, in a live room (SPEC E2). Targets on 2 cores: 3 s and 2 s.

A fresh installation as a newcomer runs it (``hireflow serve --demo``: SQLite, the embedded
broker, the task worker and the speech worker beside the web server; Whisper base int8,
2 threads, greedy). A live room for the demo's English-speaking candidate; HR and the
candidate join and consent through the API. HR's page is played by a client holding the
room's server-sent event stream (``GET /api/v1/live/rooms/<id>/stream``) open, as the page
does; the candidate's page by posting each answer as one chunk through the candidate's link,
as its recorder does when the speaker pauses. Before each answer HR marks the question being
asked ("Asking now").

Clocks (per utterance, then p50 / p95 over the warm ones):

* ``line``: the chunk posted -> the line arrives on HR's stream (queue, decode, Whisper with
  the opening's vocabulary, the commit, the push);
* ``hint``: the chunk posted -> a hint drawn from that answer arrives (answers that draw no
  hint, e.g. a complete one, are counted apart);
* the page posts a chunk once it heard ``PAUSE_S`` of silence: the utterance really ended
  that much earlier, so the printed "utterance end" figures add it;
* ``post``: the request's own time (the web process only stores and queues the chunk);
* the baselines: the same clip transcribed by the same model in this process, without the
  app, with each window, and the CPU time (on a machine shared with other work, wall times
  stretch with the load).

Distinct inputs: sixteen different English answers synthesised by espeak-ng (150 words/min,
3-10 s each), WAV (a browser posts WebM/Opus, a fifth of the size; decoding either takes
milliseconds). The first answer (model warm-up) is reported apart. The load average is
printed before and after: the machine is shared, and the figures say as much about the load
as about the code. With ``--redis URL`` the server uses that Redis as its broker (the
workers then announce each line and hint by publish/subscribe instead of the web process
watching the room while a chunk it queued is on its way).

Before and after in one run (``--window both``, the default): a server whose live rooms use
Whisper's 30 s encoder window (``HIREFLOW_LIVE_ASR_WINDOW=30s``, before), then a fresh one with
the window fitted to the utterance (after; ``interviews/speech_window.py``), and a summary of
both: "utterance end -> line" and "answer end -> hint" p50 / p95, the worker's model CPU per
utterance, the word error rate of the lines HR saw. Beside the second server each clip is
also transcribed in this process with both windows (word error rate and CPU without the
opening's vocabulary). ``--window fitted`` (or ``30s``) runs one server only. Run:
``.venv/bin/python bench/live_transcription.py [--window both|fitted|30s] [--redis URL]``.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this tree's hireflow and bench, whatever is installed
PASSWORD = "Hireflow-demo-2026"
ANSWERS = (
    "We worked on the new sales system project as a team and we thought it went fine.",
    "I am a hard worker and I always try my best with every customer.",
    "Last year I led the migration of our billing service. I wrote the plan and moved twelve "
    "jobs myself, and the monthly cost fell by thirty percent.",
    "Our team improved the onboarding flow together over several months.",
    "When a customer complained about a late delivery, I called the warehouse, found the "
    "parcel and drove it to her myself the same evening.",
    "We talked a lot about quality and everybody agreed it was important.",
    "I built a small tool in Python that checks our reports every night. It found four "
    "errors in the first week.",
    "Honestly I do not remember the details of that project any more.",
    "We discussed the budget with finance and the plan was approved in the end.",
    "I reduced the build time of our service from twenty minutes to six by caching the "
    "dependencies and splitting the tests.",
    "The customers liked the new design and our team was happy with it.",
    "I interviewed ten users myself, wrote down their problems and changed the checkout page; "
    "returns dropped by a fifth.",
    "It was a difficult year for everybody in the company.",
    "I set up monitoring with Grafana for the payment service and we caught two outages "
    "before customers noticed.",
    "We decided to move to a new database after a long discussion.",
    "I trained three new colleagues on our tools and all of them passed their probation.",
)
LIVE_JS = ROOT / "hireflow" / "web" / "static" / "live" / "live.js"


def pause_seconds() -> float:
    """The silence after which the page posts an utterance (``PAUSE_MS`` in live.js)."""
    import re

    found = re.search(r"var PAUSE_MS = (\d+);", LIVE_JS.read_text())
    if found is None:
        raise RuntimeError("PAUSE_MS not found in live.js")
    return int(found.group(1)) / 1000


PAUSE_S = pause_seconds()
STEPS = ("decode", "model", "line", "hints")


def speak(folder: Path, index: int, text: str) -> bytes:
    path = folder / f"answer-{index}.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
    return path.read_bytes()


def start_server(data_dir: Path, port: int, redis_url: str | None, window: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_DATA_DIR": str(data_dir),
            "HIREFLOW_LOG_LEVEL": "INFO",  # the speech worker's per-step times (no content)
            "HIREFLOW_LIVE_ASR_WINDOW": window,
            "PYTHONPATH": str(ROOT),
        }
    )
    command = [sys.executable, "-m", "hireflow.cli", "serve", "--demo", "--port", str(port)]
    if redis_url:
        # the same workers as the embedded default (a task worker and a speech worker)
        env["HIREFLOW_BROKER_URL"] = redis_url
        command.append("--embedded-worker")
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        command,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text(errors="replace"))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("server did not start")


def english_application(api: httpx.Client) -> int:
    """The demo's English-speaking candidate's application, from the live page's form."""
    import re

    found = re.search(r'<option value="(\d+)">Emily Carter', api.get("/live").text)
    if found is None:
        raise RuntimeError("the demo's English candidate is not on the live page")
    return int(found.group(1))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WINDOWS = ("30s", "fitted")  # the encoder's window: before, after (HIREFLOW_LIVE_ASR_WINDOW)


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default=None, help="redis://host:port/db as the broker")
    parser.add_argument(
        "--window",
        choices=(*WINDOWS, "both"),
        default="both",
        help="the live transcriber's encoder window; both: a server with each, 30s first",
    )
    arguments = parser.parse_args()
    windows = WINDOWS if arguments.window == "both" else (arguments.window,)
    folder = Path(tempfile.mkdtemp(prefix="live-bench-speech-"))
    clips = [speak(folder, i, text) for i, text in enumerate(ANSWERS)]
    print(f"broker: {arguments.redis or 'embedded (SQLite; no Redis)'}")
    # The in-process baselines (both windows, without the app) run beside the last server
    # only: the same figures each time, and the command stays under four minutes.
    summaries = {
        window: serve_and_run(clips, arguments.redis, window, window == windows[-1])
        for window in windows
    }
    if len(summaries) > 1:
        compare(summaries)
    return 0


def serve_and_run(
    clips: list[bytes], redis_url: str | None, window: str, baselines: bool
) -> dict[str, Any]:
    """A fresh server whose live rooms transcribe with ``window``, and the run against it."""
    data_dir = Path(tempfile.mkdtemp(prefix="live-bench-"))
    port = free_port()
    server = start_server(data_dir, port, redis_url, window)
    print(f"\n== encoder window: {window} ==")
    try:
        return run(f"http://127.0.0.1:{port}", clips, data_dir, baselines)
    finally:
        server.terminate()
        server.wait(timeout=30)


class Screen(threading.Thread):
    """HR's page: holds the room's event stream open and notes when each line and hint
    arrives."""

    def __init__(self, base: str, headers: dict[str, str], room_id: int) -> None:
        super().__init__(daemon=True)
        self.url = f"{base}/api/v1/live/rooms/{room_id}/stream"
        self.headers = headers
        self.lines: dict[int, tuple[float, dict[str, Any]]] = {}
        self.hints: dict[int, tuple[float, dict[str, Any]]] = {}
        self.changed = threading.Condition()

    def run(self) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server stops at the end of the run
            self._listen()

    def _listen(self) -> None:
        with (
            httpx.Client(timeout=None) as client,
            client.stream("GET", self.url, headers=self.headers) as response,
        ):
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                state, now = json.loads(line[6:]), time.perf_counter()
                with self.changed:
                    for u in state["utterances"]:
                        self.lines.setdefault(u["id"], (now, u))
                    for h in state["hints"]:
                        self.hints.setdefault(h["id"], (now, h))
                    self.changed.notify_all()

    def new_line(self, known: set[int], timeout: float = 120) -> tuple[float, dict[str, Any]]:
        with self.changed:
            self.changed.wait_for(lambda: set(self.lines) - known, timeout=timeout)
            fresh = sorted(set(self.lines) - known)
            if not fresh:
                raise RuntimeError("no line arrived")
            return self.lines[fresh[0]]

    def hint_for(self, utterance_id: int, worker_done: Any, timeout: float = 30) -> float | None:
        """When the first hint drawn from the line arrived; None once the worker finished
        that chunk's hints (its log line) and a moment for the push passed without one."""

        def found() -> list[float]:
            return [t for t, h in self.hints.values() if h.get("utterance_id") == utterance_id]

        deadline = time.perf_counter() + timeout
        finished_at: float | None = None
        while time.perf_counter() < deadline:
            with self.changed:
                self.changed.wait_for(found, timeout=0.05)
                times = found()
            if times:
                return min(times)
            if finished_at is None and worker_done():
                finished_at = time.perf_counter()
            if finished_at is not None and time.perf_counter() - finished_at > 1.0:
                return None
        return None


def sign_in(base: str) -> tuple[httpx.Client, httpx.Client, int]:
    """HR's session on the pages and HR's API client; the English candidate's application."""
    web = httpx.Client(base_url=base, timeout=120)
    login = web.get("/login").text
    csrf = login.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    web.post(
        "/login",
        data={"email": "hr@huaxing.example", "password": PASSWORD, "csrf_token": csrf},
    )
    api = httpx.Client(base_url=base, timeout=120)
    token = api.post(
        "/api/v1/auth/token", json={"email": "hr@huaxing.example", "password": PASSWORD}
    )
    api.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return web, api, english_application(web)


def open_room(api: httpx.Client, base: str, application_id: int) -> tuple[int, httpx.Client]:
    room = api.post(
        "/api/v1/live/rooms", json={"application_id": application_id, "planned_minutes": 30}
    ).json()
    rid = room["id"]
    api.post(f"/api/v1/live/rooms/{rid}/join")
    api.post(f"/api/v1/live/rooms/{rid}/consent", json={"agree": True})
    link = room["candidate_path"].rsplit("/", 1)[1]
    candidate = httpx.Client(base_url=f"{base}/api/v1/live-links/{link}", timeout=120)
    candidate.post("/join")
    candidate.post("/consent", json={"agree": True})
    return rid, candidate


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def steps_logged(log_path: Path) -> int:
    """How many chunks the speech worker finished (its per-step log lines, no content)."""
    return log_path.read_text(errors="replace").count("steps wall/cpu ms")


def in_process(models: Path) -> dict[str, Any]:
    """The live transcriber with each encoder window, in this process, without the app."""
    from hireflow.interviews.speech import WhisperTranscriber
    from hireflow.interviews.speech_window import WindowedWhisperTranscriber

    return {
        "30s": WhisperTranscriber(models, beam_size=1),
        "fitted": WindowedWhisperTranscriber(models, beam_size=1),
    }


def run(base: str, clips: list[bytes], data_dir: Path, baselines: bool) -> dict[str, Any]:
    load_before = os.getloadavg()
    _web, api, application_id = sign_in(base)
    rid, candidate = open_room(api, base, application_id)
    questions = [
        q
        for q in api.get(f"/api/v1/live/rooms/{rid}").json()["checklist"]["questions"]
        if q["required"]
    ]
    screen = Screen(base, dict(api.headers), rid)
    screen.start()
    # Whisper's own time on the same clips in this process, each window: the baselines.
    os.environ["HIREFLOW_DATA_DIR"] = str(data_dir)
    models = in_process(data_dir / "models") if baselines else {}
    for model in models.values():
        model.transcribe(clips[0], "en")  # load
    log_path = data_dir / "server.log"
    rows = []
    for index, clip in enumerate(clips):
        question = questions[index % len(questions)]["id"]
        api.put(f"/api/v1/live/rooms/{rid}/question", json={"question_id": question})
        time.sleep(0.3)  # HR asks; the candidate answers
        known = set(screen.lines)
        began = time.perf_counter()
        posted = candidate.post("/audio", files={"file": ("utterance.wav", clip, "audio/wav")})
        post_ms = (time.perf_counter() - began) * 1000
        assert posted.status_code == 202, posted.text
        arrived, line = screen.new_line(known)
        hint_at = screen.hint_for(line["id"], lambda n=index: steps_logged(log_path) > n)
        row = {
            "seconds": (len(clip) - 44) / 2 / 22050,  # espeak-ng: 22.05 kHz 16-bit mono
            "post": post_ms,
            "line": (arrived - began) * 1000,
            "hint": (hint_at - began) * 1000 if hint_at is not None else None,
            "worker": line["transcribed_ms"],
            "text": line["text"],
            "reference": ANSWERS[index],
        }
        for window, model in models.items():  # after the worker is done: no CPU shared
            wall, cpu = time.perf_counter(), time.process_time()
            row[f"{window}_text"] = model.transcribe(clip, "en").text
            row[f"{window}_model"] = (time.perf_counter() - wall) * 1000
            row[f"{window}_cpu"] = (time.process_time() - cpu) * 1000
        rows.append(row)
    summary = report(rows, load_before)
    summary["model_cpu"] = report_steps(log_path)
    return summary


def word_error_rate(rows: list[dict[str, Any]], key: str) -> float:
    """Word errors (substitutions, insertions, deletions) over the reference words."""
    from bench.speech_vocabulary import word_errors

    errors = [word_errors(r["reference"], r[key]) for r in rows]
    return sum(e for e, _ in errors) / max(1, sum(n for _, n in errors))


def report_steps(log_path: Path) -> float:
    """The speech worker's own wall and CPU time per step of each chunk (its log lines);
    answers the model's CPU time p50."""
    import re

    found: dict[str, list[tuple[float, float]]] = {step: [] for step in STEPS}
    chunks = 0
    for line in log_path.read_text(errors="replace").splitlines():
        if "live chunk" not in line:
            continue
        chunks += 1
        for step, wall, cpu in re.findall(r"(\w+)=(\d+)/(\d+)", line):
            if step in found:
                found[step].append((float(wall), float(cpu)))
    warm = {step: values[1:] for step, values in found.items()}  # the first: warm-up
    print(f"speech worker, per step of {chunks} chunks (warm ones), p50 wall / CPU ms:")
    for step, values in warm.items():
        if values:
            wall = statistics.median(v[0] for v in values)
            cpu = statistics.median(v[1] for v in values)
            print(f"  {step:<7} {wall:>6.0f} / {cpu:>6.0f}")
    return statistics.median(v[1] for v in warm["model"]) if warm["model"] else 0.0


def latencies(values: list[float]) -> tuple[float, float]:
    """(p50, p95) from the utterance's end: the page's pause detection added."""
    pause = PAUSE_S * 1000
    return statistics.median(values) + pause, percentile(values, 0.95) + pause


def report(rows: list[dict[str, Any]], load_before: tuple[float, float, float]) -> dict[str, Any]:
    load_after = os.getloadavg()
    load = (
        f"{'/'.join(f'{x:.1f}' for x in load_before)} -> {'/'.join(f'{x:.1f}' for x in load_after)}"
    )
    print(f"machine: {os.cpu_count()} cores; load average (1/5/15 min) before -> after {load}")
    print("audio: espeak-ng English, WAV; model: Whisper base int8, 2 threads, greedy (beam 1)")
    windows = [w for w in WINDOWS if f"{w}_model" in rows[0]]
    head = ("#", "audio", "post", "worker", "line", "hint", *windows)
    widths = (2, 5, 5, 7, 6, 6, *(6 for _ in windows))
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
    for i, r in enumerate(rows):
        hint = f"{r['hint']:.0f}" if r["hint"] is not None else "-"
        models = "".join(f" {r[f'{w}_model']:>6.0f}" for w in windows)
        print(
            f"{i:>2} {r['seconds']:>4.1f}s {r['post']:>5.0f} {r['worker']:>7.0f} "
            f"{r['line']:>6.0f} {hint:>6}{models}  {r['text'][:50]}"
        )
    warm = rows[1:]
    lines = [r["line"] for r in warm]
    hints = [r["hint"] for r in warm if r["hint"] is not None]
    print(f"first answer (warm-up): line {rows[0]['line']:.0f} ms")
    print(f"warm: {len(lines)} utterances, {len(hints)} of them drew a hint")
    pause = PAUSE_S * 1000
    for name, values, target in (("line", lines, 3000), ("hint", hints, 2000)):
        if values:
            p50, p95 = latencies(values)
            print(
                f"{name}: posted -> on HR's screen p50 {p50 - pause:.0f} ms, p95 "
                f"{p95 - pause:.0f} ms; end -> on screen (+{pause:.0f} ms pause detection) "
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (target {target})"
            )
    print(f"post (the web request) p50 {statistics.median(r['post'] for r in warm):.0f} ms")
    overhead = [r["line"] - r["worker"] for r in warm]
    print(
        "line minus the worker's own time (queue wait, commit, notice, read) p50 "
        f"{statistics.median(overhead):.0f} ms, max {max(overhead):.0f} ms"
    )
    for window in windows:
        print(
            f"in this process, encoder window {window}: wall p50 "
            f"{statistics.median(r[f'{window}_model'] for r in warm):.0f} ms, CPU p50 "
            f"{statistics.median(r[f'{window}_cpu'] for r in warm):.0f} ms over 2 threads; "
            f"word error rate {word_error_rate(rows, f'{window}_text'):.3f} (all {len(rows)})"
        )
    print(f"word error rate of the lines on HR's screen: {word_error_rate(rows, 'text'):.3f}")
    return {
        "load": load,
        "line": latencies(lines),
        "hint": latencies(hints) if hints else None,
        "hints": len(hints),
        "wer": word_error_rate(rows, "text"),
        "hints_of": len(lines),
    }


def compare(summaries: dict[str, dict[str, Any]]) -> None:
    """Before (the 30 s window) and after (the fitted one), from the same run."""
    print("\n== summary: ms from the end of speech (pause detection included), p50 / p95 ==")
    print(
        f"{'window':<8} {'utterance end -> line':>22} {'answer end -> hint':>20} "
        f"{'model CPU':>10} {'WER':>6}  load before -> after"
    )
    for window, s in summaries.items():
        hint = f"{s['hint'][0]:.0f} / {s['hint'][1]:.0f}" if s["hint"] else "-"
        print(
            f"{window:<8} {s['line'][0]:>11.0f} / {s['line'][1]:<8.0f} {hint:>20} "
            f"{s['model_cpu']:>10.0f} {s['wer']:>6.3f}  {s['load']}"
        )
    counts = ", ".join(f"{w}: {s['hints']} of {s['hints_of']}" for w, s in summaries.items())
    print(f"warm utterances that drew a hint: {counts}")
    print("targets on 2 cores: line within 3000 ms, hint within 2000 ms of the end")


if __name__ == "__main__":
    raise SystemExit(main())
