"""The flow rollups and the ordered top scores (issue 16, speed): end-to-end time, completion
by answer mode and device, source and channel and the top ten read from them equal the same
figures computed from the source tables, on the bench's generated company (applications,
invitations, interviews, answers, reports, messages, offers over 700 days) in several scopes
and periods, after facts change in place (an invitation opened, an interview submitted, an
offer sent, a message delivered, a source corrected), with an HR override, before and after the worker's run, after a
rebuild, after a person's erasure, and for each role's scope."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hireflow.analytics import figures, rollups_flow, top_scores
from hireflow.analytics.flow_models import FlowFact, FlowRollup, TopScore
from hireflow.analytics.queries import Filters
from hireflow.analytics.tasks import refresh_rollups
from hireflow.candidates.models import Application
from hireflow.core.db import utcnow
from hireflow.core.errors import NotFound
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.offers.models import Offer
from hireflow.openings.models import Opening
from hireflow.org.auth import principal_for
from hireflow.org.models import Department, User
from hireflow.records import service as records
from hireflow.scheduling.models import Invitation
from tests.conftest import make_org
from tests.interviews.factories import scored_interview
from tests.offers.factories import sent_offer
from tests.workflow.factories import principal

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from analytics_data import populate

SOURCES = (Application, Invitation, InterviewSession, InterviewAnswer, Offer, OutboxMessage)
FIGURES = (
    figures.end_to_end,
    figures.completion,
    figures.source_and_channel,
    figures.top_per_competency,
)


def _age(session):
    """The rows written so far as written an hour ago (the worker's window looks at recent
    changes)."""
    earlier = utcnow() - timedelta(hours=1)
    for model in SOURCES:
        session.execute(update(model).values(updated_at=earlier))
    session.commit()


def _next(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _cases(openings, departments):
    today = utcnow().date()
    month = _next(today - timedelta(days=200))
    return [
        Filters(),
        Filters(opening_id=openings[0]),
        Filters(department_id=departments[1]),
        Filters(start=today - timedelta(days=30), end=today),
        Filters(start=today - timedelta(days=90), end=today),
        Filters(start=month - timedelta(days=13), end=month + timedelta(days=75)),
        Filters(start=month, end=_next(month) - timedelta(days=1)),
        Filters(start=month + timedelta(days=3), end=month + timedelta(days=20)),
        Filters(opening_id=openings[1], start=month),
        Filters(end=month + timedelta(days=9)),
    ]


def _same(session, people, cases):
    for who in people:
        for filters in cases:
            for figure in FIGURES:
                try:
                    direct = figure(session, who, filters, direct=True)
                except NotFound:
                    with pytest.raises(NotFound):
                        figure(session, who, filters)
                    continue
                assert figure(session, who, filters) == direct, (figure.__name__, filters)


def _tables(session):
    facts = session.execute(
        select(FlowFact.kind, FlowFact.source_id, FlowFact.part, FlowFact.key, FlowFact.day)
        .add_columns(FlowFact.day2, FlowFact.bucket, FlowFact.a, FlowFact.b, FlowFact.c)
        .add_columns(FlowFact.us, FlowFact.opening_id)
        .order_by(FlowFact.kind, FlowFact.source_id, FlowFact.part)
    ).all()
    sums = session.execute(
        select(FlowRollup.opening_id, FlowRollup.kind, FlowRollup.month, FlowRollup.month2)
        .add_columns(FlowRollup.key, FlowRollup.bucket, FlowRollup.n, FlowRollup.a)
        .add_columns(FlowRollup.b, FlowRollup.c, FlowRollup.us)
        .where(FlowRollup.n != 0)
        .order_by(FlowRollup.opening_id, FlowRollup.kind, FlowRollup.month, FlowRollup.month2)
        .order_by(FlowRollup.key, FlowRollup.bucket)
    ).all()
    top = session.execute(
        select(TopScore.report_id, TopScore.competency, TopScore.score, TopScore.day).order_by(
            TopScore.report_id, TopScore.competency
        )
    ).all()
    return [tuple(r) for r in facts], [tuple(r) for r in sums], [tuple(r) for r in top]


def _change_in_place(session):
    """Facts that change on rows already folded in, as the product's writes change them."""
    unopened = session.scalars(select(Invitation).where(Invitation.opened_at.is_(None))).first()
    unopened.opened_at = utcnow()
    waiting = session.scalars(
        select(InterviewSession).where(InterviewSession.submitted_at.is_(None))
    ).first()
    waiting.started_at = waiting.started_at or utcnow()
    waiting.submitted_at = utcnow()
    for answer in session.scalars(select(InterviewAnswer).limit(30)):
        answer.mode = "video" if answer.mode != "video" else "voice"
    offer = session.scalars(select(Offer).order_by(Offer.id.desc())).first()
    offer.sent_at = offer.sent_at - timedelta(days=3)
    session.add(
        Offer(
            tenant_id=offer.tenant_id,
            application_id=offer.application_id - 1,
            candidate_id=offer.candidate_id,
            opening_id=session.get(Application, offer.application_id - 1).opening_id,
            start_date=offer.start_date,
            status="sent",
            sent_at=utcnow() - timedelta(days=1),
        )
    )
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    message.status = "failed"
    message.channel = "sms" if message.channel == "email" else "email"
    application = session.scalars(select(Application).order_by(Application.id.desc())).first()
    application.source = "referral"
    session.commit()


