"""The candidates migration encrypts contacts already stored in clear, without losing rows."""

from __future__ import annotations

import os
import secrets

import psycopg
import pytest
from alembic import command
from sqlalchemy import text

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.core.crypto import FIELD_TOKEN_PREFIX
from hireflow.core.db import make_engine
from hireflow.core.migrate import alembic_config
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    chosen = request.config.getoption("--db")
    if request.param not in chosen:
        pytest.skip(f"{request.param} not selected")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"hireflow_mig_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_existing_contacts_are_encrypted_and_indexed(fresh_url):
    config = alembic_config(fresh_url)
    command.upgrade(config, "0002_records")
    engine = make_engine(fresh_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tenants (name, slug, region, default_language, default_timezone, created_at, updated_at) VALUES ('T', 't-old', 'cn', 'zh-CN', 'Asia/Shanghai', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        tenant_id = conn.execute(text("SELECT id FROM tenants WHERE slug = 't-old'")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO subsidiaries (tenant_id, name, region, created_at, updated_at) VALUES (:t, 'S', 'cn', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": tenant_id},
        )
        sub = conn.execute(text("SELECT id FROM subsidiaries")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO departments (tenant_id, subsidiary_id, name, created_at, updated_at) VALUES (:t, :s, 'D', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": tenant_id, "s": sub},
        )
        dept = conn.execute(text("SELECT id FROM departments")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO openings (tenant_id, subsidiary_id, department_id, title, location, region, job_type, language, description, requirements, pass_threshold, status, created_at, updated_at) VALUES (:t, :s, :d, 'O', '', 'cn', 'other', 'zh-CN', '', '{}', 7, 'open', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": tenant_id, "s": sub, "d": dept},
        )
        opening = conn.execute(text("SELECT id FROM openings")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO candidates (tenant_id, name, email, phone, id_number, birth_date, location, language, timezone, source, profile, created_at, updated_at) VALUES (:t, '王 芳', 'wf@example.com', '13812345678', '110101199003071234', '1990-03-07', '', 'zh-CN', 'Asia/Shanghai', 'upload', :p, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {
                "t": tenant_id,
                "p": '{"highest_degree": "master", "education": [{"degree": "master"}], "years_experience": 6.5}',
            },
        )
        person = conn.execute(text("SELECT id FROM candidates")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO applications (tenant_id, candidate_id, opening_id, stage, created_at, updated_at) VALUES (:t, :c, :o, 'applied', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": tenant_id, "c": person, "o": opening},
        )
    # Only this branch: the data migration is what is under test.
    command.upgrade(config, "0004_candidates")
    with engine.begin() as conn:
        raw = conn.execute(text("SELECT phone, id_number, birth_date FROM candidates")).one()
        assert all(value.startswith(FIELD_TOKEN_PREFIX) for value in raw)
        assert conn.execute(text("SELECT COUNT(*) FROM applications")).scalar_one() == 1
    # Before 0009 the e-mail address, the profile documents and outbox messages were clear.
    command.upgrade(config, "0008_application_language")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE candidates SET profile_parsed = :p, corrections = :c WHERE id = :id"),
            {
                "p": '{"name": "王 芳", "phone": "13812345678", "email": "wf@example.com"}',
                "c": '{"location": {"value": "杭州", "by": 1, "at": "2026-01-01"}}',
                "id": person,
            },
        )
        conn.execute(
            text(
                "INSERT INTO notification_outbox (tenant_id, channel, kind, recipient, recipient_label, language, subject, body_text, sms_text, sms_params, attachments, related_type, dedupe_key, status, attempts, max_attempts, next_attempt_at, last_error, provider_message_id, created_at, updated_at) VALUES (:t, 'email', 'generic', 'wf@example.com', '王 芳', 'zh-CN', '王 芳，您好', '请查收面试邀请 王 芳', '', :sms, '[]', '', 'k1', 'sent', 1, 5, CURRENT_TIMESTAMP, '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"t": tenant_id, "sms": '{"name": "王 芳"}'},
        )
    command.upgrade(config, "0009_personal_data")
    with engine.begin() as conn:
        raw = conn.execute(
            text(
                "SELECT email, profile, profile_parsed, corrections FROM candidates WHERE id = :id"
            ),
            {"id": person},
        ).one()
        assert all(str(value).startswith(FIELD_TOKEN_PREFIX) for value in raw), raw
        message = conn.execute(
            text(
                "SELECT recipient, recipient_label, subject, body_text, sms_params, "
                "recipient_index FROM notification_outbox"
            )
        ).one()
        assert all(str(value).startswith(FIELD_TOKEN_PREFIX) for value in message[:5]), message
        assert message[5] in pii.blind_index_values("wf@example.com", "text", tenant_id=tenant_id)
    # The models describe the newest schema: read the rows through them at head.
    command.upgrade(config, "head")
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        candidate = session.get(Candidate, person)
        assert candidate.phone == "13812345678" and candidate.id_number == "110101199003071234"
        assert candidate.name_key == "王芳" and candidate.highest_degree_rank == 4
        assert candidate.years_experience == 6.5
        assert candidate.phone_index in pii.blind_index_values(
            "13812345678", "phone", tenant_id=tenant_id
        )
        assert candidate.applications[0].source == "upload"
        assert candidate.email == "wf@example.com"
        assert candidate.email_index in pii.blind_index_values(
            "wf@example.com", "email", tenant_id=tenant_id
        )
        assert candidate.profile_parsed["phone"] == "13812345678"
        assert candidate.corrections["location"]["value"] == "杭州"
        assert candidate.profile["years_experience"] == 6.5
    engine.dispose()
