"""Opening pages: list, create and edit, competency model, interview plan, screening rules,
the opening's screened candidates, and hiring requests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, reaches_unit, require
from hireflow.openings import queries, schemas, service
from hireflow.openings.models import JOB_TYPES, HiringRequest, Opening
from hireflow.org.models import Department, Subsidiary, User
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, app_error_fields, submit_form, validate_form
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
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
DEGREES = ("high_school", "associate", "bachelor", "master", "phd")
ASSETS = Path(__file__).resolve().parent / "static"


async def _form(
    request: Request,
) -> tuple[dict[str, Any], dict[str, list[str]], dict[str, UploadFile]]:
    """(single values, repeated values, files) of a posted form."""
    form = await request.form()
    values: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    uploads: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values[key] = value
            lists.setdefault(key, []).append(value)
        elif isinstance(value, UploadFile):
            uploads[key] = value
    return values, lists, uploads


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _units(
    session: DbSession, principal: Principal, capability: str
) -> list[tuple[Department, str]]:
    """Departments the principal may place an opening (or a request) in, with their labels."""
    rows = session.execute(
        select(Department, Subsidiary)
        .join(Subsidiary, Subsidiary.id == Department.subsidiary_id)
        .where(Department.tenant_id == principal.tenant_id)
        .order_by(Subsidiary.name, Department.name)
    ).all()
    return [
        (d, f"{s.name} · {d.name}")
        for d, s in rows
        if reaches_unit(principal, capability, d.subsidiary_id, d.id)
    ]


def _unit_names(session: DbSession, tenant_id: int) -> dict[int, str]:
    return {
        d.id: f"{s.name} · {d.name}"
        for d, s in session.execute(
            select(Department, Subsidiary)
            .join(Subsidiary, Subsidiary.id == Department.subsidiary_id)
            .where(Department.tenant_id == tenant_id)
        )
    }


def _user_names(session: DbSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _requirements_from(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "education": values.get("education") or None,
        "majors": values.get("majors", ""),
        "years": values.get("years") or None,
        "industry": values.get("industry") or None,
        "skills": values.get("skills", ""),
    }


def _company_region(session: Any, principal: Any) -> str:
    """The region a new opening's form starts with: the company's (residency follows it)."""
    from hireflow.org.models import Tenant

    tenant = session.get(Tenant, principal.tenant_id)
    return tenant.region if tenant is not None and tenant.region else "cn"


def _opening_payload(values: dict[str, Any], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "title": values.get("title", ""),
        "department_id": values.get("department_id") or None,
        "location": values.get("location", ""),
        "region": values.get("region") or None,
        "job_type": values.get("job_type", "other"),
        "language": values.get("language", "zh-CN"),
        "description": values.get("description", ""),
        "requirements": _requirements_from(values),
        "pass_threshold": values.get("pass_threshold") or 7.0,
        "headcount": values.get("headcount") or 1,
        "owner_ids": _ids(lists.get("owner_ids", [])),
        "interviewer_ids": _ids(lists.get("interviewer_ids", [])),
        "generate_plan": values.get("generate_plan") == "on",
        "plan_minutes": values.get("plan_minutes") or 30,
    }


def _form_context(session: DbSession, principal: Principal, capability: str) -> dict[str, Any]:
    return {
        "units": _units(session, principal, capability),
        "job_types": JOB_TYPES,
        "degrees": DEGREES,
        "regions": schemas.REGIONS,
        "owners": service.staff_with_roles(session, principal.tenant_id, service.OWNER_ROLES),
        "panel": service.staff_with_roles(session, principal.tenant_id, service.PANEL_ROLES),
        "errors": {},
        "values": {},
    }


def _values_of(opening: Opening) -> dict[str, Any]:
    requirements = opening.requirements or {}
    return {
        "title": opening.title,
        "department_id": str(opening.department_id),
        "location": opening.location,
        "region": opening.region,
        "job_type": opening.job_type,
        "language": opening.language,
        "description": opening.description,
        "education": requirements.get("education") or "",
        "majors": ", ".join(requirements.get("majors", [])),
        "years": requirements.get("years") if requirements.get("years") is not None else "",
        "industry": requirements.get("industry") or "",
        "skills": ", ".join(requirements.get("skills", [])),
        "pass_threshold": opening.pass_threshold,
        "headcount": opening.headcount,
    }


def _redo(exc: AppError) -> None:
    if exc.status in (401, 403, 404):
        raise exc


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
            "units": _unit_names(session, principal.tenant_id),
            "status": status,
            "q": q,
            "counts": queries.count_by_status(session, principal),
            "pending_requests": service.count_pending_requests(session, principal),
        },
    )


@router.get("/openings/new")
def new_opening_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "openings.create")
    context = _form_context(session, principal, "openings.create")
    context["values"] = {
        "region": _company_region(session, principal),
        "language": principal.language,
        "pass_threshold": 7.0,
        "headcount": 1,
        "generate_plan": "on",
    }
    context["owner_ids"] = [principal.user_id]
    return render(request, "openings/form.html", context)


@router.post("/openings")
async def create_opening(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "openings.create")
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.OpeningCreate, _opening_payload(values, lists), _)
    if data is not None:
        try:
            opening = service.create_opening(session, principal, data)
            return RedirectResponse(f"/openings/{opening.id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    context = _form_context(session, principal, "openings.create")
    context.update(
        {
            "errors": errors,
            "values": values,
            "owner_ids": _ids(lists.get("owner_ids", [])),
            "interviewer_ids": _ids(lists.get("interviewer_ids", [])),
        }
    )
    return render(request, "openings/form.html", context, status_code=422)


def _detail_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    from hireflow.candidates.queries import opening_applications
    from hireflow.candidates.screening import compile_rules

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
        "unit": _unit_names(session, principal.tenant_id).get(opening.department_id, ""),
        "names": _user_names(session, members),
        "model": model,
        "plan": plan,
        "plan_minutes": round((plan.get("total_seconds") or 0) / 60),
        "warnings": service.plan_warnings(opening),
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
        service.manageable_opening(session, principal, opening_id)
        return True
    except AppError:
        return False


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
    opening = service.manageable_opening(session, principal, opening_id)
    context = _form_context(session, principal, "openings.create")
    context.update(
        {
            "opening": opening,
            "values": _values_of(opening),
            "owner_ids": opening.member_ids("owner"),
            "interviewer_ids": opening.member_ids("interviewer"),
        }
    )
    return render(request, "openings/form.html", context)


@router.post("/openings/{opening_id}/edit")
async def edit_opening(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = service.manageable_opening(session, principal, opening_id)
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    payload = _opening_payload(values, lists)
    update, errors = validate_form(
        schemas.OpeningUpdate,
        {k: v for k, v in payload.items() if k in schemas.OpeningUpdate.model_fields},
        _,
    )
    members, member_errors = validate_form(
        schemas.MembersIn,
        {"owner_ids": payload["owner_ids"], "interviewer_ids": payload["interviewer_ids"]},
        _,
    )
    errors.update(member_errors)
    if update is not None and members is not None:
        try:
            service.update_opening(session, principal, opening_id, update)
            service.set_members(session, principal, opening_id, members)
            return RedirectResponse(f"/openings/{opening_id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            session.rollback()
            errors = app_error_fields(exc, _)
    context = _form_context(session, principal, "openings.create")
    context.update(
        {
            "opening": opening,
            "errors": errors,
            "values": values,
            "owner_ids": payload["owner_ids"],
            "interviewer_ids": payload["interviewer_ids"],
        }
    )
    return render(request, "openings/form.html", context, status_code=422)


@router.post("/openings/{opening_id}/status")
async def change_status(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    values, _lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, _errors = validate_form(schemas.StatusIn, {"status": values.get("status", "")}, _)
    if data is None:
        service.manageable_opening(session, principal, opening_id)
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
    from hireflow.scoring.models import model_to_dict

    if opening.competency_model:
        return opening.competency_model
    return model_to_dict(service.competency_model_of(opening))


def _model_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    from hireflow.scoring.models import list_job_types, list_presets

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


@router.get("/openings/{opening_id}/model")
def model_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = queries.get_opening(session, principal, opening_id)
    context = _model_context(session, principal, opening)
    context["can_manage"] = _can_manage(session, principal, opening.id)
    return render(request, "openings/model.html", context)


@router.post("/openings/{opening_id}/model")
def set_model(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    opening = service.manageable_opening(session, principal, opening_id)

    def save(data: schemas.CompetencyModelIn) -> Response:
        service.set_competency_model(session, principal, opening_id, data)
        return RedirectResponse(f"/openings/{opening_id}/model", status_code=303)

    def page(errors: dict[str, str]) -> Response:
        context = _model_context(session, principal, opening)
        context.update({"errors": errors, "can_manage": True})
        return render(request, "openings/model.html", context, status_code=422)

    fields = {
        "source": form.get("source", "job_type"),
        "job_type": form.get("job_type") or None,
        "competencies": form.getlist("competencies"),
        "industry": form.get("industry") or None,
    }
    return submit_form(request, schemas.CompetencyModelIn, fields, save, page)


@router.post("/openings/{opening_id}/model/dictionary")
async def upload_dictionary(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = service.manageable_opening(session, principal, opening_id)
    _values, _lists, files = await _form(request)
    _ = gettext_for(request.state.language)
    upload = files.get("dictionary")
    try:
        if upload is None or not upload.filename:
            raise service.ModelRejected(
                params={"detail": _("Choose a file to upload.")}, fields={"dictionary": "required"}
            )
        content = await upload.read(service.MAX_DICTIONARY_BYTES + 1)
        service.import_dictionary(session, principal, opening_id, upload.filename, content)
        return RedirectResponse(f"/openings/{opening_id}/model", status_code=303)
    except AppError as exc:
        _redo(exc)
        context = _model_context(session, principal, opening)
        context.update(
            {
                "errors": {"dictionary": exc.translated(_)},
                "can_manage": True,
                "error_list": [f"{k}: {v}" for k, v in exc.fields.items()],
            }
        )
        return render(request, "openings/model.html", context, status_code=422)


# --------------------------------------------------------------------------- interview plan


def _plan_context(session: DbSession, principal: Principal, opening: Opening) -> dict[str, Any]:
    model = _model_in_effect(opening)
    return {
        "opening": opening,
        "plan": opening.interview_plan or {},
        "dimensions": {d.get("id"): d.get("name", {}) for d in model.get("dimensions", [])},
        "warnings": service.plan_warnings(opening),
        "errors": {},
        "error_list": [],
    }


@router.get("/openings/{opening_id}/plan")
def plan_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = queries.get_opening(session, principal, opening_id)
    context = _plan_context(session, principal, opening)
    context["can_manage"] = _can_manage(session, principal, opening.id)
    return render(request, "openings/plan.html", context)


@router.post("/openings/{opening_id}/plan/generate")
async def generate_plan(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    service.manageable_opening(session, principal, opening_id)
    values, _lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(
        schemas.PlanGenerateIn, {"budget_minutes": values.get("budget_minutes") or 30}, _
    )
    if data is not None:
        try:
            service.generate_opening_plan(session, principal, opening_id, data.budget_minutes)
            return RedirectResponse(f"/openings/{opening_id}/plan", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    opening = service.manageable_opening(session, principal, opening_id)
    context = _plan_context(session, principal, opening)
    context.update({"errors": errors, "can_manage": True})
    return render(request, "openings/plan.html", context, status_code=422)


@router.post("/openings/{opening_id}/plan/edit")
async def edit_plan(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    service.manageable_opening(session, principal, opening_id)
    values, _lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(
        schemas.PlanEditIn,
        {k: v for k, v in values.items() if k in schemas.PlanEditIn.model_fields and v != ""},
        _,
    )
    error_list: list[str] = []
    if data is not None:
        try:
            service.edit_plan(session, principal, opening_id, data)
            return RedirectResponse(f"/openings/{opening_id}/plan", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
            error_list = [f"{k}: {v}" for k, v in exc.fields.items()]
    opening = service.manageable_opening(session, principal, opening_id)
    context = _plan_context(session, principal, opening)
    context.update({"errors": errors, "error_list": error_list, "can_manage": True})
    return render(request, "openings/plan.html", context, status_code=422)


# --------------------------------------------------------------------------- screening rules


def _rules_context(opening: Opening, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    from hireflow.candidates.screening import FUNCTIONS, SYMBOLS

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


def _rules_from(lists: dict[str, list[str]]) -> list[dict[str, Any]]:
    texts = lists.get("text", [])
    kinds = lists.get("kind", [])
    weights = lists.get("weight", [])
    names = lists.get("name", [])
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


@router.get("/openings/{opening_id}/rules")
def rules_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = queries.get_opening(session, principal, opening_id)
    context = _rules_context(opening)
    context["can_manage"] = _can_manage(session, principal, opening.id)
    return render(request, "openings/rules.html", context)


@router.post("/openings/{opening_id}/rules")
async def save_rules(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = service.manageable_opening(session, principal, opening_id)
    _values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    rules = _rules_from(lists)
    data, errors = validate_form(schemas.ScreeningRulesIn, {"rules": rules}, _)
    problems: dict[int, list[dict[str, Any]]] = {}
    if data is not None:
        try:
            service.save_screening_rules(session, principal, opening_id, data)
            return RedirectResponse(f"/openings/{opening_id}/rules?saved=1", status_code=303)
        except service.RulesRejected as exc:
            errors = {"form": exc.translated(_)}
            for key, problem in exc.fields.items():
                problems.setdefault(int(key.split(".")[1]), []).append(problem)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    context = _rules_context(opening, rules)
    context.update({"errors": errors, "problems": problems, "can_manage": True})
    return render(request, "openings/rules.html", context, status_code=422)


@router.post("/openings/{opening_id}/rules/build")
async def build_rule(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    """Turn the form's filters into rule text and add it to the (unsaved) rules."""
    from hireflow.candidates.screening import build_rule as build

    opening = service.manageable_opening(session, principal, opening_id)
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    rules = _rules_from(lists)
    min_scores = {}
    if values.get("score_dimension") and values.get("score_min"):
        min_scores[values["score_dimension"]] = values["score_min"]
    min_mentions = {}
    if values.get("mention_phrase") and values.get("mention_count"):
        min_mentions[values["mention_phrase"]] = values["mention_count"]
    form = {
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
    data, errors = validate_form(schemas.ScreeningFormIn, form, _)
    if data is not None:
        try:
            text = build(data.model_dump(exclude_none=True))
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


# --------------------------------------------------------------------------- hiring requests


def _request_payload(values: dict[str, Any], lists: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "department_id": values.get("department_id") or None,
        "title": values.get("title", ""),
        "job_type": values.get("job_type", "other"),
        "location": values.get("location", ""),
        "region": values.get("region") or None,
        "language": values.get("language", "zh-CN"),
        "headcount": values.get("headcount") or 1,
        "description": values.get("description", ""),
        "requirements": _requirements_from(values),
        "dimensions": lists.get("dimensions", []),
    }


def _request_form_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    from hireflow.scoring.models import list_presets

    context = _form_context(session, principal, "hiring_requests.submit")
    context["presets"] = list_presets()
    return context


@router.get("/hiring-requests")
def requests_page(
    request: Request, session: DbSession, principal: PageUser, status: str = ""
) -> Response:
    status = status if status in ("submitted", "returned", "approved") else ""
    rows = queries.list_hiring_requests(session, principal, status=status or None)
    return render(
        request,
        "openings/requests.html",
        {
            "requests": rows,
            "status": status,
            "units": _unit_names(session, principal.tenant_id),
            "names": _user_names(session, {r.submitted_by_id for r in rows}),
        },
    )


@router.get("/hiring-requests/new")
def new_request_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "hiring_requests.submit")
    context = _request_form_context(session, principal)
    context["values"] = {
        "region": _company_region(session, principal),
        "language": principal.language,
        "headcount": 1,
    }
    return render(request, "openings/request_form.html", context)


