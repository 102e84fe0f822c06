"""Opening pages: list, create and edit, competency model, interview plan, screening rules,
the opening's screened candidates, and hiring requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from hireflow.candidates.queries import opening_applications
from hireflow.candidates.rule_builder import build_rule as rule_text
from hireflow.candidates.screening_rules import FUNCTIONS, SYMBOLS, compile_rules
from hireflow.coding import plans as coding_plans
from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, require
from hireflow.openings import (
    access,
    competency,
    errors,
    hiring_requests,
    plans,
    queries,
    routes_requests,  # noqa: F401 - adds the hiring-request pages
    schemas,
    service,
)
from hireflow.openings.models import Opening
from hireflow.openings.routes_context import (
    DEGREES,
    form_context,
    ids_of,
    new_posting_values,
    posting_payload,
    posting_values,
    unit_names,
    user_names,
)
from hireflow.openings.web_router import router
from hireflow.scoring.models import list_job_types, list_presets, model_to_dict
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, PostedForm
from hireflow.web.templating import NavItem, render

NAV = (
    NavItem("/openings", N_("Openings"), "openings.read", order=10, group="recruiting"),
    NavItem(
        "/hiring-requests",
        N_("Hiring requests"),
        "hiring_requests.read",
        order=12,
        group="recruiting",
    ),
)
# Words that come from data, listed so they reach the catalogue.
LABELS = (
    N_("submitted"),
    N_("returned"),
    N_("approved"),
    N_("resubmitted"),
    N_("owner"),
    N_("interviewer"),
    N_("knockout"),
    N_("ranking"),
    N_("passed"),
    N_("pending"),
    N_("warmup"),
    N_("behavioural"),
    N_("situational"),
    N_("motivation"),
    N_("technical_questions"),
    N_("closing"),
    N_("bank"),
    N_("generated"),
    N_("hr"),
    N_("high_school"),
    N_("associate"),
    N_("bachelor"),
    N_("master"),
    N_("phd"),
)
ASSETS = Path(__file__).resolve().parent / "static"
P = ParamSpec("P")
R = TypeVar("R")


def _opening_payload(form: PostedForm) -> dict[str, Any]:
    return {
        **posting_payload(form),
        "pass_threshold": form.get("pass_threshold") or 7.0,
        "owner_ids": ids_of(form.getlist("owner_ids")),
        "interviewer_ids": ids_of(form.getlist("interviewer_ids")),
        "generate_plan": form.get("generate_plan") == "on",
        "plan_minutes": form.get("plan_minutes") or 30,
    }


def _noting_fields(problems: list[str], act: Callable[P, R]) -> Callable[P, R]:
    """``act``, noting a refusal's field messages in ``problems`` (the page lists them all)."""

    def noting(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return act(*args, **kwargs)
        except AppError as exc:
            problems.extend(f"{k}: {v}" for k, v in exc.fields.items())
            raise

    return noting


# --------------------------------------------------------------------------- list, create, edit


@router.get("/openings/assets/openings.css")
def stylesheet() -> Response:
    """The pages' own styles (openings, hiring requests, resumes and the talent pool)."""
    return FileResponse(
        ASSETS / "openings.css", media_type="text/css", headers={"Cache-Control": "max-age=3600"}
    )


@router.get("/openings")
def openings_page(
    request: Request, session: DbSession, principal: PageUser, status: str = "", q: str = ""
) -> Response:
    status = status if status in ("draft", "open", "closed") else ""
    openings = queries.list_openings(session, principal, status=status or None, query=q[:100])
    return render(
        request,
        "openings/list.html",
        {
            "openings": openings,
            "units": unit_names(session, principal.tenant_id),
            "status": status,
            "q": q,
            "counts": queries.count_by_status(session, principal),
            "pending_requests": hiring_requests.count_pending_requests(session, principal),
        },
    )


@router.get("/openings/new")
def new_opening_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "openings.create")
    context = form_context(session, principal, "openings.create")
    context["values"] = new_posting_values(
        session, principal, pass_threshold=7.0, generate_plan="on"
    )
    context["owner_ids"] = [principal.user_id]
    return render(request, "openings/form.html", context)


@router.post("/openings")
def create_opening(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "openings.create")
    return forms.submit_form(
        request,
        schemas.OpeningCreate,
        _opening_payload(form),
        forms.redirect_to_new(
            lambda data: service.create_opening(session, principal, data), "/openings/{id}"
        ),
        lambda errors: _opening_form_page(request, session, principal, form, errors),
    )


