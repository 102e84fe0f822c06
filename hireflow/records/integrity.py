"""Verification of everything the record promises cannot change unnoticed (SPEC G3, A3).

``verify`` walks, in constant memory per chain:

- every tenant's audit chain: each row's hash, its link to the row before, the digest of
  its (redactable) values, rows that bypassed the chain, redactions not backed by an
  erasure;
- every person's entry chain: hashes and links, the payload against its digest, payloads
  removed without an erasure, the cached status and counts against the timeline;
- each chain's head row (cut-off newest rows) and the signed checkpoints (consistent
  rewrites of history);
- with ``files=True``: every attachment's ciphertext exists in its own region only, with
  the SHA-256 recorded when it was stored.

Problems carry chain ids, sequence numbers and kinds, never personal data: IT auditors may
read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.audit import (
    AuditEntry,
    ChainHead,
    audit_chain_content,
    audit_chain_id,
    values_digest_matches,
)
from hireflow.core.crypto import DigestSet
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require
from hireflow.records import outbox
from hireflow.records.chain import GENESIS_HASH, ChainReport, verify_chain
from hireflow.records.checkpoints import CheckpointIndex, cached_checkpoints
from hireflow.records.models import (
    Attachment,
    IntegrityRun,
    PersonRecord,
    Rechain,
    RecordEntry,
)
from hireflow.records.payloads import entry_content, payload_digest_matches
from hireflow.records.seals import verify_derived, verify_seals
from hireflow.records.signing import CheckpointError, verify_against_checkpoints
from hireflow.records.storage import regional_storage
from hireflow.records.timeline import derive_state, person_chain_id, settle_all, settle_pending

Progress = Callable[[int], None]
BATCH = 2000


@dataclass(frozen=True)
class Problem:
    """One finding. ``chain`` is e.g. ``audit:3``, ``person:17`` or ``file:42``."""

    chain: str
    kind: str
    seq: int | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "kind": self.kind, "seq": self.seq, "message": self.message}


@dataclass
class VerificationReport:
    """The outcome of a verification run."""

    chains: int = 0
    rows: int = 0
    files: int = 0
    checkpoints: int = 0
    checkpoint_files: int = 0
    sealed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add_chain(self, chain_id: str, report: ChainReport) -> None:
        self.chains += 1
        self.rows += report.rows_checked
        self.checkpoints += report.checkpoints_checked
        for problem in report.problems:
            self.problems.append(
                Problem(chain_id, problem.kind.value, problem.seq, problem.message)
            )

    def summary(self) -> str:
        count = len(self.problems)
        state = "intact" if self.ok else f"NOT intact: {count} problem{'' if count == 1 else 's'}"
        return (
            f"{state}; {self.chains} chains, {self.rows} rows, {self.sealed} sealed rows, "
            f"{self.checkpoints} checkpoints from {self.checkpoint_files} files, "
            f"{self.files} files checked"
        )


def _check_chain(
    chain_id: str,
    rows: Iterable[dict[str, Any]],
    head: tuple[int, str] | None,
    checkpoints: CheckpointIndex | None,
    report: VerificationReport,
) -> ChainReport:
    """Verify one chain's rows, then its head row."""
    found = checkpoints.for_chain(chain_id) if checkpoints is not None else []
    try:
        result = (
            verify_against_checkpoints(rows, found, chain_id=chain_id)
            if found
            else verify_chain(rows)
        )
    except CheckpointError as exc:
        result = verify_chain(rows)
        report.problems.append(Problem(chain_id, "checkpoint_conflict", None, str(exc)))
    report.add_chain(chain_id, result)
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)
    last_seq = result.head_seq or 0
    last_hash = result.head_hash or GENESIS_HASH
    if result.ok and (head_seq, head_hash) != (last_seq, last_hash):
        if head_seq > last_seq:
            message = (
                f"the chain ends at seq {last_seq} but its head row says {head_seq}: "
                "the newest rows were deleted"
            )
            kind = "truncated"
        else:
            message = (
                f"the chain ends at seq {last_seq} (hash {last_hash[:12]}…) but its head row "
                f"says seq {head_seq} (hash {head_hash[:12]}…): rows were added or the head "
                "was changed outside the application"
            )
            kind = "head_mismatch"
        report.problems.append(Problem(chain_id, kind, head_seq, message))
    return result


