"""The hiring pipeline and scorecards under ``/api/v1`` (SPEC H1, H2, F6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, require
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id
from hireflow.workflow import (
    confirmations,
    queries,
    rule_views,
    rules,
    schemas,
    scorecards,
    service,
    stage_templates,
    stages,
)

router = APIRouter(tags=["workflow"])


def _stages_out(rows: list[Any], _session: Session, principal: Principal) -> list[Any]:
    return [stages.stage_out(s, principal.language) for s in rows]


def _own_card(card: Any, _session: Session, principal: Principal) -> Any:
    return scorecards.scorecard_out(card, {principal.user_id: principal.name})


def _rule_out(rule: Any, *_context: Any) -> Any:
    return rules.rule_out(rule)


# --------------------------------------------------------------------------- configuration


@router.get("/workflow/stages", response_model=list[schemas.StageOut])
def company_stages(session: DbSession, principal: ApiUser) -> Any:
    """The company's default pipeline (the built-in one until HR edits it)."""
    require(principal, "pipeline.read")
    rows = stages.company_stages(session, principal.tenant_id)
    return [stages.stage_out(s, principal.language) for s in rows]


api = ServiceRoutes(router, __name__, list[schemas.StageOut], out=_stages_out)
api.put(
    "/workflow/stages",
    stages.set_company_stages,
    schemas.StageListIn,
    doc="Replace the company's default pipeline; openings that already use theirs keep it.",
)


def _template_out(found: stage_templates.Template, language: str) -> schemas.StageTemplateOut:
    return stage_templates.template_out(found, language, gettext_for(language)(found.family))


@router.get("/workflow/stage-templates", response_model=list[schemas.StageTemplateOut])
def stage_templates_list(session: DbSession, principal: ApiUser) -> Any:
    """Per job family, the stages its new openings start with (its template, else the
    company's list)."""
    found = stage_templates.templates(session, principal)
    return [_template_out(t, principal.language) for t in found]


@router.put("/workflow/stage-templates", response_model=schemas.StageTemplateOut)
def set_stage_template(
    data: schemas.StageTemplateIn, session: DbSession, principal: ApiUser
) -> Any:
    """Replace one job family's template; openings that already copied their stages keep them."""
    found = stage_templates.set_template(session, principal, data.family, data)
    return _template_out(found, principal.language)


@router.delete("/workflow/stage-templates", response_model=schemas.StageTemplateOut)
def remove_stage_template(
    session: DbSession,
    principal: ApiUser,
    family: str = Query(max_length=40, description="technical, sales, management, ..."),
) -> Any:
    """The family's new openings start with the company's list again."""
    found = stage_templates.remove_template(session, principal, family)
    return _template_out(found, principal.language)


@router.get("/workflow/rejection-reasons", response_model=list[schemas.ReasonOut])
def rejection_reasons(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "pipeline.read")
    rows = stages.rejection_reasons(session, principal.tenant_id)
    return [stages.reason_out(r, principal.language) for r in rows]


api.put(
    "/workflow/rejection-reasons",
    stages.set_rejection_reasons,
    schemas.ReasonListIn,
    model=list[schemas.ReasonOut],
    out=lambda rows, _session, principal: [stages.reason_out(r, principal.language) for r in rows],
)


@router.get("/workflow/settings", response_model=schemas.SettingsOut)
def settings(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "pipeline.configure")
    return stages.settings_out(session, principal.tenant_id)


api.put(
    "/workflow/settings",
    stages.set_settings,
    schemas.SettingsIn,
    model=schemas.SettingsOut,
    out=None,
)


