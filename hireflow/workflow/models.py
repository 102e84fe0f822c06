"""The hiring pipeline (SPEC H1, H2) and interviewer scorecards (SPEC F6).

Stages are identified by a ``key`` that is unique within one list (``round_2``), so a card, a
history row or an API call names a stage the same way whatever its display name. A company's
list (``workflow_company_stages``) is the built-in default until HR edits it; an opening gets
its own ordered copy (``workflow_opening_stages``) the first time one of its candidates moves
or HR edits it, so later company edits never reshuffle a running pipeline.

An application without a ``workflow_positions`` row sits in its opening's first stage since it
applied (version 0). Every move bumps ``version``; a move names the version it saw, so two HR
users moving the same candidate at once cannot both win (the second answers 409).

A scorecard is immutable once submitted: an amendment is a new row (``version`` + 1, with the
reason) and the old row is marked ``superseded_at``. Notes and reasons are personal opinions
about a person: encrypted at rest like interview conclusions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, JSONText, TenantRow, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText
from hireflow.openings.models import scope_via_opening

StageKind = Literal[
    "applied",
    "screened",
    "ai_interview",
    "interview",
    "offer",
    "hired",
    "rejected",
    "withdrawn",
]
Recommendation = Literal["strong_no", "no", "yes", "strong_yes"]
STAGE_KINDS: tuple[str, ...] = get_args(StageKind)
# Kinds an application cannot leave: the person was hired or withdrew themselves.
FINAL_KINDS = frozenset({"hired", "withdrawn"})
RECOMMENDATIONS: tuple[str, ...] = get_args(Recommendation)
CONCLUSIONS = ("advance", "hold", "reject")


class _TenantRow:
    # Not core.db.TenantRow: these tables were made with id and tenant_id after their own columns.
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)


class _ListEntry(_TenantRow):
    """An entry of an ordered list HR edits: a key unique in the list, a name per language."""

    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    position: Mapped[int] = mapped_column(default=0)


class _OpeningRow(_TenantRow):
    """A row about one application (or one opening), removed with its opening."""

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))


class CompanyStage(_ListEntry, Base):
    """One stage of a company's default pipeline (copied into each opening when used)."""

    __tablename__ = "workflow_company_stages"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    kind: Mapped[str] = mapped_column(String(20))


class FamilyStage(_ListEntry, Base):
    """One stage of the company's template for openings of one job family (``openings.
    job_type``): such an opening starts with it instead of the company's list."""

    __tablename__ = "workflow_family_stages"
    __table_args__ = (UniqueConstraint("tenant_id", "job_family", "key"),)

    job_family: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))


class OpeningStage(_ListEntry, Base):
    """One stage of an opening's own ordered pipeline."""

    __tablename__ = "workflow_opening_stages"
    __table_args__ = (UniqueConstraint("opening_id", "key"),)

    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))


class RejectionReason(_ListEntry, Base):
    """A reason HR picks when rejecting someone (the company's list)."""

    __tablename__ = "workflow_rejection_reasons"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)