def _grouped(rows: Iterator[Any], key: Callable[[Any], Any]) -> Iterator[tuple[Any, list[Any]]]:
    current: Any = object()
    bucket: list[Any] = []
    for row in rows:
        value = key(row)
        if value != current and bucket:
            yield current, bucket
            bucket = []
        current = value
        bucket.append(row)
    if bucket:
        yield current, bucket


# --------------------------------------------------------------------------- audit chains


def _redactions_backed(session: Session, tenant_id: int | None) -> set[int]:
    """Audit row ids that an erasure says it redacted."""
    backed: set[int] = set()
    stmt = select(AuditEntry.new_values).where(AuditEntry.action == "record.erased")
    if tenant_id is not None:
        stmt = stmt.where(AuditEntry.tenant_id == tenant_id)
    for values in session.scalars(stmt):
        for item in (values or {}).get("redacted_audit_ids", []) or []:
            if isinstance(item, int):
                backed.add(item)
    return backed


def verify_audit(
    session: Session,
    report: VerificationReport,
    *,
    tenant_id: int | None = None,
    checkpoints: CheckpointIndex | None = None,
    heads: dict[str, tuple[int, str]] | None = None,
    progress: Progress | None = None,
) -> None:
    """Verify the audit chain of one tenant (or of all tenants when ``tenant_id`` is None)."""
    heads = heads if heads is not None else _heads(session, "audit:")
    backed = _redactions_backed(session, tenant_id)
    unchained = select(AuditEntry.id, AuditEntry.tenant_id).where(AuditEntry.seq.is_(None))
    table = AuditEntry.__table__
    stmt = select(table).where(table.c.seq.is_not(None))
    if tenant_id is not None:
        unchained = unchained.where(AuditEntry.tenant_id == tenant_id)
        stmt = stmt.where(table.c.tenant_id == tenant_id)
    for row in session.execute(unchained):
        report.problems.append(
            Problem(
                audit_chain_id(row.tenant_id),
                "unchained",
                None,
                f"audit row id {row.id} is not part of any chain: it was inserted outside "
                "the application",
            )
        )
    stmt = stmt.order_by(table.c.tenant_id, table.c.seq).execution_options(yield_per=BATCH)
    seen: set[str] = set()
    for tenant, entries in _grouped(iter(session.execute(stmt)), lambda e: e.tenant_id):
        chain_id = audit_chain_id(tenant)
        seen.add(chain_id)
        rows = []
        for entry in entries:
            if entry.redacted_at is None:
                if entry.values_salt is None or not values_digest_matches(
                    entry.values_digest,
                    entry.values_salt,
                    entry.old_values,
                    entry.new_values,
                    entry.ip or "",
                    entry.actor_label or "",
                ):
                    report.problems.append(
                        Problem(
                            chain_id,
                            "altered",
                            entry.seq,
                            f"audit row seq {entry.seq}: its values, actor name or address "
                            "no longer match their digest",
                        )
                    )
            elif entry.id not in backed:
                report.problems.append(
                    Problem(
                        chain_id,
                        "redaction",
                        entry.seq,
                        f"audit row seq {entry.seq} was redacted without an erasure recording it",
                    )
                )
            rows.append(
                {
                    "seq": entry.seq,
                    "prev_hash": entry.prev_hash,
                    "hash": entry.hash,
                    "content": audit_chain_content(entry),
                }
            )
        _check_chain(chain_id, rows, heads.get(chain_id), checkpoints, report)
        if progress:
            progress(len(rows))
    wanted = ({audit_chain_id(tenant_id)} if tenant_id is not None else set(heads)) | _checkpointed(
        checkpoints, "audit:", tenant_id
    )
    for chain_id in sorted(wanted - seen):
        if heads.get(chain_id, (0, ""))[0] or (checkpoints and checkpoints.for_chain(chain_id)):
            _check_chain(chain_id, [], heads.get(chain_id), checkpoints, report)


