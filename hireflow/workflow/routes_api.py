"""The hiring pipeline and scorecards under ``/api/v1`` (SPEC H1, H2, F6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from hireflow.core.db import utcnow
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.web.deps import ApiUser, DbSession, Id
from hireflow.workflow import queries, schemas, scorecards, service, stages

router = APIRouter(tags=["workflow"])


# --------------------------------------------------------------------------- configuration


@router.get("/workflow/stages", response_model=list[schemas.StageOut])
def company_stages(session: DbSession, principal: ApiUser) -> Any:
    """The company's default pipeline (the built-in one until HR edits it)."""
    require(principal, "pipeline.read")
    rows = stages.company_stages(session, principal.tenant_id)
    return [stages.stage_out(s, principal.language) for s in rows]


@router.put("/workflow/stages", response_model=list[schemas.StageOut])
def set_company_stages(data: schemas.StageListIn, session: DbSession, principal: ApiUser) -> Any:
    """Replace the company's default pipeline; openings that already use theirs keep it."""
    rows = stages.set_company_stages(session, principal, data)
    return [stages.stage_out(s, principal.language) for s in rows]


@router.get("/workflow/rejection-reasons", response_model=list[schemas.ReasonOut])
def rejection_reasons(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "pipeline.read")
    rows = stages.rejection_reasons(session, principal.tenant_id)
    return [stages.reason_out(r, principal.language) for r in rows]


@router.put("/workflow/rejection-reasons", response_model=list[schemas.ReasonOut])
def set_rejection_reasons(
    data: schemas.ReasonListIn, session: DbSession, principal: ApiUser
) -> Any:
    rows = stages.set_rejection_reasons(session, principal, data)
    return [stages.reason_out(r, principal.language) for r in rows]


@router.get("/workflow/settings", response_model=schemas.SettingsOut)
def settings(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "pipeline.configure")
    return schemas.SettingsOut(
        blind_scorecards=stages.blind_scorecards(session, principal.tenant_id)
    )


@router.put("/workflow/settings", response_model=schemas.SettingsOut)
def set_settings(data: schemas.SettingsIn, session: DbSession, principal: ApiUser) -> Any:
    return stages.set_settings(session, principal, data)


@router.get("/openings/{opening_id}/pipeline/stages", response_model=list[schemas.StageOut])
def opening_stages(opening_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """The opening's ordered stages with how many candidates stand in each."""
    opening = service.get_visible_opening(session, principal, opening_id, "pipeline.read")
    counts = stages.stage_counts(session, opening)
    return [
        stages.stage_out(s, principal.language, counts.get(s.key, 0))
        for s in stages.opening_stages(session, opening)
    ]


@router.put("/openings/{opening_id}/pipeline/stages", response_model=list[schemas.StageOut])
def set_opening_stages(
    opening_id: Id, data: schemas.StageListIn, session: DbSession, principal: ApiUser
) -> Any:
    """Replace the opening's stages (409 if a removed stage still holds candidates)."""
    rows = stages.set_opening_stages(session, principal, opening_id, data)
    return [stages.stage_out(s, principal.language) for s in rows]


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


@router.get("/applications/{application_id}/scorecards", response_model=schemas.MergedOut)
def merged_scorecards(application_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """AI and interviewers' ratings per competency, disagreements of more than one level
    marked. While scorecards are blind, a panel member who has not submitted sees neither
    colleagues' scorecards nor the AI's scores (``blind`` is true)."""
    return scorecards.merged_out(scorecards.merged(session, principal, application_id))


@router.post(
    "/applications/{application_id}/scorecards",
    response_model=schemas.ScorecardOut,
    status_code=201,
)
def submit_scorecard(
    application_id: Id, data: schemas.ScorecardIn, session: DbSession, principal: ApiUser
) -> Any:
    """Submit the caller's scorecard for one interview round (409 if already submitted:
    submitted scorecards are immutable, amend them instead)."""
    card = scorecards.submit(session, principal, application_id, data)
    return scorecards.scorecard_out(card, {principal.user_id: principal.name})


@router.post(
    "/scorecards/{scorecard_id}/amend", response_model=schemas.ScorecardOut, status_code=201
)
def amend_scorecard(
    scorecard_id: Id, data: schemas.AmendIn, session: DbSession, principal: ApiUser
) -> Any:
    """A new version of the caller's own scorecard with the reason; the old version stays."""
    card = scorecards.amend(session, principal, scorecard_id, data)
    return scorecards.scorecard_out(card, {principal.user_id: principal.name})


@router.get("/scorecards/{scorecard_id}/versions", response_model=list[schemas.ScorecardOut])
def scorecard_versions(scorecard_id: Id, session: DbSession, principal: ApiUser) -> Any:
    found = scorecards.versions(session, principal, scorecard_id)
    names = scorecards.user_names(session, {c.interviewer_id for c in found})
    return [scorecards.scorecard_out(c, names) for c in found]


@router.post(
    "/applications/{application_id}/conclusion",
    response_model=schemas.ConclusionOut,
    status_code=201,
)
def conclude(
    application_id: Id, data: schemas.ConclusionIn, session: DbSession, principal: ApiUser
) -> Any:
    """HR's final conclusion after the scorecards (advance, hold, reject) with the reason; it
    goes on the person's record with the merged figures. It does not move the candidate."""
    return scorecards.conclusion_out(scorecards.conclude(session, principal, application_id, data))
