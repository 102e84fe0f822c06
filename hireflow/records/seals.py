"""Seals over the values decisions rest on: scores, job match, screening, reports, names.

The hash chains cover the record's entries; HR ranks and decides on values kept in other
tables (``interview_reports.scores`` / ``job_match`` / ``body``, ``applications.
screening_score``, a candidate's name). Each such row gets a seal (``record_seals``): one
MAC per field under a per-tenant key derived from the master key, and a binding MAC over
the row's identity, its person and the set of sealed fields. The application writes seals
itself: an ``after_flush`` hook reseals every sealed row the ORM inserted or changed, so a
change made through the product (an HR override, a re-screening, a merge) is sealed like
the original, while ``update interview_reports set job_match = 99.9`` typed into the
database leaves a seal that no longer matches, and ``hireflow verify`` names the row and
the field.

Personal fields (report bodies, screening explanations, names) are sealed with a random
salt kept in the seal: without the salt, a seal cannot be used to confirm a guessed name.
An erasure destroys the salt and the personal MACs (:func:`forget_person`); verify accepts
a row without personal MACs only when the person's hash chain holds an erasure entry.

Verify also checks what can be recomputed from the chains themselves, which needs no key:
a report's scores and job match against the interview result entry that recorded them, and
``record_scores`` against the interview results in effect.

Limits: a seal proves that a value was written through the application, not that the
application was honest; whoever holds the master key can forge seals (the chains and the
signed checkpoints still bind the scores recorded in the chains). Rows written before
seals existed are reported as unsealed until ``hireflow seal`` seals them (audited).
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hireflow.core.crypto import CryptoSuite, KeyNotFoundError, Keyring, MasterKey
from hireflow.core.db import utcnow
from hireflow.records.models import RecordEntry, RecordScore, RecordSeal

BINDING = "_binding"
MAC_BYTES = 16


@dataclass(frozen=True)
class Subject:
    """A sealed kind of row: which fields, which of them personal, whose person it is."""

    name: str
    model: type
    fixed: tuple[str, ...]
    personal: tuple[str, ...]
    person: Callable[[Connection, Any], int | None]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.fixed + self.personal


def _report_person(connection: Connection, row: Any) -> int | None:
    from hireflow.interviews.models import InterviewSession

    return connection.execute(
        select(InterviewSession.candidate_id).where(InterviewSession.id == row.interview_id)
    ).scalar()


_subjects: dict[type, Subject] | None = None


def subjects() -> dict[type, Subject]:
    """Sealed kinds by model class (built on first use: the models live in other domains)."""
    global _subjects
    if _subjects is None:
        from hireflow.candidates.models import Application, Candidate
        from hireflow.interviews.models import InterviewReport

        found = [
            Subject(
                "interview_report",
                InterviewReport,
                (
                    "interview_id",
                    "sha256",
                    "engine_version",
                    "scores",
                    "job_match",
                    "record_entry_id",
                    "final_scores",
                    "final_job_match",
                    "final_entry_id",
                    "adjusted_at",
                ),
                ("body", "final_body"),
                _report_person,
            ),
            Subject(
                "application",
                Application,
                ("candidate_id", "opening_id", "screening_status", "screening_score"),
                ("screening",),
                lambda _c, row: row.candidate_id,
            ),
            Subject("candidate", Candidate, (), ("name",), lambda _c, row: row.id),
        ]
        _subjects = {s.model: s for s in found}
    return _subjects


# --------------------------------------------------------------------------- MACs


def _number(value: float | int | Decimal) -> str:
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def canonical(value: Any) -> Any:
    """A value as the database gives it back: numbers as decimal strings (80 == 80.0),
    datetimes as naive UTC ISO strings, mappings with string keys."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class SealKey:
    """A tenant's seal key and the suite of the master key it comes from (HMAC-SHA256 or
    HMAC-SM3)."""

    key: bytes
    suite: CryptoSuite


def _seal_key(key: MasterKey, tenant_id: int) -> SealKey:
    return SealKey(key.derive("record-seal", str(tenant_id)), key.suite)


def _mac(key: SealKey, *parts: str) -> str:
    message = "\x1f".join(parts).encode("utf-8")
    return key.suite.mac(key.key, message)[:MAC_BYTES].hex()


def field_mac(
    key: SealKey, subject: str, subject_id: int, field: str, value: Any, salt: str | None
) -> str:
    encoded = json.dumps(canonical(value), ensure_ascii=False, sort_keys=True)
    return _mac(key, subject, str(subject_id), field, salt or "", encoded)


