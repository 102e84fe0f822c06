"""Candidates (people in the talent pool), their applications, resumes and search index.

SPEC C1-C6. One ``Candidate`` row per person however many applications and resumes: the
intake merges duplicates (same e-mail, same phone, or same name with the same birth date or
school) into the existing row.

Personal data at rest (SPEC G2): the e-mail address, phone, ID number and birth date are
AES-256-GCM columns (``hireflow.core.pii.EncryptedText``); e-mail, phone and birth date have
blind indexes so duplicates are found without decrypting. The parsed resume, the profile in
effect and HR's corrections (which repeat every contact, the education and the work history)
are encrypted JSON documents (``pii.EncryptedJSON``). What stays in clear, and why, is listed
in docs/security.md ("What stays searchable"): the display name and its folded key, the
location and the filter columns copied out of the profile.

The talent-pool index (``candidate_search``) holds one document per candidate, words
segmented with jieba; the database's own full-text engine searches it: an FTS5 virtual table
on SQLite (``candidate_fts``, external content, kept in sync by triggers) and a ``tsvector``
column with a GIN index on PostgreSQL. See ``hireflow.candidates.search``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement, Select

from hireflow.core import pii
from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.versions import VALIDITY, versioned
from hireflow.openings.models import Opening, openings_of_member, scope_via_opening

STAGES = ("applied", "screening", "interview", "offer", "hired", "rejected", "withdrawn")
SOURCES = ("upload", "api", "import", "referral", "internal", "demo", "other")


class ScreeningStatus(StrEnum):
    """The screening verdict on an application (stored as its value)."""

    PASSED = "passed"
    PENDING = "pending"  # a knock-out rule needs data not there yet (interview results)
    REJECTED = "rejected"


SCREENING_STATUSES = tuple(status.value for status in ScreeningStatus)


class Candidate(TenantRow, TimestampMixin, Base):
    """A person in the talent pool; one row per person, however many applications.

    ``profile`` is the profile in effect: the newest parsed resume (``profile_parsed``) with
    HR's corrections (``corrections``: field -> {value, by, at}) applied on top, so a new
    resume never undoes a correction. ``highest_degree_rank`` and ``years_experience`` are
    copied out of it for fast filters.
    """

    __tablename__ = "candidates"
    __table_args__ = (Index("ix_candidates_tenant_created", "tenant_id", "created_at"),)

    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(pii.EncryptedText("candidates.email"), default="")
    email_index: Mapped[str | None] = mapped_column(pii.BlindIndexType(), nullable=True, index=True)
    phone: Mapped[str] = mapped_column(pii.EncryptedText("candidates.phone"), default="")
    phone_index: Mapped[str | None] = mapped_column(pii.BlindIndexType(), nullable=True, index=True)
    id_number: Mapped[str | None] = mapped_column(
        pii.EncryptedText("candidates.id_number"), nullable=True
    )
    birth_date: Mapped[str | None] = mapped_column(
        pii.EncryptedText("candidates.birth_date"), nullable=True
    )
    birth_date_index: Mapped[str | None] = mapped_column(
        pii.BlindIndexType(), nullable=True, index=True
    )
    name_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    source: Mapped[str] = mapped_column(String(40), default="upload")
    profile: Mapped[dict[str, Any]] = mapped_column(
        pii.EncryptedJSON("candidates.profile"), default=dict
    )
    profile_parsed: Mapped[dict[str, Any]] = mapped_column(
        pii.EncryptedJSON("candidates.profile_parsed"), default=dict
    )
    corrections: Mapped[dict[str, Any]] = mapped_column(
        pii.EncryptedJSON("candidates.corrections"), default=dict
    )
    highest_degree_rank: Mapped[int] = mapped_column(default=0, index=True)
    years_experience: Mapped[float] = mapped_column(default=0.0, index=True)
    is_internal: Mapped[bool] = mapped_column(default=False)
    # Set when HR merged this row into another person (``CandidateMerge``); the row stays so
    # the merge can be undone and its own HR record stays readable.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    applications: Mapped[list[Application]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", order_by="Application.id"
    )


pii.keep_blind_index(Candidate, "phone", "phone_index", kind="phone")
pii.keep_blind_index(Candidate, "email", "email_index", kind="email")
pii.keep_blind_index(Candidate, "birth_date", "birth_date_index", kind="birth_date")


class Application(TenantRow, TimestampMixin, Base):
    """A candidate applying to one opening: stage, source and the screening verdict.

    ``screening`` is ``ScreeningResult.to_dict()`` (every rule with its explanation in both
    languages); ``screening_status`` and ``screening_score`` are copied out for sorting.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("candidate_id", "opening_id"),
        Index("ix_applications_updated_at", "updated_at"),  # analytics: what changed
    )

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default="applied")
    source: Mapped[str] = mapped_column(String(40), default="upload")
    screening_status: Mapped[str] = mapped_column(String(20), default="")
    screening_score: Mapped[float | None] = mapped_column(nullable=True)
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The language and time zone of this application's messages and interview (a person may
    # apply in English to one opening and in Chinese to another). Empty: the person's own.
    # ``locale_source`` says who decided (resume, opening, hr, candidate), ``locale_reasons``
    # why (see ``candidates.locale``).
    language: Mapped[str] = mapped_column(String(10), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    locale_source: Mapped[str] = mapped_column(String(20), default="")
    locale_reasons: Mapped[list[Any] | None] = mapped_column(JSONText(), nullable=True)

    candidate: Mapped[Candidate] = relationship(back_populates="applications")
    opening: Mapped[Opening] = relationship()


class CandidateResume(Base):
    """One resume file received for a candidate.

    The original file is kept encrypted in the person's HR record (``attachment_id``,
    ``hireflow.records.service.attach_file``); the extracted text is kept here, encrypted,
    so HR can compare it with the parsed fields; ``parsed`` is what the parser made of it.
    ``sha256`` (of the file) recognises the same file uploaded twice.
    """

    __tablename__ = "candidate_resumes"
    __table_args__ = (Index("ix_candidate_resumes_file", "tenant_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), nullable=True)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_attachments.id"), nullable=True
    )
    filename: Mapped[str] = mapped_column(pii.EncryptedText("candidate_resumes.filename"))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(pii.EncryptedText("candidate_resumes.text"), default="")
    parsed: Mapped[dict[str, Any]] = mapped_column(
        pii.EncryptedJSON("candidate_resumes.parsed"), default=dict
    )
    source: Mapped[str] = mapped_column(String(40), default="upload")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


MERGE_STATUSES = ("proposed", "merged", "rejected", "undone")


class CandidateMerge(Base):
    """A decision that two resumes are (or may be) one person, and how to undo it.

    The intake merges on its own only when the identity evidence agrees (``automatic``);
    when a key matched but another one contradicts it (same phone, different name and
    e-mail), it keeps a new person and proposes the merge to HR (``proposed``) with both
    sides shown. ``evidence`` names the keys that agreed and those that conflicted, never
    their values; ``snapshot`` (encrypted) holds what an undo needs: the rows moved and the
    surviving person's profile before the merge.
    """

    __tablename__ = "candidate_merges"
    __table_args__ = (Index("ix_candidate_merges_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    survivor_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    other_id: Mapped[int | None] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    automatic: Mapped[bool] = mapped_column(default=False)
    matched_by: Mapped[str] = mapped_column(String(40), default="")
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(
        pii.EncryptedJSON("candidate_merges.snapshot"), default=dict
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class CandidateSkill(Base):
    """A normalised skill of a candidate (filter "skills: Python, Redis" without a scan)."""

    __tablename__ = "candidate_skills"
    __table_args__ = (Index("ix_candidate_skills_lookup", "tenant_id", "skill", "candidate_id"),)

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(80), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))


class CandidateSearch(Base):
    """The talent-pool row of one candidate: what the pool filters and sorts on, and the words
    it searches (see ``hireflow.candidates.search``).

    The scalar columns (degree, years, dates, source, location) are copies of the candidate's
    so a pool query reads only this narrow table until the page of 20 is known.

    - SQLite: the words live in the FTS5 table ``candidate_fts`` (rowid = candidate id;
      ``document``: name, titles, skills, companies, schools...; ``body``: descriptions and
      resume text); ``tsv`` stays empty.
    - PostgreSQL: ``tsv`` is a ``tsvector`` (GIN index) of every word; the head's words carry
      weight A (one position each), the body's have no position, which keeps the row small.
    """

    __tablename__ = "candidate_search"
    __table_args__ = (
        Index("ix_candidate_search_recent", "tenant_id", "created_at"),
        Index("ix_candidate_search_tsv", "tsv", postgresql_using="gin"),
    )

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    highest_degree_rank: Mapped[int] = mapped_column(default=0)
    years_experience: Mapped[float] = mapped_column(default=0.0)
    is_internal: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    tsv: Mapped[str | None] = mapped_column(
        Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
    )


class CandidateVector(Base):
    """A candidate's experience as a sentence embedding, for semantic matching (SPEC C4).

    ``text_sha256`` is the digest of the text embedded, so a changed profile is re-embedded
    and an unchanged one never is; ``model`` names the embedder.
    """

    __tablename__ = "candidate_vectors"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    model: Mapped[str] = mapped_column(String(60))
    text_sha256: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedSearch(TenantRow, Base):
    """A talent-pool search a user saved (name + the filters), private to that user."""

    __tablename__ = "saved_searches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    params: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PerformanceRating(TenantRow, Base):
    """An internal candidate's performance rating for a period (SPEC C6), 1-5.

    Visible with ``performance.read`` only; the comment is personal and encrypted.
    """

    __tablename__ = "performance_ratings"
    __table_args__ = (UniqueConstraint("candidate_id", "period"),)

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(20))
    rating: Mapped[float] = mapped_column()
    comment: Mapped[str] = mapped_column(
        pii.EncryptedText("performance_ratings.comment"), default=""
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- permission scopes ------------------------------------------------------------------


def _applied_to(opening_condition: ColumnElement[bool]) -> Select[int]:
    return (
        select(Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .where(opening_condition)
    )


register_scope(
    Candidate,
    Scope(
        tenant=Candidate.tenant_id,
        in_subsidiaries=lambda ids: Candidate.id.in_(_applied_to(Opening.subsidiary_id.in_(ids))),
        in_departments=lambda ids: Candidate.id.in_(_applied_to(Opening.department_id.in_(ids))),
        member_of=lambda user_id: Candidate.id.in_(
            _applied_to(Opening.id.in_(openings_of_member(user_id)))
        ),
        is_self=lambda user_id: Candidate.user_id == user_id,
    ),
)


def own_candidate(person_column: Any) -> Callable[[int], Any]:
    """A scope's ``is_self`` for rows about one candidate: the candidate the user is."""
    return lambda user_id: person_column.in_(
        select(Candidate.id).where(Candidate.user_id == user_id)
    )


register_scope(
    Application,
    scope_via_opening(
        Application.opening_id,
        Application.tenant_id,
        is_self=own_candidate(Application.candidate_id),
    ),
)


def _of_member(user_id: int) -> Select[int]:
    """Candidates who applied to an opening the user owns or interviews for (a subquery)."""
    return select(Application.candidate_id).where(
        Application.opening_id.in_(openings_of_member(user_id))
    )


def _like_candidate(person_column: Any, tenant_column: Any) -> Scope:
    """A scope for rows about one candidate: visible exactly like that candidate."""
    return Scope(
        tenant=tenant_column,
        in_subsidiaries=lambda ids: person_column.in_(_applied_to(Opening.subsidiary_id.in_(ids))),
        in_departments=lambda ids: person_column.in_(_applied_to(Opening.department_id.in_(ids))),
        member_of=lambda user_id: person_column.in_(_of_member(user_id)),
        is_self=own_candidate(person_column),
    )


register_scope(
    CandidateResume, _like_candidate(CandidateResume.candidate_id, CandidateResume.tenant_id)
)
register_scope(
    CandidateMerge, _like_candidate(CandidateMerge.survivor_id, CandidateMerge.tenant_id)
)
register_scope(
    PerformanceRating, _like_candidate(PerformanceRating.candidate_id, PerformanceRating.tenant_id)
)
register_scope(
    CandidateSearch, _like_candidate(CandidateSearch.candidate_id, CandidateSearch.tenant_id)
)
# Saved searches are private: whatever the reach of ``candidates.search`` (company, department,
# member), a user sees only their own (the queries always add ``user_id``, and member reach
# says the same); the units a role is narrowed to do not apply to a user's own filters.
register_scope(
    SavedSearch,
    Scope(
        tenant=SavedSearch.tenant_id,
        in_subsidiaries=lambda _ids: true(),
        in_departments=lambda _ids: true(),
        member_of=lambda user_id: SavedSearch.user_id == user_id,
        is_self=lambda user_id: SavedSearch.user_id == user_id,
    ),
)

from hireflow.candidates import fts as _fts  # noqa: E402, F401 - the FTS5 table is known to Alembic

# predictive validity's kept answers read the ratings (an outcome)
versioned(PerformanceRating, VALIDITY)
