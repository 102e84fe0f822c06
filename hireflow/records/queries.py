"""Reads of the record, always narrowed to the viewer's scope (SPEC G4, G5, A3).

``search`` finds people by keyword and filters: the keyword matches names and e-mail
addresses, and words inside encrypted entries through the keyed term index (the query's
words are HMACed the same way; the text itself is never decrypted to search). Opening a
person's record (:func:`view_record`) decrypts it for the viewer and is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit, pii
from hireflow.core.audit import ChainHead
from hireflow.core.crypto import CryptoError
from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.discovery import domain_modules
from hireflow.interviews.models import InterviewSession
from hireflow.openings.models import Opening
from hireflow.records import journey
from hireflow.records.checkpoints import cached_checkpoints
from hireflow.records.files import clean_time
from hireflow.records.integrity import VerificationReport, verify_person
from hireflow.records.models import (
    Attachment,
    IntegrityRun,
    PersonRecord,
    RecordEntry,
    RecordScore,
    RecordTerm,
    RetentionRule,
)
from hireflow.records.payloads import decrypt_payload
from hireflow.records.policy import get_policy
from hireflow.records.terms import query_term_variants
from hireflow.records.timeline import actor_names, default_region, person_chain_id, settle_pending


@dataclass
class SearchFilters:
    """What a record search may filter on (all optional)."""

    q: str = ""
    status: str = ""
    region: str = ""
    entry_type: str = ""
    opening_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    dimension: str = ""
    min_score: float | None = None


@dataclass
class SearchHit:
    person: Candidate
    record: PersonRecord | None


def search(
    session: Session,
    principal: Principal,
    filters: SearchFilters,
    *,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[SearchHit], int]:
    """People whose records match, within the viewer's scope; (page, total)."""
    require(principal, "records.read")
    stmt = restrict(
        select(Candidate, PersonRecord).outerjoin(
            PersonRecord, PersonRecord.person_id == Candidate.id
        ),
        principal,
        "records.read",
        Candidate,
    )
    tenant_id = principal.tenant_id
    query = filters.q.strip()[:100]
    if query:
        stmt = stmt.where(_text_matches(query, tenant_id))
    if filters.status:
        stmt = stmt.where(PersonRecord.status == filters.status)
    if filters.region:
        stmt = stmt.where(PersonRecord.region == filters.region)
    stmt = _history_filters(stmt, filters, tenant_id)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.execute(
        stmt.order_by(
            func.coalesce(PersonRecord.last_entry_at, Candidate.created_at).desc(),
            Candidate.id.desc(),
        )
        .limit(limit)
        .offset(offset)
    ).all()
    return [SearchHit(person, record) for person, record in rows], total


def _text_matches(query: str, tenant_id: int | None) -> ColumnElement[bool]:
    """People whose name holds the text, whose e-mail address is it, or whose record's
    words match it."""
    like = f"%{query}%"
    by_words = None
    variants = query_term_variants(query, pii.keyring(), tenant_id)
    if variants:
        by_words = and_(
            *(
                Candidate.id.in_(
                    select(RecordTerm.person_id).where(
                        RecordTerm.tenant_id == tenant_id, RecordTerm.term.in_(values)
                    )
                )
                for values in variants
            )
        )
    # The e-mail address is encrypted: a whole address is found through its blind index.
    conditions: list[ColumnElement[bool]] = [
        Candidate.name.ilike(like),
        Candidate.email_index.in_(pii.blind_index_values(query, "email", tenant_id=tenant_id)),
    ]
    if by_words is not None:
        conditions.append(by_words)
    return or_(*conditions)


def _opening_and_period(
    model: type[RecordEntry] | type[RecordScore], filters: SearchFilters
) -> list[ColumnElement[bool]]:
    """The opening and period conditions the filters ask for, on entries or on scores."""
    conditions: list[ColumnElement[bool]] = []
    if filters.opening_id is not None:
        conditions.append(model.opening_id == filters.opening_id)
    if filters.since is not None:
        conditions.append(model.occurred_at >= filters.since)
    if filters.until is not None:
        conditions.append(model.occurred_at < filters.until)
    return conditions


def _history_filters(
    stmt: Select[Any], filters: SearchFilters, tenant_id: int | None
) -> Select[Any]:
    """Narrow to people with entries (type, opening, period) or scores the filters ask for."""
    entry_conditions = [RecordEntry.tenant_id == tenant_id]
    if filters.entry_type:
        entry_conditions.append(RecordEntry.type == filters.entry_type)
    entry_conditions += _opening_and_period(RecordEntry, filters)
    if len(entry_conditions) > 1:
        stmt = stmt.where(Candidate.id.in_(select(RecordEntry.person_id).where(*entry_conditions)))
    if filters.dimension and filters.min_score is not None:
        score_conditions = [
            RecordScore.tenant_id == tenant_id,
            RecordScore.dimension == filters.dimension,
            RecordScore.score >= filters.min_score,
            *_opening_and_period(RecordScore, filters),
        ]
        stmt = stmt.where(Candidate.id.in_(select(RecordScore.person_id).where(*score_conditions)))
    return stmt


