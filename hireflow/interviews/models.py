"""Tables of the one-way AI interview (SPEC E1, E3, E5, E6, E9, F1, F4, G1).

An :class:`InterviewSession` is one candidate's interview for one AI invitation: the questions
and competency model are copied in when it is created (a later edit of the opening's plan never
changes a running interview), and its ``status`` follows the pure state machine in
:mod:`hireflow.interviews.state`. Answers, resumable uploads, the event log (proctoring flags,
live events for the candidate page and HR's live view), the stored report (one per interview,
enforced by a unique index: the report arrives exactly once), HR's score adjustments, the
company FAQ and the candidate's own questions hang off it.

Personal data at rest: answer texts, transcripts, candidate questions and the report (which
quotes answers) are AES-256-GCM columns (``hireflow.core.pii.EncryptedText``); recordings
are stored encrypted in the candidate's residency region until they land in the HR record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hireflow.candidates.models import Candidate, own_candidate
from hireflow.core import pii
from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText
from hireflow.core.versions import VALIDITY, versioned
from hireflow.openings.models import Opening, openings_of_member, scope_via_opening

ANSWER_MODES = ("text", "voice", "video")
ANSWER_STATUSES = ("open", "draft", "answered", "skipped")
# What happened to an answer's recording: being uploaded, stored, transcribed (and observed),
# waiting for the speech extra, or refused by the media checks.
MEDIA_STATUSES = ("", "uploading", "stored", "processed", "speech_pending", "failed")
UPLOAD_STATUSES = ("open", "complete", "failed", "replaced")
QUESTION_STATUSES = ("answered", "forwarded", "answered_by_hr")


class InterviewSession(TenantRow, TimestampMixin, Base):
    """One candidate's one-way AI interview for one invitation.

    ``questions`` is a list of ``hireflow.scoring.models.question_to_dict`` (plus questions HR
    pushed while it ran), ``model`` the competency model dict used to score it, ``plan_source``
    whether the opening had a plan (``opening``) or one was generated from presets
    (``preset``). ``active_tab`` is the browser tab that may write (two tabs: the newest
    wins, the older one is told). ``scoring_lease_until`` marks a scoring run in progress; a
    run whose worker died leaves an expired lease that the recovery sweep picks up.
    """

    __tablename__ = "interview_sessions"
    __table_args__ = (
        Index("ix_interview_sessions_tenant_status", "tenant_id", "status"),
        Index("ix_interview_sessions_updated_at", "updated_at"),  # analytics: what changed
        # a person's interview for an opening (validity's hired rows, the workflow)
        Index("ix_interview_sessions_candidate_opening", "candidate_id", "opening_id"),
    )

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="invited")
    language: Mapped[str] = mapped_column(String(10), default="zh")
    questions: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    model: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    plan_source: Mapped[str] = mapped_column(String(20), default="opening")
    max_rerecords: Mapped[int] = mapped_column(default=1)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consent_version: Mapped[str] = mapped_column(String(40), default="")
    human_review_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    conclusion: Mapped[str | None] = mapped_column(
        EncryptedText("interview_sessions.conclusion"), nullable=True
    )
    decision: Mapped[str] = mapped_column(String(20), default="")
    current_question: Mapped[str] = mapped_column(String(80), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active_tab: Mapped[str] = mapped_column(String(40), default="")
    tab_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    flag_count: Mapped[int] = mapped_column(default=0)
    speech_pending: Mapped[bool] = mapped_column(default=False)
    scoring_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    scoring_attempts: Mapped[int] = mapped_column(default=0)
    scoring_error: Mapped[str] = mapped_column(String(200), default="")

    opening: Mapped[Opening] = relationship()
    candidate: Mapped[Candidate] = relationship()
    answers: Mapped[list[InterviewAnswer]] = relationship(
        back_populates="interview",
        cascade="all, delete-orphan",
        order_by="InterviewAnswer.position",
    )


class InterviewAnswer(TenantRow, TimestampMixin, Base):
    """The candidate's answer to one question: text, or a recording and its transcript.

    ``attempts`` counts recordings (and restarts of a question whose time ran out while the
    candidate was away); ``max_rerecords`` on the session bounds it. The recording itself is
    stored encrypted under ``media_key`` until the scoring pipeline lands it in the HR record
    (``attachment_id``), after which this copy is deleted.
    """

    __tablename__ = "interview_answers"
    __table_args__ = (
        UniqueConstraint("interview_id", "question_id"),
        # the speech backlog (interviews/health.py) is read on /healthz, /system and /metrics
        Index("ix_interview_answers_media_status", "media_status", "answered_at"),
        Index("ix_interview_answers_updated_at", "updated_at"),  # analytics: what changed
    )

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    mode: Mapped[str] = mapped_column(String(10), default="text")
    text: Mapped[str] = mapped_column(EncryptedText("interview_answers.text"), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    restarts: Mapped[int] = mapped_column(default=0)
    media_status: Mapped[str] = mapped_column(String(20), default="")
    media_key: Mapped[str] = mapped_column(String(300), default="")
    media_wrapped_key: Mapped[str | None] = mapped_column(
        Text, nullable=True, info=pii.wrapped_key()
    )
    media_region: Mapped[str] = mapped_column(String(10), default="")
    media_type: Mapped[str] = mapped_column(String(120), default="")
    media_size: Mapped[int] = mapped_column(BigInteger, default=0)
    media_duration: Mapped[float | None] = mapped_column(nullable=True)
    media_error: Mapped[str] = mapped_column(String(40), default="")
    media_captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    transcript: Mapped[str | None] = mapped_column(
        EncryptedText("interview_answers.transcript"), nullable=True
    )
    # Segments with times (for highlights in playback); their text is personal, so encrypted.
    segments: Mapped[str | None] = mapped_column(
        EncryptedText("interview_answers.segments"), nullable=True
    )
    transcript_language: Mapped[str] = mapped_column(String(10), default="")
    speech: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    vision: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_attachments.id"), nullable=True
    )

    interview: Mapped[InterviewSession] = relationship(back_populates="answers")


class InterviewUpload(TenantRow, Base):
    """A resumable upload of one recording, stored chunk by chunk (each chunk encrypted).

    The client sends chunks at explicit offsets; a chunk at the wrong offset is refused with
    the offset the server has, so a dropped connection resumes where it broke and a chunk sent
    twice is never stored twice. ``chunks`` lists ``[storage key, wrapped key, size]``.
    """

    __tablename__ = "interview_uploads"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("interview_answers.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(40), unique=True)
    mode: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    declared_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    region: Mapped[str] = mapped_column(String(10))
    chunks: Mapped[list[Any]] = mapped_column(
        JSONText(), default=list, info=pii.wrapped_keys_listed(1)
    )
    status: Mapped[str] = mapped_column(String(20), default="open")
    error: Mapped[str] = mapped_column(String(40), default="")
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InterviewEvent(TenantRow, Base):
    """Something that happened during an interview, in order (``id``).

    Proctoring observations (``tab_hidden``, ``face_missing``, ``several_faces``...) are
    *flags* for HR: they never enter a score. Events the candidate page needs
    (``question_added``, ``hr_answer``, ``tab_superseded``) are read from here by the live
    stream, which makes the table the durable side of the pub/sub channel: a reconnecting page
    asks for events after the last id it saw.
    """

    __tablename__ = "interview_events"
    __table_args__ = (Index("ix_interview_events_stream", "interview_id", "id"),)

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    question_id: Mapped[str] = mapped_column(String(80), default="")
    is_flag: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InterviewReport(TenantRow, Base):
    """The engine's report of one interview (``Report.to_json``), stored exactly once.

    The unique ``interview_id`` is what makes a scoring run that is repeated (a redelivered
    task, a recovery sweep racing a slow worker) unable to store a second report. ``body`` is
    encrypted because reports quote the candidate; ``scores`` (dimension -> 0-10) and
    ``job_match`` are plain numbers for lists and statistics.

    ``body`` and its ``sha256`` stay the AI's report forever. When HR overrides scores the
    report as it reads with the final scores (summary, strengths, gaps and job match
    re-derived) is ``final_body``, with ``final_scores`` / ``final_job_match`` for lists and
    rankings and ``final_entry_id`` the record entry that states it (None: no override).
    """

    __tablename__ = "interview_reports"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), unique=True
    )
    body: Mapped[str] = mapped_column(EncryptedText("interview_reports.body"))
    sha256: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(40))
    scores: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    job_match: Mapped[float | None] = mapped_column(nullable=True)
    record_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    final_body: Mapped[str | None] = mapped_column(
        EncryptedText("interview_reports.final_body"), nullable=True
    )
    final_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    final_job_match: Mapped[float | None] = mapped_column(nullable=True)
    final_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    adjusted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def effective_job_match(self) -> float | None:
        """Job match in effect: the re-derived one after an HR override, else the AI's."""
        return self.final_job_match if self.adjusted_at is not None else self.job_match


