"""Pydantic shapes of the interview domain: the candidate's requests and views, HR's actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

TAB_PATTERN = r"^[A-Za-z0-9_-]{8,40}$"
MAX_TEXT_ANSWER = 20_000


class TabIn(BaseModel):
    """Every write from the candidate page names its tab (two tabs: the newest wins)."""

    tab: str = Field(pattern=TAB_PATTERN)


class ConsentIn(TabIn):
    """The candidate read the notice and agrees to the recording and the AI assessment."""

    recording: bool
    ai_assessment: bool
    notice_version: str = Field(min_length=1, max_length=40)


class TextAnswerIn(TabIn):
    """A typed answer; ``final`` moves on (blank and final means the question is skipped)."""

    text: str = Field(default="", max_length=MAX_TEXT_ANSWER)
    final: bool = False


class UploadStartIn(TabIn):
    """Start a resumable upload of one recording."""

    mode: Literal["voice", "video"]
    content_type: str = Field(min_length=1, max_length=120)
    size: int | None = Field(default=None, ge=1, le=2**40)
    captured_at: datetime | None = None

    @field_validator("captured_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("use a time with a time zone")
        return value


class ClientEventIn(TabIn):
    """What the page saw: leaving and returning to the page, losing and regaining network."""

    kind: Literal["tab_hidden", "tab_visible", "offline", "online", "window_blur"]
    question_id: str = Field(default="", max_length=80)
    seconds: float | None = Field(default=None, ge=0, le=86_400)


class HeartbeatIn(TabIn):
    question_id: str = Field(default="", max_length=80)


class AskIn(BaseModel):
    question: str = Field(min_length=2, max_length=500)


class QuestionView(BaseModel):
    """One question as the candidate page shows it, with its clock and saved answer."""

    id: str
    index: int
    kind: str
    text: str
    time_limit_s: int
    status: str
    mode: str
    draft: str = ""
    started: bool
    remaining_s: float
    accepting: bool
    attempts: int
    rerecords_left: int
    media_status: str = ""
    media_error: str = ""
    added_by_hr: bool = False
    # a coding question: statement, starter code, examples, languages, the latest run
    coding: dict[str, Any] | None = None


class CodeRunIn(TabIn):
    """The candidate's code, to run on the examples or to hand in (the hidden tests too)."""

    mode: Literal["run", "submit"]
    language: str = Field(max_length=40)
    # the size limit is checked by the service, with a message saying it
    code: str = Field(max_length=1024 * 1024)


class CodeRunOut(BaseModel):
    """A run of the candidate's code: ``queued`` (``waiting``: no sandbox worker took it
    yet), ``done`` with the result, or ``refused`` with the grader's reason."""

    id: int
    question_id: str
    mode: str
    language: str
    status: str
    waiting: bool = False
    error: str = ""
    result: dict[str, Any] | None = None


class AskedView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    status: str
    source: str
    quote: str
    hr_answer: str | None = None
    created_at: datetime


class CandidateStateOut(BaseModel):
    """Everything the candidate page needs to draw itself (and to resume after a break)."""

    interview_id: int
    status: str
    language: str
    deadline: datetime
    now: datetime
    notice_version: str
    consent_needed: bool
    human_review_requested: bool
    max_rerecords: int
    questions: list[QuestionView]
    current_question_id: str | None
    answered: int
    total: int
    last_event_id: int
    asked: list[AskedView]
    active_tab: str = ""


class AnswerOut(BaseModel):
    question_id: str
    status: str
    mode: str
    media_status: str = ""
    warning: str = ""
    warning_message: str = ""
    next_question_id: str | None = None


class UploadOut(BaseModel):
    upload_token: str
    received: int
    status: str
    question_id: str


class AskOut(BaseModel):
    id: int
    status: str
    source: str
    quote: str
    similarity: float | None = None


# --------------------------------------------------------------------------- HR


class PushQuestionIn(BaseModel):
    """A supplementary question HR adds to a running interview (SPEC E5)."""

    text: str = Field(min_length=5, max_length=500)
    dimension_id: str | None = Field(default=None, max_length=80)
    time_limit_s: int = Field(default=180, ge=30, le=600)


class AdjustIn(BaseModel):
    """HR's score for one dimension, with the reason (feeds the calibration, SPEC F4)."""

    dimension_id: str = Field(min_length=1, max_length=80)
    score: float = Field(ge=0, le=10)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ConclusionIn(BaseModel):
    conclusion: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
    ]
    decision: Literal["advance", "hold", "reject"]