@router.post("/hiring-requests")
async def submit_request(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "hiring_requests.submit")
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.HiringRequestIn, _request_payload(values, lists), _)
    if data is not None:
        try:
            row = service.submit_request(session, principal, data)
            return RedirectResponse(f"/hiring-requests/{row.id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    context = _request_form_context(session, principal)
    context.update({"errors": errors, "values": values, "chosen": lists.get("dimensions", [])})
    return render(request, "openings/request_form.html", context, status_code=422)


def _request_context(
    session: DbSession, principal: Principal, row: HiringRequest
) -> dict[str, Any]:
    from hireflow.scoring.models import list_presets

    history = []
    for step in row.history or []:
        try:
            when = datetime.fromisoformat(str(step.get("at")))
        except ValueError:
            when = None
        history.append({**step, "when": when})
    return {
        "req": row,
        "history": history,
        "unit": _unit_names(session, principal.tenant_id).get(row.department_id, ""),
        "names": _user_names(session, {row.submitted_by_id, row.reviewed_by_id or 0}),
        "preset_names": {p["id"]: p["name"] for p in list_presets()},
        "owners": service.staff_with_roles(session, principal.tenant_id, service.OWNER_ROLES),
        "can_review": principal.has("hiring_requests.review") and row.status == "submitted",
        "can_resubmit": row.status == "returned" and row.submitted_by_id == principal.user_id,
        "errors": {},
        "values": {},
    }


@router.get("/hiring-requests/{hiring_request_id}")
def request_page(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id
) -> Response:
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    context = _request_context(session, principal, row)
    if context["can_resubmit"]:
        context.update(_request_form_context(session, principal))
        context["values"] = {**_values_of_request(row)}
        context["chosen"] = list(row.dimensions or [])
    return render(request, "openings/request.html", context)


def _values_of_request(row: HiringRequest) -> dict[str, Any]:
    requirements = row.requirements or {}
    return {
        "department_id": str(row.department_id),
        "title": row.title,
        "job_type": row.job_type,
        "location": row.location,
        "region": row.region,
        "language": row.language,
        "headcount": row.headcount,
        "description": row.description,
        "education": requirements.get("education") or "",
        "majors": ", ".join(requirements.get("majors", [])),
        "years": requirements.get("years") if requirements.get("years") is not None else "",
        "industry": requirements.get("industry") or "",
        "skills": ", ".join(requirements.get("skills", [])),
    }


@router.post("/hiring-requests/{hiring_request_id}")
async def resubmit_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id
) -> Response:
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.HiringRequestIn, _request_payload(values, lists), _)
    if data is not None:
        try:
            service.resubmit_request(session, principal, hiring_request_id, data)
            return RedirectResponse(f"/hiring-requests/{hiring_request_id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    context = _request_context(session, principal, row)
    context.update(_request_form_context(session, principal))
    context.update({"errors": errors, "values": values, "chosen": lists.get("dimensions", [])})
    return render(request, "openings/request.html", context, status_code=422)


@router.post("/hiring-requests/{hiring_request_id}/approve")
async def approve_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id
) -> Response:
    require(principal, "hiring_requests.review")
    values, lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(
        schemas.ApproveIn,
        {
            "comment": values.get("comment", ""),
            "owner_ids": _ids(lists.get("owner_ids", [])),
            "open_now": values.get("open_now") == "on",
        },
        _,
    )
    if data is not None:
        try:
            row = service.approve_request(session, principal, hiring_request_id, data)
            return RedirectResponse(f"/openings/{row.opening_id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = app_error_fields(exc, _)
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    context = _request_context(session, principal, row)
    context.update({"errors": errors, "values": values})
    return render(request, "openings/request.html", context, status_code=422)


@router.post("/hiring-requests/{hiring_request_id}/return")
async def return_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id
) -> Response:
    require(principal, "hiring_requests.review")
    values, _lists, _files = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.ReviewIn, {"comment": values.get("comment", "")}, _)
    if data is not None:
        try:
            service.return_request(session, principal, hiring_request_id, data)
            return RedirectResponse(f"/hiring-requests/{hiring_request_id}", status_code=303)
        except AppError as exc:
            _redo(exc)
            errors = {"return_comment": exc.translated(_)}
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    context = _request_context(session, principal, row)
    context.update({"errors": errors, "values": values})
    return render(request, "openings/request.html", context, status_code=422)
