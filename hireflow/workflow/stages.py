"""Stage lists (company and opening), rejection reasons and the company's pipeline settings.

Reads never write: a company without its own list reads the built-in one, an opening without
its own copy reads its company's. :func:`freeze_opening_stages` writes the opening's copy, in
the caller's transaction, the first time something depends on it (a move, an edit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core import audit
from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.rows import company_row
from hireflow.openings.models import Opening
from hireflow.workflow import schemas
from hireflow.workflow.defaults import DEFAULT_REASONS, DEFAULT_STAGES, pick
from hireflow.workflow.models import (
    CompanyStage,
    FamilyStage,
    OpeningStage,
    PipelinePosition,
    RejectionReason,
    WorkflowSettings,
)


@dataclass(frozen=True)
class Stage:
    key: str
    kind: str
    name: dict[str, Any]
    position: int

    def label(self, language: str) -> str:
        return pick(self.name, language) or self.key


@dataclass(frozen=True)
class Reason:
    key: str
    name: dict[str, Any]

    def label(self, language: str) -> str:
        return pick(self.name, language) or self.key


def _stages(rows: Any) -> list[Stage]:
    return [Stage(r.key, r.kind, dict(r.name or {}), r.position) for r in rows]


def _defaults() -> list[Stage]:
    return [Stage(s["key"], s["kind"], dict(s["name"]), i) for i, s in enumerate(DEFAULT_STAGES)]


def _ordered_rows(session: Session, model: Any, owner: Any, owner_id: int) -> Sequence[Any]:
    """A stored list's rows in their order (none while the list was never edited)."""
    return session.scalars(select(model).where(owner == owner_id).order_by(model.position)).all()


def company_stages(session: Session, tenant_id: int) -> list[Stage]:
    """The company's stage list: its own when HR edited it, else the built-in one."""
    rows = _ordered_rows(session, CompanyStage, CompanyStage.tenant_id, tenant_id)
    return _stages(rows) if rows else _defaults()


def family_stages(session: Session, tenant_id: int, family: str) -> list[Stage]:
    """What an opening of job family ``family`` starts with: the company's template for the
    family (:mod:`hireflow.workflow.stage_templates`), else the company's list."""
    rows = session.scalars(
        select(FamilyStage)
        .where(FamilyStage.tenant_id == tenant_id, FamilyStage.job_family == family)
        .order_by(FamilyStage.position)
    ).all()
    return _stages(rows) if rows else company_stages(session, tenant_id)


def opening_stages(session: Session, opening: Opening) -> list[Stage]:
    """The opening's ordered stages: its own copy, else its job family's template, else its
    company's list."""
    rows = _ordered_rows(session, OpeningStage, OpeningStage.opening_id, opening.id)
    return _stages(rows) if rows else family_stages(session, opening.tenant_id, opening.job_type)


def freeze_opening_stages(session: Session, opening: Opening) -> list[Stage]:
    """The opening's stages, writing its own copy first if it has none (same transaction)."""
    exists = session.scalar(
        select(func.count()).select_from(OpeningStage).where(OpeningStage.opening_id == opening.id)
    )
    if exists:
        return opening_stages(session, opening)
    write_copy_once(session, opening, opening_stages(session, opening))
    return opening_stages(session, opening)


def write_copy_once(session: Session, opening: Opening, stages: list[Stage]) -> None:
    """Store the opening's copy unless a concurrent first move stored it meanwhile (then the
    unique (opening, key) refuses ours and theirs, being the same list, stands)."""
    try:
        with session.begin_nested():
            _write_opening_rows(session, opening, stages)
    except IntegrityError:
        pass


def _write_opening_rows(session: Session, opening: Opening, stages: list[Stage]) -> None:
    session.add_all(
        OpeningStage(
            tenant_id=opening.tenant_id,
            opening_id=opening.id,
            key=s.key,
            kind=s.kind,
            name=s.name,
            position=i,
        )
        for i, s in enumerate(stages)
    )
    session.flush()


def first_stage(stages: list[Stage]) -> Stage:
    return stages[0]


def by_key(stages: list[Stage], key: str) -> Stage | None:
    return next((s for s in stages if s.key == key), None)


def interview_rounds(stages: list[Stage]) -> list[Stage]:
    return [s for s in stages if s.kind == "interview"]


# --------------------------------------------------------------------------- validation


