"""Throughput of the record's everyday operations on one core.

    python bench/records_throughput.py [--people 500] [--entries 20] [--database-url URL]

Measures, on a fresh database in a temporary directory:

- ``append_entry`` through the service API (checks, encryption, both hash chains, search
  terms, audit row, commit): entries/s;
- ``attach_file`` of a 20 MB recording into regional local storage: MB/s, and
  ``open_attachment`` reading it back;
- ``verify`` over every chain: rows/s;
- ``erase_person`` of a person with entries and files: ms per erasure;
- one record page's data (``view_record``: decrypt, verify the person's chain, audit): ms.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

from company import add_department, add_hr_admin, add_opening, fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20, help="entries per person")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    root, database = fresh_database("hireflow-bench-throughput-", args.database_url)

    from hireflow.candidates.models import Application, Candidate
    from hireflow.org import service as org_service
    from hireflow.org.auth import principal_for
    from hireflow.records import queries, service
    from hireflow.records.integrity import count_rows, verify

    with database.session() as session:
        tenant = org_service.create_tenant(session, "Bench", "bench")
        dept = add_department(session, tenant.id, region="cn")
        opening = add_opening(session, dept, region="cn")
        session.commit()
        hr = principal_for(add_hr_admin(session, tenant.id))
        people = []
        for i in range(args.people):
            person = Candidate(tenant_id=tenant.id, name=f"Person {i}", email=f"p{i}@x.example")
            person.applications = [Application(tenant_id=tenant.id, opening_id=opening.id)]
            session.add(person)
            people.append(person)
        session.commit()

        started = time.perf_counter()
        count = 0
        for person in people:
            for j in range(args.entries):
                service.append_entry(
                    session,
                    hr,
                    person.id,
                    "note",
                    {"text": f"面试记录 {j}：沟通清晰，举了处理客户投诉的例子。"},
                    "bench",
                    facts={"n": j},
                )
                count += 1
        elapsed = time.perf_counter() - started
        print(
            f"append_entry (service API, commit each): {count} in {elapsed:.1f} s = "
            f"{count / elapsed:.0f} entries/s"
        )

        payload = os.urandom(20 * 1024 * 1024)
        started = time.perf_counter()
        attachment = service.attach_file(
            session,
            hr,
            people[0].id,
            io.BytesIO(payload),
            "r.webm",
            "video/webm",
            kind="recording",
        )
        elapsed = time.perf_counter() - started
        print(f"attach_file 20 MB: {elapsed:.2f} s = {20 / elapsed:.0f} MB/s (encrypt + fsync)")
        started = time.perf_counter()
        opened = service.open_attachment(session, hr, attachment.id)
        data = opened.stream.read()
        elapsed = time.perf_counter() - started
        assert data == payload
        print(f"open_attachment 20 MB: {elapsed:.2f} s = {20 / elapsed:.0f} MB/s (decrypt)")

        rows = count_rows(session)
        started = time.perf_counter()
        report = verify(session)
        elapsed = time.perf_counter() - started
        assert report.ok, report.problems[:3]
        print(f"verify: {rows} rows in {elapsed:.2f} s = {rows / elapsed:.0f} rows/s")

        views = []
        for person in people[1:21]:
            started = time.perf_counter()
            queries.view_record(session, hr, person.id)
            views.append((time.perf_counter() - started) * 1000)
        print(f"view_record ({args.entries} entries): median {statistics.median(views):.0f} ms")

        erasures = []
        for person in people[21:31]:
            service.attach_file(
                session, hr, person.id, io.BytesIO(os.urandom(100_000)), "cv.pdf", "a/b"
            )
            started = time.perf_counter()
            service.erase_person(session, hr, person.id)
            erasures.append((time.perf_counter() - started) * 1000)
        print(
            f"erase_person ({args.entries} entries, 1 file): median "
            f"{statistics.median(erasures):.0f} ms"
        )
    print(f"(backend {database.dialect}, load average {os.getloadavg()[0]:.1f}, data in {root})")


if __name__ == "__main__":
    main()
