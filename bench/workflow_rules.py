"""A stage move with three rules and two notifications answers in under 200 ms (issue 14):
the rules' actions run after the commit, in the worker.

    python bench/workflow_rules.py [--moves 40] [--database-url URL]

On a fresh database (shared setup: ``bench/workflow_setup.py``): one company with an HR
admin, the department's hiring manager, an interviewer and the WeCom group robot turned on;
two openings with the same panel and ``--moves`` applications each. The "rules" opening has
three rules listening to candidates entering ``round_2``:

1. ``stage == 'round_2'`` → notify the hiring manager (two notifications:
   the manager's e-mail and the WeCom group);
2. ``previous_stage != 'rejected'`` → start the next round (a self-booking invitation with
   the panel);
3. ``days_in_stage >= 0`` → a to-do on HR's list.

The "baseline" opening has none. Measured in the same run, alternating, through the real
application in-process (bearer token, middleware, permission checks, audit, commit):

- move: ``POST /api/v1/applications/{id}/move`` to ``round_2`` for distinct applications of
  each opening (with rules: the stage history, the record entry, and in the same transaction
  one pending rule-log row per rule and the evaluation queued for after the commit);
- worker: what the worker then does for one move (three rules evaluated, two messages in the
  outbox, one invitation, one to-do), timed separately: it is not part of the answer.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from workflow_setup import Timer, api_client, conditions, make_company, make_user, open_database

RULES = (
    ("Notify", "stage == 'round_2'", [{"type": "notify_manager"}]),
    ("Start round 2", "previous_stage != 'rejected'", [{"type": "next_round"}]),
    ("To-do", "days_in_stage >= 0", [{"type": "todo", "note": "Prepare the panel"}]),
)


def _setup(session: Any, count: int) -> dict[str, Any]:
    from hireflow.candidates.models import Application, Candidate
    from hireflow.core.permissions import Role
    from hireflow.notifications.models import ChannelSetting
    from hireflow.openings.models import Opening, OpeningMember
    from hireflow.org.auth import principal_for
    from hireflow.workflow import rules, schemas

    company = make_company(session)
    tenant = company.tenant
    make_user(
        session, tenant.id, "manager@bench.example", Role.HIRING_MANAGER,
        department_id=company.department.id,
    )  # fmt: skip
    interviewer = make_user(session, tenant.id, "panel@bench.example", Role.INTERVIEWER)
    session.add(
        ChannelSetting(
            tenant_id=tenant.id,
            channel="wecom",
            provider="wecom",
            enabled=True,
            config={"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bench"},
        )
    )
    made: dict[str, Any] = {}
    for name in ("rules", "baseline"):
        opening = Opening(
            tenant_id=tenant.id,
            subsidiary_id=company.subsidiary.id,
            department_id=company.department.id,
            title=f"Opening {name}",
            region="cn",
            job_type="technical",
            status="open",
            members=[OpeningMember(user_id=interviewer.id, role="interviewer")],
        )
        session.add(opening)
        session.flush()
        people = [
            Candidate(tenant_id=tenant.id, name=f"{name} {i}", email=f"{name}{i}@bench.example")
            for i in range(count)
        ]
        session.add_all(people)
        session.flush()
        apps = [
            Application(tenant_id=tenant.id, candidate_id=p.id, opening_id=opening.id)
            for p in people
        ]
        session.add_all(apps)
        session.commit()
        made[name] = [a.id for a in apps]
        if name == "rules":
            hr = principal_for(company.hr)
            for title, condition, actions in RULES:
                rules.create_rule(
                    session,
                    hr,
                    opening.id,
                    schemas.RuleIn.model_validate(
                        {
                            "name": title,
                            "trigger": "stage.changed",
                            "stage": "round_2",
                            "condition": condition,
                            "actions": actions,
                        }
                    ),
                )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    database = open_database("hireflow-bench-rules-", args.database_url)

    from sqlalchemy import func, select

    from hireflow.core import tasks
    from hireflow.notifications.models import OutboxMessage
    from hireflow.scheduling.models import Invitation
    from hireflow.workflow import automation
    from hireflow.workflow.models import RuleLog, RuleTask

    with database.session() as session:
        apps = _setup(session, args.moves + 1)
    api = api_client(database)

    # The worker is another process: here the queued tasks are only collected, then run
    # (and timed) after the measured requests, as the worker would run them.
    queued: list[tuple[str, tuple[Any, ...]]] = []
    tasks.send_by_name = lambda name, *a, **_k: queued.append((name, a))  # type: ignore[assignment]

    timer = Timer()

    def move(kind: str, application_id: int) -> None:
        url = f"/api/v1/applications/{application_id}/move"
        answer = timer(kind, lambda: api.post(url, json={"to": "round_2", "version": 0}))
        assert answer.status_code == 200, answer.text

    move("warm-up", apps["baseline"].pop())
    move("warm-up", apps["rules"].pop())
    queued.clear()
    for with_rules, without in zip(apps["rules"], apps["baseline"], strict=True):
        move("rules", with_rules)
        move("baseline", without)

    evaluations = [args[0] for name, args in queued if name == automation.EVALUATE_TASK]
    assert len(evaluations) == args.moves, len(evaluations)
    for log_ids in evaluations:
        before = len(queued)
        timer("worker", lambda ids=log_ids: automation.evaluate_logs(database, list(ids)))
        rounds = [a for name, a in queued[before:] if name == automation.NEXT_ROUND_TASK]
        for log_id, index in rounds:
            timer(
                "next_round", lambda i=log_id, n=index: automation.start_next_round(database, i, n)
            )

    with database.session() as session:
        fired = session.scalar(
            select(func.count()).select_from(RuleLog).where(RuleLog.status == "fired")
        )
        messages = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.related_type == "application")
        )
        invitations = session.scalar(select(func.count()).select_from(Invitation))
        todos = session.scalar(select(func.count()).select_from(RuleTask))

    print("Stage move with rules (bench/workflow_rules.py)")
    print(
        conditions(
            database,
            f"{args.moves} moves per opening, alternating; 3 rules on entering round_2 "
            "(notify the hiring manager: e-mail + WeCom group; start the next round; to-do)",
        )
    )
    print(timer.line("rules", "stage move, 3 rules + 2 notifications", "target < 200 ms"))
    print(timer.line("baseline", "stage move, no rules (baseline)"))
    print(f"ratio with rules / without (medians): {timer.ratio('rules', 'baseline'):.2f}×")
    worker_ms = statistics.median(timer.wall["worker"]) + statistics.median(
        timer.wall["next_round"]
    )
    print(
        timer.line("worker", "in the worker after the commit: 3 rules evaluated, 2 messages, to-do")
    )
    print(timer.line("next_round", "in the worker: the next round's self-booking invitation"))
    print(f"worker time per move (medians summed): {worker_ms:.1f} ms, not part of the answer")
    print(
        f"outcome: {fired} rules fired, {messages} notifications queued, "
        f"{invitations} invitations, {todos} to-dos"
    )


if __name__ == "__main__":
    main()