def dimensions(session: Session, principal: Principal) -> list[str]:
    """Dimension codes that have scores in the tenant (for the filter list)."""
    return list(
        session.scalars(
            select(RecordScore.dimension)
            .where(RecordScore.tenant_id == principal.tenant_id)
            .distinct()
            .order_by(RecordScore.dimension)
            .limit(100)
        )
    )


@dataclass
class EntryView:
    """An entry as the record page shows it."""

    entry: RecordEntry
    data: dict[str, Any] | None
    actor: str
    unreadable: bool = False
    attachment: Attachment | None = None
    captured_at: datetime | None = None


@dataclass
class RecordView:
    """Everything the record page needs about one person."""

    person: Candidate
    record: PersonRecord | None
    region: str
    entries: list[EntryView]
    attachments: list[Attachment]
    consents: dict[str, dict[str, Any]]
    applications: list[tuple[Application, str]]
    integrity: VerificationReport
    latest_checkpoint: Any
    require_code: bool
    openings: dict[int, str] = field(default_factory=dict)
    models: dict[int, dict[str, Any] | None] = field(default_factory=dict)
    interviews: set[int] = field(default_factory=set)
    # Entries with AI scores withheld from an interviewer who has not rated yet (blind
    # scorecards): how many, so the page can say so.
    withheld: int = 0

    @cached_property
    def seq_by_id(self) -> dict[int, int]:
        return {item.entry.id: item.entry.seq for item in self.entries}

    @cached_property
    def superseded_ids(self) -> set[int]:
        """Interview results restated by a later entry (an HR override)."""
        return {
            item.entry.facts["supersedes"]
            for item in self.entries
            if isinstance((item.entry.facts or {}).get("supersedes"), int)
        }


def view_record(session: Session, principal: Principal, person_id: int) -> RecordView:
    """A person's whole record, decrypted for the viewer; the view is audited."""
    person = require_visible(session, Candidate, person_id, principal, "records.read")
    settle_pending(session, person_id)  # committed with the view's audit row
    record = session.scalars(
        select(PersonRecord).where(PersonRecord.person_id == person_id)
    ).first()
    entries = [
        entry
        for entry in session.scalars(
            select(RecordEntry).where(RecordEntry.person_id == person_id).order_by(RecordEntry.seq)
        )
        if not journey.hidden_from(principal, entry)
    ]
    shown = _without_withheld_scores(session, principal, person_id, entries)
    withheld, entries = len(entries) - len(shown), shown
    attachments = {
        a.id: a
        for a in session.scalars(
            select(Attachment).where(Attachment.person_id == person_id).order_by(Attachment.id)
        )
    }
    views = _entry_views(session, entries, attachments)
    consents: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry.type == "consent":
            consents[str(entry.facts.get("purpose"))] = {**entry.facts, "at": entry.occurred_at}
    applications = [
        (application, title)
        for application, title in session.execute(
            select(Application, Opening.title)
            .join(Opening, Opening.id == Application.opening_id)
            .where(Application.candidate_id == person_id)
            .order_by(Application.id)
        )
    ]
    openings, models = _openings_named(session, entries, attachments.values())
    checkpoints = cached_checkpoints()
    integrity = verify_person(session, person_id, checkpoints=checkpoints)
    audit.commit_on(session, "record.viewed", principal, ("record", person_id))
    return RecordView(
        person=person,
        record=record,
        region=record.region if record is not None else default_region(session, person),
        entries=views,
        attachments=list(attachments.values()),
        consents=consents,
        applications=applications,
        integrity=integrity,
        latest_checkpoint=checkpoints.latest(f"person:{person_id}"),
        require_code=bool(get_policy(session, person.tenant_id).require_download_code),
        openings=openings,
        models=models,
        interviews=_open_interviews(session, principal, entries),
        withheld=withheld,
    )


# Facts of entries that carry an AI score or figures drawn from it.
_SCORE_FACTS = ("scores", "adjusted", "job_match", "hr_score", "ai_scores")


