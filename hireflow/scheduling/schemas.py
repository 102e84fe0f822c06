"""Scheduling API shapes: policy, availability, invitations, bookings, the candidate's link."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireflow.core.bounds import Count, Id
from hireflow.core.i18n import is_timezone

InvitationKind = Literal["ai", "live", "next_round"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _zone(value: str) -> str:
    if not is_timezone(value):
        raise ValueError("unknown time zone; use an IANA name such as Asia/Shanghai")
    return value


def _hhmm(value: str) -> str:
    if not _HHMM.match(value):
        raise ValueError("use 24-hour HH:MM")
    return value


def _meeting_address(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise ValueError("the meeting address must start with https://")
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError("give a time zone (e.g. 2026-03-02T09:00:00+08:00)")
    return value


class PolicyIn(BaseModel):
    duration_minutes: int = Field(60, ge=10, le=480, multiple_of=5)
    buffer_minutes: int = Field(10, ge=0, le=120, multiple_of=5)
    granularity_minutes: Literal[5, 10, 15, 20, 30, 60] = 30
    min_notice_hours: int = Field(12, ge=0, le=24 * 14)
    horizon_days: int = Field(14, ge=1, le=90)
    max_per_day: int = Field(4, ge=1, le=24)
    link_valid_days: int = Field(14, ge=1, le=90)
    change_cutoff_hours: int = Field(12, ge=0, le=24 * 7)
    reminder_minutes: list[Count] = Field(default_factory=lambda: [1440, 60], max_length=5)
    feedback_after_minutes: int = Field(30, ge=0, le=24 * 60 * 7)
    identity_max_attempts: int = Field(5, ge=3, le=10)
    identity_lockout_minutes: int = Field(30, ge=5, le=24 * 60)
    candidate_channels: list[Literal["email", "sms"]] = Field(
        default_factory=lambda: ["email", "sms"], max_length=2
    )
    notify_groups: bool = True
    meeting_url_template: str = Field("", max_length=300)

    @field_validator("reminder_minutes")
    @classmethod
    def _leads(cls, value: list[int]) -> list[int]:
        if any(not 5 <= v <= 7 * 24 * 60 for v in value):
            raise ValueError("reminder lead times must be between 5 minutes and 7 days")
        return sorted(set(value), reverse=True)

    _meeting = field_validator("meeting_url_template")(_meeting_address)


class PolicyOut(PolicyIn):
    model_config = ConfigDict(from_attributes=True)


class WorkingWindowIn(BaseModel):
    weekday: int = Field(ge=0, le=6)
    start: str
    end: str

    _check_hhmm = field_validator("start", "end")(_hhmm)


class AvailabilityIn(BaseModel):
    timezone: str
    working_hours: list[WorkingWindowIn] = Field(default_factory=list, max_length=28)
    holidays: list[date] = Field(default_factory=list, max_length=366)
    max_per_day: int | None = Field(None, ge=1, le=24)

    _check_zone = field_validator("timezone")(_zone)


class BusyIn(BaseModel):
    start: datetime
    end: datetime
    label: str = Field("", max_length=100)

    _check_aware = field_validator("start", "end")(_aware)


class BusyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    start: datetime
    end: datetime
    source: str
    label: str


class AvailabilityOut(BaseModel):
    user_id: int
    timezone: str
    working_hours: list[WorkingWindowIn]
    holidays: list[date]
    max_per_day: int | None
    is_default: bool
    calendar_url_set: bool
    calendar_synced_at: datetime | None
    busy: list[BusyOut]


class CalendarImportIn(BaseModel):
    url: str = Field("", max_length=2000)
    ics: str = Field("", max_length=5 * 1024 * 1024)
    remember_url: bool = True


class ImportResult(BaseModel):
    blocks: int


class LocaleIn(BaseModel):
    """HR's choice of the language and time zone a candidate is invited in."""

    language: Literal["zh-CN", "en", "ja"]
    timezone: str = Field(min_length=1, max_length=64)

    _check_zone = field_validator("timezone")(_zone)


class LanguageIn(BaseModel):
    language: Literal["zh-CN", "en", "ja"]


class InvitationCreate(BaseModel):
    """Invite one or many candidates of one opening.

    ``locales`` (candidate id → language and zone) overrides what was inferred for their
    application; the choice is kept on the application for later messages."""

    opening_id: Id
    candidate_ids: list[Id] = Field(min_length=1, max_length=2000)
    kind: InvitationKind = "live"
    deadline: datetime | None = None
    duration_minutes: int | None = Field(None, ge=10, le=480, multiple_of=5)
    round_name: str = Field("", max_length=100)
    meeting_url: str = Field("", max_length=500)
    materials: list[str] = Field(default_factory=list, max_length=10)
    notes: str = Field("", max_length=2000)
    interviewer_ids: list[Id] = Field(default_factory=list, max_length=10)
    panel: bool = False
    request_key: str = Field("", max_length=64, pattern=r"^[A-Za-z0-9_-]*$")
    locales: dict[int, LocaleIn] = Field(default_factory=dict, max_length=2000)

    _check_aware = field_validator("deadline")(_aware)

    @field_validator("materials")
    @classmethod
    def _materials(cls, value: list[str]) -> list[str]:
        cleaned = [v.strip()[:200] for v in value if v.strip()]
        return cleaned

    _meeting = field_validator("meeting_url")(_meeting_address)


