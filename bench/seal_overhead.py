"""Cost of sealing decision values: writing screened applications with and without seals.

Each round inserts N candidates with one screened application each (name, screening score
and explanation: two sealed rows per person), then updates every screening score (a
re-screening: one reseal per application), in transactions of 100 people, on a fresh SQLite
database in a temporary directory. The same run measures the same work with
the sealing hook detached (the baseline) and prints the ratio, then ``verify_seals`` over
everything written (rows per second).

Run: ``python bench/seal_overhead.py [--people 2000]`` (about a minute on two cores).
Conditions to quote with the figure: SQLite on local disk, the intl suite, the machine's
load at the time (printed: the load average).
"""

from __future__ import annotations

import argparse
import os
import time

from company import add_department, add_opening, fresh_database
from sqlalchemy import event
from sqlalchemy.orm import Session


def _round(database, tenant_id: int, opening_id: int, people: int, tag: str) -> float:
    from hireflow.candidates.models import Application, Candidate

    started = time.perf_counter()
    for start in range(0, people, 100):
        with database.session() as session:
            batch = []
            for i in range(start, min(start + 100, people)):
                candidate = Candidate(tenant_id=tenant_id, name=f"{tag} 候选人 {i}", email="")
                candidate.applications = [
                    Application(
                        tenant_id=tenant_id,
                        opening_id=opening_id,
                        screening_status="pending",
                        screening_score=float(i % 100),
                        screening={"rules": [{"id": "degree", "ok": i % 2 == 0}]},
                    )
                ]
                batch.append(candidate)
            session.add_all(batch)
            session.commit()
            for candidate in batch:
                candidate.applications[0].screening_score += 1.0
            session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    _, database = fresh_database("hireflow-seal-bench-")

    from hireflow.core import pii
    from hireflow.org.models import Tenant
    from hireflow.records import seals

    with database.session() as session:
        tenant = Tenant(name="Bench", slug="bench", region="cn")
        session.add(tenant)
        session.flush()
        dept = add_department(session, tenant.id, "Bench CN", "R&D", region="cn")
        opening = add_opening(session, dept, region="cn")
        session.commit()
        tenant_id, opening_id = tenant.id, opening.id
    pii.keyring()

    event.remove(Session, "after_flush", seals._after_flush)
    _round(database, tenant_id, opening_id, 200, "warm")  # warm-up, unsealed
    baseline = _round(database, tenant_id, opening_id, args.people, "plain")
    event.listen(Session, "after_flush", seals._after_flush)
    sealed = _round(database, tenant_id, opening_id, args.people, "sealed")

    with database.session() as session:
        started = time.perf_counter()
        checked, problems = seals.verify_seals(session, pii.keyring(), tenant_id)
        verify_seconds = time.perf_counter() - started
    unsealed = sum(1 for p in problems if p.kind == "unsealed")
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores shared)")
    print(
        f"{args.people} people (candidate + screened application, then a re-screening), "
        f"SQLite: without seals {baseline:.2f} s, with seals {sealed:.2f} s, "
        f"ratio {sealed / baseline:.2f}x"
    )
    print(
        f"verify_seals: {checked} rows in {verify_seconds:.2f} s "
        f"({checked / verify_seconds:.0f} rows/s); {unsealed} unsealed rows are the "
        f"{2 * (args.people + 200)} written with the hook detached, "
        f"{len(problems) - unsealed} other problems"
    )


if __name__ == "__main__":
    main()
