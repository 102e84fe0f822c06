"""The analytics dashboard: filters, a chart and its table per figure, CSV/XLSX downloads."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from hireflow.analytics import accuracy, bias_audit, monthly, tables
from hireflow.analytics import self_identification as selfid
from hireflow.analytics.categories import LABELS, QUESTIONS, SETS
from hireflow.analytics.queries import Filters, parse_filters, scoped_openings
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.i18n import gettext_for, is_language
from hireflow.core.permissions import Principal, can, require
from hireflow.core.settings import get_settings
from hireflow.org.models import Department, Tenant
from hireflow.scheduling import candidate_link
from hireflow.scheduling.models import Invitation
from hireflow.web.deps import DbSession, PageUser, audit_read
from hireflow.web.forms import Form, submit_form
from hireflow.web.middleware import LANG_COOKIE
from hireflow.web.streaming import attachment, public_file
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/analytics", N_("Analytics"), "analytics.read", order=60, group="recruiting"),
    NavItem(
        "/analytics/ai-accuracy",
        N_("AI accuracy"),
        accuracy.CAPABILITY,
        order=62,
        group="recruiting",
    ),
    NavItem(
        "/analytics/bias-audit", N_("Bias audit"), "analytics.audit", order=61, group="recruiting"
    ),
    NavItem(
        "/analytics/validity",
        N_("Predictive validity"),
        "analytics.read",
        order=63,
        group="recruiting",
    ),
)
ASSETS = Path(__file__).resolve().parent / "static"
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filters_from(request: Request) -> Filters:
    """The filters of a dashboard URL (``?opening=&department=&start=&end=``)."""
    return parse_filters(request.query_params)


def filter_errors(exc: ValidationFailed, _: tables.Translate) -> dict[str, str]:
    """Filters the figures refused, as the page's field errors."""
    return {field: exc.translated(_) for field in exc.fields}


def download_choice(request: Request, charts: Collection[str]) -> tuple[str, str]:
    """The table (``?chart=``, one of ``charts``) and format (``?format=``) a download asks
    for; 404 for any other."""
    chart = request.query_params.get("chart", "")
    fmt = request.query_params.get("format", "csv")
    if chart not in charts or fmt not in MEDIA:
        raise NotFound()
    return chart, fmt


def _departments(session: DbSession, principal: Principal) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Department.id, Department.name)
        .where(Department.tenant_id == principal.tenant_id)
        .order_by(Department.name)
    )
    return [(department_id, name) for department_id, name in rows]


def _page_context(
    request: Request, session: DbSession, principal: Principal, capability: str = "analytics.read"
) -> dict[str, Any]:
    """What every analytics page's filter form needs, and no figures yet."""
    return {
        "openings": scoped_openings(session, principal, capability),
        "departments": _departments(session, principal),
        "query": dict(request.query_params),
        "tables": [],
        "errors": {},
    }


@router.get("/analytics/assets/analytics.js")
def script() -> Response:
    return public_file(ASSETS / "analytics.js", "text/javascript", max_age=300)


@router.get("/analytics")
def dashboard(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "analytics.read")
    _ = gettext_for(request.state.language)
    context = _page_context(request, session, principal)
    context["subscribed"] = monthly.is_subscribed(session, principal)
    try:
        filters = filters_from(request)
        context["tables"] = [
            tables.table(key, session, principal, filters, _) for key in tables.CHARTS
        ]
    except ValidationFailed as exc:
        context["errors"] = filter_errors(exc, _)
        return render(request, "analytics/dashboard.html", context, status_code=422)
    return render(request, "analytics/dashboard.html", context)


