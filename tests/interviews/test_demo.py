"""The interview demo data: an FAQ and a scored interview for each AI invitation."""

from __future__ import annotations

from sqlalchemy import func, select

from hireflow.interviews.demo import FAQS, add_demo
from hireflow.interviews.models import CompanyFaq, InterviewReport, InterviewSession
from hireflow.scoring.report import Report
from tests.interviews.factories import (  # noqa: F401 - fixtures
    make_setup,
    queue_fixture,
    storage_fixture,
)


def test_demo_adds_an_faq_and_a_scored_interview_once(session, db, org, queue, storage):
    setup = make_setup(session, org, verified=False)
    add_demo(session, org.tenant, db)
    add_demo(session, org.tenant, db)  # idempotent
    faqs = session.scalar(
        select(func.count()).select_from(CompanyFaq).where(CompanyFaq.tenant_id == org.tenant.id)
    )
    assert faqs == len(FAQS)
    interview = session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == setup.invitation.id)
    ).one()
    session.refresh(interview)
    assert interview.status == "scored"
    report = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).one()
    assert report.job_match is not None
    # the demo answers each question differently: no answer is flagged as a copy
    body = Report.from_json(report.body)
    assert not [n.code for n in body.notes if n.code == "copied_answer"]
    assert sum(a.status == "ok" for a in body.answers) >= 3