class Skipped(BaseModel):
    candidate_id: int
    reason: str  # a stable code
    message: str


class PreviewOut(BaseModel):
    count: int
    skipped: list[Skipped]
    samples: list[dict[str, Any]]
    channels: dict[str, int]


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opening_id: int
    kind: str
    total: int
    status: str
    created_at: datetime
    finished_at: datetime | None
    queued: int = 0
    sent: int = 0
    skipped: list[Skipped] = Field(default_factory=list)


class BookingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    start: datetime
    end: datetime
    interviewer_ids: list[int]
    status: str
    sequence: int
    booked_by: str


class InvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opening_id: int
    candidate_id: int
    batch_id: int | None
    kind: str
    round_name: str
    status: str
    language: str
    timezone: str
    deadline: datetime
    duration_minutes: int
    interviewer_ids: list[int]
    panel: bool
    sent_at: datetime | None
    opened_at: datetime | None
    verified_at: datetime | None
    verify_method: str
    booked_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    device_checked_at: datetime | None
    device_ok: bool | None
    identity_locked_until: datetime | None
    send_error: str
    booking: BookingOut | None = None
    delivery: str = ""


class ProgressOut(BaseModel):
    opening_id: int
    counts: dict[str, int]
    invitations: list[InvitationOut]


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    local_start: str
    local_end: str
    interviewer_ids: list[int]
    score: float


class SlotsOut(BaseModel):
    timezone: str
    slots: list[SlotOut]
    # When there are none: why, and what would give times (``scheduling.explain``), e.g.
    # {"reasons": [{"code": "hours_do_not_overlap", ...}], "suggestions": [{"code":
    # "drop_interviewer", "name": ..., "slots": 6}]}
    no_slots: dict[str, Any] | None = None


class BookIn(BaseModel):
    start: datetime

    _check_aware = field_validator("start")(_aware)


class AssignOut(BaseModel):
    placed: list[dict[str, Any]]
    unplaced: list[dict[str, Any]]


class VerifyIn(BaseModel):
    answer: str = Field(min_length=1, max_length=20)


class VerifyOut(BaseModel):
    verified: bool
    access: str


class CandidateWindowIn(BaseModel):
    """A time the candidate can attend, as wall-clock times in their zone."""

    start: datetime
    end: datetime


class CandidateAvailabilityIn(BaseModel):
    timezone: str
    windows: list[CandidateWindowIn] = Field(default_factory=list, max_length=20)
    preferred_start: str = "09:00"
    preferred_end: str = "18:00"

    _check_zone = field_validator("timezone")(_zone)

    _check_hhmm = field_validator("preferred_start", "preferred_end")(_hhmm)


class DeviceCheckIn(BaseModel):
    camera: bool
    microphone: bool
    network_ms: int | None = Field(None, ge=0, le=600_000)
    browser_ok: bool = True
    recorder: bool = True  # the browser can record in the page (MediaRecorder)
    microphone_silent: bool = False  # a live microphone that heard nothing


class LinkOut(BaseModel):
    """What a candidate's link shows (only their own invitation, never anyone else's)."""

    invitation_id: int
    kind: str
    status: str
    company: str
    job_title: str
    candidate_name: str
    language: str
    timezone: str
    deadline: datetime
    verified: bool
    identity_method: str
    locked_until: datetime | None
    booking: BookingOut | None
    can_change: bool


# --------------------------------------------------------------------------- meeting links


class MeetingSettingsIn(BaseModel):
    """The company's meeting provider, and one provider's settings and secrets.

    ``config``/``secrets`` belong to ``provider``; a secret left empty keeps the stored one."""

    provider: str = Field(max_length=20)
    config: dict[str, str] = Field(default_factory=dict, max_length=10)
    secrets: dict[str, str] = Field(default_factory=dict, max_length=5)

    @field_validator("config", "secrets")
    @classmethod
    def _short(cls, value: dict[str, str]) -> dict[str, str]:
        if any(len(k) > 40 or len(v) > 500 for k, v in value.items()):
            raise ValueError("names up to 40 characters, values up to 500")
        if any(not (k + v).isprintable() for k, v in value.items()):
            raise ValueError("no control characters")
        return {k: v.strip() for k, v in value.items()}


class MeetingProviderOut(BaseModel):
    name: str
    label: str
    config_keys: list[str]
    secret_keys: list[str]
    required: list[str]
    config: dict[str, str]
    secrets_set: list[str]


class MeetingSettingsOut(BaseModel):
    provider: str
    providers: list[MeetingProviderOut]