@router.post("/analytics/monthly-report")
def monthly_subscription(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    """Subscribe to (``subscribed=1``) or leave (``0``) the monthly report by e-mail."""
    require(principal, monthly.CAPABILITY)

    def save(data: SubscriptionIn) -> Response:
        monthly.set_subscribed(session, principal, data.subscribed)
        return RedirectResponse("/analytics#monthly-report", status_code=303)

    def page(errors: dict[str, str]) -> Response:
        context = _page_context(request, session, principal)
        context |= {"errors": errors, "subscribed": monthly.is_subscribed(session, principal)}
        return render(request, "analytics/dashboard.html", context, status_code=422)

    return submit_form(request, SubscriptionIn, {"subscribed": form.get("subscribed")}, save, page)


class SubscriptionIn(BaseModel):
    subscribed: bool


@router.get("/analytics/export")
def export(request: Request, session: DbSession, principal: PageUser) -> Response:
    """One chart's table (``?chart=``) as CSV (UTF-8 with BOM) or XLSX (``?format=``), with
    the page's filters."""
    chart, fmt = download_choice(request, tables.CHARTS)
    _ = gettext_for(request.state.language)
    found = tables.table(chart, session, principal, filters_from(request), _)
    return exported(session, principal, found, fmt)


def exported(
    session: DbSession,
    principal: Principal,
    found: tables.Table,
    fmt: str,
    action: str = "analytics.exported",
) -> Response:
    """One table as a CSV or XLSX download, the download audited as a read of the tenant's
    figures."""
    audit_read(session, principal, action, "tenant", [principal.tenant_id])
    body = tables.as_csv(found) if fmt == "csv" else tables.as_xlsx(found)
    return attachment(body, MEDIA[fmt], f"hireflow-{found.key}.{fmt}")


# --------------------------------------------------------------------------- AI accuracy


@router.get("/analytics/ai-accuracy")
def accuracy_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The AI accuracy review (SPEC I4): agreement with interviewers, recommendation vs
    hire, HR's overrides, drift by month; low agreement linked to calibration."""
    require(principal, accuracy.CAPABILITY)
    _ = gettext_for(request.state.language)
    context = _page_context(request, session, principal, accuracy.CAPABILITY)
    context |= {
        "flagged": [],
        "low_qwk": accuracy.LOW_QWK,
        "min_pairs": accuracy.MIN_PAIRS,
        "can_calibrate": can(principal, "interviews.calibrate"),
    }
    try:
        found, context["tables"] = tables.accuracy_tables(
            session, principal, filters_from(request), _
        )
    except ValidationFailed as exc:
        context["errors"] = filter_errors(exc, _)
        return render(request, "analytics/ai_accuracy.html", context, status_code=422)
    agreement = context["tables"][0].rows
    context["flagged"] = [
        row[0] for row, a in zip(agreement, found.agreement, strict=True) if a.flagged
    ]
    return render(request, "analytics/ai_accuracy.html", context)


@router.get("/analytics/ai-accuracy/export")
def accuracy_export(request: Request, session: DbSession, principal: PageUser) -> Response:
    """One of the review's tables (``?chart=``) as CSV or XLSX (``?format=``)."""
    chart, fmt = download_choice(request, tables.ACCURACY)
    _ = gettext_for(request.state.language)
    _found, found = tables.accuracy_tables(session, principal, filters_from(request), _)
    return exported(session, principal, found[tables.ACCURACY.index(chart)], fmt)


# --------------------------------------------------------------------------- bias audit


def _audit_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    require(principal, bias_audit.CAPABILITY)
    _ = gettext_for(request.state.language)
    context = _page_context(request, session, principal, bias_audit.CAPABILITY)
    context |= {
        "audit": None,
        "table": None,
        "sets": SETS,
        "current_set": selfid.category_set_of(session, principal.tenant_id).key,
        "errors": dict(errors or {}),
        "thresholds": bias_audit,
    }
    try:
        found = bias_audit.audit(session, principal, filters_from(request))
        context["audit"] = found
        context["table"] = tables.bias_audit_table(found, _)
    except ValidationFailed as exc:
        context["errors"].update(filter_errors(exc, _))
        status_code = 422
    return render(request, "analytics/bias_audit.html", context, status_code=status_code)


@router.get("/analytics/bias-audit")
def audit_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The bias audit: selection rates and impact ratios per self-identified category."""
    return _audit_page(request, session, principal)


@router.post("/analytics/bias-audit/settings")
def audit_settings(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, bias_audit.CAPABILITY)

    def save(data: selfid.SettingsIn) -> Response:
        selfid.set_category_set(session, principal, data)
        return RedirectResponse("/analytics/bias-audit", status_code=303)

    def page(errors: dict[str, str]) -> Response:
        return _audit_page(request, session, principal, errors, status_code=422)

    fields = {"category_set": form.get("category_set")}
    return submit_form(request, selfid.SettingsIn, fields, save, page)


@router.get("/analytics/bias-audit/export")
def audit_export(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The audit's table as CSV (UTF-8 with BOM) or XLSX (``?format=``), with the filters."""
    fmt = request.query_params.get("format", "csv")
    if fmt not in MEDIA:
        raise NotFound()
    _ = gettext_for(request.state.language)
    found = bias_audit.audit(session, principal, filters_from(request))
    table = tables.bias_audit_table(found, _)
    return exported(session, principal, table, fmt, "analytics.bias_audit_exported")


# --------------------------------------------------------------------------- the candidate


def _candidate_invitation(request: Request, session: DbSession, link_token: str) -> Invitation:
    """The invitation of a personal link whose identity check this browser passed, in the
    candidate's language (the link and its access cookie, as on the interview page)."""
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings, mark_opened=False)
    chosen = request.cookies.get(LANG_COOKIE)
    language = chosen if chosen is not None and is_language(chosen) else inv.language
    request.state.language = language if is_language(language) else "en"
    candidate_link.require_access(
        settings, inv, request.cookies.get(candidate_link.access_cookie_name(inv))
    )
    return inv


