"""What the record outbox's sweep (``timeline.settle_all``) costs, on a fresh database.

    python bench/outbox_settle.py [--people 400] [--bad 0] [--rounds 3] [--database-url URL]

Each round adds ``--people`` people with two deferred consents each (as the AI interview's
consent writes them) and, with ``--bad N``, N more people with one row the record refuses
(a sealed entry of a type this version does not know) and one consent; then it times the
first sweep (everything appended, bad rows quarantined) and a second sweep (only the
quarantined rows left to look at). Every round uses new people, so no round measures a
sweep that has nothing to do. To compare two versions of the code, run this file with
``PYTHONPATH`` pointing at each checkout, back to back, and note the machine's load
(printed at the end): on a shared machine take the ratio, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, datetime

from company import add_department, add_opening, fresh_database


def _people(session, tenant_id: int, opening_id: int, count: int, tag: str) -> list[int]:
    from hireflow.candidates.models import Application, Candidate

    people = []
    for i in range(count):
        person = Candidate(tenant_id=tenant_id, name=f"P {tag}{i}", email=f"{tag}{i}@x.example")
        person.applications = [Application(tenant_id=tenant_id, opening_id=opening_id)]
        session.add(person)
        people.append(person)
    session.commit()
    return [p.id for p in people]


def _fill(session, tenant_id: int, opening_id: int, args: argparse.Namespace, tag: str) -> None:
    from hireflow.records import outbox, service
    from hireflow.records.service import SystemActor

    link = SystemActor("candidate-link", tenant_id=tenant_id)
    for person_id in _people(session, tenant_id, opening_id, args.people, f"g{tag}-"):
        service.record_consents(
            session, link, person_id, ("recording", "ai_assessment"), "v1", True,
            source="ai_interview", defer=True,
        )  # fmt: skip
    # A sealed entry of a type this version does not know: it authenticates, every append fails.
    refused = {"type": "bogus", "source": "x", "occurred_at": datetime(2026, 1, 1, tzinfo=UTC)}
    for person_id in _people(session, tenant_id, opening_id, args.bad, f"b{tag}-"):
        outbox.defer(session, tenant_id, person_id, [refused])
        session.commit()
        service.record_consents(
            session, link, person_id, ("recording",), "v1", True,
            source="ai_interview", defer=True,
        )  # fmt: skip


def _sweep(session, tenant_id: int) -> tuple[float, object]:
    from hireflow.records import timeline

    started = time.perf_counter()
    settled = timeline.settle_all(session, tenant_id)
    return time.perf_counter() - started, settled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=400, help="people with 2 good rows each")
    parser.add_argument("--bad", type=int, default=0, help="people with a refused row as well")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if min(args.people, args.bad, args.rounds - 1) < 0:
        parser.error("--people and --bad must be ≥ 0 and --rounds ≥ 1")

    _root, database = fresh_database("hireflow-bench-outbox-", args.database_url)
    from hireflow.org import service as org_service

    first, later = [], []
    with database.session() as session:
        tenant = org_service.create_tenant(session, "Bench", "bench")
        opening = add_opening(session, add_department(session, tenant.id, region="cn"), region="cn")
        session.commit()
        for n in range(args.rounds):
            _fill(session, tenant.id, opening.id, args, str(n))
            seconds, settled = _sweep(session, tenant.id)
            first.append(seconds)
            print(
                f"round {n + 1}: first sweep {seconds:.2f} s (appended {settled.appended}, "
                f"failed {len(settled.failed)})",
                flush=True,
            )
            seconds, settled = _sweep(session, tenant.id)
            later.append(seconds)
            print(f"round {n + 1}: next sweep {seconds:.2f} s (appended {settled.appended})")
    rows = 2 * args.people + 2 * args.bad
    print(
        f"settle_all over {args.people} + {args.bad} bad people ({rows} rows) per round, "
        f"{database.engine.dialect.name}: first sweep median {statistics.median(first):.2f} s "
        f"(min {min(first):.2f}), next sweep median {statistics.median(later):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
