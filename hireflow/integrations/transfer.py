"""Export and import of candidates and interview results as CSV/XLSX (SPEC H5).

A mapping says which column holds which field. Presets are shaped like the exports of common
Chinese HR suites (北森 Beisen, Moka, 飞书招聘 Feishu) and Hireflow's own English headers; a
company can save its own. Export writes the preset's headers; import matches a file's headers
through the chosen mapping (or, with none, any preset's header names).

An import first checks every row (a dry run stops there and writes nothing); a real import
writes only when no row has an error, all rows in one transaction, audited as one action.
Rows are the caller's: export lists only candidates ``restrict()`` lets them read; imported
candidates are created in the caller's company.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from hireflow.candidates.identity import email_key
from hireflow.candidates.indexing import apply_profile, index_candidate
from hireflow.candidates.models import Candidate
from hireflow.core import audit, events, pii
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require, restrict
from hireflow.integrations import tabular
from hireflow.integrations.models import IMPORT_KINDS, ImportMapping
from hireflow.offers.models import Employee
from hireflow.org.models import Department, User
from hireflow.records.models import RecordScore

FIELDS: dict[str, tuple[str, ...]] = {
    "candidates": ("id", "name", "email", "phone", "location", "source", "created_at"),
    "results": ("candidate_id", "name", "opening_id", "dimension", "score", "occurred_at"),
    "employees": (
        "employee_number",
        "name",
        "email",
        "department",
        "manager_email",
        "start_date",
        "created_at",
    ),
}
IMPORTABLE: dict[str, tuple[str, ...]] = {
    "candidates": ("name", "email", "phone", "location", "source"),
    "results": ("candidate_id", "name", "opening_id", "dimension", "score", "occurred_at"),
    "employees": ("employee_number", "name", "department", "manager_email", "start_date"),
}
PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "hireflow": {kind: {f: f for f in fields} for kind, fields in FIELDS.items()},
    "beisen": {
        "candidates": {
            "候选人编号": "id",
            "姓名": "name",
            "电子邮箱": "email",
            "手机号码": "phone",
            "现居住地": "location",
            "简历来源": "source",
            "创建时间": "created_at",
        },
        "results": {
            "候选人编号": "candidate_id",
            "姓名": "name",
            "职位编号": "opening_id",
            "测评维度": "dimension",
            "测评得分": "score",
            "测评时间": "occurred_at",
        },
        "employees": {
            "工号": "employee_number",
            "姓名": "name",
            "邮箱": "email",
            "部门": "department",
            "直属上级邮箱": "manager_email",
            "入职日期": "start_date",
            "创建时间": "created_at",
        },
    },
    "moka": {
        "candidates": {
            "候选人ID": "id",
            "姓名": "name",
            "邮箱": "email",
            "手机": "phone",
            "所在城市": "location",
            "来源渠道": "source",
            "投递时间": "created_at",
        },
        "results": {
            "候选人ID": "candidate_id",
            "姓名": "name",
            "职位ID": "opening_id",
            "评价维度": "dimension",
            "评分": "score",
            "面试时间": "occurred_at",
        },
        "employees": {
            "员工工号": "employee_number",
            "姓名": "name",
            "工作邮箱": "email",
            "所属部门": "department",
            "直属上级": "manager_email",
            "入职时间": "start_date",
            "创建时间": "created_at",
        },
    },
    "feishu": {
        "candidates": {
            "人才ID": "id",
            "候选人姓名": "name",
            "邮箱": "email",
            "手机号": "phone",
            "所在地点": "location",
            "来源": "source",
            "创建时间": "created_at",
        },
        "results": {
            "人才ID": "candidate_id",
            "候选人姓名": "name",
            "职位ID": "opening_id",
            "评估项": "dimension",
            "分数": "score",
            "评估时间": "occurred_at",
        },
        "employees": {
            "工号": "employee_number",
            "员工姓名": "name",
            "企业邮箱": "email",
            "部门名称": "department",
            "上级邮箱": "manager_email",
            "入职日期": "start_date",
            "创建时间": "created_at",
        },
    },
}
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")


def _kind(kind: str) -> str:
    if kind not in FIELDS:
        raise NotFound()
    return kind


def columns_for(session: Session, principal: Principal, kind: str, mapping: str) -> dict[str, str]:
    """Column -> field of ``mapping``: a preset's name, ``saved:<id>``, or "" for every
    preset's header names at once (import only)."""
    if mapping.startswith("saved:") and mapping[6:].isdigit():
        row = session.scalars(
            restrict(
                select(ImportMapping).where(
                    ImportMapping.id == int(mapping[6:]), ImportMapping.kind == kind
                ),
                principal,
                "data.import",
                ImportMapping,
            )
        ).first()
        if row is None:
            raise NotFound()
        return dict(row.columns)
    if mapping in PRESETS:
        return dict(PRESETS[mapping][kind])
    if mapping == "":
        merged: dict[str, str] = {}
        for preset in PRESETS.values():
            merged.update(preset[kind])
        return merged
    raise ValidationFailed(N_("Unknown field mapping."), fields={"mapping": "unknown"})


