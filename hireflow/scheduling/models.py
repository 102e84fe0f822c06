"""Scheduling tables (SPEC D1-D5): company policy, interviewers' availability, candidates'
stated availability, invitations and their batches, bookings with database-enforced exclusivity,
and the due-reminders table.

No double booking is a property of the schema, not of the code: a booking claims every
five-minute cell it occupies (plus the buffer after it) for each interviewer and for the
candidate, and ``(owner_key, cell)`` is unique. Two overlapping claims cannot both commit, on
SQLite or on PostgreSQL, however many requests race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hireflow.candidates.models import Candidate, own_candidate
from hireflow.core import pii
from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope, scope_of
from hireflow.core.pii import EncryptedJSON, EncryptedText
from hireflow.openings.models import Opening, openings_of_member, scope_via_opening

INVITATION_KINDS = ("ai", "live", "next_round")
# The furthest stage an invitation reached (the progress view's columns), or its end.
INVITATION_STATUSES = (
    "queued",
    "sending",  # messages handed to the outbox, none delivered yet (in retry, say)
    "sent",
    "opened",
    "verified",
    "booked",
    "completed",
    "cancelled",
    "undeliverable",
)
CLAIM_CELL_SECONDS = 300


class SchedulingPolicy(TimestampMixin, Base):
    """A company's scheduling rules (DESIGN rule 6: per-company policy lives in the database)."""

    __tablename__ = "scheduling_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), unique=True)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    buffer_minutes: Mapped[int] = mapped_column(default=10)
    granularity_minutes: Mapped[int] = mapped_column(default=30)
    min_notice_hours: Mapped[int] = mapped_column(default=12)
    horizon_days: Mapped[int] = mapped_column(default=14)
    max_per_day: Mapped[int] = mapped_column(default=4)
    link_valid_days: Mapped[int] = mapped_column(default=14)
    change_cutoff_hours: Mapped[int] = mapped_column(default=12)
    reminder_minutes: Mapped[list[Any]] = mapped_column(JSONText(), default=lambda: [1440, 60])
    feedback_after_minutes: Mapped[int] = mapped_column(default=30)
    identity_max_attempts: Mapped[int] = mapped_column(default=5)
    identity_lockout_minutes: Mapped[int] = mapped_column(default=30)
    candidate_channels: Mapped[list[Any]] = mapped_column(
        JSONText(), default=lambda: ["email", "sms"]
    )
    notify_groups: Mapped[bool] = mapped_column(default=True)
    meeting_url_template: Mapped[str] = mapped_column(String(300), default="")
    # Who makes each booking's meeting link (scheduling.meetings.PROVIDERS); "pasted" keeps
    # the invitation's pasted link or the template above.
    meeting_provider: Mapped[str] = mapped_column(String(20), default="pasted")
    # Per provider: its non-secret settings ({"zoom": {"account_id": ..., "base_url": ...}})
    # and, encrypted, its secrets ({"zoom": {"client_secret": ...}}); kept for every provider
    # ever configured so meetings made with a provider can still be cancelled after a switch.
    meeting_config: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    meeting_secrets: Mapped[dict[str, Any] | None] = mapped_column(
        EncryptedJSON("scheduling_policies.meeting_secrets"), nullable=True
    )


