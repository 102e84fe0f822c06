"""Moving applications through an opening's pipeline (SPEC H1, H2).

One move, in one transaction: the position's optimistic version check, a stage-history row,
an entry on the person's record timeline (and their record status where the stage says one),
the coarse ``Application.stage`` and the audit row. A move names the version the caller saw;
a concurrent move answers 409 instead of silently overwriting the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, ValidationFailed
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.rows import shaped
from hireflow.openings.models import Opening
from hireflow.records import service as records
from hireflow.records.timeline import find_record
from hireflow.workflow import schemas
from hireflow.workflow.defaults import APPLICATION_STAGE, RECORD_STATUS
from hireflow.workflow.models import FINAL_KINDS, PipelinePosition, StageMove
from hireflow.workflow.stages import (
    Reason,
    Stage,
    by_key,
    freeze_opening_stages,
    opening_stages,
    rejection_reasons,
)


class StaleVersion(AppError):
    status = 409
    code = "stale_version"
    message = N_("Someone else moved this candidate in the meantime. Reload and try again.")


NOW_IN = N_(
    "Someone else moved this candidate in the meantime (now in “%(stage)s”, version "
    "%(version)s). Reload and try again."
)


class ApplicationClosed(AppError):
    status = 409
    code = "application_closed"
    message = N_("This application is closed (%(stage)s) and cannot be moved.")


@dataclass(frozen=True)
class Position:
    """Where an application stands (a stored row, or its first stage since it applied)."""

    application: Application
    stage: Stage
    version: int
    entered_at: datetime
    reason_key: str | None
    row: PipelinePosition | None

    def seconds_in_stage(self, now: datetime) -> int:
        return max(0, int((now - self.entered_at).total_seconds()))


def visible_application(
    session: Session, principal: Principal, application_id: int, capability: str
) -> Application:
    """The application if the caller may act on it for ``capability``, else 404."""
    return require_visible(session, Application, application_id, principal, capability)


def current_position(session: Session, application: Application, stages: list[Stage]) -> Position:
    row = session.scalars(
        select(PipelinePosition).where(PipelinePosition.application_id == application.id)
    ).first()
    if row is None:
        return Position(application, stages[0], 0, application.created_at, None, None)
    stage = by_key(stages, row.stage_key) or Stage(row.stage_key, "applied", {}, -1)
    return Position(application, stage, row.version, row.entered_at, row.reason_key, row)


def position_out(position: Position, language: str, now: datetime) -> schemas.PositionOut:
    return schemas.PositionOut(
        application_id=position.application.id,
        candidate_id=position.application.candidate_id,
        opening_id=position.application.opening_id,
        stage=position.stage.key,
        stage_label=position.stage.label(language),
        version=position.version,
        entered_at=position.entered_at,
        seconds_in_stage=position.seconds_in_stage(now),
        reason=position.reason_key,
    )


@dataclass(frozen=True)
class MoveRequest:
    to: str
    version: int
    reason: str | None = None
    note: str = ""


def _target(stages: list[Stage], key: str) -> Stage:
    target = by_key(stages, key)
    if target is None:
        raise ValidationFailed(
            N_("Unknown stage “%(stage)s”; choose one of this opening's stages."),
            params={"stage": key},
            fields={"to": "unknown"},
        )
    return target


def _reason(session: Session, tenant_id: int, target: Stage, key: str | None) -> Reason | None:
    if target.kind != "rejected":
        return None
    if not key:
        raise ValidationFailed(
            N_("A rejection needs a reason from the company's list."), fields={"reason": "required"}
        )
    reason = next((r for r in rejection_reasons(session, tenant_id) if r.key == key), None)
    if reason is None:
        raise ValidationFailed(
            N_("Unknown rejection reason “%(reason)s”."),
            params={"reason": key},
            fields={"reason": "unknown"},
        )
    return reason


def _check(position: Position, target: Stage, version: int, language: str) -> None:
    if position.stage.kind in FINAL_KINDS:
        raise ApplicationClosed(
            params={"stage": position.stage.label(language)}, fields={"to": "closed"}
        )
    if version != position.version:
        raise StaleVersion(
            NOW_IN,
            params={"stage": position.stage.label(language), "version": position.version},
            fields={"version": "stale"},
        )
    if target.key == position.stage.key:
        raise Conflict(
            N_("The candidate is already in “%(stage)s”."),
            params={"stage": target.label(language)},
            fields={"to": "same"},
        )


def _store_position(
    session: Session, position: Position, target: Stage, reason: Reason | None, now: datetime
) -> int:
    """Write the new stage if nobody moved it since ``position`` was read; the new version."""
    application = position.application
    reason_key = reason.key if reason else None
    if position.row is None:
        row = PipelinePosition(
            tenant_id=application.tenant_id,
            application_id=application.id,
            opening_id=application.opening_id,
            stage_key=target.key,
            version=1,
            entered_at=now,
            reason_key=reason_key,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            raise StaleVersion(fields={"version": "stale"}) from None
        return 1
    result = session.execute(
        update(PipelinePosition)
        .where(PipelinePosition.id == position.row.id, PipelinePosition.version == position.version)
        .values(
            stage_key=target.key,
            version=position.version + 1,
            entered_at=now,
            reason_key=reason_key,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleVersion(fields={"version": "stale"})
    session.expire(position.row)
    return position.version + 1


def _note_on_record(
    session: Session,
    principal: Principal,
    position: Position,
    target: Stage,
    reason: Reason | None,
    note: str,
    seconds: int,
) -> int:
    """The move on the person's timeline (and their status, where the stage sets one)."""
    application = position.application
    language = principal.language
    data: dict[str, str] = {
        "stage": target.label(language),
        "previous_stage": position.stage.label(language),
    }
    if reason is not None:
        data["reason"] = reason.label(language)
    if note:
        data["note"] = note
    entry = records.append_entry(
        session,
        principal,
        application.candidate_id,
        "application",
        data=data,
        source="pipeline",
        facts={
            "stage": target.key,
            "previous_stage": position.stage.key,
            "reason": reason.key if reason else None,
            "days_in_stage": round(seconds / 86400, 1),
        },
        opening_id=application.opening_id,
        commit=False,
    )
    status = RECORD_STATUS.get(target.kind)
    record = find_record(session, application.candidate_id)
    if status and (record is None or record.status != status):
        records.set_status(
            session,
            principal,
            application.candidate_id,
            status,
            source="pipeline",
            reason=reason.label(language) if reason else None,
            opening_id=application.opening_id,
            commit=False,
        )
    return entry.id