def _checkpointed(
    checkpoints: CheckpointIndex | None, prefix: str, tenant_id: int | None
) -> set[str]:
    if checkpoints is None:
        return set()
    if prefix == "audit:" and tenant_id is not None:
        return {audit_chain_id(tenant_id)} & set(checkpoints.by_chain)
    if tenant_id is not None:
        return set()  # person chains of a tenant are found through the records table
    return {c for c in checkpoints.by_chain if c.startswith(prefix)}


def _heads(session: Session, prefix: str) -> dict[str, tuple[int, str]]:
    stmt = select(ChainHead.chain_id, ChainHead.seq, ChainHead.hash).where(
        ChainHead.chain_id.startswith(prefix)
    )
    return {row.chain_id: (int(row.seq), row.hash) for row in session.execute(stmt)}


# --------------------------------------------------------------------------- person chains


def _entry_row(entry: Any) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "content": entry_content(entry),
    }


def check_person_entries(
    chain_id: str,
    entries: list[Any],
    cached: tuple[str, int] | None,
    head: tuple[int, str] | None,
    checkpoints: CheckpointIndex | None,
    report: VerificationReport,
) -> ChainReport:
    """Verify one person's chain plus what hangs off it (payloads, cached state)."""
    for entry in entries:
        if entry.payload is not None:
            if not payload_digest_matches(entry.payload, entry.payload_digest):
                report.problems.append(
                    Problem(
                        chain_id,
                        "altered",
                        entry.seq,
                        f"entry seq {entry.seq}: the encrypted data does not match its digest",
                    )
                )
        elif entry.payload_digest is not None and entry.erased_at is None:
            report.problems.append(
                Problem(
                    chain_id,
                    "payload_removed",
                    entry.seq,
                    f"entry seq {entry.seq}: its data was removed without an erasure",
                )
            )
    result = _check_chain(chain_id, [_entry_row(e) for e in entries], head, checkpoints, report)
    if cached is not None:
        state = derive_state(entries)
        if cached != (state.status, state.entry_count):
            report.problems.append(
                Problem(
                    chain_id,
                    "state",
                    None,
                    f"the record shows status {cached[0]!r} and {cached[1]} entries, the "
                    f"timeline says {state.status!r} and {state.entry_count}",
                )
            )
    return result


def with_rechains(
    session: Session,
    checkpoints: CheckpointIndex | None,
    report: VerificationReport,
    *,
    person_id: int | None = None,
) -> CheckpointIndex | None:
    """The checkpoints, less those that vouch for a row as it was before an upgrade
    re-hashed it (``record_rechains``, written by ``0013_record_facts``).

    Such a checkpoint is set aside only once a checkpoint signed after the re-hash vouches
    for the chain at or beyond that row: the ledger is in the database, so without that
    later signature anyone able to write the database could excuse a rewritten history by
    adding ledger rows. Until then the row is reported (``rechain_unsigned``).
    """
    if checkpoints is None:
        return None
    stmt = select(Rechain)
    if person_id is not None:
        stmt = stmt.where(Rechain.chain_id == person_chain_id(person_id))
    ledger: dict[str, dict[int, Rechain]] = {}
    for row in session.scalars(stmt):
        ledger.setdefault(row.chain_id, {})[row.seq] = row
    if not ledger:
        return checkpoints
    by_chain = dict(checkpoints.by_chain)
    for chain_id, rows in ledger.items():
        found = by_chain.get(chain_id)
        if not found:
            continue
        kept = []
        for checkpoint in found:
            rechained = rows.get(checkpoint.seq)
            if (
                rechained is None
                or checkpoint.time >= rechained.created_at
                or checkpoint.head_hash != rechained.old_hash
            ):
                kept.append(checkpoint)
                continue
            anchored = any(
                later.time > rechained.created_at and later.seq >= checkpoint.seq for later in found
            )
            if not anchored:
                report.problems.append(
                    Problem(
                        chain_id,
                        "rechain_unsigned",
                        checkpoint.seq,
                        f"row seq {checkpoint.seq} was re-hashed by an upgrade on "
                        f"{rechained.created_at:%Y-%m-%d %H:%M} UTC (free text moved out of "
                        "its facts); sign a checkpoint (hireflow checkpoint) to vouch for "
                        "the new history",
                    )
                )
        by_chain[chain_id] = kept
    return CheckpointIndex(by_chain=by_chain, files=checkpoints.files, errors=checkpoints.errors)


