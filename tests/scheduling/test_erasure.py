"""Erasure reaches invitations and the outbox: no message keeps the person's data (SPEC G7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from hireflow.core import pii
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.records import service as records
from hireflow.records.storage import override_storage
from hireflow.scheduling import schemas
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.sending import process_batch
from tests.scheduling.factories import make_hiring


@pytest.fixture
def regional(tmp_path: Path):
    storage = RegionalStorage({r: LocalStorage(tmp_path / r) for r in ("cn", "eu", "us", "sg")})
    with override_storage(storage):
        yield storage


def _database_text(session) -> str:
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    return "\n".join(
        repr(tuple(row))
        for table in metadata.sorted_tables
        for row in session.execute(select(table))
    )


def test_erasure_redacts_invitations_and_messages(session, db, org, settings, regional):
    email = "erase.me.please@example.com"
    hiring = make_hiring(session, org, candidates=1, email=email, phone="+4915199990000")
    person = hiring.candidates[0]
    batch, _, _ = create_invitations(
        session,
        principal_for(hiring.owner),
        schemas.InvitationCreate(
            opening_id=hiring.opening.id,
            candidate_ids=[person.id],
            kind="live",
            notes="Please bring the portfolio of Erase-Me Person",
        ),
        settings,
    )
    process_batch(db, batch.id, settings)
    session.expire_all()
    # addresses are encrypted: messages to an address are found through its blind index
    to_email = pii.blind_index_values(email, "text", tenant_id=org.tenant.id)
    sent = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_index.in_(to_email))
    ).all()
    assert sent, "the invitation should have produced an email in the outbox"
    name = person.name

    records.erase_person(
        session, principal_for(org.users["hr_admin"]), person.id, reason="subject_request"
    )
    session.expire_all()

    dump = _database_text(session)
    for value in (email, "+4915199990000", name, "Erase-Me Person"):
        assert value not in dump, value
    kept = session.scalars(select(OutboxMessage).where(OutboxMessage.id == sent[0].id)).one()
    assert kept.channel == "email" and kept.status  # statistics survive
