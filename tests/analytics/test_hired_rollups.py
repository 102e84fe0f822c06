"""Predictive validity's hired side read from the worker-kept rows (issue 16, speed): on the
generated applicants, hires and outcomes of ``test_review_rollups``, the hired people (their
scores, hire date and order) and the whole analysis read through the rows equal the direct
computation from the source tables, for several scopes and periods and a restricted user:
after the first build, while the worker lags behind real changes (a new hire with a scored
interview, HR overriding a hired person's score, a re-interview, new outcomes, an erasure),
after the worker's run (the very rows a rebuild computes), and after an opening moved to
another department."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select, update

from hireflow.analytics import rollups_hired, validity, validity_sample
from hireflow.analytics.hired_models import HiredScore
from hireflow.analytics.queries import Filters, openings_in_scope
from hireflow.analytics.tasks import refresh_review_rollups
from hireflow.candidates.models import PerformanceRating
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.offers.models import Employee
from hireflow.openings.models import Opening
from hireflow.records import service as records
from tests.analytics.test_review_rollups import TODAY, _newer_report, _scopes, world  # noqa: F401
from tests.interviews.factories import newer_report_for, scored_interview
from tests.workflow.factories import principal


def _direct_hired(session, who, filters):
    openings = list(session.scalars(openings_in_scope(session, who, filters, validity.CAPABILITY)))
    return validity._hired_direct(session, openings, filters)


def _same(session, who, scopes):
    """Rows and analysis equal the direct computation in every scope; the hired counted."""
    counted = []
    for filters in scopes:
        openings = list(
            session.scalars(openings_in_scope(session, who, filters, validity.CAPABILITY))
        )
        read = rollups_hired.hired(session, openings, filters)
        assert read is not None and read == _direct_hired(session, who, filters), filters
        scope = validity.Scope(filters)
        found = validity.analyse(session, who, scope, TODAY)
        assert found == validity.analyse(session, who, scope, TODAY, direct=True), filters
        counted.append(found.hired)
    return counted


def _stored(session):
    return sorted(
        (
            r.employee_id,
            r.report_id,
            r.tenant_id,
            r.subsidiary_id,
            r.department_id,
            r.opening_id,
            r.person_id,
            r.hire_date,
            r.day,
            r.next_day,
            sorted(r.scores.items()),
        )
        for r in session.scalars(select(HiredScore))
    )


def _hire(session, setup):
    """The scored interview's candidate hired into its opening (offer and employee row)."""
    application = setup.candidate.applications[0]
    person = validity_sample._Person({}, 0.0)
    rng = np.random.default_rng(3)
    validity_sample._hire(session, setup.opening, application, person, 999, TODAY, rng)
    session.flush()
    return session.scalars(select(Employee).where(Employee.person_id == setup.candidate.id)).one()


def _outcomes_change(session, first):
    """A new rating, a probation result and a leaving date for hired people of ``first``."""
    employees = list(
        session.scalars(
            select(Employee).where(Employee.opening_id == first.id).order_by(Employee.id)
        )
    )
    session.add(
        PerformanceRating(
            tenant_id=employees[0].tenant_id,
            candidate_id=employees[0].person_id,
            period="2027-H1",
            rating=1.0,
        )
    )
    employees[1].probation_result = "failed"
    employees[2].left_on = employees[2].start_date + timedelta(days=10)
    return employees


