"""Import of employees' details and of interview results from other systems (SPEC H5).

Both follow the candidate import (:mod:`hireflow.integrations.transfer`): a mapping or the
presets' header names, every row checked first with its errors by row number, a dry run that
writes nothing, and a real import only when every row is valid, in one transaction.

- **Employees** are matched by employee number and get their department (by name), manager
  (by e-mail) and start date from the file. Employees themselves come from accepted offers
  (or ``hireflow migrate-in`` for history): a number Hireflow does not know is an error.
- **Results** land on the person's record as ``interview_result`` entries from the source
  ``import:<system>`` (the record shows "imported from …"), one entry per person, opening and
  date with its dimension scores (0–10), which the record's score filters then find.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit
from hireflow.core.errors import N_, AppError, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, restrict
from hireflow.integrations.transfer import (
    ImportReport,
    ImportRequest,
    RowError,
    finish_import,
    import_candidates,
    read_sheet,
)
from hireflow.offers.models import Employee
from hireflow.openings.models import Opening
from hireflow.org.models import Department, User
from hireflow.records import service as records

_SYSTEM = re.compile(r"^[A-Za-z0-9_\-\u4e00-\u9fff]{1,40}$")


def parse_date(text: str) -> date | None:
    """``2026-03-01``, ``2026/3/1`` or an XLSX date-time (``2026-03-01T00:00:00``)."""
    text = text.strip().replace("/", "-").split("T")[0].split(" ")[0]
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ employees


def _departments(session: Session, tenant_id: int) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for dept_id, name in session.execute(
        select(Department.id, Department.name).where(Department.tenant_id == tenant_id)
    ):
        found[name.strip()].append(dept_id)
    return found


def _user_ids(session: Session, tenant_id: int, emails: set[str]) -> dict[str, int]:
    if not emails:
        return {}
    rows = session.execute(
        select(func.lower(User.email), User.id).where(
            User.tenant_id == tenant_id,
            User.is_active.is_(True),
            func.lower(User.email).in_(sorted(emails)),
        )
    )
    return {str(email): int(user_id) for email, user_id in rows}


def _employee_changes(
    session: Session, principal: Principal, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[tuple[Employee, dict[str, Any]]], list[RowError]]:
    stmt = restrict(select(Employee), principal, "employees.manage", Employee)
    numbers = sorted({v.get("employee_number", "") for _n, v in rows} - {""})
    employees = {
        e.employee_number: e
        for e in session.scalars(stmt.where(Employee.employee_number.in_(numbers)))
    }
    departments = _departments(session, principal.tenant_id)
    emails = {v["manager_email"].lower() for _n, v in rows if v.get("manager_email")}
    managers = _user_ids(session, principal.tenant_id, emails)
    changes: list[tuple[Employee, dict[str, Any]]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, values in rows:
        key = values.get("employee_number", "")
        employee = employees.get(key)
        problems: list[tuple[str, str]] = []
        if not key:
            problems.append(("employee_number", "required"))
        elif key in seen:
            problems.append(("employee_number", "duplicate_number"))
        elif employee is None:
            problems.append(("employee_number", "no_employee"))
        seen.add(key)
        change: dict[str, Any] = {}
        if values.get("department"):
            ids = departments.get(values["department"], [])
            if len(ids) == 1:
                change["department_id"] = ids[0]
            else:
                problems.append(("department", "department_ambiguous" if ids else "department"))
        if values.get("manager_email"):
            manager = managers.get(values["manager_email"].lower())
            if manager is None:
                problems.append(("manager_email", "manager"))
            change["manager_id"] = manager
        if values.get("start_date"):
            change["start_date"] = parse_date(values["start_date"])
            if change["start_date"] is None:
                problems.append(("start_date", "date"))
        errors.extend(RowError(number, f, c) for f, c in problems)
        if employee is not None and not problems:
            changes.append((employee, change))
    return changes, errors


def import_employees(session: Session, principal: Principal, upload: ImportRequest) -> ImportReport:
    """Update employees' department, manager and start date from a file; ``created`` lists
    the ids of the employees changed."""
    require(principal, "data.import")
    require(principal, "employees.manage")
    sheet = read_sheet(
        session,
        principal,
        "employees",
        upload,
        ("employee_number", N_("No column of the file maps to the employee number.")),
    )
    changes, errors = _employee_changes(session, principal, sheet.rows)
    sheet.report.errors.extend(errors)

    def write() -> list[int]:
        changed = []
        for employee, change in changes:
            before = {k: _plain(getattr(employee, k)) for k in change}
            for name, value in change.items():
                setattr(employee, name, value)
            audit.record(
                session,
                "employee.updated",
                actor=principal,
                target_type="employee",
                target_id=employee.id,
                old=before,
                new={k: _plain(v) for k, v in change.items()},
            )
            changed.append(employee.id)
        return changed

    return finish_import(session, principal, "employees", sheet, upload.dry_run, write)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------------------------ results


def _score(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None


def _result_row(
    session: Session, principal: Principal, values: dict[str, str], people: dict[int, str]
) -> tuple[list[tuple[str, str]], tuple[int, int | None, date] | None]:
    """The row's problems, and (person, opening, date) when it is valid."""
    problems: list[tuple[str, str]] = []
    person_id = int(values["candidate_id"]) if values.get("candidate_id", "").isdigit() else None
    if person_id is not None and person_id not in people:
        try:
            people[person_id] = get_visible(
                session, Candidate, person_id, principal, "records.write"
            ).name
        except AppError:
            people[person_id] = ""
    if not values.get("candidate_id"):
        problems.append(("candidate_id", "required"))
    elif person_id is None or not people.get(person_id):
        problems.append(("candidate_id", "no_person"))
    elif values.get("name") and values["name"].strip() != people[person_id].strip():
        problems.append(("name", "name_mismatch"))
    opening_id = None
    if values.get("opening_id"):
        opening = (
            session.get(Opening, int(values["opening_id"]))
            if values["opening_id"].isdigit()
            else None
        )
        if opening is None or opening.tenant_id != principal.tenant_id:
            problems.append(("opening_id", "opening"))
        else:
            opening_id = opening.id
    dimension = values.get("dimension", "").strip()
    if not dimension:
        problems.append(("dimension", "required"))
    elif len(dimension) > 60:
        problems.append(("dimension", "too_long"))
    if _score(values.get("score", "")) is None:
        problems.append(("score", "score" if values.get("score") else "required"))
    when = parse_date(values.get("occurred_at", "")) if values.get("occurred_at") else None
    if values.get("occurred_at") and when is None:
        problems.append(("occurred_at", "date"))
    if problems or person_id is None:
        return problems, None
    return problems, (person_id, opening_id, when or datetime.now(UTC).date())