def _refuse_repeated(keys: Iterable[str], message: str, field: str) -> None:
    repeated = [k for k, n in Counter(keys).items() if n > 1]
    if repeated:
        raise ValidationFailed(
            message, params={"keys": ", ".join(repeated)}, fields={field: "duplicate"}
        )


def _check_list(stages: list[schemas.StageIn]) -> None:
    """A usable pipeline: unique keys, starts at an open stage, has a rejection stage."""
    _refuse_repeated(
        (s.key for s in stages), N_("Stage keys must be unique; repeated: %(keys)s"), "stages"
    )
    if stages[0].kind in ("hired", "rejected", "withdrawn", "offer"):
        raise ValidationFailed(
            N_("The first stage is where applications start; it cannot be a closing stage."),
            fields={"stages": "first"},
        )
    if not any(s.kind == "rejected" for s in stages):
        raise ValidationFailed(
            N_("The pipeline needs a stage of kind “rejected”."), fields={"stages": "rejected"}
        )


def _occupied(session: Session, opening: Opening, current: list[Stage]) -> dict[str, int]:
    """How many applications stand in each stage of the opening (unmoved ones in the first)."""
    counts = dict(
        session.execute(
            select(PipelinePosition.stage_key, func.count())
            .where(PipelinePosition.opening_id == opening.id)
            .group_by(PipelinePosition.stage_key)
        ).all()
    )
    unmoved = session.scalar(
        select(func.count())
        .select_from(Application)
        .outerjoin(PipelinePosition, PipelinePosition.application_id == Application.id)
        .where(Application.opening_id == opening.id, PipelinePosition.id.is_(None))
    )
    if unmoved and current:
        counts[current[0].key] = counts.get(current[0].key, 0) + int(unmoved)
    return {k: int(v) for k, v in counts.items()}


# --------------------------------------------------------------------------- edits


def replace_company_list(
    session: Session,
    principal: Principal,
    model: Any,
    entries: list[dict[str, Any]],
    action: str,
    new: dict[str, Any],
    old: dict[str, Any] | None = None,
    *,
    part: Mapping[str, Any] | None = None,
) -> None:
    """Replace one of the company's lists (or the ``part`` of it whose columns have these
    values, e.g. one job family's stages) by ``entries`` in their order, audited; commits."""
    part = dict(part or {})
    session.execute(
        delete(model).where(
            model.tenant_id == principal.tenant_id,
            *(getattr(model, column) == value for column, value in part.items()),
        )
    )
    session.add_all(
        model(tenant_id=principal.tenant_id, position=i, **part, **entry)
        for i, entry in enumerate(entries)
    )
    audit.commit_on(session, action, principal, ("tenant", principal.tenant_id), old=old, new=new)


def set_company_stages(
    session: Session, principal: Principal, data: schemas.StageListIn
) -> list[Stage]:
    """Replace the company's default list (openings already using their copy keep it)."""
    require(principal, "pipeline.configure")
    _check_list(data.stages)
    before = {"stages": [s.key for s in company_stages(session, principal.tenant_id)]}
    entries = [{"key": s.key, "kind": s.kind, "name": s.name.model_dump()} for s in data.stages]
    new = {"stages": [s.key for s in data.stages]}
    replace_company_list(
        session, principal, CompanyStage, entries, "pipeline.company_stages_set", new, before
    )
    return company_stages(session, principal.tenant_id)


def set_opening_stages(
    session: Session, principal: Principal, opening_id: int, data: schemas.StageListIn
) -> list[Stage]:
    """Replace an opening's list; a stage that holds applications cannot be removed, and the
    first stage (where unmoved applications stand) keeps its place while any exist."""
    opening = require_visible(session, Opening, opening_id, principal, "pipeline.stages")
    _check_list(data.stages)
    current = opening_stages(session, opening)
    occupied = _occupied(session, opening, current)
    new_keys = {s.key for s in data.stages}
    lost = sorted(k for k, n in occupied.items() if n and k not in new_keys)
    if lost:
        raise Conflict(
            N_("These stages still hold candidates; move them first: %(keys)s"),
            params={"keys": ", ".join(lost)},
            fields={"stages": "occupied"},
        )
    first = current[0].key
    if occupied.get(first) and data.stages[0].key != first:
        raise Conflict(
            N_("The first stage (%(key)s) holds candidates and must stay first."),
            params={"key": first},
            fields={"stages": "first"},
        )
    session.execute(delete(OpeningStage).where(OpeningStage.opening_id == opening.id))
    stages = [Stage(s.key, s.kind, s.name.model_dump(), i) for i, s in enumerate(data.stages)]
    _write_opening_rows(session, opening, stages)
    audit.commit_recorded(
        session,
        "pipeline.opening_stages_set",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"stages": [s.key for s in current]},
        new={"stages": [s.key for s in stages]},
    )
    return stages