# ------------------------------------------------------------------------------ export


def _candidate_rows(session: Session, principal: Principal) -> list[dict[str, Any]]:
    stmt = restrict(select(Candidate), principal, "candidates.read", Candidate).where(
        Candidate.merged_into_id.is_(None)
    )
    return [
        {
            "id": c.id,
            "name": c.name,
            "email": c.email,
            "phone": c.phone,
            "location": c.location,
            "source": c.source,
            "created_at": c.created_at,
        }
        for c in session.scalars(stmt.order_by(Candidate.id))
    ]


def _result_rows(session: Session, principal: Principal) -> list[dict[str, Any]]:
    require(principal, "scores.read")
    visible = restrict(select(Candidate), principal, "scores.read", Candidate)
    columns = visible.with_only_columns(Candidate.id, Candidate.name)
    names: dict[int, str] = {row.id: row.name for row in session.execute(columns)}
    if not names:
        return []
    rows = session.execute(
        select(RecordScore)
        .where(RecordScore.person_id.in_(list(names)))
        .order_by(RecordScore.person_id, RecordScore.entry_id, RecordScore.dimension)
    ).scalars()
    return [
        {
            "candidate_id": r.person_id,
            "name": names[r.person_id],
            "opening_id": r.opening_id,
            "dimension": r.dimension,
            "score": r.score,
            "occurred_at": r.occurred_at,
        }
        for r in rows
    ]


def _employee_rows(session: Session, principal: Principal) -> list[dict[str, Any]]:
    require(principal, "employees.read")
    manager = aliased(User)
    stmt = (
        restrict(select(Employee), principal, "employees.read", Employee)
        .join(Candidate, Candidate.id == Employee.person_id)
        .join(Department, Department.id == Employee.department_id)
        .outerjoin(manager, manager.id == Employee.manager_id)
        .with_only_columns(
            Employee, Candidate.name, Candidate.email, Department.name, manager.email
        )
        .order_by(Employee.employee_number)
    )
    return [
        {
            "employee_number": e.employee_number,
            "name": name,
            "email": email,
            "department": department,
            "manager_email": manager_email,
            "start_date": e.start_date,
            "created_at": e.created_at,
        }
        for e, name, email, department, manager_email in session.execute(stmt)
    ]


ROWS = {"candidates": _candidate_rows, "results": _result_rows, "employees": _employee_rows}


