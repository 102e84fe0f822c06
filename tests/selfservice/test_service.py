"""Self-service on real data: an engine-scored report, a hire through the offer flow, the
catalogue, enrolment with a waiting list, a re-assessment through the interviews flow."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.errors import AppError, NotFound
from hireflow.interviews.models import InterviewSession
from hireflow.interviews.queries import for_hiring
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.records.models import PersonRecord, RecordEntry
from hireflow.selfservice import development, policy, reports, training
from hireflow.selfservice.models import Enrolment
from tests.selfservice.factories import add_course, hired_employee, take_reassessment


def test_an_employee_sees_their_report_as_the_policy_allows(session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    me = principal_for(hired.user)
    views = reports.my_reports(session, me, "zh")
    assert len(views) == 1
    view = views[0]
    assert view.interview_id == hired.interview.id and not view.development
    assert view.dimensions and all(d.score is not None for d in view.dimensions)
    assert any(d.below for d in view.dimensions)  # a weak answer leaves gaps
    assert view.suggestions  # development suggestions from the report's gaps
    hr = principal_for(org.users["hr_admin"])
    policy.update_policy(
        session, hr, policy.PolicyIn(show_scores=False, show_evidence=False, show_suggestions=False)
    )
    hidden = reports.my_reports(session, me, "zh")[0]
    assert all(d.score is None and not d.quotes for d in hidden.dimensions)
    assert hidden.suggestions == [] and hidden.examples == [] and hidden.job_match is None


def test_an_unreviewed_hiring_report_waits_and_candidates_need_the_policy(
    session, db, org, queue, storage
):
    hired = hired_employee(session, db, org, reviewed=False)
    me = principal_for(hired.user)
    assert reports.my_reports(session, me, "en") == []
    hr = principal_for(org.users["hr_admin"])
    policy.update_policy(session, hr, policy.PolicyIn(after_review_only=False))
    assert len(reports.my_reports(session, me, "en")) == 1


def test_the_plan_recommends_courses_and_enrolment_queues_when_full(
    session, db, org, queue, storage
):
    first = hired_employee(session, db, org)
    second = hired_employee(session, db, org)
    me = principal_for(first.user)
    mine = development.my_development(session, me, "en")
    assert mine.plan, "a weak interview must leave competencies to work on"
    weakest = mine.plan[0].dimension
    course = add_course(session, org, weakest, capacity=1)
    mine = development.my_development(session, me, "en")
    assert [c.id for c in mine.plan[0].courses] == [course.id]
    seat = training.enrol(session, me, course.id)
    assert seat.status == "enrolled"
    with pytest.raises(AppError) as again:
        training.enrol(session, me, course.id)
    assert again.value.status == 409
    other = principal_for(second.user)
    queued = training.enrol(session, other, course.id)
    assert queued.status == "waitlisted"
    # the second person cannot touch the first one's enrolment: same answer as missing
    with pytest.raises(NotFound):
        training.set_progress(session, other, seat.id, training.ProgressIn(progress=50))
    training.cancel(session, me, seat.id)
    session.refresh(queued)
    assert queued.status == "enrolled"
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "training.seat")).one()
    assert told.recipient == second.person.email and told.related_id == queued.id
    training.set_progress(session, other, queued.id, training.ProgressIn(progress=40))
    done = training.set_progress(session, other, queued.id, training.ProgressIn(progress=100))
    assert done.status == "completed" and done.record_entry_id
    entry = session.get(RecordEntry, done.record_entry_id)
    assert entry.source == "training" and entry.facts["competency"] == weakest


def _record_status(session, person_id: int) -> str:
    record = session.scalars(
        select(PersonRecord)
        .where(PersonRecord.person_id == person_id)
        .execution_options(populate_existing=True)
    ).one()
    return record.status


def test_a_reassessment_runs_through_the_interviews_flow_and_shows_progress(
    session, db, org, queue, storage, published
):
    hired = hired_employee(session, db, org)
    me = principal_for(hired.user)
    plan = development.my_development(session, me, "zh").plan
    wanted = [item.dimension for item in plan]
    scheduled = development.schedule_own(session, me, development.ReassessmentIn(), "zh")
    assert scheduled.dimensions == wanted
    invited = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "development.reassessment")
    ).one()
    assert invited.recipient == hired.person.email and "/my/development" in invited.body_text
    with pytest.raises(AppError) as twice:
        development.schedule_own(session, me, development.ReassessmentIn(), "zh")
    assert twice.value.status == 409
    listed = development.my_development(session, me, "zh").reassessments
    assert listed[0]["link"].startswith("/i/")
    status_before = _record_status(session, hired.person.id)
    interview = take_reassessment(session, db, scheduled.invitation_id)
    session.refresh(scheduled)
    # A development report lands on the record without turning the employee back into an
    # interviewee.
    assert _record_status(session, hired.person.id) == status_before != "ai_interview_done"
    assert scheduled.status == "completed"  # report.ready completed it
    # ...without naming the application the person was hired through: its rules, webhooks
    # and the AI accuracy review must not take a development report for a hiring one
    ready = [e for e in published if e.name == "report.ready"]
    assert ready[-1].data["interview_id"] == interview.id
    assert ready[-1].data["application_id"] is None
    assert ready[-1].subject == f"interview:{interview.id}"
    assert interview.id not in set(session.scalars(select(InterviewSession.id).where(for_hiring())))
    assert all(set(q["dimensions"]) & set(wanted) for q in interview.questions)
    mine = development.my_development(session, me, "zh")
    assert [r.development for r in mine.reports] == [False, True]
    moved = [s for s in mine.progress if s.dimension in wanted and len(s.points) == 2]
    assert moved and any(s.last > s.first for s in moved)  # a good answer after a weak one
    assert all(p.interview_id for s in moved for p in s.points)


def test_bad_inputs_are_refused(session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    me = principal_for(hired.user)
    with pytest.raises(AppError) as unknown:
        development.schedule_own(
            session, me, development.ReassessmentIn(dimensions=["nonexistent"]), "en"
        )
    assert unknown.value.status == 422
    with pytest.raises(ValueError):
        training.CourseIn(competency="Bad Id!", title_zh="x", title_en="x")
    with pytest.raises(ValueError):
        training.ProgressIn(progress=101)
    with pytest.raises(NotFound):
        training.enrol(session, me, 999_999)
    closed = add_course(session, org, "communication", active=False)
    with pytest.raises(AppError) as refused:
        training.enrol(session, me, closed.id)
    assert refused.value.status == 409
    assert session.scalars(select(Enrolment)).all() == []


def test_an_erasure_removes_the_self_service_data(session, db, org, queue, storage):
    from hireflow.records import service as records_service
    from hireflow.selfservice import requests
    from hireflow.selfservice.models import SelfServiceRequest

    hired = hired_employee(session, db, org)
    me = principal_for(hired.user)
    course = add_course(session, org, "communication")
    training.enrol(session, me, course.id)
    filed = requests.create_request(
        session, me, requests.RequestIn(kind="erasure", message="请删除我的资料")
    )
    person_id = hired.person.id
    report = records_service.erase_person(session, principal_for(org.users["hr_admin"]), person_id)
    assert any(line.startswith("selfservice") for line in report.hooks)
    session.expire_all()
    assert session.scalars(select(Enrolment)).all() == []
    kept = session.get(SelfServiceRequest, filed.id)
    assert kept is None or (kept.message is None and kept.answer is None)
