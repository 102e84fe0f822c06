"""Demo self-service: a course catalogue, and the demo employee 刘洋 with a development history.

``add_demo(session, tenant)`` runs after the interviews and offers demos. 刘洋 applied to
高级后端工程师 (研发部), took the AI interview (short answers, so the report has gaps), HR
reviewed it, he accepted the offer and became an employee through the offer flow; he then took
a development re-assessment on his plan's competencies with fuller answers, so his progress
over time has two points. The catalogue has a course for each competency of his report, in
Chinese and English. Idempotent: a company with a catalogue is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import get_database, utcnow
from hireflow.core.settings import get_settings
from hireflow.interviews import candidate as interview_candidate
from hireflow.interviews import hr, pipeline, sessions
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.demo import ANSWERS
from hireflow.interviews.models import InterviewSession
from hireflow.offers import configuration, portal, service
from hireflow.offers import schemas as offer_schemas
from hireflow.offers.links import link_token
from hireflow.openings.models import Opening
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant, User
from hireflow.org.queries import user_by_email
from hireflow.scheduling.models import Invitation
from hireflow.selfservice import development, training
from hireflow.selfservice.models import Course
from hireflow.selfservice.reports import own_employee

TAB = "demo-tab-selfservice"
SHORT = ("我会尽量做好。",)
# The re-assessment's fuller answers: one per question in turn (the interviews demo's), since
# one text pasted into every question is credited once.
FULL = tuple(ANSWERS["zh"])
COURSES = {
    "communication": ("高效沟通与表达", "Clear communication at work"),
    "problem_solving": ("结构化问题解决", "Structured problem solving"),
    "teamwork": ("跨部门协作", "Working across teams"),
    "learning_agility": ("快速学习方法", "Learning new things fast"),
    "stress_tolerance": ("压力管理", "Managing pressure"),
    "technical_depth": ("系统设计工作坊", "System design workshop"),
    "coding": ("代码质量与评审", "Code quality and reviews"),
    "customer_orientation": ("以客户为中心", "Customer focus"),
    "leadership": ("新任主管领导力", "Leadership for new leads"),
}


def _answer_and_score(
    session: Session, invitation: Invitation, texts: tuple[str, ...]
) -> InterviewSession:
    invitation.verified_at = invitation.verified_at or utcnow()
    session.commit()
    interview = sessions.ensure_session(session, invitation)
    interview_candidate.give_consent(
        session,
        interview,
        interview_schemas.ConsentIn(
            tab=TAB,
            recording=True,
            ai_assessment=True,
            notice_version=interview_candidate.NOTICE_VERSION,
        ),
    )
    for n, question in enumerate(sessions.questions_of(interview)):
        interview_candidate.open_question(session, interview, question["id"], TAB)
        interview_candidate.save_text(
            session,
            interview,
            question["id"],
            interview_schemas.TextAnswerIn(tab=TAB, text=texts[n % len(texts)], final=True),
        )
    interview_candidate.submit(session, interview, TAB)
    pipeline.score(get_database(), interview.id)
    session.expire_all()
    return session.get(InterviewSession, interview.id)  # type: ignore[return-value]


def _catalogue(session: Session, hr_user: User) -> None:
    principal = principal_for(hr_user)
    start = utcnow().replace(hour=2, minute=0, second=0, microsecond=0) + timedelta(days=10)
    for index, (competency, (zh, en)) in enumerate(COURSES.items()):
        training.save_course(
            session,
            principal,
            training.CourseIn(
                competency=competency,
                title_zh=zh,
                title_en=en,
                mode="in_person" if index % 2 else "online",
                location="上海总部 3F" if index % 2 else "",
                starts_at=start + timedelta(days=7 * index),
                capacity=2 if competency == "communication" else 12,
            ),
        )


def _hire(session: Session, tenant: Tenant, hr_user: User, employee_user: User) -> None:
    opening = session.scalars(
        select(Opening).where(Opening.tenant_id == tenant.id, Opening.title == "高级后端工程师")
    ).first()
    manager = user_by_email(session, tenant.id, "manager@huaxing.example")
    if opening is None or manager is None:
        return
    person = Candidate(
        tenant_id=tenant.id,
        name=employee_user.name,
        email=employee_user.email,
        language="zh-CN",
        timezone="Asia/Shanghai",
        source="demo",
        user_id=employee_user.id,
    )
    person.applications = [Application(tenant_id=tenant.id, opening_id=opening.id)]
    session.add(person)
    session.flush()
    now = utcnow()
    invitation = Invitation(
        tenant_id=tenant.id,
        opening_id=opening.id,
        candidate_id=person.id,
        kind="ai",
        status="sent",
        language="zh-CN",
        deadline=now + timedelta(days=3),
        duration_minutes=20,
        sent_at=now,
    )
    session.add(invitation)
    session.commit()
    interview = _answer_and_score(session, invitation, SHORT)
    hr_principal = principal_for(hr_user)
    hr.conclude(
        session,
        hr_principal,
        interview.id,
        interview_schemas.ConclusionIn(conclusion="基础扎实，表达偏简短。", decision="advance"),
    )
    template = configuration.templates(session, hr_principal)[0]
    offer = service.create_offer(
        session,
        hr_principal,
        person.applications[0].id,
        offer_schemas.OfferIn(template_id=template.id, start_date=now.date() + timedelta(days=7)),
    )
    settings = get_settings()
    service.submit(session, hr_principal, offer.id, settings)
    approver = principal_for(manager)
    while offer.status == "pending_approval":
        step = next(a for a in service.approvals(session, offer) if a.status == "pending")
        who = approver if step.role == "hiring_manager" else hr_principal
        service.decide(session, who, offer.id, offer_schemas.DecisionIn(approve=True), settings)
    service.send(session, hr_principal, offer.id, settings)
    opened = portal.open_offer(session, settings, link_token(settings, offer))
    portal.answer(
        session,
        settings,
        opened,
        offer_schemas.AnswerIn(accept=True, typed_name=person.name),
        "127.0.0.1",
    )


def add_demo(session: Session, tenant: Tenant) -> None:
    if session.scalars(select(Course.id).where(Course.tenant_id == tenant.id)).first():
        return
    hr_user = user_by_email(session, tenant.id, "hr@huaxing.example")
    employee_user = user_by_email(session, tenant.id, "employee@huaxing.example")
    if hr_user is None or employee_user is None:
        return
    _catalogue(session, hr_user)
    _hire(session, tenant, hr_user, employee_user)
    session.expire_all()
    me = principal_for(session.get(User, employee_user.id))  # type: ignore[arg-type]
    if own_employee(session, me) is None:
        return
    scheduled = development.schedule_own(session, me, development.ReassessmentIn(), "zh")
    invitation = session.get(Invitation, scheduled.invitation_id)
    if invitation is not None:
        _answer_and_score(session, invitation, FULL)