def binding_mac(
    key: SealKey,
    subject: str,
    subject_id: int,
    tenant_id: int,
    person_id: int | None,
    erased: bool,
    macs: dict[str, str],
) -> str:
    fields = ",".join(f"{k}={v}" for k, v in sorted(macs.items()) if k != BINDING)
    return _mac(
        key,
        subject,
        str(subject_id),
        str(tenant_id),
        str(person_id),
        "erased" if erased else "",
        fields,
    )


def compute(
    subject: Subject,
    row: Any,
    key: MasterKey,
    person_id: int | None,
    salt: str | None,
    erased: bool,
) -> dict[str, str]:
    """The MACs of one row (personal fields only when not erased)."""
    tenant_id = int(row.tenant_id)
    seal_key = _seal_key(key, tenant_id)
    macs = {
        name: field_mac(seal_key, subject.name, int(row.id), name, getattr(row, name), None)
        for name in subject.fixed
    }
    if not erased:
        for name in subject.personal:
            macs[name] = field_mac(
                seal_key, subject.name, int(row.id), name, getattr(row, name), salt
            )
    macs[BINDING] = binding_mac(
        seal_key, subject.name, int(row.id), tenant_id, person_id, erased, macs
    )
    return macs


# --------------------------------------------------------------------------- writing


def seal_row(connection: Connection, ring: Keyring, subject: Subject, row: Any) -> None:
    """Write (or rewrite) the seal of one row; an erased seal stays without personal MACs."""
    table = RecordSeal.__table__
    existing = connection.execute(
        select(table.c.id, table.c.salt, table.c.erased_at).where(
            table.c.subject == subject.name, table.c.subject_id == int(row.id)
        )
    ).first()
    erased = existing is not None and existing.erased_at is not None
    salt = None if erased else (existing.salt if existing is not None else None)
    salt = salt if salt or erased else secrets.token_hex(16)
    person_id = subject.person(connection, row)
    key = ring.current
    values = {
        "tenant_id": int(row.tenant_id),
        "person_id": person_id,
        "key_id": key.key_id,
        "salt": salt,
        "macs": compute(subject, row, key, person_id, salt, erased),
        "sealed_at": utcnow(),
    }
    if existing is None:
        connection.execute(
            insert(table).values(subject=subject.name, subject_id=int(row.id), **values)
        )
    else:
        connection.execute(update(table).where(table.c.id == existing.id).values(**values))


def _seal_new(
    connection: Connection, ring: Keyring, known: dict[type, Subject], rows: list[Any]
) -> None:
    """Seals of rows inserted in this flush, in one statement per kind (a seal left behind
    by a row deleted outside the ORM under a reused id is replaced)."""
    table = RecordSeal.__table__
    key = ring.current
    now = utcnow()
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        subject = known[type(row)]
        person_id = subject.person(connection, row)
        salt = secrets.token_hex(16)
        by_subject.setdefault(subject.name, []).append(
            {
                "subject": subject.name,
                "subject_id": int(row.id),
                "tenant_id": int(row.tenant_id),
                "person_id": person_id,
                "key_id": key.key_id,
                "salt": salt,
                "macs": compute(subject, row, key, person_id, salt, False),
                "sealed_at": now,
            }
        )
    for name, values in by_subject.items():
        connection.execute(
            delete(table).where(
                table.c.subject == name, table.c.subject_id.in_([v["subject_id"] for v in values])
            )
        )
        connection.execute(insert(table), values)


def _changed(obj: Any, names: Iterable[str]) -> bool:
    from sqlalchemy import inspect

    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session: Session, _context: Any) -> None:
    known = subjects()
    todo = [o for o in session.new if type(o) in known]
    todo += [
        o
        for o in session.dirty
        if type(o) in known and _changed(o, (*known[type(o)].fields, "tenant_id"))
    ]
    gone = [o for o in session.deleted if type(o) in known]
    if not todo and not gone:
        return
    from hireflow.core import pii

    connection = session.connection()
    if todo:
        ring = pii.keyring()
        fresh = [o for o in todo if o in session.new]
        if fresh:
            _seal_new(connection, ring, known, fresh)
        for obj in todo:
            if obj not in session.new:
                seal_row(connection, ring, known[type(obj)], obj)
    for obj in gone:
        connection.execute(
            delete(RecordSeal).where(
                RecordSeal.subject == known[type(obj)].name, RecordSeal.subject_id == obj.id
            )
        )


