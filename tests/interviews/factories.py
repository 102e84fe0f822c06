"""Builders and fixtures for the AI interview tests.

An AI invitation of a candidate to an opening that has a competency model and an interview
plan (generated once per test run with the real engine, then reused), optionally past the
identity check; the personal link token and the access value the check hands out. Celery
messages are recorded instead of sent to a broker (the worker-kill test runs a real worker).

Test modules import the fixtures they use from here (``from tests.interviews.factories
import queue_fixture  # noqa: F401``; the fixture is named ``queue``), so the media tests'
conftest stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import pytest
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.settings import get_settings
from hireflow.interviews import candidate as interview_candidate
from hireflow.interviews import pipeline, schemas, sessions
from hireflow.interviews import tasks as interview_tasks
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.notifications import tasks as notification_tasks
from hireflow.openings.models import Opening, OpeningMember
from hireflow.scheduling import candidate_link
from hireflow.scheduling.links import make_link_token
from hireflow.scheduling.models import Invitation
from tests.conftest import Org, unique

TAB = "tab-0000000001"
OTHER_TAB = "tab-0000000002"

ANSWERS_ZH = (
    "去年我在门店负责售后，一位客户因为退货被拒非常生气。我先认真倾听他的诉求，然后查了订单记录，"
    "发现是系统把他的退货期算错了。我当天协调仓库完成退款，并主动打电话道歉，客户很满意，"
    "后来成为回头客。之后我推动修复了系统规则，同类投诉下降了百分之三十。"
)
ANSWERS_EN = (
    "Last year I handled a customer who was angry because his refund was refused. I listened "
    "first, checked the order history and found our system had miscounted the return window. "
    "I arranged the refund the same day and called him to apologise; he stayed a customer. "
    "I then had the rule fixed, and similar complaints dropped by thirty percent."
)


@lru_cache(maxsize=4)
def plan_and_model(job_type: str = "customer_service", lang: str = "zh") -> tuple[dict, dict]:
    """An engine-generated plan and its model (dicts), generated once per run."""
    from hireflow.scoring.models import load_preset, model_to_dict
    from hireflow.scoring.plan import generate_plan
    from hireflow.scoring.plan_model import JobSpec

    model = load_preset(job_type=job_type)
    job = JobSpec(
        title="客服专员" if lang == "zh" else "Customer service agent",
        description="负责处理客户投诉和售后咨询，维护客户关系。",
        job_type=job_type,
        language=lang,
    )
    plan = generate_plan(job, model, budget_minutes=10, lang=lang)
    return plan.to_dict(), model_to_dict(model)


@dataclass
class Setup:
    """One AI invitation and what the candidate's browser holds after the identity check."""

    org: Org
    opening: Opening
    candidate: Candidate
    invitation: Invitation
    token: str
    access: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cookie(self) -> tuple[str, str]:
        return candidate_link.access_cookie_name(self.invitation), self.access

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Link-Access": self.access}


def make_setup(
    session: Session,
    org: Org,
    *,
    language: str = "zh-CN",
    verified: bool = True,
    deadline: datetime | None = None,
    with_plan: bool = True,
    description: str = "负责处理客户投诉和售后咨询，维护客户关系。团队共 12 人，工作地点在上海。",
    dept_index: int = 0,
) -> Setup:
    settings = get_settings()
    dept = org.departments[dept_index]
    plan, model = plan_and_model("customer_service", "zh" if language.startswith("zh") else "en")
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=unique("客服专员"),
        status="open",
        job_type="customer_service",
        language=language,
        description=description,
        competency_model=model if with_plan else None,
        interview_plan=plan if with_plan else None,
    )
    opening.members = [
        OpeningMember(user_id=org.users["recruiter"].id, role="owner"),
        OpeningMember(user_id=org.users["interviewer"].id, role="interviewer"),
    ]
    session.add(opening)
    session.flush()
    candidate = Candidate(
        tenant_id=org.tenant.id,
        name=unique("候选人"),
        email=f"{unique('c')}@example.com",
        language=language,
        timezone="Asia/Shanghai",
        id_number="11010119900307123X",
    )
    candidate.applications = [Application(tenant_id=org.tenant.id, opening_id=opening.id)]
    session.add(candidate)
    session.flush()
    now = utcnow()
    invitation = Invitation(
        tenant_id=org.tenant.id,
        opening_id=opening.id,
        candidate_id=candidate.id,
        kind="ai",
        status="verified" if verified else "sent",
        language=language,
        timezone="Asia/Shanghai",
        deadline=deadline or now + timedelta(days=3),
        duration_minutes=20,
        sent_at=now,
        opened_at=now,
        verified_at=now if verified else None,
        verify_method="id_last4" if verified else "",
    )
    session.add(invitation)
    session.commit()
    token = make_link_token(
        settings.secret_key,
        str(candidate.id),
        str(invitation.id),
        max(invitation.deadline, now + timedelta(minutes=5)),
    )
    access = candidate_link.access_value(settings, invitation) if verified else ""
    return Setup(org, opening, candidate, invitation, token, access)


