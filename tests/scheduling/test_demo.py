"""The demo company gets interviewers' hours and invitations at several stages."""

from sqlalchemy import select

from hireflow.demo import create_demo
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.demo import add_demo
from hireflow.scheduling.models import AvailabilityProfile, Booking, Invitation


def test_add_demo_fills_the_pages_once(session):
    tenant, _accounts, _created = create_demo(session)
    add_demo(session, tenant)
    invitations = session.scalars(select(Invitation).where(Invitation.tenant_id == tenant.id)).all()
    assert {i.kind for i in invitations} == {"live", "ai"}
    # "sending" until the worker delivers the messages, then "sent"
    assert {i.status for i in invitations} >= {"sending", "booked"}
    booked = session.scalars(
        select(Booking).where(Booking.tenant_id == tenant.id, Booking.status == "active")
    ).all()
    assert len(booked) == 1
    assert session.scalars(
        select(AvailabilityProfile).where(AvailabilityProfile.tenant_id == tenant.id)
    ).all()
    assert session.scalars(select(OutboxMessage).where(OutboxMessage.tenant_id == tenant.id)).all()
    add_demo(session, tenant)
    again = session.scalars(select(Invitation).where(Invitation.tenant_id == tenant.id)).all()
    assert len(again) == len(invitations)