def _self_id_page(
    request: Request,
    session: DbSession,
    inv: Invitation,
    token: str,
    state: selfid.FormState,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "token": token,
        "tenant": session.get(Tenant, inv.tenant_id),
        "state": state,
        "questions": [
            (name, QUESTIONS[name][0], state.category_set.options(name))
            for name in state.category_set.fields
        ],
        "errors": errors or {},
        "values": values or {},
        "saved": request.query_params.get("saved") == "1",
        "labels": LABELS,
    }
    return render(request, "analytics/self_identification.html", context, status_code=status_code)


@router.get("/i/{link_token}/self-identification")
def self_id_form(request: Request, session: DbSession, link_token: str) -> Response:
    """The voluntary questions, after the candidate submitted their AI interview."""
    try:
        inv = _candidate_invitation(request, session, link_token)
    except candidate_link.LinkNeedsIdentity:
        return RedirectResponse(f"/i/{link_token}", status_code=303)
    state = selfid.form_state(session, inv)
    if not state.submitted:
        return RedirectResponse(f"/i/{link_token}", status_code=303)
    return _self_id_page(request, session, inv, link_token, state)


@router.post("/i/{link_token}/self-identification")
def self_id_submit(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    inv = _candidate_invitation(request, session, link_token)
    state = selfid.form_state(session, inv)
    if not state.submitted:
        raise NotFound()
    if state.answered:
        raise selfid.AlreadyAnswered()

    def save(data: selfid.AnswersIn) -> Response:
        selfid.submit(session, inv, data)
        return RedirectResponse(f"/i/{link_token}/self-identification?saved=1", status_code=303)

    values = form.pick("sex", "race", "age_band")

    def page(errors: dict[str, str]) -> Response:
        return _self_id_page(
            request, session, inv, link_token, state, errors=errors, values=values, status_code=422
        )

    return submit_form(request, selfid.AnswersIn, values, save, page)


# The predictive validity pages add their routes to this router.
from hireflow.analytics import routes_validity  # noqa: E402, F401