class ScoreAdjustment(Base):
    """HR's score for one dimension of one interview, with the reason (SPEC F4).

    The AI's original (uncalibrated) score and the features it came from are kept beside it:
    together they are a calibration correction for the company and dimension. The newest row
    per (interview, dimension) is the score in effect; older ones stay as history.
    """

    __tablename__ = "interview_score_adjustments"
    __table_args__ = (
        Index("ix_interview_score_adjustments_calibration", "tenant_id", "dimension_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    dimension_id: Mapped[str] = mapped_column(String(80))
    ai_score: Mapped[float] = mapped_column()
    hr_score: Mapped[float] = mapped_column()
    reason: Mapped[str] = mapped_column(EncryptedText("interview_score_adjustments.reason"))
    features: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CompanyCalibration(TenantRow, Base):
    """A fitted calibration of a company's AI scores (``CompanyCalibration.to_dict``).

    Fitted from the company's score adjustments; inactive until HR switches it on after
    reading the before/after agreement figures. At most one row per company is active.
    """

    __tablename__ = "interview_calibrations"

    version: Mapped[int] = mapped_column(default=1)
    data: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    active: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CompanyFaq(TenantRow, TimestampMixin, Base):
    """A question and answer HR wrote for candidates (promotion path, hours, team...).

    The candidate's own questions during an interview are answered from these and from the
    opening's description, by retrieval (:mod:`hireflow.interviews.qa`).
    """

    __tablename__ = "interview_faqs"

    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class CandidateQuestion(TenantRow, Base):
    """A question the candidate asked about the job (SPEC E6) and how it was answered.

    ``status``: ``answered`` from a source passage (``source`` is ``opening`` or ``faq``,
    ``quote`` the passage), ``forwarded`` to HR when nothing answers it well enough, or
    ``answered_by_hr``.
    """

    __tablename__ = "interview_candidate_questions"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    question: Mapped[str] = mapped_column(EncryptedText("interview_candidate_questions.question"))
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="")
    faq_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_faqs.id", ondelete="SET NULL"), nullable=True
    )
    quote: Mapped[str] = mapped_column(Text, default="")
    similarity: Mapped[float | None] = mapped_column(nullable=True)
    hr_answer: Mapped[str | None] = mapped_column(
        EncryptedText("interview_candidate_questions.hr_answer"), nullable=True
    )
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