def verify_person(
    session: Session,
    person_id: int,
    *,
    checkpoints: CheckpointIndex | None = None,
) -> VerificationReport:
    """Verify one person's chain (the record page's badge), their deferred entries appended
    (or, when they cannot be, the chain as it is and why they wait)."""
    report = VerificationReport()
    try:
        with session.begin_nested():
            settle_pending(session, person_id)
    except Exception as exc:  # reported like the sweep's failures; the chain is still checked
        report.problems.append(unsettled(person_id, type(exc).__name__))
    checkpoints = with_rechains(session, checkpoints, report, person_id=person_id)
    chain_id = person_chain_id(person_id)
    entries = list(
        session.scalars(
            select(RecordEntry).where(RecordEntry.person_id == person_id).order_by(RecordEntry.seq)
        )
    )
    record = session.scalars(
        select(PersonRecord).where(PersonRecord.person_id == person_id)
    ).first()
    head = session.get(ChainHead, chain_id)
    check_person_entries(
        chain_id,
        entries,
        (record.status or "", record.entry_count) if record is not None else None,
        (int(head.seq), head.hash) if head is not None else None,
        checkpoints,
        report,
    )
    verify_sealed(session, report, person_id=person_id)
    check_outbox(session, report, None, person_id=person_id)
    return report


def verify_people(
    session: Session,
    report: VerificationReport,
    *,
    tenant_id: int | None = None,
    checkpoints: CheckpointIndex | None = None,
    progress: Progress | None = None,
) -> None:
    """Verify every person's chain (of one tenant, or all)."""
    checkpoints = with_rechains(session, checkpoints, report)
    heads = _heads(session, "person:")
    table = RecordEntry.__table__
    records_stmt = select(PersonRecord.person_id, PersonRecord.status, PersonRecord.entry_count)
    entries_stmt = select(table)
    if tenant_id is not None:
        records_stmt = records_stmt.where(PersonRecord.tenant_id == tenant_id)
        entries_stmt = entries_stmt.where(table.c.tenant_id == tenant_id)
    records = {
        r.person_id: (r.status or "", int(r.entry_count)) for r in session.execute(records_stmt)
    }
    entries_stmt = entries_stmt.order_by(table.c.person_id, table.c.seq).execution_options(
        yield_per=BATCH
    )
    seen: set[int] = set()
    for person_id, entries in _grouped(iter(session.execute(entries_stmt)), lambda e: e.person_id):
        seen.add(person_id)
        chain_id = person_chain_id(person_id)
        check_person_entries(
            chain_id, entries, records.get(person_id), heads.get(chain_id), checkpoints, report
        )
        if progress:
            progress(len(entries))
    if tenant_id is None:
        expected = {int(c.split(":", 1)[1]) for c in heads if heads[c][0] > 0}
        expected |= {int(c.split(":", 1)[1]) for c in _checkpointed(checkpoints, "person:", None)}
    else:
        expected = set()
    expected |= {pid for pid, (_s, count) in records.items() if count > 0}
    for person_id in sorted(expected - seen):
        chain_id = person_chain_id(person_id)
        check_person_entries(
            chain_id, [], records.get(person_id), heads.get(chain_id), checkpoints, report
        )


