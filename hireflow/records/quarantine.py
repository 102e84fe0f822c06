"""What IT does with a quarantined outbox row (``records.outbox``): try it again, or discard it.

A row the settler could not append is quarantined: marked, kept in the outbox, and noted in
the person's chain where its entry would have gone (``timeline._settle``). ``hireflow verify``
reports it as ``quarantined`` with its reason code until IT resolves it here
(``hireflow outbox-quarantine``):

- **retry** (after mending the cause: a missing previous master key configured, a version
  that knows the entry installed) clears the mark and settles the person: the entry is
  appended in the chain's order of now and a note says the row came back; if it fails again
  it is marked again (the open note still names it, so no second note);
- **discard** (a forged row, or an entry IT decided to drop) appends a note saying the row was
  discarded, with its reason, and deletes the row. The note is in the hash chain: a discard
  cannot be hidden, and deleting a row without it leaves the open note ``quarantine_broken``.

Both write an audit row in the person's company (ids and codes only).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit
from hireflow.core.errors import NotFound
from hireflow.records import outbox
from hireflow.records.models import PendingEntry
from hireflow.records.timeline import append_note, ensure_record, settle_pending


@dataclass(frozen=True)
class Resolved:
    """What a retry or a discard did: the row, its person and whether the entry is now in
    the chain (a retry that failed again leaves it quarantined)."""

    row_id: int
    person_id: int
    appended: bool


def _quarantined(session: Session, row_id: int) -> tuple[PendingEntry, outbox.Pending]:
    """The row if it is quarantined (marked, and noted in its person's chain), else NotFound."""
    row = session.get(PendingEntry, row_id)
    if row is None or row.quarantined_at is None:
        raise NotFound()
    found = next((p for p in outbox.pending(session, row.person_id) if p.row_id == row_id), None)
    if found is None or outbox.noted(outbox.notes(session, person_id=row.person_id), found) is None:
        raise NotFound()
    return row, found


def retry(session: Session, row_id: int, *, actor_label: str = "system:cli") -> Resolved:
    """Clear the row's mark and settle its person now (commits)."""
    row, _found = _quarantined(session, row_id)
    person_id, tenant_id = row.person_id, row.tenant_id
    session.execute(
        update(PendingEntry)
        .where(PendingEntry.id == row_id)
        .values(quarantined_at=None, quarantine_reason=None)
        .execution_options(synchronize_session=False)
    )
    session.expire(row)
    settle_pending(session, person_id)
    appended = session.get(PendingEntry, row_id) is None
    _audit(session, "record.outbox_retried", person_id, tenant_id, row_id, actor_label, appended)
    session.commit()
    return Resolved(row_id, person_id, appended)


def discard(session: Session, row_id: int, *, actor_label: str = "system:cli") -> Resolved:
    """Note in the person's chain that the quarantined row is discarded, then delete it
    (commits). The person's other outbox rows are settled first, so the note keeps its place."""
    row, found = _quarantined(session, row_id)
    person_id, tenant_id, reason = row.person_id, row.tenant_id, row.quarantine_reason
    settle_pending(session, person_id)
    candidate = session.get(Candidate, person_id)
    if candidate is None:
        raise NotFound()
    record = ensure_record(session, candidate)
    append_note(session, record, outbox.note_facts(found, "discarded", reason=reason))
    session.execute(delete(PendingEntry).where(PendingEntry.id == row_id))
    _audit(session, "record.outbox_discarded", person_id, tenant_id, row_id, actor_label, False)
    session.commit()
    return Resolved(row_id, person_id, False)


def _audit(
    session: Session,
    action: str,
    person_id: int,
    tenant_id: int,
    row_id: int,
    actor_label: str,
    appended: bool,
) -> None:
    audit.record(
        session,
        action,
        actor=None,
        target_type="record",
        target_id=person_id,
        tenant_id=tenant_id,
        new={"outbox_row": row_id, "appended": appended},
        actor_label=actor_label,
    )


def listed(session: Session, tenant_id: int | None = None) -> list[outbox.Finding]:
    """The quarantined rows and broken quarantine notes (of one tenant, or of all)."""
    kinds = ("quarantined", "quarantine_broken")
    return [f for f in outbox.forged(session, tenant_id) if f.kind in kinds]