CODE_RUN_MODES = ("run", "submit")
# queued: waiting for a sandbox worker (it may be down: the run is kept and taken when one
# comes back); done: the result is stored; refused: the grader refused the submission as sent.
CODE_RUN_STATUSES = ("queued", "done", "refused")


class InterviewCodeRun(TenantRow, Base):
    """One run of the candidate's code on a coding question (SPEC E8).

    ``mode`` ``run`` grades against the visible examples, ``submit`` against the examples,
    the hidden tests and the efficiency sizes, and hands the answer in. The code runs only on
    the sandbox workers (``coding.grade_submission`` on the ``sandbox`` queue); ``task_id``
    finds its result, which is copied into ``result`` (``SubmissionResult.to_dict``) when it
    arrives. The code and the result (which quotes it) are personal data: encrypted.
    """

    __tablename__ = "interview_code_runs"
    __table_args__ = (Index("ix_interview_code_runs_question", "interview_id", "question_id"),)

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(80))
    coding_id: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(EncryptedText("interview_code_runs.code"))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    task_id: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    result: Mapped[str | None] = mapped_column(
        EncryptedText("interview_code_runs.result"), nullable=True
    )
    error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- permission scopes ------------------------------------------------------------------------


def _opening_rows(column: Any) -> dict[str, Any]:
    """Scope callables for rows that belong to an opening through ``column``."""
    return {
        "in_subsidiaries": lambda ids: column.in_(
            select(Opening.id).where(Opening.subsidiary_id.in_(ids))
        ),
        "in_departments": lambda ids: column.in_(
            select(Opening.id).where(Opening.department_id.in_(ids))
        ),
        "member_of": lambda user_id: column.in_(openings_of_member(user_id)),
    }


def _through_interview(column: Any, make: Any) -> Any:
    return lambda arg: column.in_(select(InterviewSession.id).where(make(arg)))


def _interview_rows(column: Any) -> dict[str, Any]:
    """Scope callables for rows that belong to an interview through ``column``."""
    by_opening = _opening_rows(InterviewSession.opening_id)
    return {name: _through_interview(column, make) for name, make in by_opening.items()}


register_scope(
    InterviewSession,
    scope_via_opening(
        InterviewSession.opening_id,
        InterviewSession.tenant_id,
        is_self=own_candidate(InterviewSession.candidate_id),
    ),
)
for _model in (
    InterviewAnswer,
    InterviewEvent,
    InterviewReport,
    ScoreAdjustment,
    InterviewCodeRun,
):
    register_scope(
        _model,
        Scope(tenant=_model.tenant_id, **_interview_rows(_model.interview_id)),  # type: ignore[attr-defined]
    )
register_scope(
    CandidateQuestion,
    scope_via_opening(CandidateQuestion.opening_id, CandidateQuestion.tenant_id),
)
# Company-wide: the FAQ and the calibration belong to the tenant, not to an opening.
register_scope(CompanyFaq, Scope(tenant=CompanyFaq.tenant_id))
register_scope(CompanyCalibration, Scope(tenant=CompanyCalibration.tenant_id))

# predictive validity's kept answers read the scores in effect (interview sessions and their
# invitations are fixed when created, before their report, so the report's insert covers them)
versioned(
    InterviewReport, VALIDITY, ("tenant_id", "interview_id", "scores", "final_scores", "created_at")
)
versioned(ScoreAdjustment, VALIDITY)
