"""Pydantic shapes of the record API (``/api/v1/records``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hireflow.core.bounds import Id
from hireflow.records.models import ATTACHMENT_KINDS, CONSENT_PURPOSES, STATUSES

Status = Literal[STATUSES]  # type: ignore[valid-type]
Purpose = Literal[CONSENT_PURPOSES]  # type: ignore[valid-type]
Kind = Literal[ATTACHMENT_KINDS]  # type: ignore[valid-type]


class EntryIn(BaseModel):
    """A timeline entry written by another system or person."""

    type: Literal["profile_change", "application", "interview_result", "review", "note", "document"]
    data: dict[str, Any] | None = Field(None, description="Personal part: encrypted, erasable")
    facts: dict[str, Any] = Field(
        default_factory=dict, description="Non-identifying values kept for statistics"
    )
    source: str = Field("api", min_length=1, max_length=60)
    occurred_at: AwareDatetime | None = None
    opening_id: Id | None = None


class StatusIn(BaseModel):
    status: Status
    reason: str | None = Field(None, max_length=500)
    source: str = Field("api", min_length=1, max_length=60)


class ConsentIn(BaseModel):
    purpose: Purpose
    notice_version: str = Field(min_length=1, max_length=40)
    granted: bool
    method: Literal["web", "paper", "email", "import", "api"] = "api"


class HoldIn(BaseModel):
    """``reason`` places a legal hold; ``null`` lifts it."""

    reason: str | None = Field(None, max_length=500)


class ErasureIn(BaseModel):
    reason: Literal["subject_request", "consent_withdrawn", "retention", "other"] = (
        "subject_request"
    )
    request_ref: str = Field("", max_length=60)


class ErasureOut(BaseModel):
    person_id: int
    attachments_shredded: int
    entries_erased: int
    audit_rows_redacted: int
    user_anonymised: bool


class PolicyIn(BaseModel):
    require_download_code: bool


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    require_download_code: bool


class RetentionRuleIn(BaseModel):
    status: Status
    months: int = Field(ge=1, le=600)
    region: Literal["cn", "eu", "us", "sg"] | None = None


class RetentionRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    months: int
    region: str | None
    enabled: bool
    created_at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    region: str
    labels: dict[str, Any]
    created_at: datetime
    shredded_at: datetime | None


class EntryOut(BaseModel):
    id: int
    seq: int
    type: str
    source: str
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    opening_id: int | None
    attachment_id: int | None
    facts: dict[str, Any]
    data: dict[str, Any] | None
    hash: str
    erased: bool


class ProblemOut(BaseModel):
    chain: str
    kind: str
    seq: int | None
    message: str


class IntegrityOut(BaseModel):
    ok: bool
    chains: int
    rows: int
    checkpoints: int
    problems: list[ProblemOut]


class RecordSummary(BaseModel):
    person_id: int
    name: str
    status: str
    region: str | None
    entry_count: int
    last_entry_at: datetime | None
    legal_hold: bool
    erased: bool


class RecordDetail(BaseModel):
    person_id: int
    name: str
    region: str
    status: str
    status_at: datetime | None
    legal_hold: bool
    erased_at: datetime | None
    entries: list[EntryOut]
    attachments: list[AttachmentOut]
    consents: dict[str, dict[str, Any]]
    integrity: IntegrityOut


class IntegrityRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    started_at: datetime
    finished_at: datetime | None
    chains: int
    rows: int
    ok: bool
    problems: list[dict[str, Any]]
    trigger: str
