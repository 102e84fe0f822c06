"""Shapes of the integration API, and of every event a webhook receives (documented in
OpenAPI through ``GET /api/v1/webhooks/events`` and in docs/integrations.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireflow.core.bounds import Id
from hireflow.core.events import EVENTS

# ------------------------------------------------------------------------------ endpoints


def _check_events(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - EVENTS - {"*"})
    if unknown:
        raise ValueError(f"unknown event {unknown[0]!r}")
    if not value:
        raise ValueError("subscribe to at least one event")
    return sorted(set(value))


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000)
    description: str = Field(default="", max_length=200)
    # Event names (``candidate.created``) or ``"*"`` for every event.
    events: list[str] = Field(min_length=1, max_length=len(EVENTS) + 1)
    active: bool = True

    _events = field_validator("events")(_check_events)


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: datetime
    # During a rotation: when the previous secret stops signing.
    previous_secret_until: datetime | None


class EndpointCreated(EndpointOut):
    # Shown once, at creation and rotation; stored encrypted.
    secret: str


class RotateIn(BaseModel):
    # How long the previous secret keeps signing beside the new one (0: stop at once).
    grace_hours: int = Field(default=24, ge=0, le=168)


class SettingsIO(BaseModel):
    # Off by default: webhooks reach only public addresses (SSRF protection).
    allow_private_addresses: bool = False


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    endpoint_id: int
    event_id: str
    event: str
    subject: str
    status: Literal["pending", "sending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str
    delivered_at: datetime | None
    replay_of_id: int | None
    created_at: datetime


class DeliveryDetail(DeliveryOut):
    body: str


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int


# ------------------------------------------------------------------------------ events


class CandidateCreated(BaseModel):
    """A candidate entered the talent pool (a resume upload, an application, an import)."""

    candidate_id: Id
    opening_id: Id | None = None
    source: str = Field(description="upload | apply | import | ...")


class ReportReady(BaseModel):
    """The AI interview's report for an application was stored."""

    interview_id: Id
    application_id: Id | None = None
    opening_id: Id
    job_match: float | None = Field(default=None, description="0-100, the AI's")
    scores: dict[str, float] = Field(description="competency id -> score 0-10, the AI's")


class StageChanged(BaseModel):
    """An application moved to another pipeline stage."""

    application_id: Id
    opening_id: Id
    from_stage: str = Field(alias="from")
    to_stage: str = Field(alias="to")
    reason: str | None = Field(default=None, description="the rejection reason's key")
    actor: Id | None = Field(default=None, description="the user who moved it")
    version: int


class ScorecardsCompleted(BaseModel):
    """Every interviewer of a round submitted their scorecard."""

    application_id: Id
    opening_id: Id
    round: str
    scorecards: int
    recommendations: dict[str, int] = Field(description="recommendation -> how many")
    levels: dict[str, float] = Field(description="competency id -> mean level 1-5")


class ScorecardSubmitted(BaseModel):
    """An interviewer submitted a scorecard, or amended theirs (a new version)."""

    scorecard_id: Id
    application_id: Id
    opening_id: Id
    round: str
    interviewer: Id = Field(description="the user who rated")
    version: int = Field(description="1 for a first submission, higher for an amendment")
    supersedes: Id | None = Field(default=None, description="the version this one amends")
    recommendation: str = Field(description="strong_no | no | yes | strong_yes")
    ratings: dict[str, int] = Field(description="competency id -> level 1-5")


class InterviewBooked(BaseModel):
    """A time was booked (or moved) for an interview invitation, by the candidate or staff."""

    booking_id: Id
    invitation_id: Id
    candidate_id: Id
    application_id: Id | None = None
    opening_id: Id
    kind: str = Field(description="the invitation's kind: live | ai | ...")
    change: Literal["booked", "rescheduled", "cancelled"]
    booked_by: Literal["candidate", "staff"]
    start: str = Field(description="ISO 8601, UTC")
    end: str = Field(description="ISO 8601, UTC")
    interviewers: list[Id] = Field(description="user ids of the panel")
    actor: Id | None = Field(
        default=None, description="the staff user who booked; null: the candidate"
    )


class OfferDecided(BaseModel):
    """An approver approved or refused the step of an offer's approval chain waiting for them."""

    offer_id: Id
    application_id: Id
    opening_id: Id
    round: int = Field(description="the submission for approval (1, 2, ... after a refusal)")
    step: int
    role: str = Field(description="hiring_manager | hr_head")
    decision: Literal["approved", "refused"]
    approver: Id = Field(description="the user who decided")
    status: str = Field(description="the offer's status after the decision")


class OfferAnswered(BaseModel):
    """The candidate accepted or declined an offer."""

    offer_id: Id
    application_id: Id
    person_id: Id
    opening_id: Id
    answer: Literal["accepted", "declined"]


class OfferAccepted(OfferAnswered):
    """The candidate accepted an offer (sent with ``offer.answered``)."""


class EmployeeCreated(BaseModel):
    """A person became an employee (after accepting an offer)."""

    employee_id: Id
    person_id: Id
    department_id: Id | None = None
    manager_id: Id | None = None
    offer_id: Id
    opening_id: Id
    start_date: str = Field(description="YYYY-MM-DD")


EVENT_DATA: dict[str, type[BaseModel]] = {
    "candidate.created": CandidateCreated,
    "report.ready": ReportReady,
    "stage.changed": StageChanged,
    "scorecards.completed": ScorecardsCompleted,
    "scorecard.submitted": ScorecardSubmitted,
    "interview.booked": InterviewBooked,
    "offer.decided": OfferDecided,
    "offer.answered": OfferAnswered,
    "offer.accepted": OfferAccepted,
    "employee.created": EmployeeCreated,
}


class EventEnvelope(BaseModel):
    """The JSON body of every webhook request; ``data`` depends on ``type``."""

    id: str = Field(description="The event id; the same in every delivery and replay")
    type: str = Field(description="The event name, e.g. candidate.created")
    created_at: datetime
    subject: str = Field(description="What the event is about, e.g. candidate:42")
    data: dict[str, Any]


class EventDoc(BaseModel):
    name: str
    description: str
    data_schema: dict[str, Any]


class EventCatalogue(BaseModel):
    envelope: dict[str, Any]
    events: list[EventDoc]
    # The typed payloads, so OpenAPI lists every event's schema.
    examples: (
        CandidateCreated
        | ReportReady
        | StageChanged
        | ScorecardsCompleted
        | ScorecardSubmitted
        | InterviewBooked
        | OfferDecided
        | OfferAnswered
        | OfferAccepted
        | EmployeeCreated
        | None
    ) = None


# ------------------------------------------------------------------------------ transfer


class RowErrorOut(BaseModel):
    row: int
    field: str
    code: str
    message: str


class ImportReportOut(BaseModel):
    rows: int
    valid: int
    written: bool
    created: list[int]
    unmapped: list[str]
    errors: list[RowErrorOut]


class MappingIn(BaseModel):
    kind: Literal["candidates", "results", "employees"]
    name: str = Field(min_length=1, max_length=100)
    # file column -> field, e.g. {"姓名": "name", "手机号码": "phone"}
    columns: dict[str, str] = Field(min_length=1, max_length=50)


class MappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    columns: dict[str, str]


class PresetOut(BaseModel):
    name: str
    kind: str
    columns: dict[str, str]
