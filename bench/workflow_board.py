"""The pipeline's two speed targets (issue 14): an opening's kanban board with 2,000 candidates
renders in under 500 ms, and a stage move answers in under 200 ms.

    python bench/workflow_board.py [--candidates 2000] [--openings 3] [--moves 60]
                                   [--database-url URL]

On a fresh database in a temporary directory: ``--openings`` openings with ``--candidates``
applications each, spread over the default stages (half never moved, the rest in a stored
position), half of them with a stored AI interview report (so the job-match join has rows).
Everything goes through the real application in-process (Starlette's TestClient: middleware,
session sign-in, permission checks, the audit of who was shown whom, Jinja rendering):

- board: ``GET /openings/{id}/pipeline``, the openings in turn, a real move made between two
  renders so no render repeats the one before; baseline in the same run: the board of an
  opening with 20 candidates;
- move: ``POST /api/v1/applications/{id}/move`` (bearer token) for distinct applications
  (each a different person: version check, stage history, a record entry on two hash chains,
  the record status, the audit row, one commit); baseline: ``GET
  /api/v1/applications/{id}/pipeline`` for the same applications.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import platform
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from company import add_opening
from workflow_setup import api_client, make_company, ms, open_database, page_client

STAGE_SHARE = (
    ("screened", 0.15),
    ("ai_interview", 0.1),
    ("round_1", 0.08),
    ("round_2", 0.05),
    ("offer", 0.02),
    ("rejected", 0.1),
)


def _setup(session: Any, count: int, openings: int) -> dict[str, Any]:
    from hireflow.candidates.models import Application, Candidate
    from hireflow.core.db import utcnow
    from hireflow.interviews.models import InterviewReport, InterviewSession
    from hireflow.scheduling.models import Invitation
    from hireflow.workflow.models import PipelinePosition

    rng = random.Random(14)
    company = make_company(session)
    tenant, dept, user = company.tenant, company.department, company.hr
    now = utcnow()
    made: list[int] = []
    sizes = [count] * openings + [20]
    for index, size in enumerate(sizes):
        opening = add_opening(session, dept, f"Opening {index}", region="cn", job_type="technical")
        people = [
            Candidate(tenant_id=tenant.id, name=f"Person {index}-{i}", email=f"p{index}-{i}@x.cn")
            for i in range(size)
        ]
        session.add_all(people)
        session.flush()
        apps = [
            Application(
                tenant_id=tenant.id,
                candidate_id=p.id,
                opening_id=opening.id,
                source=rng.choice(("upload", "referral", "api")),
                created_at=now - timedelta(days=rng.randint(0, 60)),
            )
            for p in people
        ]
        session.add_all(apps)
        session.flush()
        for app in apps:
            roll, total = rng.random(), 0.0
            for key, share in STAGE_SHARE:
                total += share
                if roll < total:
                    session.add(
                        PipelinePosition(
                            tenant_id=tenant.id,
                            application_id=app.id,
                            opening_id=opening.id,
                            stage_key=key,
                            version=1,
                            entered_at=now - timedelta(days=rng.randint(0, 30)),
                        )
                    )
                    break
        for person in people[: size // 2]:
            invitation = Invitation(
                tenant_id=tenant.id,
                opening_id=opening.id,
                candidate_id=person.id,
                kind="ai",
                status="completed",
                deadline=now,
            )
            session.add(invitation)
            session.flush()
            interview = InterviewSession(
                tenant_id=tenant.id,
                opening_id=opening.id,
                candidate_id=person.id,
                invitation_id=invitation.id,
                status="scored",
                deadline=now,
            )
            session.add(interview)
            session.flush()
            body = f"report {interview.id}"
            session.add(
                InterviewReport(
                    tenant_id=tenant.id,
                    interview_id=interview.id,
                    body=body,
                    sha256=hashlib.sha256(body.encode()).hexdigest(),
                    engine_version="bench",
                    scores={"coding": round(rng.uniform(2, 9), 1)},
                    job_match=round(rng.uniform(30, 95), 1),
                )
            )
        session.commit()
        made.append(opening.id)
    return {"user": user, "openings": made[:-1], "small": made[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--openings", type=int, default=3)
    parser.add_argument("--renders", type=int, default=4, help="renders per opening")
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="move the start-up heap out of the garbage collector's way (gc.freeze) first",
    )
    args = parser.parse_args()

    from sqlalchemy import select

    from hireflow.candidates.models import Application
    from hireflow.workflow.models import PipelinePosition

    database = open_database("hireflow-bench-workflow-", args.database_url)
    started = time.perf_counter()
    with database.session() as session:
        world = _setup(session, args.candidates, args.openings)
    setup_s = time.perf_counter() - started

    client = page_client(database)
    api = api_client(database)

    with database.session() as session:
        movable = {
            opening: list(
                session.scalars(
                    select(Application.id)
                    .outerjoin(PipelinePosition, PipelinePosition.application_id == Application.id)
                    .where(Application.opening_id == opening, PipelinePosition.id.is_(None))
                    .order_by(Application.id)
                )
            )
            for opening in world["openings"]
        }

    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    cpu: dict[str, list[float]] = {"board": [], "small": [], "move": [], "read": []}

    def timed(kind: str, call: Any) -> tuple[float, Any]:
        """Wall time of one request, and the process's CPU time for it into ``cpu[kind]``."""
        c0, t0 = time.process_time(), time.perf_counter()
        response = call()
        cpu[kind].append((time.process_time() - c0) * 1000)
        return (time.perf_counter() - t0) * 1000, response

    def render(opening_id: int, kind: str = "board") -> tuple[float, int]:
        elapsed, response = timed(kind, lambda: client.get(f"/openings/{opening_id}/pipeline"))
        assert response.status_code == 200, response.status_code
        return elapsed, response.text.count('class="kcard"')

    client.get(f"/openings/{world['small']}/pipeline")  # first request: imports, templates
    load_before = os.getloadavg()[0]
    small = [render(world["small"], "small")[0] for _ in range(args.renders * args.openings)]
    boards: list[float] = []
    cards = 0
    for round_ in range(args.renders):
        for opening in world["openings"]:
            app_id = movable[opening].pop()
            moved = api.post(
                f"/api/v1/applications/{app_id}/move", json={"to": "screened", "version": 0}
            )
            assert moved.status_code == 200, moved.text
            elapsed, cards = render(opening)
            boards.append(elapsed)
        del round_

    reads: list[float] = []
    moves: list[float] = []
    targets = [
        a for opening in world["openings"] for a in movable[opening][: args.moves // args.openings]
    ]
    for app_id in targets:
        url = f"/api/v1/applications/{app_id}"
        elapsed, read = timed("read", lambda u=url: api.get(f"{u}/pipeline"))
        reads.append(elapsed)
        assert read.status_code == 200
        body = {"to": "round_1", "version": 0}
        elapsed, moved = timed("move", lambda u=url, b=body: api.post(f"{u}/move", json=b))
        moves.append(elapsed)
        assert moved.status_code == 200, moved.text
    load_after = os.getloadavg()[0]

    frozen = "after setup" if args.gc_freeze else "not used"
    print("Pipeline speed (bench/workflow_board.py)")
    print(
        f"conditions: {database.dialect}, one process, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, in-process HTTP (TestClient); "
        f"{args.openings} openings × {args.candidates} applications + one of 20; "
        f"setup {setup_s:.0f} s; gc.freeze {frozen}; "
        f"load average {load_before:.1f} before, {load_after:.1f} after "
        "(wall times grow with other work on the machine; CPU is this process's time)"
    )
    print(f"board, {cards} cards ({len(boards)} renders): {ms(boards)}   target < 500 ms")
    print(f"    CPU: {ms(cpu['board'])}")
    print(f"board, 20 cards (baseline, {len(small)} renders): {ms(small)}")
    print(f"    CPU: {ms(cpu['small'])}")
    print(
        "ratio big board / 20-card board (medians): "
        f"{statistics.median(boards) / statistics.median(small):.1f}×"
    )
    print(f"stage move ({len(moves)} distinct applications): {ms(moves)}   target < 200 ms")
    print(f"    CPU: {ms(cpu['move'])}")
    print(f"pipeline read, same applications (baseline): {ms(reads)}")
    print(f"    CPU: {ms(cpu['read'])}")
    print(
        f"ratio move / read (medians): {statistics.median(moves) / statistics.median(reads):.1f}×"
    )


if __name__ == "__main__":
    main()
