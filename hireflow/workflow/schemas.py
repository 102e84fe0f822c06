"""Request and response bodies of the pipeline and scorecard API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireflow.core.bounds import MAX_ID
from hireflow.workflow.models import Recommendation, StageKind

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Names(BaseModel):
    """A name per language: Chinese and English are required, Japanese optional."""

    model_config = ConfigDict(extra="forbid")

    zh: str = Field(min_length=1, max_length=80)
    en: str = Field(min_length=1, max_length=80)
    ja: str = Field("", max_length=80)

    @field_validator("zh", "en", "ja")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class StageIn(BaseModel):
    key: str = Field(pattern=KEY_PATTERN, description="Stable id within the list, e.g. round_2")
    kind: StageKind
    name: Names


class StageListIn(BaseModel):
    stages: list[StageIn] = Field(min_length=2, max_length=30)


class StageOut(BaseModel):
    key: str
    kind: str
    name: dict[str, str]
    label: str = Field(description="The name in the caller's language")
    position: int
    count: int = 0


class StageTemplateIn(StageListIn):
    family: str = Field(
        max_length=40, description="The job family (an opening's job_type), e.g. sales"
    )


class StageTemplateOut(BaseModel):
    """The stages new openings of one job family start with."""

    family: str = Field(description="The job family (an opening's job_type), e.g. technical")
    label: str = Field(description="The family's name in the caller's language")
    custom: bool = Field(description="The company wrote a template for it (else: its list)")
    stages: list[StageOut]


class ReasonIn(BaseModel):
    key: str = Field(pattern=KEY_PATTERN)
    name: Names


class ReasonListIn(BaseModel):
    reasons: list[ReasonIn] = Field(min_length=1, max_length=50)


class ReasonOut(BaseModel):
    key: str
    name: dict[str, str]
    label: str


class SettingsIn(BaseModel):
    """A company's pipeline settings; a field left out keeps its value."""

    blind_scorecards: bool | None = None
    notify_stages: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        None,
        max_length=50,
        description="Stage keys whose entry is announced in the hiring-group chats",
    )


class SettingsOut(BaseModel):
    blind_scorecards: bool
    notify_stages: list[str] = []


class MoveIn(BaseModel):
    to: str = Field(min_length=1, max_length=40, description="Key of the target stage")
    version: int = Field(
        ge=0, le=MAX_ID, description="The application's pipeline version the caller saw"
    )
    reason: str | None = Field(
        None, max_length=40, description="Rejection reason key (required for a rejection)"
    )
    note: str = Field("", max_length=2000)


class BulkItem(BaseModel):
    application_id: int = Field(ge=1, le=MAX_ID)
    version: int = Field(ge=0, le=MAX_ID)


class BulkMoveIn(BaseModel):
    items: list[BulkItem] = Field(min_length=1, max_length=500)
    to: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=2000)


class PositionOut(BaseModel):
    application_id: int
    candidate_id: int
    opening_id: int
    stage: str
    stage_label: str
    version: int
    entered_at: datetime
    seconds_in_stage: int
    reason: str | None = None


class BulkProblem(BaseModel):
    application_id: int
    code: str
    message: str


class BulkMoveOut(BaseModel):
    moved: list[PositionOut]
    refused: list[BulkProblem]


class CardOut(BaseModel):
    application_id: int
    candidate_id: int
    name: str
    source: str
    stage: str
    version: int
    entered_at: datetime
    seconds_in_stage: int
    job_match: float | None = Field(
        None, description="AI job match in percent (hidden from blind interviewers)"
    )


class ColumnOut(BaseModel):
    stage: StageOut
    cards: list[CardOut]


class BoardOut(BaseModel):
    opening_id: int
    columns: list[ColumnOut]
    total: int
    shown: int


class MoveOut(BaseModel):
    id: int
    from_stage: str
    to_stage: str
    from_label: str
    to_label: str
    seconds_in_stage: int
    reason: str | None
    reason_label: str | None
    note: str | None
    actor_id: int | None
    version: int
    moved_at: datetime


class ScorecardIn(BaseModel):
    round: str = Field(min_length=1, max_length=40, description="Key of an interview stage")
    # Bounded loosely here so that 0 or 9 reach the service, which names the competency and
    # the 1-5 scale in its answer.
    ratings: dict[str, Annotated[int, Field(ge=0, le=1000)]] = Field(
        description="Competency id -> anchor level 1..5 (ids from the opening's model)"
    )
    recommendation: Recommendation
    notes: str = Field("", max_length=5000)


class AmendIn(ScorecardIn):
    reason: str = Field(min_length=3, max_length=1000, description="Why the scorecard changes")


