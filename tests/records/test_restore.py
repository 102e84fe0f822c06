"""A restore ends with every derived index rebuilt and counted, into a new data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from hireflow.candidates import search
from hireflow.candidates.indexing import index_candidate, index_missing
from hireflow.candidates.queries import PoolFilters, search_pool
from hireflow.cli import app
from hireflow.core import pii
from hireflow.core.db import Database, make_engine, set_database
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.backup import create_backup, restore_backup
from hireflow.records.integrity import verify
from hireflow.records.storage import override_storage
from tests import conftest as root
from tests.conftest import make_org
from tests.records.conftest import make_opening, make_person

runner = CliRunner()


def _storage(path: Path) -> RegionalStorage:
    return RegionalStorage({r: LocalStorage(path / r) for r in ("cn", "eu", "us")})


def _pool(database: Database, regional: RegionalStorage) -> tuple[int, str, list[int]]:
    """A company with three candidates in the talent pool (one Java developer in 上海)."""
    with database.session() as session, override_storage(regional):
        org = make_org(session)
        opening = make_opening(session, org, 0)
        ids = []
        for name, location, skills in (
            ("Zhang Wei", "上海", ["Java", "Spring"]),
            ("Li Na", "北京", ["Python"]),
            ("Wang Fang", "上海", ["Go"]),
        ):
            person = make_person(session, org, name=name, opening=opening)
            person.location = location
            person.profile = {"skills": skills, "location": location}
            index_candidate(session, person, "")
            session.commit()
            ids.append(person.id)
        hr = principal_for(org.users["hr_admin"])
        service.append_entry(session, hr, ids[0], "note", {"text": "phone screen done"})
        return org.tenant.id, org.users["hr_admin"].email, ids


def _hits(database: Database, email: str, q: str) -> list[int]:
    from hireflow.org.models import User

    with database.session() as session:
        user = session.query(User).filter_by(email=email).one()
        page = search_pool(session, principal_for(user), PoolFilters(q=q))
        return [hit.candidate.id for hit in page.hits]


def _new_database(backend: str, tmp_path: Path) -> tuple[Database, str]:
    """An empty database without any schema (a new data directory)."""
    url = f"sqlite:///{tmp_path / 'new' / 'hireflow.db'}" if backend == "sqlite" else None
    if url is None:
        url = root._postgres_url()
    else:
        (tmp_path / "new").mkdir()
    return Database(make_engine(url)), url


def test_restore_into_a_new_database_rebuilds_keyword_search(fresh_db, backend, tmp_path):
    regional = _storage(tmp_path / "s")
    tenant_id, email, ids = _pool(fresh_db, regional)
    assert _hits(fresh_db, email, "Java 上海") == [ids[0]]
    create_backup(fresh_db.engine, tmp_path / "b", regional, ring=pii.keyring())

    target, url = _new_database(backend, tmp_path)
    try:
        result = restore_backup(target.engine, tmp_path / "b", _storage(tmp_path / "t"))
        assert result.checksums_match, result.mismatched
        assert result.migrated, "the new database got its schema from the restore"
        assert result.indexes == {"candidate_text": (3, 3)} and result.indexes_ok
        assert _hits(target, email, "Java 上海") == [ids[0]]
        assert sorted(_hits(target, email, "上海")) == sorted([ids[0], ids[2]])
        with target.session() as session, override_storage(_storage(tmp_path / "t")):
            assert verify(session, tenant_id=tenant_id, files=True).ok
    finally:
        target.engine.dispose()
        if backend == "postgresql":
            root._drop_postgres(url)


def test_reindex_rebuilds_a_lost_text_index(fresh_db, backend, tmp_path):
    regional = _storage(tmp_path / "s")
    _tenant_id, email, ids = _pool(fresh_db, regional)
    with fresh_db.session() as session:
        if backend == "sqlite":
            session.execute(text(f"DELETE FROM {search.FTS_TABLE}"))
        else:
            session.execute(text("UPDATE candidate_search SET tsv = NULL"))
        session.commit()
        assert sorted(search.missing_text_rows(session)) == sorted(ids)
    assert _hits(fresh_db, email, "Java") == []
    with fresh_db.session() as session:
        assert index_missing(session) == 3
        assert search.missing_text_rows(session) == []
    assert _hits(fresh_db, email, "Java") == [ids[0]]


def test_restore_command_into_a_new_data_directory(fresh_db, backend, tmp_path, monkeypatch):
    if backend != "sqlite":
        pytest.skip("the command's own database is the embedded SQLite of the data directory")
    from hireflow.core.settings import get_settings
    from hireflow.records.checkpoints import checkpoint_dir

    regional = _storage(tmp_path / "s")
    # this installation's own checkpoints (the shared test directory signs other databases)
    monkeypatch.setenv("HIREFLOW_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    get_settings.cache_clear()
    set_database(fresh_db)
    try:
        _tenant_id, email, ids = _pool(fresh_db, regional)
        with override_storage(regional):
            made = runner.invoke(app, ["backup", str(tmp_path / "b")])
        assert made.exit_code == 0, made.output
        assert "Signed a checkpoint" in made.output
        in_backup = sorted(p.name for p in (tmp_path / "b" / "checkpoints").glob("*.json"))
        assert in_backup
    finally:
        set_database(None)

    # a second installation: new data directory, nothing migrated, no checkpoints yet
    target, _url = _new_database(backend, tmp_path)
    monkeypatch.setenv("HIREFLOW_CHECKPOINT_DIR", str(tmp_path / "new" / "checkpoints"))
    get_settings.cache_clear()
    set_database(target)
    try:
        with override_storage(_storage(tmp_path / "t")):
            restored = runner.invoke(app, ["restore", str(tmp_path / "b")])
        assert restored.exit_code == 0, restored.output
        out = " ".join(restored.output.split())
        assert "New database: schema created" in out
        assert "candidate_text: 3 of 3 rows" in out
        assert f"{len(in_backup)} in the backup, {len(in_backup)} copied" in out
        assert "intact" in out
        copied = sorted(p.name for p in checkpoint_dir().glob("*.json"))
        assert copied == in_backup
        assert _hits(target, email, "Java 上海") == [ids[0]]
        # the lost index is rebuilt by the command too
        with target.session() as session:
            session.execute(text(f"DELETE FROM {search.FTS_TABLE}"))
            session.commit()
        again = runner.invoke(app, ["reindex-candidates"])
        assert "3 candidates indexed" in again.output
        assert _hits(target, email, "Java 上海") == [ids[0]]
    finally:
        set_database(None)
        target.engine.dispose()
        get_settings.cache_clear()