class FaqIn(BaseModel):
    question: str = Field(min_length=2, max_length=500)
    answer: str = Field(min_length=2, max_length=4000)
    language: Literal["zh-CN", "en", "ja"] = "zh-CN"


class FaqOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    answer: str
    language: str
    updated_at: datetime


class HrAnswerIn(BaseModel):
    answer: str = Field(min_length=2, max_length=4000)


class InterviewOut(BaseModel):
    """One interview in HR's lists."""

    id: int
    candidate_id: int
    candidate_name: str
    opening_id: int
    opening_title: str
    status: str
    deadline: datetime
    started_at: datetime | None
    submitted_at: datetime | None
    scored_at: datetime | None
    job_match: float | None  # in effect: after HR's overrides
    ai_job_match: float | None = None  # the AI's, beside it
    flag_count: int
    speech_pending: bool
    human_review_requested: bool
    # A submitted interview without its report: why (``progress.STATES``), for HR's lists.
    waiting: str | None = None


class LiveOut(BaseModel):
    """An interview in progress as HR's live view shows it (SPEC E5)."""

    id: int
    candidate_name: str
    opening_title: str
    question_index: int | None
    total: int
    question_text: str
    seconds_on_question: float | None
    answered: int
    flag_count: int
    last_seen_at: datetime | None
    online: bool


class AdjustmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dimension_id: str
    # The AI's score before company calibration: what calibrations are fitted on.
    ai_score: float
    # The AI's score as the report states it (after an active calibration): what HR saw.
    ai_report_score: float | None = None
    hr_score: float
    reason: str
    created_by_id: int | None
    created_at: datetime


class CandidateQuestionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    interview_id: int
    opening_id: int
    question: str
    status: str
    source: str
    quote: str
    hr_answer: str | None
    created_at: datetime


class ReportOut(BaseModel):
    """An interview with its report (the engine's JSON), HR's adjustments and the flags."""

    interview: InterviewOut
    report: dict[str, Any] | None  # the AI's report, as scored (``report_sha256``)
    final_report: dict[str, Any] | None = None  # re-derived with HR's scores; None: no override
    report_sha256: str | None
    adjustments: list[AdjustmentOut]
    effective_scores: dict[str, float | None]
    calibrated_dimensions: list[str] = []
    flags: list[dict[str, Any]]
    conclusion: str | None
    decision: str
    record_entry_id: int | None
    final_entry_id: int | None = None


class CalibrationOut(BaseModel):
    id: int
    version: int
    active: bool
    created_at: datetime
    data: dict[str, Any]


class CalibrationFitIn(BaseModel):
    """Fit a new calibration version from the company's adjustments (SPEC F4)."""

    method: Literal["isotonic", "ridge"] = "isotonic"


class AgreementOut(BaseModel):
    """AI-HR agreement on held-out adjustments: mean absolute error and quadratic kappa."""

    n: int
    mae: float
    qwk: float | None


class CalibratedDimensionOut(BaseModel):
    n: int
    method: str
    before: AgreementOut
    after: AgreementOut


class CalibrationVersionOut(BaseModel):
    """One calibration version with its agreement figures (before / after, held out)."""

    id: int
    version: int
    active: bool
    created_at: datetime
    method: str
    corrections: int
    min_corrections: int
    dimensions: dict[str, CalibratedDimensionOut]
    skipped: dict[str, str]
    can_activate: bool

    @classmethod
    def of(cls, row: Any) -> CalibrationVersionOut:
        data = row.data or {}
        return cls(
            id=row.id,
            version=row.version,
            active=row.active,
            created_at=row.created_at,
            method=str(data.get("method", "")),
            corrections=int(data.get("corrections", 0)),
            min_corrections=int(data.get("min_corrections", 0)),
            dimensions={
                key: CalibratedDimensionOut(
                    n=item["n"], method=item["method"], before=item["before"], after=item["after"]
                )
                for key, item in (data.get("dimensions") or {}).items()
            },
            skipped=dict(data.get("skipped") or {}),
            can_activate=bool(data.get("dimensions")),
        )


class TranslatedText(BaseModel):
    original: str
    translation: str


class TranslationOut(BaseModel):
    """A report's answers, highlights and quoted evidence in the reader's language (E7):
    machine translations for reading; the scores were computed on the originals."""

    target: str = Field(description="zh, en or ja")
    provider: str
    texts: list[TranslatedText]