def test_flow_figures_answer_like_the_source_tables(session, db):
    populate(session, 600, 4)
    _age(session)
    hr = principal_for(session.scalars(select(User).order_by(User.id.desc())).first())
    openings = list(session.scalars(select(Opening.id).order_by(Opening.id)))
    departments = list(session.scalars(select(Department.id).order_by(Department.id)))
    cases = _cases(openings, departments)

    assert rollups_flow.built(session) is None  # not built: the direct queries answer
    _same(session, [hr], cases)
    done = refresh_rollups.apply().get()  # the worker's task, run in-process: builds them
    assert done["flow_facts"] > 0 and done["top_scores"] > 0
    _same(session, [hr], cases)

    # facts change in place, not yet folded in: the readers recompute them on the fly
    _change_in_place(session)
    _same(session, [hr], cases)

    # folded in by the worker: same answers; a rebuild lands on the same rows
    assert rollups_flow.refresh(db)["facts"] > 0
    _same(session, [hr], cases)
    folded = _tables(session)
    rollups_flow.rebuild(db)
    top_scores.refresh(db, rebuild=True)
    assert _tables(session) == folded
    _same(session, [hr], cases)


@pytest.fixture
def org(session):
    return make_org(session)


def test_flow_figures_keep_each_role_in_scope_and_survive_an_erasure(session, db, org):
    setups = [scored_interview(session, db, org)[0] for _ in range(3)]
    sent_offer(session, org)
    setups[1].invitation.device_result = {"device": "tablet"}
    session.commit()
    _age(session)
    people = [principal(session, org, r) for r in ("hr_admin", "recruiter", "hiring_manager")]
    stranger = principal(session, make_org(session), "hr_admin")
    today = utcnow().date()
    cases = [
        Filters(),
        Filters(opening_id=setups[0].opening.id),
        Filters(department_id=org.departments[1].id),
        Filters(start=today - timedelta(days=3), end=today),
    ]
    rollups_flow.refresh(db)
    top_scores.refresh(db)
    _same(session, [*people, stranger], cases)
    for figure in FIGURES:
        assert figure(session, stranger, Filters()) in (
            [],
            figure(session, stranger, Filters(), direct=True),
        )
        with pytest.raises(NotFound):
            figure(session, stranger, Filters(opening_id=setups[0].opening.id))

    # HR overrides a score (the scores in effect rank) and a person is erased
    interview = session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == setups[2].invitation.id)
    ).one()
    top = figures.top_per_competency(session, people[0], Filters())[0]
    interview_hr.adjust_score(
        session,
        people[0],
        interview.id,
        interview_schemas.AdjustIn(
            dimension_id=top.competency, score=10.0, reason="例子具体，有结果"
        ),
    )
    _same(session, people, cases)
    records.erase_person(session, principal_for(org.users["hr_admin"]), setups[0].candidate.id)
    _same(session, people, cases)
    rollups_flow.refresh(db)
    top_scores.refresh(db)
    _same(session, people, cases)