def apply_move(
    session: Session,
    principal: Principal,
    application: Application,
    stages: list[Stage],
    request: MoveRequest,
    now: datetime,
) -> Position:
    """One move inside the caller's transaction (no commit)."""
    language = principal.language
    target = _target(stages, request.to)
    position = current_position(session, application, stages)
    _check(position, target, request.version, language)
    reason = _reason(session, application.tenant_id, target, request.reason)
    seconds = position.seconds_in_stage(now)
    version = _store_position(session, position, target, reason, now)
    note = request.note.strip()
    entry_id = _note_on_record(session, principal, position, target, reason, note, seconds)
    session.add(
        StageMove(
            tenant_id=application.tenant_id,
            application_id=application.id,
            opening_id=application.opening_id,
            from_key=position.stage.key,
            to_key=target.key,
            seconds_in_stage=seconds,
            reason_key=reason.key if reason else None,
            note=note or None,
            actor_id=principal.user_id,
            version=version,
            record_entry_id=entry_id,
            moved_at=now,
        )
    )
    application.stage = APPLICATION_STAGE.get(target.kind, application.stage)
    audit.record(
        session,
        "pipeline.moved",
        actor=principal,
        target_type="application",
        target_id=application.id,
        old={"stage": position.stage.key, "version": position.version},
        new={"stage": target.key, "version": version, "reason": reason.key if reason else None},
    )
    events.publish(
        session,
        "stage.changed",
        application.tenant_id,
        f"application:{application.id}",
        {
            "application_id": application.id,
            "opening_id": application.opening_id,
            "from": position.stage.key,
            "to": target.key,
            "reason": reason.key if reason else None,
            "actor": principal.user_id,
            "version": version,
        },
    )
    return Position(application, target, version, now, reason.key if reason else None, None)


