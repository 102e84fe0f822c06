"""What an offer costs: sending it (the Chinese PDF rendered and filed encrypted in the record)
and the candidate's answer, accepting (the whole hire) against declining, in the same run.

    python bench/offers.py [--offers 12] [--database-url URL]

Issue 14 names no speed target for offers; this bench gives the figures the docs quote. On a
fresh database (shared setup: ``bench/workflow_setup.py``): one company with an HR admin, the
department's hiring manager and an IT user; one open opening with ``2 × --offers`` applications
of distinct people (Chinese names and language), an offer template; each offer is made,
approved by the hiring manager (under the salary band: one step) and sent. Then, alternating,
through the real application in-process (``POST /api/v1/offer-links/{token}/answer``, the
candidate's personal link, no sign-in):

- accept: the signed answer sealed into the record, the employee row and its number from the
  company's counter, the move to hired, the account, the onboarding checklist with its e-mails,
  the events (webhooks, rules, the record's entries);
- decline (baseline): the signed answer sealed into the record, the sender told, the events.

Sending is timed too (``POST /api/v1/offers/{id}/send``: WeasyPrint with embedded CJK fonts,
the encrypted file in the person's region, the e-mail with the letter, the move to offer).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from workflow_setup import Timer, api_client, conditions, make_company, make_user, open_database

NAMES = "张伟 王芳 李娜 刘洋 陈静 杨帆 赵磊 黄敏 周杰 吴婷 徐强 孙悦 马超 朱琳 胡斌 郭蕾"


def _name(i: int) -> str:
    names = NAMES.split()
    return names[i % len(names)] + ("" if i < len(names) else str(i // len(names)))


def _setup(session: Any, count: int) -> dict[str, Any]:
    from hireflow.candidates.models import Application, Candidate
    from hireflow.core.permissions import Role
    from hireflow.core.settings import get_settings
    from hireflow.offers import configuration, schemas, service
    from hireflow.openings.models import Opening
    from hireflow.org.auth import principal_for

    company = make_company(session)
    tenant = company.tenant
    manager = make_user(
        session, tenant.id, "manager@bench.example", Role.HIRING_MANAGER,
        department_id=company.department.id,
    )  # fmt: skip
    make_user(session, tenant.id, "it@bench.example", Role.IT_AUDITOR)
    opening = Opening(
        tenant_id=tenant.id,
        subsidiary_id=company.subsidiary.id,
        department_id=company.department.id,
        title="后端工程师",
        region="cn",
        job_type="technical",
        status="open",
    )
    session.add(opening)
    session.flush()
    hr = principal_for(company.hr)
    template = configuration.save_template(
        session,
        hr,
        schemas.TemplateIn(
            name="Engineer",
            salary=25000,
            currency="CNY",
            salary_period="month",
            probation_months=3,
            required_documents=["id_card"],
            location="上海",
            body={
                "zh": "亲爱的 {name}：我们很高兴录用您担任 {position}，月薪 {salary}。",
                "en": "Dear {name}, we are pleased to offer you the position of {position}.",
            },
            valid_days=7,
        ),
    )
    made = []
    start = datetime.now(UTC).date() + timedelta(days=30)
    approver = principal_for(manager)
    for i in range(count):
        person = Candidate(
            tenant_id=tenant.id,
            name=_name(i),
            email=f"person{i}@bench.example",
            language="zh-CN",
        )
        person.applications = [Application(tenant_id=tenant.id, opening_id=opening.id)]
        session.add(person)
        session.flush()
        offer = service.create_offer(
            session,
            hr,
            person.applications[0].id,
            schemas.OfferIn(template_id=template.id, start_date=start),
        )
        service.submit(session, hr, offer.id, get_settings())
        approve = schemas.DecisionIn(approve=True)
        service.decide(session, approver, offer.id, approve, get_settings())
        made.append((offer.id, person.name))
    return {"offers": made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=12)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    database = open_database("hireflow-bench-offers-", args.database_url)

    from sqlalchemy import func, select

    from hireflow.core import tasks
    from hireflow.core.settings import get_settings
    from hireflow.offers.links import link_token
    from hireflow.offers.models import Employee, Offer, OnboardingTask

    with database.session() as session:
        made = _setup(session, 2 * args.offers + 2)
    api = api_client(database)
    # The worker is another process: queued tasks (mail, webhooks, rules) are not run here.
    tasks.send_by_name = lambda *_a, **_k: None  # type: ignore[assignment]

    timer = Timer()
    links: list[tuple[str, str]] = []
    for index, (offer_id, name) in enumerate(made["offers"]):
        kind = "warm-up" if index < 2 else "send"
        sent = timer(kind, lambda o=offer_id: api.post(f"/api/v1/offers/{o}/send"))
        assert sent.status_code == 200, sent.text
        with database.session() as session:
            offer = session.get(Offer, offer_id)
            links.append((link_token(get_settings(), offer), name))

    def answer(kind: str, token: str, name: str, accept: bool) -> None:
        url = f"/api/v1/offer-links/{token}/answer"
        body = {"accept": accept, "typed_name": name, "reason": "" if accept else "其他机会"}
        done = timer(kind, lambda: api.post(url, json=body))
        assert done.status_code == 200, done.text

    answer("warm-up", *links[0], True)
    answer("warm-up", *links[1], False)
    rest = links[2:]
    for accepted, declined in zip(rest[0::2], rest[1::2], strict=True):
        answer("accept", *accepted, True)
        answer("decline", *declined, False)

    with database.session() as session:
        employees = session.scalar(select(func.count()).select_from(Employee))
        numbers = set(session.scalars(select(Employee.employee_number)))
        checklist = session.scalar(select(func.count()).select_from(OnboardingTask))
    assert employees == len(numbers) == args.offers + 1, (employees, numbers)

    print("Offers: sending, accepting (the hire) and declining (bench/offers.py)")
    print(
        conditions(
            database,
            f"{len(made['offers'])} offers of distinct people, Chinese letters; "
            f"{args.offers} accepted and {args.offers} declined, alternating; "
            "queued tasks (mail, webhooks, rules) not run",
        )
    )
    print(timer.line("send", "send: Chinese PDF rendered, filed encrypted, e-mail queued"))
    print(timer.line("accept", "accept: signed answer, employee, hired, account, checklist"))
    print(timer.line("decline", "decline (baseline): signed answer, sender told"))
    print(f"ratio accept / decline (medians): {timer.ratio('accept', 'decline'):.2f}×")
    print(
        f"outcome: {employees} employees with {len(numbers)} distinct numbers, "
        f"{checklist} onboarding tasks"
    )


if __name__ == "__main__":
    main()
