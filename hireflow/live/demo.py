"""Demo live room: one open room for the first candidate of 高级后端工程师, so the demo's HR,
recruiter and panel find the assistant page on ``/live`` with the opening's plan ready.
Idempotent: a company with a room is left alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.demo import first_application
from hireflow.live import service
from hireflow.live.models import LiveRoom
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant
from hireflow.org.queries import user_by_email


def add_demo(session: Session, tenant: Tenant) -> None:
    if session.scalars(select(LiveRoom.id).where(LiveRoom.tenant_id == tenant.id)).first():
        return
    hr = user_by_email(session, tenant.id, "hr@huaxing.example")
    application = first_application(session, tenant.id, "高级后端工程师")
    if hr is None or application is None:
        return
    service.open_room(session, principal_for(hr), application.id, planned_minutes=45)
