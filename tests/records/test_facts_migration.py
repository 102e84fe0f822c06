"""0013_record_facts: free text that older versions kept in plaintext record facts moves into
the encrypted payload exactly as new entries are written; chains, seals and checkpoints
signed before the upgrade still verify (issue 12)."""

from __future__ import annotations

import os
import secrets

import psycopg
import pytest
from alembic import command
from sqlalchemy import select, text

from hireflow.core import pii
from hireflow.core.db import Database, make_engine, set_database
from hireflow.core.migrate import alembic_config
from hireflow.core.settings import Settings
from hireflow.core.versions import DataVersion
from hireflow.org.auth import principal_for
from hireflow.records import hooks, service
from hireflow.records.checkpoints import (
    checkpoint_dir,
    load_checkpoints,
    public_keys,
    write_checkpoint,
)
from hireflow.records.facts import split_facts
from hireflow.records.integrity import verify
from hireflow.records.models import PendingEntry, RecordEntry, RecordTerm
from hireflow.records.payloads import decrypt_payload
from hireflow.records.terms import entry_terms
from tests.conftest import PG_ADMIN_URL, make_org
from tests.records.conftest import make_person

ID_NUMBER = "110101199003071234"
NAME = "王芳芳"


@pytest.fixture(params=["sqlite", "postgresql"])
def old_url(request, tmp_path):
    chosen = request.config.getoption("--db")
    if request.param not in chosen:
        pytest.skip(f"{request.param} not selected")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"hireflow_s12_records_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _checkpoints(settings):
    return load_checkpoints(checkpoint_dir(settings), public_keys(settings))


def test_free_text_facts_are_encrypted_and_history_still_verifies(
    old_url, tmp_path, regional, monkeypatch
):
    # Today's code erases on yesterday's schema: leave out the erasure steps of tables that
    # came after 0013 (the bias audit's self-identifications, live rooms, self-service).
    later = {"hireflow.analytics.erasure", "hireflow.live.erasure", "hireflow.selfservice.erasure"}
    found = hooks.domain_modules
    monkeypatch.setattr(
        hooks, "domain_modules", lambda name: [m for m in found(name) if m.__name__ not in later]
    )
    config = alembic_config(old_url)
    command.upgrade(config, "0012_workflow")  # the schema just before 0013
    database = Database(make_engine(old_url))
    # ... and reads (empty) the outbox of deferred entries, a table of a later revision, and
    # moves the company's data version when an opening is written (another later table)
    PendingEntry.__table__.create(database.engine)
    DataVersion.__table__.create(database.engine)
    settings = Settings(data_dir=tmp_path)
    set_database(database)
    try:
        with database.session() as session:
            org = make_org(session)
            hr = principal_for(org.users["hr_admin"])
            person = make_person(session, org)
            erased = make_person(session, org)
            # what older versions let through: personal values posted as facts
            service.append_entry(session, hr, person.id, "note", {"text": "电话面试"})
            service.append_entry(
                session,
                hr,
                person.id,
                "review",
                {"text": "表现良好"},
                facts={"rating": 4, "id_number": ID_NUMBER, "said": f"{NAME} 说可以入职"},
            )
            service.append_entry(session, hr, person.id, "note", None, facts={"who": NAME})
            service.set_status(session, hr, person.id, "screening")
            service.append_entry(session, hr, erased.id, "note", None, facts={"who": NAME})
            service.erase_person(session, hr, erased.id)
            person_id, erased_id = person.id, erased.id
            assert write_checkpoint(session, settings=settings, everything=True).chains > 0
        raw = _raw_facts(database)
        assert ID_NUMBER in raw and NAME in raw  # in clear before the upgrade

        command.upgrade(config, "0013_record_facts")

        assert ID_NUMBER not in _raw_facts(database) and NAME not in _raw_facts(database)
        with database.session() as session:
            entries = list(
                session.scalars(
                    select(RecordEntry)
                    .where(RecordEntry.person_id == person_id)
                    .order_by(RecordEntry.seq)
                )
            )
            review, bare = entries[1], entries[2]
            # exactly as a new entry with these facts is written
            assert review.facts == {"rating": 4}
            assert (
                decrypt_payload(review)
                == split_facts(
                    {"rating": 4, "id_number": ID_NUMBER, "said": f"{NAME} 说可以入职"},
                    {"text": "表现良好"},
                )[1]
            )
            assert bare.facts == {} and decrypt_payload(bare) == {"who": NAME}
            assert entries[0].facts == {} and decrypt_payload(entries[0]) == {"text": "电话面试"}
            # the moved text is searchable like new entries' data
            ring = pii.keyring()
            wanted = set(entry_terms({"who": NAME}, ring, bare.tenant_id))
            stored = set(
                session.scalars(select(RecordTerm.term).where(RecordTerm.entry_id == bare.id))
            )
            assert wanted and wanted <= stored
            gone = session.scalars(
                select(RecordEntry).where(RecordEntry.person_id == erased_id)
            ).all()
            assert all(e.payload is None for e in gone) and {"who": NAME} not in [
                e.facts for e in gone
            ]

            # the checkpoint signed before the upgrade names the old hashes: until a new
            # checkpoint vouches for the re-hashed chains, verify says so
            before = verify(session, checkpoints=_checkpoints(settings))
            assert {p.kind for p in before.problems} == {"rechain_unsigned"}, before.problems
            assert write_checkpoint(session, settings=settings).chains == 2
            after = verify(session, checkpoints=_checkpoints(settings), files=True)
            assert after.ok, after.problems
            # and the re-hashed chain still detects a change
            review.facts = {"rating": 5}
            session.commit()
            changed = verify(session, checkpoints=_checkpoints(settings))
            assert "altered" in {p.kind for p in changed.problems}
    finally:
        set_database(None)
        database.engine.dispose()


def _raw_facts(database) -> str:
    with database.engine.connect() as connection:
        return " ".join(
            str(value) for value in connection.execute(text("SELECT facts FROM record_entries"))
        )