event.listen(Session, "after_flush", _after_flush)


def seal_unsealed(
    session: Session, tenant_id: int | None = None, person_ids: list[int] | None = None
) -> dict[str, int]:
    """Seal every row that has no seal (rows from before seals existed), or only the
    candidates and applications of ``person_ids`` (a bulk import just wrote them).

    Returns counts per kind; the caller audits it. No commit.
    """
    from hireflow.core import pii

    ring = pii.keyring()
    connection = session.connection()
    counts: dict[str, int] = {}
    for subject in subjects().values():
        table = subject.model.__table__
        sealed = select(RecordSeal.subject_id).where(RecordSeal.subject == subject.name)
        stmt = select(table).where(table.c.id.not_in(sealed)).order_by(table.c.id)
        if tenant_id is not None:
            stmt = stmt.where(table.c.tenant_id == tenant_id)
        if person_ids is not None:
            column = {"candidate": "id", "application": "candidate_id"}.get(subject.name)
            if column is None:
                continue
            stmt = stmt.where(table.c[column].in_(person_ids))
        rows = list(connection.execute(stmt))
        for row in rows:
            seal_row(connection, ring, subject, row)
        counts[subject.name] = len(rows)
    return counts


def forget_person(session: Session, person_id: int, now: datetime | None = None) -> int:
    """Erasure: destroy the salt and the personal MACs of every seal of the person (the
    values they sealed are being blanked); the non-personal MACs stay. No commit."""
    from hireflow.core import pii

    session.flush()
    ring = pii.keyring()
    known = {s.name: s for s in subjects().values()}
    table = RecordSeal.__table__
    connection = session.connection()
    rows = list(
        connection.execute(
            select(table).where(table.c.person_id == person_id, table.c.erased_at.is_(None))
        )
    )
    for seal in rows:
        subject = known.get(seal.subject)
        if subject is None:
            continue
        try:
            key = ring.get(seal.key_id)
        except KeyNotFoundError:
            key = ring.current
        seal_key = _seal_key(key, seal.tenant_id)
        macs = {k: v for k, v in (seal.macs or {}).items() if k in subject.fixed}
        macs[BINDING] = binding_mac(
            seal_key, seal.subject, seal.subject_id, seal.tenant_id, person_id, True, macs
        )
        connection.execute(
            update(table)
            .where(table.c.id == seal.id)
            .values(salt=None, macs=macs, erased_at=now or utcnow(), key_id=key.key_id)
        )
    return len(rows)


def rekey(session: Session, ring: Keyring) -> tuple[int, list[str]]:
    """Key rotation: move every seal that verifies under its old key to the current key.

    A seal that does not verify stays under its old key and is returned as a failure (its
    row was changed behind the application's back: resealing would launder the change).
    Returns (seals moved, failures). No commit.
    """
    connection = session.connection()
    current = ring.current
    erased_people = set(
        connection.execute(
            select(RecordEntry.person_id).where(RecordEntry.type == "erasure").distinct()
        ).scalars()
    )
    seal_table = RecordSeal.__table__
    moved = 0
    failures: list[str] = []
    for subject in subjects().values():
        seals = {
            int(s.subject_id): s
            for s in connection.execute(
                select(seal_table).where(
                    seal_table.c.subject == subject.name, seal_table.c.key_id != current.key_id
                )
            )
        }
        if not seals:
            continue
        people = _people(connection, subject, None)
        table = subject.model.__table__
        for row in connection.execute(select(table).where(table.c.id.in_(list(seals)))):
            seal = seals[int(row.id)]
            problems = _check_seal(subject, row, seal, people.get(int(row.id)), ring, erased_people)
            if problems:
                failures += [p.message for p in problems]
                continue
            erased = seal.erased_at is not None
            macs = compute(subject, row, current, seal.person_id, seal.salt, erased)
            connection.execute(
                update(seal_table)
                .where(seal_table.c.id == seal.id)
                .values(key_id=current.key_id, macs=macs)
            )
            moved += 1
    return moved, failures


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class SealProblem:
    chain: str
    kind: str
    message: str


def _near(a: Any, b: Any) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return a == b


def _same_scores(a: Any, b: Any) -> bool:
    a, b = dict(a or {}), dict(b or {})
    return set(a) == set(b) and all(_near(a[k], b[k]) for k in a)


