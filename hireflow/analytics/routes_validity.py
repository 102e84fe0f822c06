"""The predictive validity page (SPEC I2): correlations with their chart, table and downloads,
the proposed weights beside the current ones, and the opening's model versions (save the
proposal as a version, activate a version: HR only, audited, never automatic).

Its routes are added to the analytics page router (``routes_web`` imports this module).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from hireflow.analytics import queries, tables, validity
from hireflow.analytics.routes_web import (
    _page_context,
    download_choice,
    exported,
    filter_errors,
    router,
)
from hireflow.analytics.validity_stats import MIN_N, SHRINK_K
from hireflow.core.errors import AppError, NotFound, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, can, require
from hireflow.openings import versions
from hireflow.openings.models import JOB_TYPES
from hireflow.web.deps import DbSession, PageUser
from hireflow.web.forms import Form, PostedForm
from hireflow.web.templating import render

PAGE = "/analytics/validity"
FILTERS = ("opening", "department", "start", "end", "family", "outcome")


def _scope(values: Any) -> validity.Scope:
    filters = queries.parse_filters(values)
    return validity.parse_scope(filters, values.get("family"), values.get("outcome"))


def _tables(
    session: DbSession, principal: Principal, scope: validity.Scope, _: Any
) -> tuple[validity.Analysis, list[tables.Table]]:
    found = validity.analyse(session, principal, scope)
    names = tables.competency_names(session, principal, scope.filters)
    return found, tables.validity_tables(found, names, _)


def _page(
    request: Request,
    session: DbSession,
    principal: Principal,
    values: Any,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    require(principal, validity.CAPABILITY)
    _ = gettext_for(request.state.language)
    context = _page_context(request, session, principal, validity.CAPABILITY)
    context |= {
        "query": {k: values.get(k, "") for k in FILTERS},
        "families": JOB_TYPES,
        "outcomes": tables.VALIDITY_OUTCOMES,
        "min_n": MIN_N,
        "shrink_k": SHRINK_K,
        "analysis": None,
        "can_adopt": can(principal, versions.ADOPT),
        "errors": dict(errors or {}),
        "done": request.query_params.get("done", ""),
    }
    try:
        context["analysis"], context["tables"] = _tables(session, principal, _scope(values), _)
    except ValidationFailed as exc:
        context["errors"].update(filter_errors(exc, _))
        status_code = 422
    return render(request, "analytics/validity.html", context, status_code=status_code)


@router.get(PAGE)
def validity_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Correlations of interview dimension scores with the outcomes of the people hired."""
    return _page(request, session, principal, request.query_params)


@router.get(PAGE + "/export")
def validity_export(request: Request, session: DbSession, principal: PageUser) -> Response:
    """One of the page's tables (``?chart=validity|validity_weights``) as CSV or XLSX."""
    chart, fmt = download_choice(request, tables.VALIDITY)
    require(principal, validity.CAPABILITY)
    _ = gettext_for(request.state.language)
    _found, found = _tables(session, principal, _scope(request.query_params), _)
    keyed = {t.key: t for t in found}
    if chart not in keyed:
        raise NotFound()
    return exported(session, principal, keyed[chart], fmt)


def _back(form: PostedForm, done: str) -> str:
    kept = {k: form.get(k) for k in FILTERS if form.get(k)}
    return f"{PAGE}?{urlencode({**kept, 'done': done})}"


def _refused(
    request: Request, session: DbSession, principal: Principal, form: PostedForm, exc: AppError
) -> Response:
    if exc.status in (401, 403, 404):
        raise exc
    session.rollback()
    message = exc.translated(gettext_for(request.state.language))
    values = form.pick(*FILTERS)
    return _page(request, session, principal, values, {"adopt": message}, exc.status)


@router.post(PAGE + "/adopt")
def validity_adopt(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    """Save the proposed weights as a new (inactive) version of the opening's model."""
    require(principal, versions.ADOPT)
    values = form.pick(*FILTERS)
    try:
        validity.adopt(session, principal, _scope(values))
    except AppError as exc:
        return _refused(request, session, principal, form, exc)
    return RedirectResponse(_back(form, "added"), status_code=303)


@router.post(PAGE + "/activate")
def validity_activate(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    """Put one version of the opening's model in use (a proposal, or an older one to go back)."""
    require(principal, versions.ADOPT)
    opening, number = form.get("opening"), form.get("number")
    if not (opening.isdigit() and number.isdigit()) or len(opening) > 9 or len(number) > 9:
        raise NotFound()
    try:
        versions.activate(session, principal, int(opening), int(number))
    except AppError as exc:
        return _refused(request, session, principal, form, exc)
    return RedirectResponse(_back(form, "activated"), status_code=303)
