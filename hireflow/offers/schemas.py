"""Shapes of the offers API (in and out)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireflow.core.bounds import Id
from hireflow.core.errors import N_
from hireflow.offers.models import DOCUMENT_KINDS

Currency = Literal["CNY", "USD", "EUR", "HKD", "SGD", "JPY", "GBP"]
Period = Literal["month", "year"]


def _documents(value: list[str]) -> list[str]:
    unknown = [v for v in value if v not in DOCUMENT_KINDS]
    if unknown:
        raise ValueError(f"unknown document {unknown[0]!r}; use {', '.join(DOCUMENT_KINDS)}")
    return list(dict.fromkeys(value))


def _body(value: dict[str, str]) -> dict[str, str]:
    """Chinese and English are required; Japanese (ja) is optional (a letter in Japanese
    without it uses the built-in Japanese text)."""
    extra = set(value) - {"zh", "en", "ja"}
    if extra:
        raise ValueError("the text takes the languages zh, en and optionally ja")
    if not (value.get("zh", "").strip() and value.get("en", "").strip()):
        # a catalogue text: the settings page shows it in the reader's language
        raise ValueError(N_("The offer letter needs its text in Chinese and in English."))
    return {k: v.strip() for k, v in value.items() if v.strip()}


class TemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    salary: int = Field(ge=0, le=100_000_000)
    currency: Currency = "CNY"
    salary_period: Period = "month"
    start_date: date | None = None
    probation_months: int = Field(default=3, ge=0, le=12)
    required_documents: list[str] = Field(default_factory=list, max_length=len(DOCUMENT_KINDS))
    location: str = Field(default="", max_length=200)
    body: dict[str, str]
    valid_days: int = Field(default=7, ge=1, le=60)
    active: bool = True

    _docs = field_validator("required_documents")(_documents)
    _text = field_validator("body")(_body)


class TemplateOut(TemplateIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    body: dict[str, Any]


class SettingsIn(BaseModel):
    manager_approval: bool = True
    salary_band: int = Field(default=30000, ge=0, le=100_000_000)
    band_currency: Currency = "CNY"
    band_period: Period = "month"
    hr_head_id: Id | None = None
    reminder_days: int = Field(default=2, ge=0, le=30)


class SettingsOut(SettingsIn):
    model_config = ConfigDict(from_attributes=True)


class OfferUpdate(BaseModel):
    """Terms of a draft or refused offer that can change."""

    salary: int | None = Field(default=None, ge=0, le=100_000_000)
    start_date: date | None = None
    probation_months: int | None = Field(default=None, ge=0, le=12)
    location: str | None = Field(default=None, max_length=200)
    manager_id: Id | None = None
    valid_days: int | None = Field(default=None, ge=1, le=60)


class OfferIn(OfferUpdate):
    """An offer for one application from a template; any term given replaces the template's."""

    template_id: Id
    currency: Currency | None = None
    salary_period: Period | None = None


class DecisionIn(BaseModel):
    approve: bool
    comment: str = Field(default="", max_length=2000)


class NoFields(BaseModel):
    """The body of an action that takes nothing (submit, send)."""


class WithdrawIn(BaseModel):
    reason: str = Field(default="", max_length=2000)


class AnswerIn(BaseModel):
    """The candidate's answer: the name typed as a signature (and a reason when declining)."""

    accept: bool
    typed_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=2000)


class ApprovalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    round: int
    step: int
    role: str
    status: str
    decided_by_id: int | None
    decided_at: datetime | None


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    application_id: int
    candidate_id: int
    opening_id: int
    template_id: int | None
    status: str
    salary: int
    currency: str
    salary_period: str
    start_date: date
    probation_months: int
    location: str
    required_documents: list[str]
    language: str
    manager_id: int | None
    sent_at: datetime | None
    expires_at: datetime | None
    answered_at: datetime | None
    answer_digest: str
    pdf_sha256: str
    approvals: list[ApprovalOut] = Field(default_factory=list)


class PortalOfferOut(BaseModel):
    """What the candidate's link shows: the terms and the state, nothing about approvals."""

    status: str
    company: str
    position: str
    salary: int
    currency: str
    salary_period: str
    start_date: date
    probation_months: int
    location: str
    required_documents: list[str]
    uploaded_documents: list[str]
    expires_at: datetime | None
    answered_at: datetime | None


class ChecklistItem(BaseModel):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    category: Literal["accounts", "equipment", "documents", "training"]
    owner: Literal["it", "manager", "hr"]
    due_days: int = Field(ge=-60, le=180)
    title: dict[str, str]

    _text = field_validator("title")(_body)


class ChecklistIn(BaseModel):
    items: list[ChecklistItem] = Field(min_length=1, max_length=50)

    @field_validator("items")
    @classmethod
    def _unique(cls, value: list[ChecklistItem]) -> list[ChecklistItem]:
        keys = [item.key for item in value]
        if len(set(keys)) != len(keys):
            raise ValueError("each checklist item needs its own key")
        return value


class EmployeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    person_id: int
    user_id: int | None
    employee_number: str
    department_id: int
    manager_id: int | None
    offer_id: int
    start_date: date


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    employee_id: int
    person_id: int
    key: str
    category: str
    owner: str
    title: dict[str, Any]
    assignee_id: int | None
    due_on: date
    status: str
    done_at: datetime | None


# --------------------------------------------------------------------------- outcomes (SPEC I2)

ProbationResult = Literal["passed", "extended", "failed"]
LeavingReason = Literal["resigned", "dismissed", "contract_ended", "other"]


class EmployeeRatingIn(BaseModel):
    """A performance rating of one period: a year (2026), half (2026-H1), quarter (2026-Q3)
    or month (2026-07); 1 (far below expectations) to 5 (far above)."""

    period: str = Field(pattern=r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$", max_length=10)
    rating: float = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class ProbationIn(BaseModel):
    result: ProbationResult | None = None  # None: not decided yet


class LeavingIn(BaseModel):
    """The last day and the reason, or neither (still employed)."""

    left_on: date | None = None
    reason: LeavingReason | None = None


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    period: str
    rating: float
    recorded_by_id: int | None
    created_at: datetime


class OutcomesOut(BaseModel):
    person_id: int
    start_date: date
    probation_result: str | None
    left_on: date | None
    leaving_reason: str | None
    ratings: list[RatingOut]