def _opening_form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    form: PostedForm,
    errors: dict[str, str],
    **more: Any,
) -> Response:
    """The opening's form again, with the values typed and the people chosen."""
    return forms.form_page(
        request,
        "openings/form.html",
        form_context(session, principal, "openings.create"),
        errors,
        form.values,
        owner_ids=ids_of(form.getlist("owner_ids")),
        interviewer_ids=ids_of(form.getlist("interviewer_ids")),
        **more,
    )


def _detail_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    applications = (
        opening_applications(session, principal, opening)
        if principal.has("candidates.read")
        else []
    )
    members = {m.user_id for m in opening.members}
    model = _model_in_effect(opening)
    plan = opening.interview_plan or {}
    rules_ok = True
    try:
        compile_rules(list(opening.screening_rules or []))
    except ValueError:
        rules_ok = False
    counts = {"passed": 0, "pending": 0, "rejected": 0, "": 0}
    for application in applications:
        counts[application.screening_status] = counts.get(application.screening_status, 0) + 1
    return {
        "opening": opening,
        "unit": unit_names(session, principal.tenant_id).get(opening.department_id, ""),
        "names": user_names(session, members),
        "model": model,
        "plan": plan,
        "plan_minutes": round((plan.get("total_seconds") or 0) / 60),
        "warnings": plans.plan_warnings(opening),
        "applications": applications,
        "screen_counts": counts,
        "rules_ok": rules_ok,
        "can_manage": principal.has("openings.manage")
        and _can_manage(session, principal, opening.id),
        "next_status": {"draft": ["open", "closed"], "open": ["closed"], "closed": ["open"]}.get(
            opening.status, []
        ),
    }


def _can_manage(session: DbSession, principal: Principal, opening_id: int) -> bool:
    try:
        access.manageable_opening(session, principal, opening_id)
        return True
    except AppError:
        return False


def _manager_form_page(
    request: Request, template: str, context: dict[str, Any], errors: dict[str, str], **more: Any
) -> Response:
    """One of an opening's pages again with a refused form (only its managers post them)."""
    return forms.form_page(request, template, context, errors, {}, can_manage=True, **more)


@router.get("/openings/{opening_id}")
def opening_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = queries.get_opening(session, principal, opening_id)
    context = _detail_context(session, principal, opening)
    shown = [application.candidate_id for application in context["applications"]]
    audit_read(session, principal, "applications.listed", "candidate", shown)
    return render(request, "openings/detail.html", context)


@router.get("/openings/{opening_id}/edit")
def edit_opening_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)
    context = form_context(session, principal, "openings.create")
    context.update(
        {
            "opening": opening,
            "values": {**posting_values(opening), "pass_threshold": opening.pass_threshold},
            "owner_ids": opening.member_ids("owner"),
            "interviewer_ids": opening.member_ids("interviewer"),
        }
    )
    return render(request, "openings/form.html", context)


@router.post("/openings/{opening_id}/edit")
def edit_opening(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)
    _ = gettext_for(request.state.language)
    payload = _opening_payload(form)
    fields = {k: v for k, v in payload.items() if k in schemas.OpeningUpdate.model_fields}
    members, member_errors = forms.validate_form(
        schemas.MembersIn,
        {"owner_ids": payload["owner_ids"], "interviewer_ids": payload["interviewer_ids"]},
        _,
    )

    def save(update: schemas.OpeningUpdate) -> Response:
        if members is None:
            return page({})
        service.update_opening(session, principal, opening_id, update)
        service.set_members(session, principal, opening_id, members)
        return RedirectResponse(f"/openings/{opening_id}", status_code=303)

    def page(errors: dict[str, str]) -> Response:
        session.rollback()
        merged = {**errors, **member_errors}
        return _opening_form_page(request, session, principal, form, merged, opening=opening)

    return forms.submit_form(request, schemas.OpeningUpdate, fields, save, page)