class AvailabilityProfile(TenantRow, TimestampMixin, Base):
    """An interviewer's working hours in their own zone, holidays and calendar feed."""

    __tablename__ = "interviewer_availability"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # [{"weekday": 0-6, "start": "09:00", "end": "18:00"}]
    working_hours: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    holidays: Mapped[list[Any]] = mapped_column(JSONText(), default=list)  # ["2026-10-01"]
    max_per_day: Mapped[int | None] = mapped_column(nullable=True)
    # The export URL often embeds a private token: kept encrypted (hf1. field token).
    calendar_url_token: Mapped[str | None] = mapped_column(
        Text, nullable=True, info=pii.row_token("interviewer_availability.calendar_url:{user_id}")
    )
    calendar_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BusyBlock(TenantRow, Base):
    """A time an interviewer cannot interview: typed in, or imported from their calendar."""

    __tablename__ = "interviewer_busy_blocks"
    __table_args__ = (Index("ix_interviewer_busy_blocks_user_start", "user_id", "start"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual | ics
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CandidateAvailability(TenantRow, Base):
    """What a candidate told us about when they can attend, in their own zone.

    Kept here rather than on the candidate so scheduling owns its data; one row per candidate.
    """

    __tablename__ = "candidate_availability"

    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    # [["2026-03-02T01:00:00+00:00", "2026-03-02T09:00:00+00:00"], ...] (UTC instants)
    windows: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    preferred_start: Mapped[str] = mapped_column(String(5), default="09:00")
    preferred_end: Mapped[str] = mapped_column(String(5), default="18:00")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InvitationBatch(TenantRow, Base):
    """One "send" click: the rows it created and how far the worker got with them."""

    __tablename__ = "invitation_batches"
    __table_args__ = (UniqueConstraint("tenant_id", "request_key"),)

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    request_key: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued|done
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


HIRING = "hiring"
DEVELOPMENT = "development"


class Invitation(TenantRow, TimestampMixin, Base):
    """An invitation of one candidate to one interview step of one opening.

    ``kind`` and ``deadline`` say what the candidate is invited to: a one-way AI interview to
    finish before the deadline (the interview domain creates its session from this row), a
    live interview to book, or a next round to book. Each stage's first time is kept so the
    progress view can show when it happened.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_opening_status", "opening_id", "status"),
        Index("ix_invitations_batch_status", "batch_id", "status"),
        Index("ix_invitations_updated_at", "updated_at"),  # analytics: what changed
        # few development re-assessments among all invitations: ``for_hiring`` finds them here
        Index("ix_invitations_purpose", "purpose"),
    )

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("invitation_batches.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    # "hiring", or "development": a hired employee's re-assessment (self-service), whose report
    # belongs to their development, not to the application they were hired through.
    purpose: Mapped[str] = mapped_column(String(20), default=HIRING, server_default=HIRING)
    round_name: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued")
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=60)
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    materials: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    interviewer_ids: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    panel: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    send_count: Mapped[int] = mapped_column(default=0)
    send_error: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verify_method: Mapped[str] = mapped_column(String(20), default="")
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    device_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    device_ok: Mapped[bool | None] = mapped_column(nullable=True)
    # The last device check, item by item (booleans and milliseconds only), so the candidate's
    # page shows it again after a reload.
    device_result: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    # Identity check (SPEC D4). The one-time code is kept only as an HMAC.
    identity_failures: Mapped[int] = mapped_column(default=0)
    identity_lockouts: Mapped[int] = mapped_column(default=0)
    identity_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    identity_generation: Mapped[int] = mapped_column(default=0)
    code_hash: Mapped[str] = mapped_column(String(64), default="")
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    code_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    codes_sent: Mapped[int] = mapped_column(default=0)

    candidate: Mapped[Candidate] = relationship()
    opening: Mapped[Opening] = relationship()
    booking: Mapped[Booking | None] = relationship(back_populates="invitation", uselist=False)


class Booking(TenantRow, TimestampMixin, Base):
    """The slot an invitation holds (one per invitation; cancelled ones keep their row).

    ``sequence`` is the iCalendar SEQUENCE: raised on every reschedule and on cancellation so
    calendar clients replace the event they have.
    """

    __tablename__ = "bookings"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    interviewer_ids: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | cancelled
    sequence: Mapped[int] = mapped_column(default=0)
    booked_by: Mapped[str] = mapped_column(String(20), default="candidate")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The meeting a provider made for this booking (scheduling.meetings): empty for pasted
    # links. Join links and passwords let anyone in, so they are encrypted.
    meeting_provider: Mapped[str] = mapped_column(String(20), default="")
    meeting_url: Mapped[str] = mapped_column(EncryptedText("bookings.meeting_url"), default="")
    meeting_host_url: Mapped[str] = mapped_column(String(500), default="")
    meeting_external_id: Mapped[str] = mapped_column(String(200), default="")
    meeting_code: Mapped[str] = mapped_column(String(40), default="")
    meeting_password: Mapped[str] = mapped_column(
        EncryptedText("bookings.meeting_password"), default=""
    )
    # "" (pasted), pending (the worker is asking the provider), ready, failed (the messages
    # went out with the fallback link; meeting_error says why), cancelled.
    meeting_status: Mapped[str] = mapped_column(String(20), default="")
    meeting_error: Mapped[str] = mapped_column(String(300), default="")

    invitation: Mapped[Invitation] = relationship(back_populates="booking")
    claims: Mapped[list[SlotClaim]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )


class SlotClaim(Base):
    """One five-minute cell of one person's time, held by one booking.

    ``owner_key`` is ``u<user id>`` for an interviewer and ``c<candidate id>`` for a candidate;
    ``cell`` is the cell's index (UTC seconds // 300). The unique pair is what makes
    overlapping bookings impossible.
    """

    __tablename__ = "booking_claims"
    __table_args__ = (UniqueConstraint("owner_key", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    owner_key: Mapped[str] = mapped_column(String(24))
    cell: Mapped[int] = mapped_column()

    booking: Mapped[Booking] = relationship(back_populates="claims")


class Reminder(TenantRow, Base):
    """A message due at a time: before an interview, or a feedback nudge after it.

    The periodic dispatcher claims due rows and turns them into outbox messages in one
    transaction, so each reminder is produced exactly once.
    """

    __tablename__ = "scheduling_reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "sequence", "kind", "lead_minutes", "recipient_key"),
        Index("ix_scheduling_reminders_due", "status", "due_at"),
    )

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(40))
    lead_minutes: Mapped[int] = mapped_column(default=0)
    recipient_key: Mapped[str] = mapped_column(String(24))  # "candidate" or "u<user id>"
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="pending")
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- permission scopes ------------------------------------------------------------------------


register_scope(SchedulingPolicy, Scope(tenant=SchedulingPolicy.tenant_id))
register_scope(
    AvailabilityProfile,
    Scope(
        tenant=AvailabilityProfile.tenant_id,
        is_self=lambda user_id: AvailabilityProfile.user_id == user_id,
    ),
)
register_scope(
    BusyBlock,
    Scope(tenant=BusyBlock.tenant_id, is_self=lambda user_id: BusyBlock.user_id == user_id),
)
register_scope(
    InvitationBatch, scope_via_opening(InvitationBatch.opening_id, InvitationBatch.tenant_id)
)
register_scope(
    Invitation,
    scope_via_opening(
        Invitation.opening_id,
        Invitation.tenant_id,
        is_self=own_candidate(Invitation.candidate_id),
    ),
)
register_scope(
    Booking,
    Scope(
        tenant=Booking.tenant_id,
        in_subsidiaries=lambda ids: Booking.invitation_id.in_(
            select(Invitation.id).where(scope_of(Invitation).in_subsidiaries(ids))  # type: ignore[misc]
        ),
        in_departments=lambda ids: Booking.invitation_id.in_(
            select(Invitation.id).where(scope_of(Invitation).in_departments(ids))  # type: ignore[misc]
        ),
        member_of=lambda user_id: Booking.invitation_id.in_(
            select(Invitation.id).where(Invitation.opening_id.in_(openings_of_member(user_id)))
        ),
    ),
)


def _candidate_rows(kind: str) -> Any:
    def condition(arg: Any) -> Any:
        inner = getattr(scope_of(Candidate), kind)
        return CandidateAvailability.candidate_id.in_(select(Candidate.id).where(inner(arg)))

    return condition


register_scope(
    CandidateAvailability,
    Scope(
        tenant=CandidateAvailability.tenant_id,
        in_subsidiaries=_candidate_rows("in_subsidiaries"),
        in_departments=_candidate_rows("in_departments"),
        member_of=_candidate_rows("member_of"),
        is_self=_candidate_rows("is_self"),
    ),
)