def _without_withheld_scores(
    session: Session, principal: Principal, person_id: int, entries: list[RecordEntry]
) -> list[RecordEntry]:
    """``entries`` without those showing scores the caller may not see yet: a panel
    interviewer who has not submitted a scorecard for the opening (blind scorecards). The
    deciding domain answers through its ``ai_report_gate`` module, found by discovery."""

    def scored(entry: RecordEntry) -> bool:
        facts = entry.facts or {}
        return entry.opening_id is not None and (
            entry.type == "interview_result" or any(k in facts for k in _SCORE_FACTS)
        )

    pairs = {(int(e.opening_id), person_id) for e in entries if scored(e) and e.opening_id}
    if not pairs:
        return entries
    blind: set[tuple[int, int]] = set()
    for gate in domain_modules("ai_report_gate"):
        blind |= gate.withheld(session, principal, pairs)
    return [e for e in entries if not (scored(e) and (e.opening_id, person_id) in blind)]


def _entry_views(
    session: Session, entries: list[RecordEntry], attachments: dict[int, Attachment]
) -> list[EntryView]:
    """The entries decrypted, with who wrote them and what they attach; an entry whose
    payload cannot be decrypted is shown as unreadable, not hidden."""
    names = actor_names(session, entries)
    ring = pii.keyring()
    views: list[EntryView] = []
    for entry in entries:
        try:
            data = decrypt_payload(entry, ring)
            unreadable = False
        except (CryptoError, ValueError):
            data, unreadable = None, True
        actor = names.get(entry.actor_id or 0) or entry.actor_label or ""
        labels = entry.facts.get("labels") if isinstance(entry.facts, dict) else None
        captured = clean_time(labels.get("captured_at")) if isinstance(labels, dict) else None
        views.append(
            EntryView(
                entry, data, actor, unreadable, attachments.get(entry.attachment_id or 0), captured
            )
        )
    return views


def _openings_named(
    session: Session, entries: list[RecordEntry], attachments: Iterable[Attachment]
) -> tuple[dict[int, str], dict[int, dict[str, Any] | None]]:
    """Titles and competency models of the openings the entries and attachments name."""
    opening_ids = {e.opening_id for e in entries if e.opening_id} | {
        a.opening_id for a in attachments if a.opening_id
    }
    rows = (
        session.execute(
            select(Opening.id, Opening.title, Opening.competency_model).where(
                Opening.id.in_(opening_ids)
            )
        ).all()
        if opening_ids
        else []
    )
    return {row.id: row.title for row in rows}, {row.id: row.competency_model for row in rows}


def _open_interviews(
    session: Session, principal: Principal, entries: list[RecordEntry]
) -> set[int]:
    """Interviews named by entries whose reports the viewer may open (for links)."""

    wanted = {
        e.facts["interview_id"]
        for e in entries
        if isinstance(e.facts, dict) and isinstance(e.facts.get("interview_id"), int)
    }
    if not wanted or not (principal.has("interviews.read") and principal.has("scores.read")):
        return set()
    stmt = restrict(
        select(InterviewSession.id).where(InterviewSession.id.in_(wanted)),
        principal,
        "interviews.read",
        InterviewSession,
    )
    return set(session.scalars(stmt))


@dataclass
class RecordCheck:
    """One person's record verified now: what the verification page shows."""

    person: Candidate
    report: VerificationReport
    head_seq: int
    head_hash: str
    latest_checkpoint: Any


def check_record(session: Session, principal: Principal, person_id: int) -> RecordCheck:
    """Recompute every hash of one person's chain and compare it with the signed checkpoints
    (``/records/{id}/verify``). Reads no personal data beyond the name; not audited."""

    person = require_visible(session, Candidate, person_id, principal, "records.read")
    checkpoints = cached_checkpoints()
    report = verify_person(session, person_id, checkpoints=checkpoints)
    chain_id = person_chain_id(person_id)
    head = session.get(ChainHead, chain_id)
    return RecordCheck(
        person=person,
        report=report,
        head_seq=int(head.seq) if head is not None else 0,
        head_hash=head.hash if head is not None else "",
        latest_checkpoint=checkpoints.latest(chain_id),
    )


def retention_rules(session: Session, principal: Principal) -> list[RetentionRule]:
    """The company's retention rules, oldest first (records managers)."""
    require(principal, "records.manage")
    stmt = restrict(select(RetentionRule), principal, "records.manage", RetentionRule)
    return list(session.scalars(stmt.order_by(RetentionRule.id)))


def integrity_runs(session: Session, principal: Principal, limit: int) -> list[IntegrityRun]:
    """The company's latest integrity checks, newest first."""
    require(principal, "records.integrity")
    stmt = restrict(select(IntegrityRun), principal, "records.integrity", IntegrityRun)
    return list(session.scalars(stmt.order_by(IntegrityRun.id.desc()).limit(limit)))
