"""The audit trail as a hash chain per tenant (core/audit.py): concurrency and upgrades."""

from __future__ import annotations

import itertools
import threading

from alembic import command
from sqlalchemy import func, select, text

from hireflow.core import audit
from hireflow.core.audit import AuditEntry, ChainHead, audit_chain_id
from hireflow.core.db import Database, make_engine
from hireflow.core.migrate import alembic_config
from hireflow.records.integrity import verify
from tests.conftest import make_org


def test_rows_chain_in_order_within_one_transaction(session, org):
    before = session.get(ChainHead, audit_chain_id(org.tenant.id)).seq
    for index in range(5):
        audit.record(session, "test.event", actor=None, tenant_id=org.tenant.id, new={"i": index})
    session.commit()
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == org.tenant.id, AuditEntry.action == "test.event")
        .order_by(AuditEntry.seq)
    ).all()
    assert [r.new_values["i"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r.seq for r in rows] == list(range(before + 1, before + 6))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    assert verify(session, tenant_id=org.tenant.id).ok


def test_floats_and_personal_values_verify_after_the_json_round_trip(session, org):
    audit.record(
        session,
        "test.values",
        actor=None,
        tenant_id=org.tenant.id,
        old={"threshold": 7.0, "ratio": 0.1},
        new={"threshold": 7.5, "name": "张伟", "nested": {"x": [1.25, None, True]}},
    )
    session.commit()
    session.expire_all()
    assert verify(session, tenant_id=org.tenant.id).ok


def test_concurrent_writers_cannot_fork_a_tenant_chain(fresh_db):
    """Eight threads, each in its own transaction, append to one tenant's chain at once."""
    with fresh_db.session() as session:
        tenant_id = make_org(session).tenant.id
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(number: int) -> None:
        try:
            with fresh_db.session() as session:
                barrier.wait(timeout=30)
                for index in range(10):
                    audit.record(
                        session,
                        "test.concurrent",
                        actor=None,
                        tenant_id=tenant_id,
                        new={"writer": number, "i": index},
                    )
                    session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with fresh_db.session() as session:
        seqs = session.scalars(
            select(AuditEntry.seq).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
        ).all()
        assert seqs == list(range(1, len(seqs) + 1))
        assert (
            session.scalar(select(func.count()).where(AuditEntry.action == "test.concurrent")) == 80
        )
        assert verify(session, tenant_id=tenant_id).ok


def test_upgrading_chains_audit_rows_written_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO tenants (id, name, slug, region, default_language, default_timezone, "
                "created_at, updated_at) VALUES (1, 'Old Co', 'old-co', 'cn', 'zh-CN', "
                "'Asia/Shanghai', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        for index in range(4):
            connection.execute(
                text(
                    "INSERT INTO audit_log (tenant_id, actor_label, action, target_type, "
                    "target_id, new_values, request_id, ip, created_at) VALUES (:t, 'system', "
                    ":a, 'tenant', '1', :v, '', '10.0.0.1', :w)"
                ),
                {
                    "t": 1 if index % 2 == 0 else None,
                    "a": f"old.event{index}",
                    "v": '{"score": 7.5}',
                    "w": f"2025-01-0{index + 1} 10:00:00.000000",
                },
            )
    command.upgrade(config, "heads")
    database = Database(engine)
    with database.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert all(r.seq is not None and r.hash for r in rows)
        assert [(r.tenant_id, r.seq) for r in rows] == [(1, 1), (None, 1), (1, 2), (None, 2)]
        report = verify(session)
        assert report.ok, report.problems
        # and the chains go on from there
        audit.record(session, "new.event", actor=None, tenant_id=1)
        session.commit()
        assert verify(session, tenant_id=1).ok
    engine.dispose()
