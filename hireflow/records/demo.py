"""Demo records: what the HR record looks like after a few weeks of hiring.

``add_demo(session, tenant)`` (called by the demo builder after people exist) gives each
demo candidate consents, an application and a status; 赵磊 gets an AI interview report with
two short recordings and a resume, Lukas Meyer (EU opening) a resume stored in the EU
region; one candidate was rejected long enough ago for the company's six-month retention
rule to pick up. Idempotent: people who already have demo entries are left alone (other
domains' demo data may have written into their records first).
"""

from __future__ import annotations

import io
import math
import struct
import wave
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.org.models import Tenant, User
from hireflow.records import service
from hireflow.records.models import PersonRecord, RecordEntry, RetentionRule
from hireflow.records.timeline import SystemActor


def _tone(seconds: float, frequency: float) -> bytes:
    """A short WAV file (a sine tone) standing in for an answer recording."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / rate)))
        for i in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def _attach_resume(
    session: Session,
    system: SystemActor,
    person: Candidate,
    lines: list[str],
    filename: str,
    opening_id: int | None,
) -> None:
    """A plain-text resume (the person's name, then ``lines``) in the person's record."""
    text = "\n".join([person.name, *lines]).encode("utf-8")
    labels = {"opening_id": opening_id}
    service.attach_file(
        session,
        system,
        person.id,
        io.BytesIO(text),
        filename,
        "text/plain",
        labels,
        kind="resume",
        source="demo",
    )


def add_demo(session: Session, tenant: Tenant) -> None:
    """Fill the demo company's records (see the module docstring)."""
    people = list(
        session.scalars(
            select(Candidate).where(Candidate.tenant_id == tenant.id).order_by(Candidate.id)
        )
    )
    done = set(
        session.scalars(
            select(RecordEntry.person_id).where(
                RecordEntry.tenant_id == tenant.id, RecordEntry.source == "demo"
            )
        )
    )
    people = [p for p in people if p.id not in done]
    system = SystemActor("demo", tenant_id=tenant.id)
    scorer = SystemActor("interview-scoring", tenant_id=tenant.id)
    now = utcnow()
    for index, person in enumerate(people):
        opening_id = _demo_history(session, system, person, index, now)
        if person.name == "赵磊":
            _demo_interviewed(session, system, scorer, person, opening_id, now)
        elif person.name == "Lukas Meyer":
            lines = ["8 years B2B sales, DACH", "German, English"]
            _attach_resume(session, system, person, lines, "Lukas-Meyer-CV.txt", opening_id)
        elif person.name == "周静":
            service.set_status(
                session,
                system,
                person.id,
                "rejected",
                source="demo",
                reason="岗位已招满",
                occurred_at=now - timedelta(days=200),
                opening_id=opening_id,
            )
    hr = session.scalars(
        select(User).where(User.tenant_id == tenant.id, User.email.startswith("hr@"))
    ).first()
    if not session.scalars(
        select(RetentionRule.id).where(RetentionRule.tenant_id == tenant.id)
    ).first():
        session.add(
            RetentionRule(
                tenant_id=tenant.id,
                status="rejected",
                months=6,
                region=None,
                enabled=True,
                created_by_id=hr.id if hr else None,
                created_at=utcnow(),
            )
        )
        session.commit()


def _demo_history(
    session: Session, system: SystemActor, person: Candidate, index: int, now: datetime
) -> int | None:
    """Consents, the application and the screening status every demo person has; the
    opening they applied to."""
    application = session.scalars(
        select(Application).where(Application.candidate_id == person.id)
    ).first()
    opening_id = application.opening_id if application else None
    service.record_consent(
        session, system, person.id, "processing", "2026-01", True, method="web", source="demo"
    )
    service.record_consent(
        session, system, person.id, "recording", "2026-01", True, method="web", source="demo"
    )
    service.append_entry(
        session,
        system,
        person.id,
        "application",
        {"channel": "career site"},
        "demo",
        facts={"opening_id": opening_id},
        occurred_at=now - timedelta(days=20 - index),
        opening_id=opening_id,
    )
    # People whose interview the demo already ran have a later status: keep it.
    if not session.scalars(
        select(PersonRecord.status).where(PersonRecord.person_id == person.id)
    ).first():
        service.set_status(
            session,
            system,
            person.id,
            "screening",
            source="demo",
            occurred_at=now - timedelta(days=19 - index),
            opening_id=opening_id,
        )
    return opening_id


def _demo_interviewed(
    session: Session,
    system: SystemActor,
    scorer: SystemActor,
    person: Candidate,
    opening_id: int | None,
    now: datetime,
) -> None:
    """The demo person whose record shows a scored interview with recordings."""
    lines = ["5 年 Python 后端经验", "PostgreSQL, Redis, Kafka"]
    _attach_resume(session, system, person, lines, "赵磊-简历.txt", opening_id)
    service.record_interview_report(
        session,
        scorer,
        person.id,
        opening_id=opening_id,
        interview_id=1001,
        scores={
            "communication": 8.2,
            "problem_solving": 8.8,
            "teamwork": 7.6,
            "coding": 9.1,
        },
        match_percent=86,
        summary=(
            "候选人用 STAR 结构清楚地描述了高并发订单系统的重构，量化了结果（延迟降低 40%）。"
        ),
        strengths=["系统设计思路清晰", "能量化工作成果"],
        gaps=["跨团队协作案例较少"],
        evidence=[
            {
                "dimension": "problem_solving",
                "quote": "我们先用压测定位到数据库锁竞争，再把热点行拆分……",
            }
        ],
        follow_ups=["请举一个你说服其他团队改变方案的例子。"],
        recordings=[
            service.RecordingIn(
                io.BytesIO(_tone(1.5, 440)),
                "q1-自我介绍.wav",
                "audio/wav",
                now - timedelta(days=3, hours=2),
                "请做一个简短的自我介绍",
            ),
            service.RecordingIn(
                io.BytesIO(_tone(1.5, 660)),
                "q2-系统设计.wav",
                "audio/wav",
                now - timedelta(days=3, hours=1, minutes=50),
                "描述一次你解决性能问题的经历",
            ),
        ],
    )
    service.set_status(session, system, person.id, "waiting_second_round", source="demo")
