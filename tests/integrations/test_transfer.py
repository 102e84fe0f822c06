"""Export and import of candidates as CSV/XLSX: presets, saved mappings, dry run with per-row
errors, bad files, and role and tenant scope."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core.audit import AuditEntry
from tests.conftest import bearer, make_org

BEISEN = "姓名,手机号码,电子邮箱,现居住地,简历来源\n"


def _upload(client, headers, name, content, **params):
    return client.post(
        "/api/v1/imports/candidates",
        params=params,
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_dry_run_reports_every_row_and_writes_nothing(client, org, session):
    admin = bearer(client, org.users["hr_admin"])
    body = (
        BEISEN
        + "张伟,13800138000,zhang.wei@example.com,上海,猎头\n"
        + ",13800138001,no-name@example.com,北京,官网\n"
        + "李娜,12,not-an-email,深圳,内推\n"
        + "王芳,13900139000,zhang.wei@example.com,杭州,官网\n"
    ).encode("utf-8")
    answer = _upload(client, admin, "beisen.csv", body, mapping="beisen")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["rows"] == 4 and report["valid"] == 1 and report["written"] is False
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
        (3, "name", "required"),
        (4, "email", "email"),
        (4, "phone", "phone"),
        (5, "email", "duplicate_in_file"),
    ]
    assert all(e["message"] for e in report["errors"])
    names = session.scalars(select(Candidate.name).where(Candidate.tenant_id == org.tenant.id))
    assert "张伟" not in set(names)
    # A real import of the same file refuses as a whole.
    refused = _upload(client, admin, "beisen.csv", body, mapping="beisen", dry_run="false")
    assert refused.status_code == 422 and refused.json()["created"] == []


def test_an_import_creates_candidates_and_an_export_gives_them_back(client, org, session):
    admin = bearer(client, org.users["hr_admin"])
    content = _xlsx(
        [
            ["候选人姓名", "手机号", "邮箱", "所在地点", "备注"],
            ["陈静", "+86 138 0013 8002", "Chen.Jing@Example.com", "广州", "x"],
            ["Li Lei", "", "li.lei@example.com", "Shenzhen", ""],
        ]
    )
    answer = _upload(client, admin, "feishu.xlsx", content, mapping="feishu", dry_run="false")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["written"] is True and len(report["created"]) == 2
    assert report["unmapped"] == ["备注"]
    created = session.get(Candidate, report["created"][0])
    assert created.name == "陈静" and created.email == "chen.jing@example.com"
    assert created.source == "import"
    # Imported again: the e-mail addresses now exist.
    again = _upload(client, admin, "feishu.xlsx", content, mapping="feishu")
    assert {e["code"] for e in again.json()["errors"]} == {"exists"}

    exported = client.get("/api/v1/exports?kind=candidates&format=csv&mapping=moka", headers=admin)
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["候选人ID", "姓名", "邮箱", "手机", "所在城市", "来源渠道", "投递时间"]
    assert rows[1][1:3] == ["陈静", "chen.jing@example.com"]
    workbook = client.get("/api/v1/exports?kind=candidates&format=xlsx", headers=admin)
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert [c.value for c in next(sheet.iter_rows())][:3] == ["id", "name", "email"]
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.tenant_id == org.tenant.id))
    )
    assert {"data.imported", "data.import_checked", "data.exported"} <= actions


def test_a_saved_mapping_is_used_for_import(client, org, session):
    admin = bearer(client, org.users["hr_admin"])
    saved = client.post(
        "/api/v1/imports/mappings",
        json={
            "kind": "candidates",
            "name": "Old ATS",
            "columns": {"Full name": "name", "Mail": "email"},
        },
        headers=admin,
    )
    assert saved.status_code == 201, saved.text
    body = b"Full name,Mail\nAda Lovelace,ada@example.com\n"
    answer = _upload(client, admin, "old.csv", body, mapping=f"saved:{saved.json()['id']}")
    assert answer.status_code == 200 and answer.json()["valid"] == 1
    bad = client.post(
        "/api/v1/imports/mappings",
        json={"kind": "candidates", "name": "Bad", "columns": {"X": "salary"}},
        headers=admin,
    )
    assert bad.status_code == 422
    other = make_org(session)
    stranger = bearer(client, other.users["hr_admin"])
    foreign = _upload(client, stranger, "old.csv", body, mapping=f"saved:{saved.json()['id']}")
    assert foreign.status_code == 404
    assert client.get("/api/v1/imports/mappings", headers=stranger).json() == []


def test_bad_files_are_refused(client, org):
    admin = bearer(client, org.users["hr_admin"])
    cases = [
        ("resume.pdf", b"%PDF-1.4", "type"),
        ("fake.xlsx", b"name,email\nA,a@example.com\n", "type"),
        ("zip.csv", _xlsx([["name"], ["A"]]), "type"),
        ("binary.csv", b"name\x00\x01\x02", "type"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("many.csv", ("name\n" + "A\n" * 5001).encode(), "rows"),
        ("nameless.csv", "电话\n123456\n".encode(), "name"),
    ]
    for name, content, code in cases:
        answer = _upload(client, admin, name, content)
        assert answer.status_code == 422, (name, answer.text)
        assert code in answer.json()["error"]["fields"].values(), (name, answer.text)
    big = _upload(client, admin, "big.csv", b"name\n" + b"A" * (5 * 1024 * 1024 + 10))
    assert big.status_code == 413
    gbk = _upload(client, admin, "gbk.csv", "姓名,邮箱\n赵敏,zhao@example.com\n".encode("gb18030"))
    assert gbk.status_code == 200 and gbk.json()["valid"] == 1
    unknown = _upload(client, admin, "a.csv", b"name\nA\n", mapping="nope")
    assert unknown.status_code == 422


def test_exports_follow_role_and_scope(client, org, session):
    admin = bearer(client, org.users["hr_admin"])
    _upload(
        client, admin, "a.csv", b"name,email\nScoped Person,scoped@example.com\n", dry_run="false"
    )
    other = make_org(session)
    stranger = bearer(client, other.users["hr_admin"])
    text = client.get("/api/v1/exports", headers=stranger).content.decode("utf-8-sig")
    assert "Scoped Person" not in text
    # A recruiter sees only candidates of openings they own: not this unattached one.
    recruiter = bearer(client, org.users["recruiter"])
    assert "Scoped Person" not in client.get("/api/v1/exports", headers=recruiter).text
    for role in ("interviewer", "it_auditor", "candidate"):
        headers = bearer(client, org.users[role])
        assert client.get("/api/v1/exports", headers=headers).status_code == 403, role
    hiring_manager = bearer(client, org.users["hiring_manager"])
    assert _upload(client, hiring_manager, "a.csv", b"name\nA\n").status_code == 403
    # Formula cells are defused in exports.
    _upload(client, admin, "f.csv", b"name,email\n=HYPERLINK(1),f@example.com\n", dry_run="false")
    text = client.get("/api/v1/exports", headers=admin).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