# --------------------------------------------------------------------------- files


def verify_files(
    session: Session,
    report: VerificationReport,
    *,
    tenant_id: int | None = None,
    progress: Progress | None = None,
) -> None:
    """Every live attachment's ciphertext is in its own region only, unchanged."""

    storage = regional_storage()
    stmt = select(Attachment).where(Attachment.shredded_at.is_(None)).order_by(Attachment.id)
    if tenant_id is not None:
        stmt = stmt.where(Attachment.tenant_id == tenant_id)
    for attachment in session.scalars(stmt.execution_options(yield_per=200)):
        report.files += 1
        chain = f"file:{attachment.id}"
        regions = storage.locate(attachment.storage_key)
        if regions != [attachment.region]:
            if not regions:
                report.problems.append(
                    Problem(chain, "file_missing", None, f"attachment {attachment.id} is missing")
                )
                continue
            report.problems.append(
                Problem(
                    chain,
                    "residency",
                    None,
                    f"attachment {attachment.id} belongs in region {attachment.region} but is "
                    f"stored in {', '.join(regions)}",
                )
            )
        digest = DigestSet()
        try:
            with storage.open_read(attachment.region, attachment.storage_key) as stream:
                while piece := stream.read(1024 * 1024):
                    digest.update(piece)
        except Exception as exc:  # a damaged or unreachable object is a finding
            report.problems.append(
                Problem(chain, "file_missing", None, f"attachment {attachment.id}: {exc}")
            )
            continue
        if not digest.matches(attachment.ciphertext_sha256):
            report.problems.append(
                Problem(
                    chain,
                    "file_altered",
                    None,
                    f"attachment {attachment.id}: stored ciphertext differs from what was written",
                )
            )
        if progress:
            progress(1)


# --------------------------------------------------------------------------- sealed values


def verify_sealed(
    session: Session,
    report: VerificationReport,
    *,
    tenant_id: int | None = None,
    person_id: int | None = None,
) -> None:
    """The values decisions rest on (scores, job match, screening, reports, names) against
    their seals, and the score copies against the chains (see ``records.seals``)."""

    checked, problems = verify_seals(session, pii.keyring(), tenant_id, person_id)
    report.sealed += checked
    for problem in problems + verify_derived(session, tenant_id, person_id):
        report.problems.append(Problem(problem.chain, problem.kind, None, problem.message))


# --------------------------------------------------------------------------- all


def count_rows(session: Session, tenant_id: int | None = None) -> int:
    """Rows a full verification walks (for progress bars)."""
    audit_stmt = select(func.count()).select_from(AuditEntry)
    entry_stmt = select(func.count()).select_from(RecordEntry)
    if tenant_id is not None:
        audit_stmt = audit_stmt.where(AuditEntry.tenant_id == tenant_id)
        entry_stmt = entry_stmt.where(RecordEntry.tenant_id == tenant_id)
    return int(session.scalar(audit_stmt) or 0) + int(session.scalar(entry_stmt) or 0)


def unsettled(person_id: int, error: str) -> Problem:
    """A person whose deferred entries could not be appended (``error``: the exception's class)."""
    return Problem(
        person_chain_id(person_id),
        "unsettled",
        None,
        f"deferred entries could not be appended ({error}); they wait in the outbox",
    )


