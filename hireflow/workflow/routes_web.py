"""Pipeline pages: the openings' pipelines, an opening's kanban board (drag, keyboard and
bulk moves), and the company's pipeline settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.i18n import gettext_for, translations
from hireflow.core.permissions import Principal, can, require
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, Page, SchemaT
from hireflow.web.streaming import public_file
from hireflow.web.templating import NavItem, render
from hireflow.workflow import (
    queries,
    routes_rules_web,  # noqa: F401 - adds the rule pages
    routes_templates_web,  # noqa: F401 - adds the stage templates page
    schemas,
    scorecards,
    service,
    stages,
)
from hireflow.workflow.models import STAGE_KINDS
from hireflow.workflow.report_extras import RECOMMENDATION_LABELS
from hireflow.workflow.web_router import router

NAV = (
    NavItem("/pipeline", N_("Pipeline"), "pipeline.read", order=14, group="recruiting"),
    NavItem(
        "/workflow/confirmations",
        N_("Rule confirmations"),
        "pipeline.move",
        order=15,
        group="recruiting",
    ),
    NavItem(
        "/workflow/settings",
        N_("Pipeline settings"),
        "pipeline.configure",
        order=96,
        group="settings",
    ),
    NavItem(
        "/workflow/stage-templates",
        N_("Stage templates"),
        "pipeline.configure",
        order=97,
        group="settings",
    ),
)
# What each kind of stage means, for the settings page (stored kinds are codes).
KIND_LABELS = {
    "applied": N_("Entry stage (new applications)"),
    "screened": N_("Resume screening"),
    "ai_interview": N_("AI interview"),
    "interview": N_("Interview round"),
    "offer": N_("Offer"),
    "hired": N_("Hired (closes the application)"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn by the candidate (closes the application)"),
}
ASSETS = Path(__file__).resolve().parent / "static"


def _asset(name: str, media_type: str) -> Response:
    return public_file(ASSETS / name, media_type, max_age=300)


@router.get("/workflow/assets/board.js")
def board_script() -> Response:
    return _asset("board.js", "text/javascript")


@router.get("/workflow/assets/workflow.css")
def stylesheet() -> Response:
    return _asset("workflow.css", "text/css")


# --------------------------------------------------------------------------- overview


@router.get("/pipeline")
def overview_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    summaries = queries.overview(session, principal)
    return render(request, "workflow/overview.html", {"summaries": summaries})


# --------------------------------------------------------------------------- board


def _number(value: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(value) if value.strip() else None
    except ValueError:
        return None


def _filters(request: Request) -> queries.BoardFilters:
    params = request.query_params
    min_match = _number(params.get("min_match", ""), float)
    min_days = _number(params.get("min_days", ""), int)
    return queries.BoardFilters(
        query=params.get("q", "").strip()[:100],
        min_match=min_match if min_match is not None and 0 <= min_match <= 100 else None,
        min_days=min_days if min_days is not None and 0 <= min_days <= 3650 else None,
        source=params.get("source", "")[:40],
    )


def _board_context(
    request: Request, session: DbSession, principal: Principal, opening_id: int
) -> dict[str, Any]:
    filters = _filters(request)
    board = queries.board(session, principal, opening_id, filters)
    shown = [c.candidate_id for column in board.columns for c in column.cards]
    audit_read(session, principal, "pipeline.board_viewed", "candidate", shown)
    ngettext = translations(request.state.language).ngettext
    days = {c.days_in_stage for column in board.columns for c in column.cards}
    return {
        "day_labels": {d: ngettext("%(num)s day", "%(num)s days", d) % {"num": d} for d in days},
        "board": board,
        "opening": board.opening,
        "filters": filters,
        "reasons": stages.rejection_reasons(session, principal.tenant_id),
        "can_move": can(principal, "pipeline.move"),
        "can_rate": can(principal, "scorecards.read"),
        "can_rules": can(principal, "pipeline.rules_log"),
        "errors": {},
        "params": request.query_params,
    }


@router.get("/openings/{opening_id}/pipeline")
def board_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    context = _board_context(request, session, principal, opening_id)
    return render(request, "workflow/board.html", context)


class MoveForm(BaseModel):
    application_id: int = Field(ge=1, le=2**31 - 1)
    version: int = Field(ge=0, le=2**31 - 1)
    to: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(None, max_length=40)
    note: str = Field("", max_length=2000)


def _back(opening_id: int, **params: Any) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return RedirectResponse(
        f"/openings/{opening_id}/pipeline" + (f"?{query}" if query else ""), status_code=303
    )


def _rerender(request: Request, session: DbSession, principal: Principal, opening_id: int) -> Page:
    return forms.rerender(
        request,
        "workflow/board.html",
        lambda: _board_context(request, session, principal, opening_id),
    )


@router.post("/openings/{opening_id}/pipeline/move")
def move_card(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = service.get_visible_opening(session, principal, opening_id, "pipeline.move")

    def act(data: MoveForm) -> Response:
        application = service.visible_application(
            session, principal, data.application_id, "pipeline.move"
        )
        if application.opening_id != opening.id:
            raise ValidationFailed(
                N_("Not an application of this opening."), fields={"application_id": "other"}
            )
        request_ = service.MoveRequest(data.to, data.version, data.reason or None, data.note)
        service.move(session, principal, application.id, request_)
        return _back(opening.id, moved=1)

    fields: dict[str, str | None] = {**form.pick("application_id", "version", "to", "note")}
    fields["reason"] = form.get("reason") or None
    return forms.submit_form(
        request, MoveForm, fields, act, _rerender(request, session, principal, opening.id)
    )


def _bulk_items(values: list[str]) -> list[tuple[int, int]]:
    """``"<application id>:<version>"`` values of the selected cards."""
    items = []
    for value in values[:500]:
        app_id, _, version = value.partition(":")
        if app_id.isdigit() and version.isdigit() and len(app_id) < 10 and len(version) < 10:
            items.append((int(app_id), int(version)))
    return items


@router.post("/openings/{opening_id}/pipeline/bulk")
def bulk_move(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = service.get_visible_opening(session, principal, opening_id, "pipeline.move")
    _ = gettext_for(request.state.language)
    items = _bulk_items(form.getlist("items"))
    page = _rerender(request, session, principal, opening.id)
    if not items:
        return page({"items": _("Select at least one candidate.")})
    try:
        data = schemas.BulkMoveIn.model_validate(
            {
                "items": [{"application_id": i, "version": v} for i, v in items],
                "to": form.get("bulk_to"),
                "reason": form.get("bulk_reason") or None,
                "note": form.get("bulk_note"),
            }
        )
    except ValidationError:
        return page({"bulk_to": _("Choose the stage to move them to.")})

    def act() -> Response:
        result = service.bulk_move(
            session,
            principal,
            opening.id,
            [(i.application_id, i.version) for i in data.items],
            data.to,
            reason=data.reason,
            note=data.note,
        )
        return _back(opening.id, moved=len(result.moved), refused=len(result.refused))

    return forms.act_or_rerender(request, act, page)


# --------------------------------------------------------------------------- settings


def _settings_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "stages": stages.company_stages(session, principal.tenant_id),
        "reasons": stages.rejection_reasons(session, principal.tenant_id),
        "blind": stages.blind_scorecards(session, principal.tenant_id),
        "settings": stages.settings_out(session, principal.tenant_id),
        "kinds": STAGE_KINDS,
        "kind_labels": KIND_LABELS,
        "errors": {},
    }


@router.get("/workflow/settings")
def settings_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "pipeline.configure")
    return render(request, "workflow/settings.html", _settings_context(session, principal))


def _rows(form: Form, prefix: str, with_kind: bool) -> list[dict[str, Any]]:
    """The filled rows of the settings table (a row without a key is left out)."""
    keys = form.getlist(f"{prefix}_key")
    kinds = form.getlist(f"{prefix}_kind")
    zh, en, ja = (form.getlist(f"{prefix}_{lang}") for lang in ("zh", "en", "ja"))
    rows = []
    for i, key in enumerate(keys):
        if not key.strip():
            continue
        row: dict[str, Any] = {
            "key": key.strip(),
            "name": {
                "zh": zh[i] if i < len(zh) else "",
                "en": en[i] if i < len(en) else "",
                "ja": ja[i] if i < len(ja) else "",
            },
        }
        if with_kind:
            row["kind"] = kinds[i] if i < len(kinds) else ""
        rows.append(row)
    return rows


# The names of a stage list's fields, for errors that say which field (forms.named_errors).
LIST_FIELDS = {
    "stages": N_("Stages"),
    "stages.*": N_("Stage %(row)s"),
    "reasons": N_("Rejection reasons"),
    "reasons.*": N_("Reason %(row)s"),
    "key": N_("Key"),
    "kind": N_("Kind"),
    "zh": N_("Chinese name"),
    "en": N_("English name"),
    "ja": N_("Japanese name"),
    "family": N_("Job family"),
    "notify_stages": N_("Hiring-group notices"),
}


@dataclass(frozen=True)
class _Section:
    """A section of the settings page with a form of its own."""

    schema: type[BaseModel]
    save: Callable[[DbSession, Principal, Any], Any]
    fields: Callable[[Form], dict[str, Any]]


SECTIONS = {
    "stages": _Section(
        schemas.StageListIn,
        stages.set_company_stages,
        lambda form: {"stages": _rows(form, "stage", with_kind=True)},
    ),
    "reasons": _Section(
        schemas.ReasonListIn,
        stages.set_rejection_reasons,
        lambda form: {"reasons": _rows(form, "reason", with_kind=False)},
    ),
    "blind": _Section(
        schemas.SettingsIn,
        stages.set_settings,
        lambda form: {"blind_scorecards": form.get("blind_scorecards") == "on"},
    ),
    "notices": _Section(
        schemas.SettingsIn,
        stages.set_settings,
        lambda form: {"notify_stages": form.getlist("notify_stages")},
    ),
}


def _save_section(
    request: Request, session: DbSession, principal: Principal, form: Form, name: str
) -> Response:
    """Validate and save one section, back to the page (or the page again with the section's
    errors)."""
    require(principal, "pipeline.configure")
    section = SECTIONS[name]

    return forms.submit_form(
        request,
        section.schema,
        section.fields(form),
        forms.redirect_after(
            lambda data: section.save(session, principal, data), f"/workflow/settings?saved={name}"
        ),
        forms.naming(
            forms.rerender(
                request, "workflow/settings.html", lambda: _settings_context(session, principal)
            ),
            LIST_FIELDS,
            request,
        ),
    )


@router.post("/workflow/settings/stages")
def save_stages(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _save_section(request, session, principal, form, "stages")


@router.post("/workflow/settings/reasons")
def save_reasons(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _save_section(request, session, principal, form, "reasons")


@router.post("/workflow/settings/blind")
def save_blind(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _save_section(request, session, principal, form, "blind")


@router.post("/workflow/settings/notices")
def save_notices(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _save_section(request, session, principal, form, "notices")


# --------------------------------------------------------------------------- scorecards


CONCLUSION_LABELS = {
    "advance": N_("Advance to the next step"),
    "hold": N_("Hold"),
    "reject": N_("Do not continue"),
}


def _chosen_round(request: Request, rounds: list[stages.Stage], own: list[Any]) -> str:
    asked = request.query_params.get("round", "")
    keys = [r.key for r in rounds]
    if asked in keys:
        return asked
    done = {card.round_key for card in own}
    return next((k for k in keys if k not in done), keys[0] if keys else "")


def _scorecard_context(
    request: Request, session: DbSession, principal: Principal, application_id: int
) -> dict[str, Any]:
    found = scorecards.merged(session, principal, application_id)
    own = scorecards.own_scorecards(session, principal, application_id)
    chosen = _chosen_round(request, found.rounds, own)
    application = found.application
    audit_read(
        session, principal, "scorecards.viewed", "candidate", target_id=application.candidate_id
    )
    return {
        "merged": found,
        "application": application,
        "candidate_name": application.candidate.name,
        "opening": application.opening,
        "lang": "zh" if principal.language.startswith("zh") else principal.language[:2],
        "chosen": chosen,
        "own": {card.round_key: card for card in own},
        "round_names": {r.key: r.label(principal.language) for r in found.rounds},
        "recommendations": RECOMMENDATION_LABELS,
        "can_submit": can(principal, "scorecards.submit"),
        "can_conclude": can(principal, "pipeline.move"),
        "conclusions": CONCLUSION_LABELS,
        "errors": {},
        "form": {},
    }


@router.get("/applications/{application_id}/scorecards")
def scorecards_page(
    request: Request, session: DbSession, principal: PageUser, application_id: Id
) -> Response:
    context = _scorecard_context(request, session, principal, application_id)
    return render(request, "workflow/scorecards.html", context)


def _ratings(form: Form) -> dict[str, int]:
    """``rating_<competency>`` fields; an empty one is "not assessed", junk is level 0 (out
    of range, refused with the scale named)."""
    ratings = {}
    for key, value in form.values.items():
        if key.startswith("rating_") and value.strip():
            ratings[key.removeprefix("rating_")[:80]] = (
                min(int(value[:6]), 1000) if value.isdigit() else 0
            )
    return ratings


def _submit_on_scorecards(
    request: Request,
    session: DbSession,
    principal: Principal,
    application_id: int,
    form: Form,
    schema: type[SchemaT],
    act: Callable[[SchemaT], Response],
    fields: dict[str, Any],
) -> Response:
    """A form of the scorecards page: ``act`` on valid input, else the page again with the
    errors and what was typed."""

    def context() -> dict[str, Any]:
        context = _scorecard_context(request, session, principal, application_id)
        context["chosen"] = form.get("round") or context["chosen"]
        return context

    page = forms.rerender(request, "workflow/scorecards.html", context, form=dict(form.values))
    return forms.submit_form(request, schema, fields, act, page)


def _scorecard_fields(form: Form, *extra: str) -> dict[str, Any]:
    """A scorecard's posted fields (submit and amend), with the ``extra`` ones by name."""
    fields = form.pick("round", "recommendation", "notes", *extra)
    return fields | {"ratings": _ratings(form)}