def import_results(session: Session, principal: Principal, upload: ImportRequest) -> ImportReport:
    """Put interview results from another system on the people's records, marked as
    imported from ``system`` (the preset's name by default); ``created`` lists the entries."""
    require(principal, "data.import")
    require(principal, "records.write")
    system = (upload.system or upload.mapping.split(":")[0] or "file").strip()
    if not _SYSTEM.match(system):
        raise ValidationFailed(
            N_("Name the system in at most 40 letters, digits, - or _."),
            fields={"system": "format"},
        )
    sheet = read_sheet(
        session,
        principal,
        "results",
        upload,
        ("candidate_id", N_("No column of the file maps to the person's id.")),
    )
    people: dict[int, str] = {}
    groups: dict[tuple[int, int | None, date], dict[str, float]] = defaultdict(dict)
    for number, values in sheet.rows:
        problems, key = _result_row(session, principal, values, people)
        sheet.report.errors.extend(RowError(number, f, c) for f, c in problems)
        if key is not None:
            groups[key][values["dimension"].strip()] = float(values["score"])

    def write() -> list[int]:
        created = []
        for (person_id, opening_id, day), scores in groups.items():
            entry = records.append_entry(
                session,
                principal,
                person_id,
                "interview_result",
                {"source_system": system, "file": upload.filename[:200]},
                source=f"import:{system}",
                facts={"scores": scores, "imported": True},
                occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
                opening_id=opening_id,
                commit=False,
            )
            created.append(entry.id)
        return created

    return finish_import(session, principal, "results", sheet, upload.dry_run, write)


# What an import of each kind needs besides ``data.import``, and what does it.
IMPORTERS: dict[str, tuple[str, Callable[[Session, Principal, ImportRequest], ImportReport]]] = {
    "candidates": ("candidates.create", import_candidates),
    "employees": ("employees.manage", import_employees),
    "results": ("records.write", import_results),
}
