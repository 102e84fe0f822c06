"""The AI accuracy review and predictive validity read from the worker's rollups (issue 16,
speed): on generated applicants with reports, scorecards, hires and outcomes over two openings
and several months, every answer read from the rollups equals the one computed from the
source tables, for several scopes and periods and for a restricted user, after the first
build, after real changes (a new interview scored, scorecards submitted and amended, an HR
override, a stage move, a newer report, the opening's bar, a person erased) once the worker
has run, after a second run (nothing to do) and after a rebuild (the same rows)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from hireflow.analytics import accuracy, review_counts, rollups_review, validity, validity_sample
from hireflow.analytics.models import ReviewRollup
from hireflow.analytics.queries import Filters
from hireflow.analytics.tasks import refresh_review_rollups
from hireflow.candidates.models import Application
from hireflow.core.db import utcnow
from hireflow.core.tasks import celery_app
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.openings.models import Opening
from hireflow.records import service as records
from hireflow.workflow import schemas, scorecards, service
from hireflow.workflow.models import Scorecard
from hireflow.workflow.service import MoveRequest
from tests.conftest import make_org
from tests.interviews.factories import newer_report_for, scored_interview
from tests.workflow.factories import make_opening, principal

TODAY = date(2026, 12, 1)
START = datetime.combine(date(2026, 5, 10), time.min, UTC)


@pytest.fixture
def world(session):
    """Two openings (two departments) of generated applicants, received over 150 days with
    their reports 0-20 days later; most have one or two interviewers' scorecards (some
    amended away), some were rejected or withdrew."""
    org = make_org(session)
    first = make_opening(session, org)
    second = make_opening(session, org, dept_index=2)
    session.commit()
    validity_sample.generate(session, first.id, people=70, seed=5, today=TODAY)
    validity_sample.generate(session, second.id, people=50, seed=6, today=TODAY)
    rng = random.Random(16)
    raters = [org.users["interviewer"].id, org.users["hr_admin"].id]
    apps = session.scalars(select(Application).where(Application.tenant_id == org.tenant.id))
    for app in list(apps):
        received = START + timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23))
        app.created_at = received
        if app.stage != "hired" and rng.random() < 0.4:
            app.stage = rng.choice(["rejected", "withdrawn", "round_1"])
        session.execute(
            update(InterviewReport)
            .where(
                InterviewReport.interview_id.in_(
                    select(InterviewSession.id).where(
                        InterviewSession.candidate_id == app.candidate_id
                    )
                )
            )
            .values(created_at=received + timedelta(days=rng.randint(0, 20)))
        )
        _cards(session, app, raters, rng)
    session.commit()
    return org, first, second


def _cards(session, app, raters, rng):
    report = session.scalars(
        select(InterviewReport.scores)
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(InterviewSession.candidate_id == app.candidate_id)
    ).first()
    if rng.random() < 0.2 or not report:
        return
    for rater in raters[: rng.randint(1, 2)]:
        ratings = {
            c: min(5, max(1, review_counts.ai_level(s) + rng.choice([-1, 0, 0, 1])))
            for c, s in report.items()
        }
        superseded = utcnow() if rng.random() < 0.1 else None
        session.add(
            Scorecard(
                tenant_id=app.tenant_id,
                opening_id=app.opening_id,
                application_id=app.id,
                round_key="round_1",
                interviewer_id=rater,
                ratings=ratings,
                recommendation="yes",
                superseded_at=superseded,
            )
        )


def _scopes(first, second):
    return [
        Filters(),
        Filters(opening_id=first.id),
        Filters(department_id=second.department_id),
        Filters(start=date(2026, 6, 1), end=date(2026, 7, 31)),  # whole months
        Filters(start=date(2026, 6, 17), end=date(2026, 9, 3)),  # ragged ends
        Filters(start=date(2026, 8, 5), end=date(2026, 8, 20)),  # inside one month
        Filters(end=date(2026, 7, 9)),
        Filters(start=date(2025, 1, 1), end=date(2026, 12, 31)),  # whole years
        Filters(start=date(2025, 3, 5), end=date(2026, 8, 20)),  # across a new year
        Filters(start=date(2026, 1, 1)),
    ]


def _same(session, who, scopes):
    for filters in scopes:
        read = accuracy.review(session, who, filters)
        assert read == accuracy.review(session, who, filters, direct=True), filters
        scope = validity.Scope(filters)
        found = validity.analyse(session, who, scope, TODAY)
        assert found == validity.analyse(session, who, scope, TODAY, direct=True), filters


def _rows(session):
    return sorted(
        (r.opening_id, r.grain, r.day, r.kind, r.competency, r.month, r.a, r.b, r.c, r.n, r.s, r.h)
        for r in session.scalars(select(ReviewRollup))
    )


def test_rollups_answer_as_the_source_tables(session, db, world):
    org, first, second = world
    hr = principal(session, org, "hr_admin")
    scopes = _scopes(first, second)
    assert not rollups_review.built(session)
    before = accuracy.review(session, hr, Filters())  # read from the source tables
    rollups_review.refresh(db)  # the first run builds
    session.expire_all()
    assert rollups_review.built(session) and _rows(session)
    found = accuracy.review(session, hr, Filters())
    assert found == before and found.agreement and found.agreement[0].qwk.low is not None
    assert sum(m.pairs for m in found.drift) == sum(a.pairs for a in found.agreement)
    analysis = validity.analyse(session, hr, validity.Scope(Filters()), TODAY)
    assert analysis.assessed == 120 and analysis.hired > 30 and analysis.rows
    _same(session, hr, scopes)
    manager = principal(session, org, "hiring_manager")  # one department only
    _same(session, manager, scopes[:1] + scopes[3:])
    _change(session, db, org, first)
    assert rollups_review.refresh(db)["openings"] >= 2
    session.expire_all()
    _same(session, hr, [*scopes, Filters(start=TODAY - timedelta(days=3))])
    _same(session, manager, scopes[:1])
    assert rollups_review.refresh(db) == {"openings": 0, "days": 0}  # nothing new
    kept = _rows(session)
    rollups_review.rebuild(db)
    session.expire_all()
    assert _rows(session) == kept  # what the worker kept is what a rebuild computes
    _same(session, hr, scopes[:2])


def _change(session, db, org, first):
    """Real changes through the services, and a newer report written directly."""
    hr = principal(session, org, "hr_admin")
    setup, interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    ai, _match = scorecards.ai_scores(session, application)
    competency = next(iter(ai))
    interviewer = principal(session, org, "interviewer")
    session.commit()
    card = scorecards.submit(
        session,
        interviewer,
        application.id,
        schemas.ScorecardIn(round="round_1", ratings={competency: 2}, recommendation="yes"),
    )
    scorecards.amend(
        session,
        interviewer,
        card.id,
        schemas.AmendIn(
            round="round_1", ratings={competency: 5}, recommendation="yes", reason="看错了维度"
        ),
    )
    interview_hr.adjust_score(
        session,
        hr,
        interview.id,
        interview_schemas.AdjustIn(dimension_id=competency, score=9.5, reason="证据更充分"),
    )
    version = len(service.history(session, hr, application.id).moves)
    service.move(session, hr, application.id, MoveRequest(to="hired", version=version))
    _newer_report(session, first)
    session.execute(update(Opening).where(Opening.id == first.id).values(pass_threshold=0.55))
    session.commit()
    hired = session.scalars(
        select(Application).where(Application.stage == "hired", Application.opening_id == first.id)
    ).first()
    records.erase_person(session, hr, hired.candidate_id)
    session.commit()


def _newer_report(session, opening):
    """A second interview and report of one applicant of ``opening`` (a re-interview)."""
    old = session.scalars(
        select(InterviewSession).where(InterviewSession.opening_id == opening.id)
    ).first()
    report = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == old.id)
    ).one()
    newer_report_for(session, old, report)


def test_the_worker_keeps_them_every_minute():
    schedule = celery_app.conf.beat_schedule["analytics.refresh_review_rollups"]
    assert schedule["task"] == "analytics.refresh_review_rollups" and schedule["schedule"] == 60.0
    assert refresh_review_rollups.name in celery_app.tasks
