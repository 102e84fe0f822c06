"""Migration 0016: keys made before scopes keep what they could reach, and no more."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from hireflow.core.migrate import alembic_config


def _insert(conn, table: str, values: dict) -> None:
    """A row with ``values`` and a plain value in every other required column."""
    row = dict(values)
    for _cid, name, kind, notnull, default, _pk in conn.execute(
        text(f"PRAGMA table_info({table})")
    ):
        if name in row or not notnull or default is not None:
            continue
        kind = kind.upper()
        if "INT" in kind or "BOOL" in kind or "FLOAT" in kind or "NUMERIC" in kind:
            row[name] = 0
        elif "DATE" in kind or "TIME" in kind:
            row[name] = "2026-01-01 00:00:00"
        else:
            row[name] = "x"
    columns = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), row)


def test_existing_keys_get_the_scopes_they_had(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    command.upgrade(alembic_config(url), "0013_record_facts")
    engine = create_engine(url)
    with engine.begin() as conn:
        _insert(conn, "tenants", {"id": 1, "slug": "t"})
        _insert(conn, "users", {"id": 1, "tenant_id": 1, "email": "a@example.com"})
        for token_id, kind, scopes in (
            (1, "api_key", ""),
            (2, "api_key", "users.manage"),
            (3, "bearer", ""),
        ):
            conn.execute(
                text(
                    "INSERT INTO access_tokens (id, user_id, kind, name, token_hash, prefix,"
                    " scopes, created_at, updated_at) VALUES (:id, 1, :kind, 'k', :hash, 'p',"
                    " :scopes, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": token_id, "kind": kind, "hash": f"{token_id:064d}", "scopes": scopes},
            )
    command.upgrade(alembic_config(url), "0016_integrations")
    with engine.connect() as conn:
        scopes = dict(conn.execute(text("SELECT id, scopes FROM access_tokens")).tuples().all())
    plain, admin, bearer = (set(scopes[i].split()) for i in (1, 2, 3))
    assert {"candidates.read", "candidates.write", "reports.read", "webhooks.manage"} <= plain
    assert not plain & {"users.manage", "apikeys.manage"}
    assert admin == plain | {"users.manage"}
    assert bearer == set()
    command.downgrade(alembic_config(url), "0013_record_facts")
    with engine.connect() as conn:
        scopes = dict(conn.execute(text("SELECT id, scopes FROM access_tokens")).tuples().all())
    assert scopes == {1: "", 2: "users.manage", 3: ""}