def stage_counts(session: Session, opening: Opening) -> dict[str, int]:
    return _occupied(session, opening, opening_stages(session, opening))


# --------------------------------------------------------------------------- reasons


def rejection_reasons(session: Session, tenant_id: int) -> list[Reason]:
    rows = _ordered_rows(session, RejectionReason, RejectionReason.tenant_id, tenant_id)
    if rows:
        return [Reason(r.key, dict(r.name or {})) for r in rows]
    return [Reason(r["key"], dict(r["name"])) for r in DEFAULT_REASONS]


def set_rejection_reasons(
    session: Session, principal: Principal, data: schemas.ReasonListIn
) -> list[Reason]:
    """Replace the company's list (past moves keep the key they were given)."""
    require(principal, "pipeline.configure")
    _refuse_repeated(
        (r.key for r in data.reasons),
        N_("Reason keys must be unique; repeated: %(keys)s"),
        "reasons",
    )
    entries = [{"key": r.key, "name": r.name.model_dump()} for r in data.reasons]
    new = {"reasons": [r.key for r in data.reasons]}
    replace_company_list(session, principal, RejectionReason, entries, "pipeline.reasons_set", new)
    return rejection_reasons(session, principal.tenant_id)


# --------------------------------------------------------------------------- settings


def blind_scorecards(session: Session, tenant_id: int) -> bool:
    row = session.get(WorkflowSettings, tenant_id)
    return True if row is None else row.blind_scorecards


def settings_out(session: Session, tenant_id: int) -> schemas.SettingsOut:
    row = session.get(WorkflowSettings, tenant_id)
    if row is None:
        return schemas.SettingsOut(blind_scorecards=True)
    return schemas.SettingsOut(
        blind_scorecards=row.blind_scorecards,
        notify_stages=list(row.notify_stages or []),
    )


def known_stage_keys(session: Session, tenant_id: int) -> set[str]:
    """Every stage key of the company's list and of its job families' templates."""
    keys = {s.key for s in company_stages(session, tenant_id)}
    keys |= set(session.scalars(select(FamilyStage.key).where(FamilyStage.tenant_id == tenant_id)))
    return keys


def set_settings(
    session: Session, principal: Principal, data: schemas.SettingsIn
) -> schemas.SettingsOut:
    require(principal, "pipeline.configure")
    if data.notify_stages is not None:
        _refuse_repeated(
            data.notify_stages, N_("Stage keys must be unique; repeated: %(keys)s"), "notify_stages"
        )
        unknown = sorted(set(data.notify_stages) - known_stage_keys(session, principal.tenant_id))
        if unknown:
            raise ValidationFailed(
                N_("Unknown stage “%(stage)s”; choose one of this company's stages."),
                params={"stage": ", ".join(unknown)},
                fields={"notify_stages": "unknown"},
            )
    before = settings_out(session, principal.tenant_id).model_dump()
    row = company_row(session, WorkflowSettings, principal.tenant_id, blind_scorecards=True)[0]
    changes = data.model_dump(exclude_none=True)
    for name, value in changes.items():
        setattr(row, name, value)
    audit.commit_recorded(
        session,
        "pipeline.settings_set",
        actor=principal,
        target_type="tenant",
        target_id=principal.tenant_id,
        old={k: before[k] for k in changes},
        new=changes,
    )
    return settings_out(session, principal.tenant_id)


def stage_out(stage: Stage, language: str, count: int = 0) -> schemas.StageOut:
    return schemas.StageOut(
        key=stage.key,
        kind=stage.kind,
        name={k: str(v) for k, v in stage.name.items()},
        label=stage.label(language),
        position=stage.position,
        count=count,
    )


def reason_out(reason: Reason, language: str) -> schemas.ReasonOut:
    return schemas.ReasonOut(
        key=reason.key,
        name={k: str(v) for k, v in reason.name.items()},
        label=reason.label(language),
    )