def test_hired_rows_answer_as_the_source_tables(session, db, world):  # noqa: F811
    org, first, second = world
    hr = principal(session, org, "hr_admin")
    manager = principal(session, org, "hiring_manager")
    scopes = _scopes(first, second)
    assert rollups_hired.hired(session, [first.id], Filters()) is None  # not built yet
    before = validity.analyse(session, hr, validity.Scope(Filters()), TODAY)
    assert rollups_hired.refresh(db)["rows"] > 30  # the first run builds
    session.expire_all()
    assert validity.analyse(session, hr, validity.Scope(Filters()), TODAY) == before
    counted = _same(session, hr, scopes)
    _same(session, manager, scopes[:1] + scopes[3:])

    # Changes the worker has not seen yet: a new hire with a real scored interview and HR's
    # override of one of their scores, a re-interview of a hired person, new outcomes, an
    # erasure of a hired person.
    setup, interview = scored_interview(session, db, org)
    employee = _hire(session, setup)
    session.commit()
    competency = next(iter(session.scalars(
        select(InterviewReport.scores).where(InterviewReport.interview_id == interview.id)
    ).one()))  # fmt: skip
    interview_hr.adjust_score(
        session,
        hr,
        interview.id,
        interview_schemas.AdjustIn(dimension_id=competency, score=9.5, reason="证据更充分"),
    )
    _newer_report(session, first)
    employees = _outcomes_change(session, first)
    session.commit()
    records.erase_person(session, hr, employees[3].person_id)
    session.commit()
    session.expire_all()
    lagging = _same(session, hr, [*scopes, Filters(start=TODAY)])
    assert lagging[0] == counted[0] + 1  # the new hire counts before the worker ran
    found = rollups_hired.hired(session, [setup.opening.id], Filters())
    assert [h.employee_id for h in found] == [employee.id]
    assert found[0].scores[competency] == 9.5  # HR's score, not the AI's

    assert rollups_hired.refresh(db)["employees"] >= 1  # the new hire at least
    session.expire_all()
    kept = _stored(session)
    assert rollups_hired.refresh(db) == {"employees": 0, "rows": 0}  # nothing new
    _same(session, hr, [*scopes, Filters(start=TODAY)])
    _same(session, manager, scopes[:1])
    rollups_hired.rebuild(db)
    session.expire_all()
    assert _stored(session) == kept  # what the worker kept is what a rebuild computes

    # HR overrides the score again after the worker ran: read before its next run.
    interview_hr.adjust_score(
        session,
        hr,
        interview.id,
        interview_schemas.AdjustIn(dimension_id=competency, score=3.0, reason="复核后下调"),
    )
    session.commit()
    found = rollups_hired.hired(session, [setup.opening.id], Filters())
    assert found[0].scores[competency] == 3.0
    _same(session, hr, scopes[:2])


def test_the_worker_follows_an_opening_to_another_department(session, db, world):  # noqa: F811
    org, first, second = world
    rollups_hired.refresh(db)
    session.execute(
        update(Opening)
        .where(Opening.id == first.id)
        .values(department_id=second.department_id, subsidiary_id=second.subsidiary_id)
    )
    session.commit()
    assert rollups_hired.refresh(db)["employees"] > 0
    session.expire_all()
    departments = set(
        session.scalars(select(HiredScore.department_id).where(HiredScore.opening_id == first.id))
    )
    assert departments == {second.department_id}
    hr = principal(session, org, "hr_admin")
    _same(session, hr, [Filters(department_id=second.department_id), Filters()])


def test_a_later_report_replaces_the_earlier_one_only_for_periods_holding_it(
    session,
    db,
    world,  # noqa: F811
):
    org, first, _second = world
    rollups_hired.refresh(db)
    hired = session.scalars(
        select(Employee).where(Employee.opening_id == first.id).order_by(Employee.id)
    ).first()
    old = session.scalars(
        select(InterviewReport)
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(InterviewSession.candidate_id == hired.person_id)
    ).one()
    newer_report_for(session, session.get(InterviewSession, old.interview_id), old)
    session.commit()
    rollups_hired.refresh(db)
    session.expire_all()
    hr = principal(session, org, "hr_admin")
    day = old.created_at.date()
    until_old = Filters(start=day, end=day + timedelta(days=10))
    through_new = Filters(start=day)
    _same(session, hr, [until_old, through_new])
    mine = {
        f: next(
            h for h in rollups_hired.hired(session, [first.id], f) if h.employee_id == hired.id
        ).scores
        for f in (until_old, through_new)
    }
    assert mine[until_old] == {k: float(v) for k, v in old.scores.items()}
    assert mine[through_new] != mine[until_old]


def test_the_worker_task_keeps_them(session, world):  # noqa: F811
    assert refresh_review_rollups()["hired"] > 30  # the first run builds
    session.expire_all()
    assert rollups_hired.built(session) is not None and session.scalars(select(HiredScore)).first()
