"""Employees exported and updated from a file, and interview results from another system put
on the people's records (SPEC H5): presets, dry runs, per-row errors in both languages, bad
files, capabilities and company scope."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.offers.models import Employee
from hireflow.records.models import RecordEntry, RecordScore
from tests.conftest import bearer, login, make_org, unique
from tests.integrations.test_transfer import _xlsx
from tests.offers.factories import make_offer
from tests.workflow.factories import apply, make_opening


def _employee(session, org, number: str) -> Employee:
    offer = make_offer(session, org, name=unique("员工"))
    employee = Employee(
        tenant_id=org.tenant.id,
        person_id=offer.candidate_id,
        employee_number=number,
        department_id=org.departments[0].id,
        manager_id=None,
        offer_id=offer.id,
        opening_id=offer.opening_id,
        start_date=date(2026, 1, 5),
    )
    session.add(employee)
    session.commit()
    return employee


def _post(client, headers, kind, name, content, **params):
    return client.post(
        f"/api/v1/imports/{kind}",
        params=params,
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
    )


def test_employees_export_with_a_preset_and_update_from_a_file(client, org, session):
    employee = _employee(session, org, unique("E")[-12:])
    other = _employee(session, org, unique("E")[-12:])
    admin = bearer(client, org.users["hr_admin"])
    exported = client.get(
        "/api/v1/exports", params={"kind": "employees", "mapping": "beisen"}, headers=admin
    )
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["工号", "姓名", "邮箱", "部门", "直属上级邮箱", "入职日期", "创建时间"]
    mine = next(r for r in rows if r[0] == employee.employee_number)
    assert mine[3] == org.departments[0].name and mine[5] == "2026-01-05"

    manager = org.users["hiring_manager"]
    target = org.departments[1].name
    body = _xlsx(
        [
            ["工号", "部门", "直属上级邮箱", "入职日期"],
            [employee.employee_number, target, manager.email.upper(), "2026/3/2"],
            [other.employee_number, "", "", ""],
        ]
    )
    checked = _post(client, admin, "employees", "hr.xlsx", body, mapping="beisen")
    assert checked.status_code == 200, checked.text
    assert (checked.json()["valid"], checked.json()["written"]) == (2, False)
    session.refresh(employee)
    assert employee.department_id == org.departments[0].id  # a dry run writes nothing
    done = _post(client, admin, "employees", "hr.xlsx", body, mapping="beisen", dry_run=False)
    assert done.status_code == 200 and done.json()["created"] == [employee.id, other.id]
    session.expire_all()
    employee = session.get(Employee, employee.id)
    assert (employee.department_id, employee.manager_id, employee.start_date) == (
        org.departments[1].id,
        manager.id,
        date(2026, 3, 2),
    )
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "employee.updated", AuditEntry.target_id == str(employee.id)
        )
    ).all()
    assert len(audit) == 1


def test_bad_employee_rows_are_reported_by_row_in_both_languages(client, org, session):
    employee = _employee(session, org, unique("E")[-12:])
    foreign = _employee(session, make_org(session), unique("E")[-12:])
    body = (
        "employee_number,department,manager_email,start_date\n"
        f"{employee.employee_number},Nowhere,ghost@example.com,2026-02-30\n"
        f"{employee.employee_number},,,\n"
        f"{foreign.employee_number},,,\n"
        ",,,2026-01-01\n"
    ).encode()
    admin = bearer(client, org.users["hr_admin"])
    report = _post(client, admin, "employees", "e.csv", body, dry_run=False)
    assert report.status_code == 422
    errors = [(e["row"], e["field"], e["code"]) for e in report.json()["errors"]]
    assert errors == [
        (2, "department", "department"),
        (2, "manager_email", "manager"),
        (2, "start_date", "date"),
        (3, "employee_number", "duplicate_number"),
        (4, "employee_number", "no_employee"),  # another company's number
        (5, "employee_number", "required"),
    ]
    messages = {e["code"]: e["message"] for e in report.json()["errors"]}
    assert messages["date"] == "Not a date (YYYY-MM-DD)."
    org.users["hr_admin"].language = "zh-CN"  # answers in the caller's language
    session.commit()
    zh = _post(client, admin, "employees", "e.csv", body)
    assert {e["code"]: e["message"] for e in zh.json()["errors"]}[
        "date"
    ] == "不是日期（YYYY-MM-DD）。"
    # No employee-number column, an empty file, a file that is not what its name says.
    assert _post(client, admin, "employees", "e.csv", b"name\nx\n").status_code == 422
    assert _post(client, admin, "employees", "e.csv", b"").status_code == 422
    assert _post(client, admin, "employees", "e.xlsx", b"not a zip").status_code == 422
    assert _post(client, admin, "employees", "e.pdf", b"%PDF").status_code == 422
    # Only HR admins change employees; recruiters may import other things, not this.
    recruiter = bearer(client, org.users["recruiter"])
    assert _post(client, recruiter, "employees", "e.csv", body).status_code == 403
    manager = bearer(client, org.users["hiring_manager"])
    assert _post(client, manager, "employees", "e.csv", body).status_code == 403


def test_results_from_another_system_land_on_the_record_marked_imported(client, org, session):
    opening = make_opening(session, org)
    application = apply(session, org, opening, name="赵敏")
    session.commit()
    person = application.candidate_id
    body = (
        "人才ID,候选人姓名,职位ID,评估项,分数,评估时间\n"
        f"{person},赵敏,{opening.id},communication,7.5,2025-11-03\n"
        f"{person},赵敏,{opening.id},coding,8,2025-11-03\n"
    ).encode()
    admin = bearer(client, org.users["hr_admin"])
    checked = _post(client, admin, "results", "feishu.csv", body, mapping="feishu")
    assert checked.json()["valid"] == 2 and checked.json()["written"] is False
    assert session.scalars(select(RecordEntry).where(RecordEntry.person_id == person)).all() == []
    done = _post(
        client,
        admin,
        "results",
        "feishu.csv",
        body,
        mapping="feishu",
        dry_run=False,
        system="feishu",
    )
    assert done.status_code == 200, done.text
    [entry_id] = done.json()["created"]
    entry = session.get(RecordEntry, entry_id)
    assert (entry.type, entry.source, entry.opening_id) == (
        "interview_result",
        "import:feishu",
        opening.id,
    )
    assert entry.facts["imported"] is True and entry.occurred_at.date() == date(2025, 11, 3)
    scores = session.scalars(select(RecordScore).where(RecordScore.entry_id == entry_id)).all()
    assert {(s.dimension, s.score) for s in scores} == {("communication", 7.5), ("coding", 8.0)}
    login(client, org.users["hr_admin"])
    page = client.get(f"/records/{person}")
    assert page.status_code == 200
    assert "Result imported from feishu (not a Hireflow interview)" in page.text


def test_bad_result_rows_and_people_out_of_reach(client, org, session):
    opening = make_opening(session, org)
    application = apply(session, org, opening, name="周芷若")
    stranger_org = make_org(session)
    stranger = apply(session, stranger_org, make_opening(session, stranger_org))
    session.commit()
    person = application.candidate_id
    body = (
        "candidate_id,name,opening_id,dimension,score,occurred_at\n"
        f"{person},周芷若,{opening.id},communication,11,2025-01-01\n"
        f"{person},张无忌,,coding,5,\n"
        f"{stranger.candidate_id},,,coding,5,\n"
        f"abc,,999999999,,x,yesterday\n"
    ).encode()
    admin = bearer(client, org.users["hr_admin"])
    report = _post(client, admin, "results", "r.csv", body, dry_run=False)
    assert report.status_code == 422
    assert [(e["row"], e["field"], e["code"]) for e in report.json()["errors"]] == [
        (2, "score", "score"),
        (3, "name", "name_mismatch"),
        (4, "candidate_id", "no_person"),  # another company's person: not found
        (5, "candidate_id", "no_person"),
        (5, "dimension", "required"),
        (5, "occurred_at", "date"),
        (5, "opening_id", "opening"),
        (5, "score", "score"),
    ]
    assert session.scalars(select(RecordEntry).where(RecordEntry.person_id == person)).all() == []
    bad_system = _post(client, admin, "results", "r.csv", body, system="a b/c")
    assert bad_system.status_code == 422 and bad_system.json()["error"]["fields"] == {
        "system": "format"
    }
    manager = bearer(client, org.users["hiring_manager"])
    assert _post(client, manager, "results", "r.csv", body).status_code == 403


def test_the_page_imports_each_kind_and_lists_errors(client, org, session):
    employee = _employee(session, org, unique("E")[-12:])
    login(client, org.users["hr_admin"])
    page = client.get("/integrations/transfer")
    assert 'value="employees"' in page.text and 'name="system"' in page.text
    answer = client.post(
        "/integrations/import",
        data={"kind": "employees", "mapping": "", "dry_run": "on"},
        files={"file": ("e.csv", f"工号,入职日期\n{employee.employee_number},soon\n".encode())},
    )
    assert answer.status_code == 200
    assert "Not a date (YYYY-MM-DD)." in answer.text and "<td>2</td>" in answer.text
    unknown = client.post(
        "/integrations/import",
        data={"kind": "payroll"},
        files={"file": ("e.csv", b"a\n1\n")},
    )
    assert unknown.status_code == 422