def verify_seals(
    session: Session, ring: Keyring, tenant_id: int | None = None, person_id: int | None = None
) -> tuple[int, list[SealProblem]]:
    """Check every sealed row of one tenant (or all, or of one person): returns (rows
    checked, problems)."""
    connection = session.connection()
    problems: list[SealProblem] = []
    checked = 0
    erased_people = set(
        connection.execute(
            select(RecordEntry.person_id).where(RecordEntry.type == "erasure").distinct()
        ).scalars()
    )
    seal_table = RecordSeal.__table__
    for subject in subjects().values():
        seals_stmt = select(seal_table).where(seal_table.c.subject == subject.name)
        table = subject.model.__table__
        stmt = select(table).order_by(table.c.id)
        if tenant_id is not None:
            seals_stmt = seals_stmt.where(seal_table.c.tenant_id == tenant_id)
            stmt = stmt.where(table.c.tenant_id == tenant_id)
        people = _people(connection, subject, tenant_id)
        if person_id is not None:
            column = {"candidate": "id", "application": "candidate_id"}.get(subject.name)
            if column is not None:
                stmt = stmt.where(table.c[column] == person_id)
            else:
                mine = [rid for rid, pid in people.items() if pid == person_id]
                stmt = stmt.where(table.c.id.in_(mine))
            seals_stmt = seals_stmt.where(seal_table.c.person_id == person_id)
        seals = {int(s.subject_id): s for s in connection.execute(seals_stmt)}
        for row in connection.execute(stmt):
            checked += 1
            chain = f"{subject.name}:{row.id}"
            seal = seals.get(int(row.id))
            if seal is None:
                problems.append(
                    SealProblem(
                        chain,
                        "unsealed",
                        f"{subject.name} {row.id} has no seal: it was inserted outside the "
                        "application, its seal was deleted, or it predates seals "
                        "(`hireflow seal` seals such rows, audited)",
                    )
                )
                continue
            problems += _check_seal(
                subject, row, seal, people.get(int(row.id)), ring, erased_people
            )
    return checked, problems


def _people(connection: Connection, subject: Subject, tenant_id: int | None) -> dict[int, Any]:
    if subject.name == "interview_report":
        from hireflow.interviews.models import InterviewReport, InterviewSession

        stmt = select(InterviewReport.id, InterviewSession.candidate_id).join(
            InterviewSession, InterviewSession.id == InterviewReport.interview_id
        )
        if tenant_id is not None:
            stmt = stmt.where(InterviewReport.tenant_id == tenant_id)
        return {int(r[0]): r[1] for r in connection.execute(stmt)}
    return {}


def _check_seal(
    subject: Subject,
    row: Any,
    seal: Any,
    person: Any,
    ring: Keyring,
    erased_people: set[int],
) -> list[SealProblem]:
    chain = f"{subject.name}:{row.id}"
    try:
        key = ring.get(seal.key_id)
    except KeyNotFoundError:
        return [
            SealProblem(
                chain,
                "seal_key",
                f"{subject.name} {row.id} is sealed under key {seal.key_id}, which the "
                "keyring does not hold",
            )
        ]
    if subject.name == "application":
        person = row.candidate_id
    elif subject.name == "candidate":
        person = row.id
    macs = dict(seal.macs or {})
    erased = seal.erased_at is not None
    seal_key = _seal_key(key, int(row.tenant_id))
    expected_binding = binding_mac(
        seal_key, subject.name, int(row.id), int(row.tenant_id), person, erased, macs
    )
    if seal.person_id != person or not hmac.compare_digest(
        str(macs.get(BINDING, "")), expected_binding
    ):
        return [
            SealProblem(
                chain,
                "seal_altered",
                f"{subject.name} {row.id}: its seal does not belong to this row, its person or "
                "its company, or was edited outside the application",
            )
        ]
    found: list[SealProblem] = []
    for name in subject.fields:
        personal = name in subject.personal
        if personal and erased:
            continue
        if name not in macs:
            found.append(
                SealProblem(chain, "seal_altered", f"{subject.name} {row.id}: {name} unsealed")
            )
            continue
        wanted = field_mac(
            seal_key,
            subject.name,
            int(row.id),
            name,
            getattr(row, name),
            seal.salt if personal else None,
        )
        if not hmac.compare_digest(str(macs[name]), wanted):
            found.append(
                SealProblem(
                    chain,
                    "altered",
                    f"{subject.name} {row.id}: {name} was changed outside the application",
                )
            )
    if erased and person not in erased_people:
        found.append(
            SealProblem(
                chain,
                "erasure_unrecorded",
                f"{subject.name} {row.id}: its personal values were erased but the person's "
                "chain records no erasure",
            )
        )
    return found