class ScorecardOut(BaseModel):
    id: int
    application_id: int
    round: str
    interviewer_id: int
    interviewer_name: str
    version: int
    ratings: dict[str, int]
    recommendation: str
    notes: str
    amend_reason: str | None
    supersedes_id: int | None
    submitted_at: datetime


class MergedRating(BaseModel):
    scorecard_id: int
    interviewer_name: str
    level: int
    disagrees: bool


class MergedCompetency(BaseModel):
    id: str
    name: str
    ai_score: float | None = Field(None, description="The AI's score on the 0-10 scale")
    ai_level: float | None = Field(None, description="The AI's score as an anchor level (1-5)")
    human_mean: float | None
    ratings: list[MergedRating]
    disagrees: bool = Field(description="Some human rating is more than one level from the AI's")


class ConclusionIn(BaseModel):
    decision: Literal["advance", "hold", "reject"]
    reason: str = Field(min_length=3, max_length=2000)


class ConclusionOut(BaseModel):
    id: int
    decision: str
    reason: str
    actor_id: int | None
    created_at: datetime


class MergedOut(BaseModel):
    application_id: int
    blind: bool = Field(description="True when the caller must submit before seeing others")
    ai_available: bool
    job_match: float | None
    competencies: list[MergedCompetency]
    scorecards: list[ScorecardOut]
    recommendations: dict[str, int]
    conclusion: ConclusionOut | None = Field(None, description="HR's newest final conclusion")


# --- rules (SPEC H1, H2) -----------------------------------------------------------------

RuleTrigger = Literal[
    "stage.changed", "report.ready", "scorecards.completed", "offer.answered", "stage.stale"
]
ActionType = Literal["move", "next_round", "notify_manager", "todo"]


class RuleActionIn(BaseModel):
    """One thing a rule does when its condition holds."""

    model_config = ConfigDict(extra="forbid")

    type: ActionType
    to: str | None = Field(None, max_length=40, description="move: the stage key")
    reason: str | None = Field(
        None, max_length=40, description="move to a rejection stage: the reason key"
    )
    round_name: str = Field("", max_length=100, description="next_round: the round's name")
    meeting_url: str = Field(
        "",
        max_length=500,
        description="next_round: a Tencent Meeting / Zoom / Teams / Feishu link to send",
    )
    duration_minutes: int | None = Field(None, ge=10, le=480, multiple_of=5)
    note: str = Field("", max_length=500, description="todo: what HR should do")

    @field_validator("meeting_url")
    @classmethod
    def _meeting(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith("https://"):
            raise ValueError("the meeting address must start with https://")
        return value


class RuleIn(BaseModel):
    """A rule of an opening: ``condition`` in the rule language (e.g. ``job_match >= 80 and
    scores.communication >= 6``) checked when ``trigger`` happens."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    trigger: RuleTrigger
    stage: str | None = Field(
        None,
        max_length=40,
        description="Only candidates in this stage (stage.changed: the stage entered; "
        "stage.stale: required)",
    )
    stale_days: int | None = Field(None, ge=1, le=365, description="stage.stale: days in stage")
    condition: str = Field(min_length=1, max_length=2000)
    actions: list[RuleActionIn] = Field(min_length=1, max_length=6)
    enabled: bool = True

    @field_validator("name", "condition")
    @classmethod
    def _strip_text(cls, value: str) -> str:
        return value.strip()


class RuleOut(BaseModel):
    id: int
    opening_id: int
    name: str
    trigger: str
    stage: str | None
    stale_days: int | None
    condition: str
    actions: list[dict[str, object]]
    enabled: bool
    created_by_id: int
    updated_at: datetime


class RuleLogOut(BaseModel):
    """One rule meeting one event for one candidate: what fired, what it did, or why not."""

    id: int
    rule_id: int
    rule_name: str
    event: str
    event_id: str
    status: Literal["pending", "fired", "not_fired", "failed"]
    facts: dict[str, object]
    outcome: list[dict[str, object]]
    reason: str
    created_at: datetime
    evaluated_at: datetime | None


class DryRunRow(BaseModel):
    application_id: int
    candidate_name: str
    stage: str
    result: Literal["match", "no_match", "missing"]
    detail: str
    facts: dict[str, object]


class DryRunOut(BaseModel):
    rule: RuleIn
    checked: int
    matched: int
    rows: list[DryRunRow]


class RuleTaskOut(BaseModel):
    id: int
    kind: Literal["todo", "confirm_reject"]
    application_id: int
    opening_id: int
    candidate_name: str
    rule_id: int | None
    rule_name: str
    to_stage: str | None
    reason: str | None
    note: str
    status: str
    created_at: datetime


class RuleTaskDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "dismiss"]
    note: str = Field("", max_length=1000)


class RuleTaskDecisionOut(BaseModel):
    id: int
    status: Literal["done", "dismissed"]