def export(
    session: Session, principal: Principal, kind: str, fmt: str, mapping: str = "hireflow"
) -> tuple[bytes, str]:
    """The file and its name; audited with the row count (never the rows)."""
    require(principal, "data.export")
    kind = _kind(kind)
    if fmt not in tabular.FORMATS:
        raise ValidationFailed(N_("Choose CSV or XLSX."), fields={"format": "unknown"})
    columns = columns_for(session, principal, kind, mapping or "hireflow")
    rows = ROWS[kind](session, principal)
    header = [c for c, f in columns.items() if f in FIELDS[kind]]
    content = tabular.write(fmt, header, ([row.get(columns[c]) for c in header] for row in rows))
    audit.commit_recorded(
        session,
        "data.exported",
        actor=principal,
        target_type=kind,
        new={"rows": len(rows), "format": fmt, "mapping": mapping},
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return content, f"{kind}-{stamp}.{fmt}"


# ------------------------------------------------------------------------------ import


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    field: str
    code: str


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    written: bool = False


ERROR_MESSAGES = {
    "required": N_("Required."),
    "too_long": N_("Too long."),
    "email": N_("Not a valid e-mail address."),
    "phone": N_("Not a valid phone number."),
    "duplicate_in_file": N_("The same e-mail address appears on an earlier row."),
    "exists": N_("A candidate with this e-mail address already exists."),
    "duplicate_number": N_("The same employee number appears on an earlier row."),
    "no_employee": N_("No employee you may manage has this employee number."),
    "department": N_("No department of the company has this name."),
    "department_ambiguous": N_("Several departments have this name; rename one first."),
    "manager": N_("No active user of the company has this e-mail address."),
    "date": N_("Not a date (YYYY-MM-DD)."),
    "no_person": N_("No person you may write to has this id."),
    "name_mismatch": N_("The name differs from the person's name under this id."),
    "opening": N_("No opening of the company has this id."),
    "score": N_("Not a number between 0 and 10."),
}


def _check_row(values: dict[str, str]) -> list[tuple[str, str]]:
    problems = []
    if not values.get("name"):
        problems.append(("name", "required"))
    for key, limit in (("name", 200), ("location", 200), ("source", 40), ("email", 254)):
        if len(values.get(key, "")) > limit:
            problems.append((key, "too_long"))
    if values.get("email"):
        try:
            validate_email(values["email"], check_deliverability=False)
        except EmailNotValidError:
            problems.append(("email", "email"))
    if values.get("phone") and not _PHONE.match(values["phone"]):
        problems.append(("phone", "phone"))
    return problems


def _existing_emails(session: Session, tenant_id: int, emails: list[str]) -> set[str]:
    found = set()
    for email in emails:
        indexes = pii.blind_index_values(email, "email", tenant_id=tenant_id)
        hit = session.scalar(
            select(Candidate.id).where(
                Candidate.tenant_id == tenant_id, Candidate.email_index.in_(indexes)
            )
        )
        if hit is not None:
            found.add(email)
    return found


@dataclass(frozen=True)
class ImportRequest:
    """An uploaded file and how to read it: the mapping ("" for the presets' header names),
    whether only to check it, and (results only) the system it comes from."""

    filename: str
    content: bytes
    mapping: str = ""
    dry_run: bool = True
    system: str = ""


@dataclass
class Sheet:
    """An uploaded file's rows as fields (row number, field -> text) and the report so far."""

    rows: list[tuple[int, dict[str, str]]]
    report: ImportReport


def read_sheet(
    session: Session,
    principal: Principal,
    kind: str,
    upload: ImportRequest,
    required: tuple[str, str],
) -> Sheet:
    """Read the uploaded file through its mapping; ``required`` is the field a file must have
    a column for, and the message if it has none."""
    header, rows = tabular.read(upload.filename, upload.content)
    columns = columns_for(session, principal, kind, upload.mapping)
    fields = IMPORTABLE[kind]
    positions = {columns[h]: i for i, h in enumerate(header) if columns.get(h) in fields}
    report = ImportReport(rows=len(rows))
    report.unmapped = [h for h in header if columns.get(h) not in fields]
    field, message = required
    if field not in positions:
        raise ValidationFailed(message, fields={"mapping": field})
    parsed = [
        (number, {f: (row[i] if i < len(row) else "") for f, i in positions.items()})
        for number, row in enumerate(rows, start=2)
    ]
    return Sheet(parsed, report)


def finish_import(
    session: Session,
    principal: Principal,
    kind: str,
    sheet: Sheet,
    dry_run: bool,
    write: Callable[[], list[int]],
) -> ImportReport:
    """Count the valid rows, ``write`` only when no row has an error (and this is not a dry
    run), audit the counts (never the rows) and commit."""
    report = sheet.report
    bad_rows = {e.row for e in report.errors}
    report.valid = len([n for n, _v in sheet.rows if n not in bad_rows])
    report.errors.sort(key=lambda e: (e.row, e.field))
    if not dry_run and not report.errors:
        report.created = write()
        report.written = True
    audit.commit_recorded(
        session,
        "data.imported" if report.written else "data.import_checked",
        actor=principal,
        target_type=kind,
        new={
            "rows": report.rows,
            "errors": len(report.errors),
            "created": len(report.created),
            "dry_run": dry_run,
        },
    )
    return report


def import_candidates(
    session: Session, principal: Principal, upload: ImportRequest
) -> ImportReport:
    require(principal, "data.import")
    require(principal, "candidates.create")
    sheet = read_sheet(
        session,
        principal,
        "candidates",
        upload,
        ("name", N_("No column of the file maps to the candidate's name.")),
    )
    report = sheet.report
    seen: set[str] = set()
    for number, values in sheet.rows:
        problems = _check_row(values)
        values["email"] = (
            (email_key(values["email"]) or values["email"]) if values.get("email") else ""
        )
        if values["email"] and values["email"] in seen:
            problems.append(("email", "duplicate_in_file"))
        seen.add(values["email"])
        report.errors.extend(RowError(number, f, c) for f, c in problems)
    emails = [v["email"] for _n, v in sheet.rows if v["email"]]
    existing = _existing_emails(session, principal.tenant_id, emails)
    report.errors.extend(
        RowError(n, "email", "exists") for n, v in sheet.rows if v["email"] in existing
    )
    return finish_import(
        session,
        principal,
        "candidates",
        sheet,
        upload.dry_run,
        lambda: _create(session, principal, [v for _n, v in sheet.rows]),
    )


def _create(session: Session, principal: Principal, rows: list[dict[str, str]]) -> list[int]:
    created = []
    for values in rows:
        candidate = Candidate(
            tenant_id=principal.tenant_id,
            name=values["name"][:200],
            email=values.get("email", ""),
            phone=values.get("phone", ""),
            location=values.get("location", "")[:200],
            source=(values.get("source") or "import")[:40],
            profile={},
            profile_parsed={
                k: values[k] for k in ("name", "email", "phone", "location") if values.get(k)
            },
            corrections={},
        )
        session.add(candidate)
        apply_profile(candidate)
        session.flush()
        index_candidate(session, candidate, "")
        events.publish(
            session,
            "candidate.created",
            principal.tenant_id,
            f"candidate:{candidate.id}",
            {"candidate_id": candidate.id, "opening_id": None, "source": "import"},
        )
        created.append(candidate.id)
    return created


# ------------------------------------------------------------------------------ mappings


def save_mapping(
    session: Session, principal: Principal, kind: str, name: str, columns: dict[str, str]
) -> ImportMapping:
    require(principal, "data.import")
    if kind not in IMPORT_KINDS:
        raise NotFound()
    unknown = sorted(set(columns.values()) - set(FIELDS[kind]))
    if unknown or not columns:
        raise ValidationFailed(
            N_("Map columns to known fields only."), fields={"columns": "unknown"}
        )
    exists = session.scalar(
        select(ImportMapping.id).where(
            ImportMapping.tenant_id == principal.tenant_id,
            ImportMapping.kind == kind,
            ImportMapping.name == name,
        )
    )
    if exists is not None:
        raise ValidationFailed(N_("A mapping with this name exists."), fields={"name": "taken"})
    row = ImportMapping(
        tenant_id=principal.tenant_id,
        kind=kind,
        name=name,
        columns=columns,
        created_by_id=principal.user_id,
    )
    audit.commit_created(
        session,
        row,
        "data.mapping_saved",
        actor=principal,
        target_type="import_mapping",
        new={"kind": kind, "name": name, "columns": columns},
    )
    return row


def mappings(session: Session, principal: Principal) -> list[ImportMapping]:
    require(principal, "data.import")
    stmt = restrict(select(ImportMapping), principal, "data.import", ImportMapping)
    return list(session.scalars(stmt.order_by(ImportMapping.kind, ImportMapping.name)))
