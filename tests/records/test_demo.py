"""The demo records build, verify and are idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from hireflow.candidates.models import Application, Candidate
from hireflow.records.demo import add_demo
from hireflow.records.integrity import verify
from hireflow.records.models import Attachment, PersonRecord, RecordEntry
from tests.records.conftest import make_opening


def test_demo_records(session, org, regional):
    names = ["赵磊", "周静", "Lukas Meyer"]
    ids = []
    for index, name in enumerate(names):
        opening = make_opening(session, org, 2 if name == "Lukas Meyer" else 0)
        candidate = Candidate(tenant_id=org.tenant.id, name=name, email=f"demo{index}@example.com")
        candidate.applications = [Application(tenant_id=org.tenant.id, opening_id=opening.id)]
        session.add(candidate)
        session.flush()
        ids.append(candidate.id)
    session.commit()
    add_demo(session, org.tenant)
    count = session.scalar(
        select(func.count()).select_from(RecordEntry).where(RecordEntry.tenant_id == org.tenant.id)
    )
    add_demo(session, org.tenant)
    assert (
        session.scalar(
            select(func.count())
            .select_from(RecordEntry)
            .where(RecordEntry.tenant_id == org.tenant.id)
        )
        == count
    )
    statuses = dict(
        session.execute(
            select(Candidate.name, PersonRecord.status)
            .join(PersonRecord, PersonRecord.person_id == Candidate.id)
            .where(Candidate.tenant_id == org.tenant.id)
        ).all()
    )
    assert statuses == {
        "赵磊": "waiting_second_round",
        "周静": "rejected",
        "Lukas Meyer": "screening",
    }
    regions = {
        a.kind + ":" + a.region
        for a in session.scalars(select(Attachment).where(Attachment.tenant_id == org.tenant.id))
    }
    assert regions == {"resume:cn", "recording:cn", "resume:eu"}
    assert verify(session, tenant_id=org.tenant.id, files=True).ok
