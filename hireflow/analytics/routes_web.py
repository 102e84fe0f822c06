"""The analytics dashboard: filters, a chart and its table per figure, CSV/XLSX downloads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select

from hireflow.analytics import tables
from hireflow.analytics.queries import Filters, scoped_openings
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, require
from hireflow.org.models import Department
from hireflow.web.deps import DbSession, PageUser, audit_read
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (NavItem("/analytics", N_("Analytics"), "analytics.read", order=60, group="recruiting"),)
ASSETS = Path(__file__).resolve().parent / "static"
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _id(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ValidationFailed(N_("Choose a value from the list."), fields={field: "invalid"})
    return int(value)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            N_("Enter a date as YYYY-MM-DD."), fields={field: "invalid_date"}
        ) from None


def filters_from(request: Request) -> Filters:
    """The filters of a dashboard URL (``?opening=&department=&start=&end=``)."""
    query = request.query_params
    return Filters(
        opening_id=_id(query.get("opening"), "opening"),
        department_id=_id(query.get("department"), "department"),
        start=_day(query.get("start"), "start"),
        end=_day(query.get("end"), "end"),
    ).checked()


def _departments(session: DbSession, principal: Principal) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Department.id, Department.name)
        .where(Department.tenant_id == principal.tenant_id)
        .order_by(Department.name)
    )
    return [(department_id, name) for department_id, name in rows]


@router.get("/analytics/assets/analytics.js")
def script() -> Response:
    return FileResponse(
        ASSETS / "analytics.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/analytics")
def dashboard(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "analytics.read")
    _ = gettext_for(request.state.language)
    context: dict[str, Any] = {
        "openings": scoped_openings(session, principal),
        "departments": _departments(session, principal),
        "query": dict(request.query_params),
        "tables": [],
        "errors": {},
    }
    try:
        filters = filters_from(request)
        context["tables"] = [
            tables.table(key, session, principal, filters, _) for key in tables.CHARTS
        ]
    except ValidationFailed as exc:
        context["errors"] = {field: exc.translated(_) for field in exc.fields}
        return render(request, "analytics/dashboard.html", context, status_code=422)
    return render(request, "analytics/dashboard.html", context)


@router.get("/analytics/export")
def export(request: Request, session: DbSession, principal: PageUser) -> Response:
    """One chart's table (``?chart=``) as CSV (UTF-8 with BOM) or XLSX (``?format=``), with
    the page's filters."""
    chart = request.query_params.get("chart", "")
    fmt = request.query_params.get("format", "csv")
    if chart not in tables.CHARTS or fmt not in MEDIA:
        raise NotFound()
    _ = gettext_for(request.state.language)
    found = tables.table(chart, session, principal, filters_from(request), _)
    body = tables.as_csv(found) if fmt == "csv" else tables.as_xlsx(found)
    audit_read(session, principal, "analytics.exported", "tenant", [principal.tenant_id])
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="hireflow-{chart}.{fmt}"'},
    )