def outbox_problem(finding: outbox.Finding) -> Problem:
    """A finding on the record outbox as verify reports it (ids and reason codes only)."""
    chain = person_chain_id(finding.person_id)
    row = f"outbox row id {finding.row_id}"
    why = outbox.REASONS.get(finding.reason or "", "")
    if finding.kind == "replayed":
        message = (
            f"{row} is a copy of a deferred entry already appended or waiting in an earlier "
            "row; it is not appended"
        )
        return Problem(chain, "replayed", None, message)
    if finding.kind == "quarantined":
        message = (
            f"{row} is quarantined ({finding.reason}: it {why}); it is kept and not appended, "
            f"and the chain notes its place at seq {finding.seq}. Retry or discard it: "
            "hireflow outbox-quarantine"
        )
        return Problem(chain, "quarantined", finding.seq, message)
    if finding.kind == "quarantine_broken":
        message = (
            f"the chain notes {row} as quarantined at seq {finding.seq} ({finding.reason}), "
            "but the row is missing or was changed since: deleted or altered outside the "
            "application"
        )
        return Problem(chain, "quarantine_broken", finding.seq, message)
    # not quarantined yet (its person's settling failed): reported as before quarantine existed
    message = f"{row} {why or outbox.REASONS['seal_invalid']}; it is not appended"
    return Problem(chain, "unchained", None, message)


def check_outbox(
    session: Session,
    report: VerificationReport,
    tenant_id: int | None,
    *,
    person_id: int | None = None,
) -> None:
    """Append the deferred entries (``records.outbox``) first; report the people whose entries
    could not be appended (a database error: they wait), the rows that never will be (copies)
    and the quarantined ones, and quarantine notes whose row is gone. For one person
    (the record's badge): their quarantine findings only."""
    if person_id is None:
        settled = settle_all(session, tenant_id)
        for failed, error in settled.failed.items():
            report.problems.append(unsettled(failed, error))
    for finding in outbox.forged(session, tenant_id, person_id=person_id):
        if person_id is None or finding.kind in ("quarantined", "quarantine_broken"):
            report.problems.append(outbox_problem(finding))


def verify(
    session: Session,
    *,
    tenant_id: int | None = None,
    checkpoints: CheckpointIndex | None = None,
    files: bool = False,
    progress: Progress | None = None,
    file_progress: Progress | None = None,
) -> VerificationReport:
    """Verify audit chains, person chains, heads, checkpoints (and files); deferred entries
    (``records.outbox``) are appended first, and outbox rows that do not authenticate reported."""
    report = VerificationReport()
    check_outbox(session, report, tenant_id)
    if checkpoints is not None:
        report.checkpoint_files = checkpoints.files
        for error in checkpoints.errors:
            report.problems.append(Problem("checkpoints", "checkpoint_forged", None, error))
    verify_audit(session, report, tenant_id=tenant_id, checkpoints=checkpoints, progress=progress)
    verify_people(session, report, tenant_id=tenant_id, checkpoints=checkpoints, progress=progress)
    verify_sealed(session, report, tenant_id=tenant_id)
    if files:
        verify_files(session, report, tenant_id=tenant_id, progress=file_progress)
    return report


def verify_company_now(session: Session, principal: Principal, settings: Any) -> IntegrityRun:
    """Verify the caller's company now (chains, checkpoints, files) and keep the run; IT
    auditors and HR admins may (the integrity pages and API)."""
    require(principal, "records.integrity")
    started = utcnow()
    report = verify(
        session,
        tenant_id=principal.tenant_id,
        checkpoints=cached_checkpoints(settings),
        files=True,
    )
    return save_run(
        session, report, tenant_id=principal.tenant_id, trigger="manual", started_at=started
    )


def save_run(
    session: Session,
    report: VerificationReport,
    *,
    tenant_id: int | None,
    trigger: str,
    started_at: Any,
) -> IntegrityRun:
    """Keep the outcome (ids and kinds only) for the integrity page."""
    run = IntegrityRun(
        tenant_id=tenant_id,
        started_at=started_at,
        finished_at=utcnow(),
        chains=report.chains,
        rows=report.rows,
        ok=report.ok,
        problems=[p.as_dict() for p in report.problems[:200]],
        trigger=trigger,
    )
    session.add(run)
    session.commit()
    return run