@router.post("/openings/{opening_id}/status")
def change_status(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    _ = gettext_for(request.state.language)
    data, _errors = forms.validate_form(schemas.StatusIn, {"status": form.get("status")}, _)
    if data is None:
        access.manageable_opening(session, principal, opening_id)
        return RedirectResponse(f"/openings/{opening_id}", status_code=303)
    service.set_status(session, principal, opening_id, data.status)
    return RedirectResponse(f"/openings/{opening_id}", status_code=303)


@router.post("/openings/{opening_id}/delete")
def delete_opening(session: DbSession, principal: PageUser, opening_id: Id) -> Response:
    service.delete_opening(session, principal, opening_id)
    return RedirectResponse("/openings", status_code=303)


# --------------------------------------------------------------------------- competency model


def _model_in_effect(opening: Opening) -> dict[str, Any]:
    """The stored model, else the job type's preset (what scoring would use)."""
    if opening.competency_model:
        return opening.competency_model
    return model_to_dict(competency.competency_model_of(opening))


def _model_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    model = _model_in_effect(opening)
    return {
        "opening": opening,
        "model": model,
        "is_default": not opening.competency_model,
        "chosen": [d.get("id") for d in model.get("dimensions", [])],
        "presets": list_presets(),
        "job_types": list_job_types(),
        "errors": {},
        "error_list": [],
    }


@router.post("/openings/{opening_id}/model")
def set_model(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)

    def page(errors: dict[str, str]) -> Response:
        context = _model_context(session, principal, opening)
        return _manager_form_page(request, "openings/model.html", context, errors)

    fields = {
        "source": form.get("source", "job_type"),
        "job_type": form.get("job_type") or None,
        "competencies": form.getlist("competencies"),
        "industry": form.get("industry") or None,
    }
    return forms.submit_form(
        request,
        schemas.CompetencyModelIn,
        fields,
        forms.redirect_after(
            lambda data: competency.set_competency_model(session, principal, opening_id, data),
            f"/openings/{opening_id}/model",
        ),
        page,
    )


@router.post("/openings/{opening_id}/model/dictionary")
def upload_dictionary(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)
    _ = gettext_for(request.state.language)
    problems: list[str] = []

    def save() -> Response:
        upload = form.file("dictionary")
        if upload is None:
            raise errors.ModelRejected(
                params={"detail": _("Choose a file to upload.")}, fields={"dictionary": "required"}
            )
        content = form.read_file("dictionary", competency.MAX_DICTIONARY_BYTES + 1) or b""
        competency.import_dictionary(session, principal, opening_id, upload.filename or "", content)
        return RedirectResponse(f"/openings/{opening_id}/model", status_code=303)

    def page(errors: dict[str, str]) -> Response:
        context = _model_context(session, principal, opening)
        shown = {"dictionary": next(iter(errors.values()))}
        return _manager_form_page(
            request, "openings/model.html", context, shown, error_list=problems
        )

    return forms.act_or_rerender(request, _noting_fields(problems, save), page)


# --------------------------------------------------------------------------- interview plan


def _plan_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    model = _model_in_effect(opening)
    return {
        "opening": opening,
        "plan": opening.interview_plan or {},
        "dimensions": {d.get("id"): d.get("name", {}) for d in model.get("dimensions", [])},
        "coding_choices": coding_plans.bank_choices(principal.language),
        "coding_dimension": coding_plans.technical_dimension(
            tuple(str(d.get("id")) for d in model.get("dimensions", []))
        ),
        "warnings": plans.plan_warnings(opening),
        "errors": {},
        "error_list": [],
    }


def _plan_refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    opening_id: int,
    errors: dict[str, str],
    error_list: list[str] | None = None,
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)
    return _manager_form_page(
        request,
        "openings/plan.html",
        _plan_context(session, principal, opening),
        errors,
        error_list=error_list or [],
    )