def verify_derived(
    session: Session, tenant_id: int | None = None, person_id: int | None = None
) -> list[SealProblem]:
    """What the chains themselves say about scores kept elsewhere (no key needed)."""
    connection = session.connection()
    entries = RecordEntry.__table__
    stmt = select(entries.c.id, entries.c.person_id, entries.c.type, entries.c.facts).where(
        entries.c.type == "interview_result"
    )
    if tenant_id is not None:
        stmt = stmt.where(entries.c.tenant_id == tenant_id)
    if person_id is not None:
        stmt = stmt.where(entries.c.person_id == person_id)
    results = {int(r.id): r for r in connection.execute(stmt)}
    superseded = {
        r.facts.get("supersedes")
        for r in results.values()
        if isinstance(r.facts, dict) and isinstance(r.facts.get("supersedes"), int)
    }
    in_effect = [i for i in results if i not in superseded]
    problems = _report_mismatches(connection, results, tenant_id, person_id)
    return problems + _score_index_mismatches(connection, in_effect, tenant_id, person_id)


def _report_mismatches(
    connection: Connection,
    results: dict[int, Any],
    tenant_id: int | None,
    person_id: int | None,
) -> list[SealProblem]:
    """Interview reports whose scores or job match differ from the chain's result entry."""
    from hireflow.interviews.models import InterviewReport

    problems: list[SealProblem] = []
    reports = select(InterviewReport.__table__)
    if tenant_id is not None:
        reports = reports.where(InterviewReport.tenant_id == tenant_id)
    if person_id is not None:
        from hireflow.interviews.models import InterviewSession

        reports = reports.where(
            InterviewReport.interview_id.in_(
                select(InterviewSession.id).where(InterviewSession.candidate_id == person_id)
            )
        )
    for report in connection.execute(reports):
        for entry_id, scores, match in (
            (report.record_entry_id, report.scores, report.job_match),
            (report.final_entry_id, report.final_scores, report.final_job_match),
        ):
            entry = results.get(entry_id) if entry_id is not None else None
            if entry is None:
                continue
            facts = entry.facts or {}
            same_match = (match is None and facts.get("match_percent") is None) or (
                match is not None and _near(match, facts.get("match_percent"))
            )
            if not _same_scores(scores, facts.get("scores")) or not same_match:
                problems.append(
                    SealProblem(
                        f"interview_report:{report.id}",
                        "chain_mismatch",
                        f"interview_report {report.id}: scores or job match differ from the "
                        f"interview result the record chain holds (entry {entry_id})",
                    )
                )
    return problems


def _score_index_mismatches(
    connection: Connection, in_effect: list[int], tenant_id: int | None, person_id: int | None
) -> list[SealProblem]:
    """People whose record_scores rows are not those the interview results in effect (entry
    ids ``in_effect``) would index."""
    from hireflow.records.timeline import index_rows

    problems: list[SealProblem] = []
    entries = RecordEntry.__table__
    scores_stmt = select(RecordScore.__table__)
    if tenant_id is not None:
        scores_stmt = scores_stmt.where(RecordScore.tenant_id == tenant_id)
    if person_id is not None:
        scores_stmt = scores_stmt.where(RecordScore.person_id == person_id)
    actual: dict[int, set[tuple[Any, ...]]] = {}
    for r in connection.execute(scores_stmt):
        actual.setdefault(int(r.person_id), set()).add(
            (int(r.entry_id), r.dimension, _number(r.score), r.opening_id)
        )
    expected: dict[int, set[tuple[Any, ...]]] = {}
    full = select(entries).where(entries.c.id.in_(in_effect))
    for entry in connection.execute(full) if in_effect else ():
        _terms, rows = index_rows(entry, entry.id, None, None, index_terms=False)
        for r in rows:
            expected.setdefault(int(r["person_id"]), set()).add(
                (int(r["entry_id"]), r["dimension"], _number(r["score"]), r["opening_id"])
            )
    for person in sorted(set(actual) | set(expected)):
        if actual.get(person, set()) != expected.get(person, set()):
            problems.append(
                SealProblem(
                    f"person:{person}",
                    "scores_index",
                    f"record_scores of person {person} differ from the interview results "
                    "in effect in the chain",
                )
            )
    return problems
