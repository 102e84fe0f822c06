"""What one message sent to the embedded SQLite broker costs the thread that sends it.

The web process sends a task message after a request's commit (a candidate's submission
queues its scoring). Sent through kombu's SQLAlchemy transport into ``broker.db``, as
``hireflow serve`` does, N times in a row, in two fresh broker files: with SQLite's defaults
(rollback journal, a disk sync per commit; the broker before this bench's change) and with
the product's broker connections (``core.tasks._transport_options``: write-ahead log, synced
at checkpoints). Alternating rounds, so the machine's load falls on both alike. Printed:
wall and CPU milliseconds per message, and the load average.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/broker_publish.py [--messages 50] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def send(url: str, options: dict, messages: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per message: ``messages`` sends on one connection, after a first."""
    from kombu import Connection

    with Connection(url, transport_options=options) as connection:
        queue = connection.SimpleQueue("bench")
        queue.put({"n": 0})
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(messages):
            queue.put({"n": n + 1, "text": "x" * 200})
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        queue.close()
    return wall / messages * 1000, cpu / messages * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from hireflow.core.settings import Settings
    from hireflow.core.tasks import _transport_options

    work = Path(tempfile.mkdtemp(prefix="hireflow-broker-"))
    variants = {
        "SQLite defaults (before)": (f"sqla+sqlite:///{work / 'default.db'}", {}),
        "the product's broker connections": (
            f"sqla+sqlite:///{work / 'product.db'}",
            _transport_options(
                Settings(data_dir=work, broker_url=f"sqla+sqlite:///{work / 'product.db'}")
            ),
        ),
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    load_before = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, (url, options) in variants.items():
            figures[name].append(send(url, options, args.messages))
    print(
        f"{args.messages} messages x {args.rounds} rounds per variant; load average before "
        f"{load_before:.2f}, after {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores"
    )
    for name, runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"  {name}: {wall:.2f} ms wall, {cpu:.2f} ms CPU per message (median of rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