def _scorecard_saved(application_id: int, round_key: str) -> Response:
    target = f"/applications/{application_id}/scorecards?round={round_key}&saved=1"
    return RedirectResponse(target, status_code=303)


@router.post("/applications/{application_id}/scorecards")
def submit_scorecard(
    request: Request, session: DbSession, principal: PageUser, application_id: Id, form: Form
) -> Response:
    def act(data: schemas.ScorecardIn) -> Response:
        scorecards.submit(session, principal, application_id, data)
        return _scorecard_saved(application_id, data.round)

    fields = _scorecard_fields(form)
    return _submit_on_scorecards(
        request, session, principal, application_id, form, schemas.ScorecardIn, act, fields
    )


@router.post("/applications/{application_id}/scorecards/amend")
def amend_scorecard(
    request: Request, session: DbSession, principal: PageUser, application_id: Id, form: Form
) -> Response:
    scorecards.merged(session, principal, application_id)  # 404 unless the caller may see it
    scorecard_id = form.get("scorecard_id")

    def act(data: schemas.AmendIn) -> Response:
        own = {c.id for c in scorecards.own_scorecards(session, principal, application_id)}
        if not scorecard_id.isdigit() or int(scorecard_id[:10]) not in own:
            raise ValidationFailed(N_("Choose the scorecard to amend."))
        scorecards.amend(session, principal, int(scorecard_id), data)
        return _scorecard_saved(application_id, data.round)

    fields = _scorecard_fields(form, "reason")
    return _submit_on_scorecards(
        request, session, principal, application_id, form, schemas.AmendIn, act, fields
    )


@router.post("/applications/{application_id}/conclusion")
def conclude(
    request: Request, session: DbSession, principal: PageUser, application_id: Id, form: Form
) -> Response:
    def act(data: schemas.ConclusionIn) -> Response:
        scorecards.conclude(session, principal, application_id, data)
        target = f"/applications/{application_id}/scorecards?concluded=1#merged"
        return RedirectResponse(target, status_code=303)

    fields = form.pick("decision", "reason")
    return _submit_on_scorecards(
        request, session, principal, application_id, form, schemas.ConclusionIn, act, fields
    )