@router.get("/openings/{opening_id}/pipeline/stages", response_model=list[schemas.StageOut])
def opening_stages(opening_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """The opening's ordered stages with how many candidates stand in each."""
    opening = service.get_visible_opening(session, principal, opening_id, "pipeline.read")
    counts = stages.stage_counts(session, opening)
    return [
        stages.stage_out(s, principal.language, counts.get(s.key, 0))
        for s in stages.opening_stages(session, opening)
    ]


api.put(
    "/openings/{opening_id}/pipeline/stages",
    stages.set_opening_stages,
    schemas.StageListIn,
    doc="Replace the opening's stages (409 if a removed stage still holds candidates).",
)


# --------------------------------------------------------------------------- board and moves


@router.get("/openings/{opening_id}/pipeline", response_model=schemas.BoardOut)
def board(
    opening_id: Id,
    session: DbSession,
    principal: ApiUser,
    q: str = Query("", max_length=100, description="Part of the candidate's name"),
    min_match: float | None = Query(None, ge=0, le=100, description="Job match at least (%)"),
    min_days: int | None = Query(None, ge=0, le=3650, description="In the stage at least"),
    source: str = Query("", max_length=40),
) -> Any:
    """The kanban board: one column per stage, cards with time in stage and AI job match."""
    filters = queries.BoardFilters(q.strip(), min_match, min_days, source)
    found = queries.board(session, principal, opening_id, filters)
    return schemas.BoardOut(
        opening_id=found.opening.id,
        columns=[
            schemas.ColumnOut(
                stage=stages.stage_out(c.stage, principal.language, c.total),
                cards=[schemas.CardOut(**card.__dict__) for card in c.cards],
            )
            for c in found.columns
        ],
        total=found.total,
        shown=found.shown,
    )


@router.post("/applications/{application_id}/move", response_model=schemas.PositionOut)
def move(application_id: Id, data: schemas.MoveIn, session: DbSession, principal: ApiUser) -> Any:
    """Move one application; ``version`` is the one the caller saw (409 if it changed)."""
    request = service.MoveRequest(data.to, data.version, data.reason, data.note)
    position = service.move(session, principal, application_id, request)
    return service.position_out(position, principal.language, utcnow())


@router.post("/openings/{opening_id}/pipeline/bulk-move", response_model=schemas.BulkMoveOut)
def bulk_move(
    opening_id: Id, data: schemas.BulkMoveIn, session: DbSession, principal: ApiUser
) -> Any:
    """Move several applications at once; each stale or closed one is refused on its own."""
    items = [(i.application_id, i.version) for i in data.items]
    result = service.bulk_move(
        session, principal, opening_id, items, data.to, reason=data.reason, note=data.note
    )
    now = utcnow()
    _ = gettext_for(principal.language)
    return schemas.BulkMoveOut(
        moved=[service.position_out(p, principal.language, now) for p in result.moved],
        refused=[
            schemas.BulkProblem(application_id=i, code=e.code, message=e.translated(_))
            for i, e in result.refused
        ],
    )


@router.get("/applications/{application_id}/pipeline", response_model=schemas.PositionOut)
def position(application_id: Id, session: DbSession, principal: ApiUser) -> Any:
    application = service.visible_application(session, principal, application_id, "pipeline.read")
    found = service.current_position(
        session, application, stages.opening_stages(session, application.opening)
    )
    return service.position_out(found, principal.language, utcnow())


@router.get("/applications/{application_id}/pipeline/history", response_model=list[schemas.MoveOut])
def history(application_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """Every move of the application, oldest first, with the time spent in each stage."""
    found = service.history(session, principal, application_id)
    return [
        service.move_out(m, found.stages, found.reasons, principal.language) for m in found.moves
    ]


# --------------------------------------------------------------------------- scorecards


SCORECARDS = "/applications/{application_id}/scorecards"
cards = ServiceRoutes(router, __name__, schemas.ScorecardOut, out=_own_card)
cards.get(
    SCORECARDS,
    scorecards.merged,
    name="merged_scorecards",
    model=schemas.MergedOut,
    out=lambda merged, *_context: scorecards.merged_out(merged),
    doc="""AI and interviewers' ratings per competency, disagreements of more than one level
    marked. While scorecards are blind, a panel member who has not submitted sees neither
    colleagues' scorecards nor the AI's scores (``blind`` is true).""",
)
cards.create(
    SCORECARDS,
    scorecards.submit,
    schemas.ScorecardIn,
    name="submit_scorecard",
    doc="""Submit the caller's scorecard for one interview round (409 if already submitted:
    submitted scorecards are immutable, amend them instead).""",
)
cards.create(
    "/scorecards/{scorecard_id}/amend",
    scorecards.amend,
    schemas.AmendIn,
    name="amend_scorecard",
    doc="A new version of the caller's own scorecard with the reason; the old version stays.",
)


@router.get("/scorecards/{scorecard_id}/versions", response_model=list[schemas.ScorecardOut])
def scorecard_versions(scorecard_id: Id, session: DbSession, principal: ApiUser) -> Any:
    found = scorecards.versions(session, principal, scorecard_id)
    names = scorecards.user_names(session, {c.interviewer_id for c in found})
    return [scorecards.scorecard_out(c, names) for c in found]


cards.create(
    "/applications/{application_id}/conclusion",
    scorecards.conclude,
    schemas.ConclusionIn,
    model=schemas.ConclusionOut,
    out=lambda found, *_context: scorecards.conclusion_out(found),
    doc="""HR's final conclusion after the scorecards (advance, hold, reject) with the reason; it
    goes on the person's record with the merged figures. It does not move the candidate.""",
)


# --------------------------------------------------------------------------- rules (H1, H2)


RULES = "/openings/{opening_id}/pipeline/rules"
RULE = "/workflow/rules/{rule_id}"
rule_routes = ServiceRoutes(router, __name__, schemas.RuleOut, out=_rule_out)
rule_routes.get(
    RULES,
    rules.opening_rules,
    model=list[schemas.RuleOut],
    out=lambda found, *_context: [rules.rule_out(r) for r in found],
    doc="The opening's rules: trigger, condition and actions.",
)
rule_routes.create(
    RULES,
    rules.create_rule,
    schemas.RuleIn,
    doc="""Add a rule. Refused (422, ``fields`` naming the part) when the condition does not parse
    or uses an unknown field, a stage or reason is unknown, or it would make candidates go
    back and forth together with the opening's other rules.""",
)
rule_routes.put(
    RULE,
    rules.update_rule,
    schemas.RuleIn,
    doc="Change a rule (the same checks); its actions then run with the caller's rights.",
)
rule_routes.delete(
    RULE,
    rules.delete_rule,
    doc="Delete a rule that never acted (409 ``rule_has_log`` otherwise: turn it off).",
)
rule_routes.post(
    f"{RULES}/dry-run",
    rule_views.dry_run,
    schemas.RuleIn,
    model=schemas.DryRunOut,
    out=None,
    doc="""What a rule (not saved) would decide for the opening's candidates today; changes
    nothing.""",
)
rule_routes.post(
    f"{RULE}/dry-run",
    rule_views.dry_run_rule,
    model=schemas.DryRunOut,
    out=None,
    doc="The dry run of a saved rule; changes nothing.",
)


@router.get(
    "/applications/{application_id}/pipeline/rule-log", response_model=list[schemas.RuleLogOut]
)
def rule_log(application_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """Every rule that looked at this candidate: what fired, what it did, or why not."""
    view = rule_views.rule_log(session, principal, application_id)
    return [rule_views.log_out(row, name) for row, name in view.rows]


rule_routes.get(
    "/workflow/rule-tasks",
    confirmations.open_tasks,
    name="rule_tasks",
    model=list[schemas.RuleTaskOut],
    out=lambda found, *_context: [confirmations.task_out(r) for r in found],
    doc="HR's open items from rules: to-dos and rejections waiting for confirmation.",
)


@router.post("/workflow/rule-tasks/{task_id}", response_model=schemas.RuleTaskDecisionOut)
def decide_rule_task(
    task_id: Id, data: schemas.RuleTaskDecisionIn, session: DbSession, principal: ApiUser
) -> Any:
    """Confirm or dismiss an item. A confirmed rejection moves the candidate to the rejection
    stage in the caller's name and e-mails them feedback from their report (409
    ``already_decided`` for an item someone decided)."""
    task = confirmations.decide(session, principal, task_id, data)
    return schemas.RuleTaskDecisionOut.model_validate({"id": task.id, "status": task.status})
