"""Replaying the erasure ledger (``records.ledger``) after a restore, so that a backup
taken before an erasure does not bring the person back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.org.models import Tenant
from hireflow.records import service
from hireflow.records.erasing import ERASURE_REASONS
from hireflow.records.ledger import read_ledger, stamp
from hireflow.records.models import PersonRecord


@dataclass
class ReplayReport:
    """What replaying the ledger did to a restored database."""

    erased: list[int] = field(default_factory=list)  # person ids erased again
    already_erased: int = 0
    not_in_database: int = 0  # created after the backup, merged away, or of another database
    unreadable_lines: int = 0

    def summary(self) -> str:
        return (
            f"Erasure ledger: {len(self.erased)} people erased again, "
            f"{self.already_erased} already erased in the backup, "
            f"{self.not_in_database} not in it"
            + (f", {self.unreadable_lines} unreadable lines" if self.unreadable_lines else "")
            + "."
        )


def replay_erasures(session: Session, path: Path | None = None) -> ReplayReport:
    """Erase again everyone the ledger names whom the (restored) database still holds.

    A legal hold in the restored data is lifted first: the ledger says the person was
    erased later, which needs the hold to have been lifted then. The replayed erasure is
    an ordinary one (an ``erasure`` entry on the person's chain, audit rows redacted, files
    crypto-shredded), so ``hireflow verify`` holds afterwards.
    """
    entries, unreadable = read_ledger(path)
    report = ReplayReport(unreadable_lines=unreadable)
    done: set[int] = set()
    for item in entries:
        if item.person_id in done:
            continue
        done.add(item.person_id)
        candidate = session.get(Candidate, item.person_id)
        tenant = session.get(Tenant, item.tenant_id)
        if (
            candidate is None
            or candidate.tenant_id != item.tenant_id
            or tenant is None
            or tenant.slug != item.tenant
            or stamp(candidate.created_at) != item.created_at
        ):
            report.not_in_database += 1
            continue
        record = session.scalars(
            select(PersonRecord).where(PersonRecord.person_id == item.person_id)
        ).first()
        if record is not None and record.erased_at is not None:
            report.already_erased += 1
            continue
        actor = service.SystemActor("erasure-ledger", tenant_id=item.tenant_id)
        if record is not None and record.legal_hold:
            service.set_legal_hold(session, actor, item.person_id, None)
        reason = item.reason if item.reason in ERASURE_REASONS else "subject_request"
        service.erase_person(
            session,
            actor,
            item.person_id,
            reason=reason,
            request_ref=f"ledger {item.erased_at}"[:60],
            ledger=False,
        )
        report.erased.append(item.person_id)
    return report
