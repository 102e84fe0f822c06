"""``hireflow import resumes``: a folder or a zip, one result per file, bad files reported."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select
from typer.testing import CliRunner

from hireflow.candidates.models import Application, Candidate
from hireflow.cli import app
from tests.openings.factories import RESUMES, en_resume, make_opening, txt_resume


def test_import_a_folder_and_a_zip(tmp_path, db, session, org, regional):
    opening = make_opening(session, org)
    folder = tmp_path / "resumes"
    (folder / "sub").mkdir(parents=True)
    (folder / "wang.txt").write_bytes(txt_resume())
    (folder / "sub" / "emily.txt").write_bytes(en_resume())
    (folder / "table.pdf").write_bytes((RESUMES / "005_zh_table.pdf").read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (folder / "notes.md").write_text("ignored: not a resume type")
    report = tmp_path / "report.json"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["import", "resumes", str(folder), "--opening", str(opening.id), "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    assert "3 taken in" in result.output and "2 refused" in result.output
    assert "pdf_corrupt" in result.output and "doc_legacy_unsupported" in result.output
    rows = {r["filename"]: r for r in json.loads(report.read_text())}
    assert rows["sub/emily.txt"]["ok"] and not rows["broken.pdf"]["ok"]

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("again/wang.txt", txt_resume(phone="13812345678", company="新公司机械有限公司"))
        zf.writestr("empty.txt", b"")
    (tmp_path / "batch.zip").write_bytes(archive.getvalue())
    again = runner.invoke(
        app, ["import", "resumes", str(tmp_path / "batch.zip"), "--opening", str(opening.id)]
    )
    assert again.exit_code == 0, again.output
    assert "1 taken in (0 new candidates, 1 merged" in again.output and "file_empty" in again.output
    people = session.scalar(
        select(func.count()).select_from(Candidate).where(Candidate.tenant_id == org.tenant.id)
    )
    assert people == 3
    sources = set(
        session.scalars(select(Application.source).where(Application.opening_id == opening.id))
    )
    assert sources == {"import"}


def test_import_refuses_unknown_openings_and_paths(tmp_path, db, session, org):
    runner = CliRunner()
    missing = runner.invoke(app, ["import", "resumes", str(tmp_path / "nope"), "--opening", "1"])
    assert missing.exit_code == 2
    (tmp_path / "a.txt").write_bytes(en_resume())
    unknown = runner.invoke(app, ["import", "resumes", str(tmp_path), "--opening", "999999"])
    assert unknown.exit_code == 2 and "No opening" in unknown.output
    closed = make_opening(session, org, status="closed")
    refused = runner.invoke(app, ["import", "resumes", str(tmp_path), "--opening", str(closed.id)])
    assert refused.exit_code == 2