class WorkflowSettings(Base):
    """A company's pipeline settings (one row once HR changed a default)."""

    __tablename__ = "workflow_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    # Interviewers see neither colleagues' scorecards nor the AI's scores before submitting
    # their own (against anchoring); on unless the company turns it off.
    blind_scorecards: Mapped[bool] = mapped_column(default=True)
    # Stage keys whose entry is announced in the company's hiring-group chats (WeCom,
    # DingTalk, Feishu robots); none by default.
    notify_stages: Mapped[list[str]] = mapped_column(JSONText(), default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PipelinePosition(_OpeningRow, Base):
    """Where one application stands: its stage, since when, and the version moves check."""

    __tablename__ = "workflow_positions"
    __table_args__ = (Index("ix_workflow_positions_opening_stage", "opening_id", "stage_key"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    stage_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StageMove(_OpeningRow, Base):
    """One move of one application (the stage history); also an entry on the record."""

    __tablename__ = "workflow_stage_moves"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    from_key: Mapped[str] = mapped_column(String(40))
    to_key: Mapped[str] = mapped_column(String(40))
    # Seconds the application spent in ``from_key`` before this move (time in stage).
    seconds_in_stage: Mapped[int] = mapped_column(default=0)
    reason_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str | None] = mapped_column(
        EncryptedText("workflow_stage_moves.note"), nullable=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(default=1)
    record_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Scorecard(_OpeningRow, Base):
    """One interviewer's ratings of one application in one interview round (one version)."""

    __tablename__ = "workflow_scorecards"
    __table_args__ = (
        UniqueConstraint("application_id", "round_key", "interviewer_id", "version"),
        Index("ix_workflow_scorecards_application", "application_id", "round_key"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    round_key: Mapped[str] = mapped_column(String(40))
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    # competency id -> anchor level 1..5 (the levels of the competency model's anchors)
    ratings: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    recommendation: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(
        EncryptedText("workflow_scorecards.notes"), nullable=True
    )
    amend_reason: Mapped[str | None] = mapped_column(
        EncryptedText("workflow_scorecards.amend_reason"), nullable=True
    )
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("workflow_scorecards.id"), nullable=True
    )
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Conclusion(_OpeningRow, Base):
    """HR's final conclusion on an application after its scorecards (a later one replaces it
    on the page; each is on the person's record)."""

    __tablename__ = "workflow_conclusions"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(EncryptedText("workflow_conclusions.reason"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    record_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


RULE_TRIGGERS = (
    "stage.changed",
    "report.ready",
    "scorecards.completed",
    "offer.answered",
    "stage.stale",
)
ACTION_TYPES = ("move", "next_round", "notify_manager", "todo")
# A rule log row: waiting for the worker, being evaluated, and its outcome.
LOG_STATUSES = ("pending", "fired", "not_fired", "failed")
TASK_KINDS = ("todo", "confirm_reject")


class AutomationRule(TenantRow, Base):
    """A rule of an opening: on ``trigger``, if ``condition`` holds (rule-engine text), do
    ``actions`` (a list of ``{"type": ..., ...}``). ``stage_key`` narrows it to candidates in
    that stage (required for ``stage.stale``, with ``stale_days``)."""

    __tablename__ = "workflow_rules"
    __table_args__ = (Index("ix_workflow_rules_opening_trigger", "opening_id", "trigger"),)

    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    trigger: Mapped[str] = mapped_column(String(40))
    stage_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    stale_days: Mapped[int | None] = mapped_column(nullable=True)
    condition: Mapped[str] = mapped_column(String(2000))
    actions: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The actions run in the worker with this person's rights (refused if they lost them).
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RuleLog(TenantRow, Base):
    """One rule meeting one event for one application: the idempotency key (a redelivered
    event finds its row) and the candidate's rule log (what fired, what it did, or why not).
    ``facts`` are the values the condition saw (ids and numbers only), ``outcome`` one entry
    per action."""

    __tablename__ = "workflow_rule_logs"
    __table_args__ = (
        UniqueConstraint("rule_id", "event_id"),
        Index("ix_workflow_rule_logs_application", "application_id", "created_at"),
    )

    rule_id: Mapped[int] = mapped_column(ForeignKey("workflow_rules.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(80))
    event_name: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    facts: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    outcome: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RuleTask(Base):
    """An item on HR's list left by a rule: a to-do, or a rejection waiting for a human
    (a rule never rejects a person by itself: PIPL Art. 24, EU AI Act Art. 14)."""

    __tablename__ = "workflow_rule_tasks"
    __table_args__ = (
        UniqueConstraint("log_id", "kind"),
        Index("ix_workflow_rule_tasks_open", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("workflow_rules.id", ondelete="SET NULL"), nullable=True
    )
    log_id: Mapped[int] = mapped_column(ForeignKey("workflow_rule_logs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | dismissed
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


for _model in (
    OpeningStage,
    PipelinePosition,
    StageMove,
    Scorecard,
    Conclusion,
    AutomationRule,
    RuleLog,
    RuleTask,
):
    # Rows about one application are visible exactly like its opening.
    register_scope(_model, scope_via_opening(_model.opening_id, _model.tenant_id))  # type: ignore[attr-defined]
register_scope(CompanyStage, Scope(tenant=CompanyStage.tenant_id))
register_scope(RejectionReason, Scope(tenant=RejectionReason.tenant_id))
register_scope(WorkflowSettings, Scope(tenant=WorkflowSettings.tenant_id))

__all__ = [
    "ACTION_TYPES",
    "CONCLUSIONS",
    "FINAL_KINDS",
    "LOG_STATUSES",
    "RECOMMENDATIONS",
    "RULE_TRIGGERS",
    "STAGE_KINDS",
    "TASK_KINDS",
    "AutomationRule",
    "CompanyStage",
    "Conclusion",
    "OpeningStage",
    "PipelinePosition",
    "RejectionReason",
    "RuleLog",
    "RuleTask",
    "Scorecard",
    "StageMove",
    "WorkflowSettings",
]