def started(session: Session, setup: Setup, tab: str = TAB) -> InterviewSession:
    """The candidate consented: the interview is in progress."""
    interview = sessions.ensure_session(session, setup.invitation)
    interview_candidate.give_consent(
        session,
        interview,
        schemas.ConsentIn(
            tab=tab,
            recording=True,
            ai_assessment=True,
            notice_version=interview_candidate.NOTICE_VERSION,
        ),
    )
    return interview


def answer_all(session: Session, interview: InterviewSession, text: str, tab: str = TAB) -> None:
    for question in sessions.questions_of(interview):
        interview_candidate.open_question(session, interview, question["id"], tab)
        interview_candidate.save_text(
            session, interview, question["id"], schemas.TextAnswerIn(tab=tab, text=text, final=True)
        )


def scored_interview(session: Session, db: Any, org: Org, text: str = ANSWERS_ZH):
    """A text interview answered, submitted and scored: (setup, interview as stored)."""
    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, text)
    interview_candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    session.expire_all()
    return setup, session.get(InterviewSession, interview.id)


@dataclass
class Queue:
    """Celery messages the code under test enqueued (task name, args)."""

    sent: list[tuple[str, tuple]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def args_of(self, name: str) -> list[tuple]:
        return [args for task, args in self.sent if task == name]


@pytest.fixture(name="queue")
def queue_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    recorded = Queue()
    for task in (
        interview_tasks.process_answer,
        interview_tasks.score_interview,
        notification_tasks.deliver_messages,
    ):

        def fake(args=(), kwargs=None, _name=task.name, **_options):
            recorded.sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", fake)
    yield recorded


@pytest.fixture(name="storage")
def storage_fixture(tmp_path) -> Iterator[Any]:
    """Recordings go to a throw-away regional storage."""
    from hireflow.core.storage import LocalStorage, RegionalStorage
    from hireflow.records.storage import override_storage

    regions = {r: LocalStorage(tmp_path / r) for r in ("cn", "eu", "us", "sg")}
    with override_storage(RegionalStorage(regions)) as regional:
        yield regional


def newer_report_for(
    session: Session, old_interview: InterviewSession, old_report: InterviewReport
) -> None:
    """A re-interview of the same person 30 days after ``old_report``, scored 1.3 higher."""
    invitation = Invitation(
        tenant_id=old_interview.tenant_id,
        opening_id=old_interview.opening_id,
        candidate_id=old_interview.candidate_id,
        kind="ai",
        status="completed",
        language="en",
        deadline=old_interview.deadline,
        sent_at=utcnow(),
    )
    session.add(invitation)
    session.flush()
    again = InterviewSession(
        tenant_id=old_interview.tenant_id,
        opening_id=old_interview.opening_id,
        candidate_id=old_interview.candidate_id,
        invitation_id=invitation.id,
        status="scored",
        deadline=old_interview.deadline,
    )
    session.add(again)
    session.flush()
    session.add(
        InterviewReport(
            tenant_id=old_interview.tenant_id,
            interview_id=again.id,
            body="{}",
            sha256="0" * 64,
            engine_version="sample",
            scores={k: min(10.0, float(v) + 1.3) for k, v in old_report.scores.items()},
            job_match=old_report.job_match,
            created_at=old_report.created_at + timedelta(days=30),
        )
    )