@router.post("/openings/{opening_id}/plan/generate")
def generate_plan(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    access.manageable_opening(session, principal, opening_id)
    return forms.submit_form(
        request,
        schemas.PlanGenerateIn,
        {"budget_minutes": form.get("budget_minutes") or 30},
        forms.redirect_after(
            lambda data: plans.generate_opening_plan(
                session, principal, opening_id, data.budget_minutes
            ),
            f"/openings/{opening_id}/plan",
        ),
        lambda errors: _plan_refused(request, session, principal, opening_id, errors),
    )


@router.post("/openings/{opening_id}/plan/edit")
def edit_plan(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    access.manageable_opening(session, principal, opening_id)
    problems: list[str] = []

    def save(data: schemas.PlanEditIn) -> object:
        return plans.edit_plan(session, principal, opening_id, data)

    fields = {
        k: v for k, v in form.values.items() if k in schemas.PlanEditIn.model_fields and v != ""
    }
    return forms.submit_form(
        request,
        schemas.PlanEditIn,
        fields,
        forms.redirect_after(_noting_fields(problems, save), f"/openings/{opening_id}/plan"),
        lambda errors: _plan_refused(request, session, principal, opening_id, errors, problems),
    )


# --------------------------------------------------------------------------- screening rules


def _rules_context(opening: Opening, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    rows = (
        rules
        if rules is not None
        else [
            {
                "text": r.get("text", ""),
                "kind": r.get("kind", "knockout"),
                "weight": r.get("weight", 1.0),
                "name": (r.get("name") or {}).get("zh") or (r.get("name") or {}).get("en") or "",
            }
            for r in opening.screening_rules or []
        ]
    )
    return {
        "opening": opening,
        "rules": rows,
        "problems": {},
        "symbols": SYMBOLS,
        "functions": FUNCTIONS,
        "degrees": DEGREES,
        "errors": {},
        "form": {},
    }


def _rules_from(form: PostedForm) -> list[dict[str, Any]]:
    texts = form.getlist("text")
    kinds = form.getlist("kind")
    weights = form.getlist("weight")
    names = form.getlist("name")
    rules = []
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        rules.append(
            {
                "text": text.replace("\r\n", "\n"),
                "kind": kinds[i] if i < len(kinds) else "knockout",
                "weight": weights[i] if i < len(weights) and weights[i] else 1.0,
                "name": names[i] if i < len(names) else "",
            }
        )
    return rules


@router.post("/openings/{opening_id}/rules")
def save_rules(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = access.manageable_opening(session, principal, opening_id)
    _ = gettext_for(request.state.language)
    rules = _rules_from(form)

    def save(data: schemas.ScreeningRulesIn) -> Response:
        try:
            service.save_screening_rules(session, principal, opening_id, data)
        except errors.RulesRejected as exc:
            problems: dict[int, list[dict[str, Any]]] = {}
            for key, problem in exc.fields.items():
                problems.setdefault(int(key.split(".")[1]), []).append(problem)
            return page({"form": exc.translated(_)}, problems)
        return RedirectResponse(f"/openings/{opening_id}/rules?saved=1", status_code=303)

    def page(
        errors: dict[str, str], problems: dict[int, list[dict[str, Any]]] | None = None
    ) -> Response:
        context = _rules_context(opening, rules)
        return _manager_form_page(
            request, "openings/rules.html", context, errors, problems=problems or {}
        )

    return forms.submit_form(request, schemas.ScreeningRulesIn, {"rules": rules}, save, page)


@router.post("/openings/{opening_id}/rules/build")
def build_rule(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    """Turn the form's filters into rule text and add it to the (unsaved) rules."""
    opening = access.manageable_opening(session, principal, opening_id)
    values = dict(form.values)
    _ = gettext_for(request.state.language)
    rules = _rules_from(form)
    min_scores = {}
    if values.get("score_dimension") and values.get("score_min"):
        min_scores[values["score_dimension"]] = values["score_min"]
    min_mentions = {}
    if values.get("mention_phrase") and values.get("mention_count"):
        min_mentions[values["mention_phrase"]] = values["mention_count"]
    filters = {
        "min_education": values.get("min_education") or None,
        "majors": values.get("majors", ""),
        "min_years": values.get("min_years") or None,
        "industry": values.get("form_industry") or None,
        "min_industry_years": values.get("min_industry_years") or None,
        "required_skills": values.get("required_skills", ""),
        "any_skills": values.get("any_skills", ""),
        "certificates": values.get("certificates", ""),
        "locations": values.get("locations", ""),
        "keywords": values.get("keywords", ""),
        "min_scores": min_scores,
        "min_mentions": min_mentions,
    }
    data, errors = forms.validate_form(schemas.ScreeningFormIn, filters, _)
    if data is not None:
        try:
            text = rule_text(data.model_dump(exclude_none=True))
            rules.append(
                {
                    "text": text,
                    "kind": values.get("form_kind") or "knockout",
                    "weight": values.get("form_weight") or 1.0,
                    "name": "",
                }
            )
        except ValueError as exc:
            errors = {
                "builder": _("The filters do not make a rule: %(problem)s") % {"problem": str(exc)}
            }
    context = _rules_context(opening, rules)
    context.update({"errors": errors, "can_manage": True, "form": values, "unsaved": True})
    return render(request, "openings/rules.html", context, status_code=200 if not errors else 422)


# --------------------------------------------------------------------------- an opening's pages

# The pages beside an opening's detail page: path, endpoint name, template, context.
SUBPAGES: tuple[tuple[str, str, str, Callable[..., dict[str, Any]]], ...] = (
    ("model", "model_page", "openings/model.html", _model_context),
    ("plan", "plan_page", "openings/plan.html", _plan_context),
    ("rules", "rules_page", "openings/rules.html", lambda _s, _p, opening: _rules_context(opening)),
)


def _add_subpage_route(
    path: str,
    name: str,
    template: str,
    build: Callable[[DbSession, Principal, Opening], dict[str, Any]],
) -> None:
    """Register one of an opening's pages, with edit controls for its managers."""

    def endpoint(
        request: Request, session: DbSession, principal: PageUser, opening_id: Id
    ) -> Response:
        opening = queries.get_opening(session, principal, opening_id)
        context = build(session, principal, opening)
        context["can_manage"] = _can_manage(session, principal, opening.id)
        return render(request, template, context)

    endpoint.__name__ = endpoint.__qualname__ = name
    router.get(f"/openings/{{opening_id}}/{path}")(endpoint)


for _path, _name, _template, _build in SUBPAGES:
    _add_subpage_route(_path, _name, _template, _build)


# --------------------------------------------------------------------------- hiring requests