def move(
    session: Session,
    principal: Principal,
    application_id: int,
    request: MoveRequest,
    *,
    now: datetime | None = None,
) -> Position:
    """Move one application to another stage of its opening."""
    now = now or utcnow()
    application = visible_application(session, principal, application_id, "pipeline.move")
    stages = freeze_opening_stages(session, application.opening)
    position = apply_move(session, principal, application, stages, request, now)
    session.commit()
    return position


@dataclass(frozen=True)
class BulkResult:
    moved: list[Position]
    refused: list[tuple[int, AppError]]


def bulk_move(
    session: Session,
    principal: Principal,
    opening_id: int,
    items: list[tuple[int, int]],
    to: str,
    *,
    reason: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> BulkResult:
    """Move several applications of one opening; each (id, version) succeeds or is refused
    on its own (a stale or closed one does not hold up the rest)."""
    now = now or utcnow()
    require(principal, "pipeline.move")
    opening = get_visible_opening(session, principal, opening_id, "pipeline.move")
    stages = freeze_opening_stages(session, opening)
    target = _target(stages, to)
    _reason(session, opening.tenant_id, target, reason)  # refuse the whole batch up front
    moved: list[Position] = []
    refused: list[tuple[int, AppError]] = []
    for application_id, version in items:
        application = session.get(Application, application_id)
        if application is None or application.opening_id != opening.id:
            refused.append(
                (application_id, ValidationFailed(N_("Not an application of this opening.")))
            )
            continue
        try:
            with session.begin_nested():
                request = MoveRequest(to, version, reason, note)
                moved.append(apply_move(session, principal, application, stages, request, now))
        except AppError as exc:
            refused.append((application_id, exc))
    session.commit()
    return BulkResult(moved, refused)


def get_visible_opening(
    session: Session, principal: Principal, opening_id: int, capability: str
) -> Opening:
    return require_visible(session, Opening, opening_id, principal, capability)


@dataclass(frozen=True)
class History:
    application: Application
    moves: list[StageMove]
    stages: list[Stage]
    reasons: list[Reason]


def history(session: Session, principal: Principal, application_id: int) -> History:
    """The application's moves, oldest first, with its opening's stages to name them."""
    application = visible_application(session, principal, application_id, "pipeline.read")
    moves = session.scalars(
        select(StageMove)
        .where(StageMove.application_id == application.id)
        .order_by(StageMove.moved_at, StageMove.id)
    ).all()
    return History(
        application,
        list(moves),
        opening_stages(session, application.opening),
        rejection_reasons(session, application.tenant_id),
    )


def move_out(
    move: StageMove, known: list[Stage], reasons_known: list[Reason], language: str
) -> schemas.MoveOut:
    """One history row, stage and reason names in ``language`` (a removed one by its key)."""
    names = {s.key: s.label(language) for s in known}
    reasons = {r.key: r.label(language) for r in reasons_known}
    return shaped(
        schemas.MoveOut,
        move,
        from_stage=move.from_key,
        to_stage=move.to_key,
        from_label=names.get(move.from_key, move.from_key),
        to_label=names.get(move.to_key, move.to_key),
        reason=move.reason_key,
        reason_label=reasons.get(move.reason_key) if move.reason_key else None,
    )
