"""Integration pages: webhook endpoints with their delivery log (replay, secret rotation) and
the export and import of candidates and results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.events import EVENTS
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, can, require
from hireflow.integrations import people_import, queries, schemas, tabular, transfer, webhooks
from hireflow.integrations.models import DELIVERY_STATUSES
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageNumber, PageUser
from hireflow.web.forms import Form, Page
from hireflow.web.listing import Paging
from hireflow.web.streaming import attachment
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/integrations/webhooks", N_("Webhooks"), "webhooks.read", order=97, group="settings"),
    NavItem(
        "/integrations/transfer", N_("Export and import"), "data.export", order=98, group="settings"
    ),
)
PRESET_LABELS = {
    "hireflow": N_("Hireflow (English headers)"),
    "beisen": N_("Beisen"),
    "moka": N_("Moka"),
    "feishu": N_("Feishu Hire"),
}
STATUS_LABELS = {
    "pending": N_("pending"),
    "sending": N_("sending"),
    "delivered": N_("delivered"),
    "failed": N_("failed"),
}


# --------------------------------------------------------------------------- webhooks


def _webhooks_context(
    request: Request, session: DbSession, principal: Principal, page: int = 1
) -> dict[str, Any]:
    status = request.query_params.get("status", "")
    status = status if status in DELIVERY_STATUSES else ""
    # ``page`` is checked where the list is asked for (a number from 1, 422 otherwise, like
    # every other list page); a form re-rendered after a post shows the first page.
    paging = Paging(page, queries.PAGE_SIZE)
    where = queries.DeliveryFilter(status=status or None, page=paging.number)
    rows, total = queries.deliveries(session, principal, where)
    return {
        "endpoints": queries.endpoints(session, principal),
        "deliveries": rows,
        **paging.context(total),
        "status": status,
        "statuses": DELIVERY_STATUSES,
        "status_labels": STATUS_LABELS,
        "events": sorted(EVENTS),
        "allow_private": queries.allow_private(session, principal),
        "can_manage": can(principal, "webhooks.manage"),
        "errors": {},
        "new_secret": None,
    }


def _webhooks_page(request: Request, session: DbSession, principal: Principal) -> Page:
    return forms.rerender(
        request,
        "integrations/webhooks.html",
        lambda: _webhooks_context(request, session, principal),
    )


def _with_secret(
    request: Request, session: DbSession, principal: Principal, endpoint: Any
) -> Response:
    """The page showing a new secret once (it is never shown again)."""
    context = _webhooks_context(request, session, principal)
    context["new_secret"] = {"endpoint": endpoint.id, "secret": endpoint.secret}
    return render(request, "integrations/webhooks.html", context)


@router.get("/integrations/webhooks")
def webhooks_page(
    request: Request, session: DbSession, principal: PageUser, page: PageNumber = 1
) -> Response:
    require(principal, "webhooks.read")
    context = _webhooks_context(request, session, principal, page)
    return render(request, "integrations/webhooks.html", context)


# The names of the webhook forms' fields, for errors that say which field.
WEBHOOK_FIELDS = {
    "url": N_("URL"),
    "description": N_("Purpose"),
    "events": N_("Events"),
    "grace_hours": N_("Old secret keeps signing for (hours)"),
}


@router.post("/integrations/webhooks")
def create_endpoint(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "webhooks.manage")

    def act(data: schemas.EndpointIn) -> Response:
        endpoint = webhooks.create_endpoint(session, principal, data)
        return _with_secret(request, session, principal, endpoint)

    fields = {**form.pick("url", "description"), "events": form.getlist("events"), "active": True}
    page = forms.naming(_webhooks_page(request, session, principal), WEBHOOK_FIELDS, request)
    return forms.submit_form(request, schemas.EndpointIn, fields, act, page)


@router.post("/integrations/webhooks/{endpoint_id}/rotate")
def rotate_secret(
    request: Request, session: DbSession, principal: PageUser, endpoint_id: Id, form: Form
) -> Response:
    require(principal, "webhooks.manage")

    def act(data: schemas.RotateIn) -> Response:
        endpoint = webhooks.rotate_secret(session, principal, endpoint_id, data.grace_hours)
        return _with_secret(request, session, principal, endpoint)

    fields = {"grace_hours": form.get("grace_hours") or "24"}
    page = forms.naming(_webhooks_page(request, session, principal), WEBHOOK_FIELDS, request)
    return forms.submit_form(request, schemas.RotateIn, fields, act, page)


def _webhook_action(
    request: Request, session: Session, principal: Principal, run: Callable[[], object], to: str
) -> Response:
    """Run a webhook manager's action, then go to ``to``; a refusal re-renders the page."""
    require(principal, "webhooks.manage")
    return forms.act_or_rerender(
        request, forms.redirect_after(run, to), _webhooks_page(request, session, principal)
    )


@router.post("/integrations/webhooks/{endpoint_id}/delete")
def delete_endpoint(
    request: Request, session: DbSession, principal: PageUser, endpoint_id: Id
) -> Response:
    def run() -> None:
        webhooks.delete_endpoint(session, principal, endpoint_id)

    return _webhook_action(request, session, principal, run, "/integrations/webhooks")


@router.post("/integrations/deliveries/{delivery_id}/replay")
def replay_delivery(
    request: Request, session: DbSession, principal: PageUser, delivery_id: Id
) -> Response:
    def run() -> object:
        return webhooks.replay(session, principal, delivery_id)

    return _webhook_action(request, session, principal, run, "/integrations/webhooks?replayed=1")


@router.post("/integrations/settings")
def save_settings(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "webhooks.manage")
    return forms.submit_form(
        request,
        schemas.SettingsIO,
        {"allow_private_addresses": bool(form.get("allow_private_addresses"))},
        forms.redirect_after(
            lambda data: webhooks.set_settings(session, principal, data),
            "/integrations/webhooks?saved=1",
        ),
        _webhooks_page(request, session, principal),
    )


# --------------------------------------------------------------------------- transfer


def _transfer_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    kinds = [
        kind
        for kind, (capability, _importer) in people_import.IMPORTERS.items()
        if can(principal, "data.import") and can(principal, capability)
    ]
    return {
        "presets": list(transfer.PRESETS),
        "preset_labels": PRESET_LABELS,
        "mappings": transfer.mappings(session, principal) if kinds else [],
        "may_import": bool(kinds),
        "import_kinds": kinds,
        "may_export_employees": can(principal, "employees.read"),
        "report": None,
        "report_kind": "",
        "messages": transfer.ERROR_MESSAGES,
        "errors": {},
        "max_rows": tabular.MAX_ROWS,
    }


@router.get("/integrations/transfer")
def transfer_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "data.export")
    return render(request, "integrations/transfer.html", _transfer_context(session, principal))


@router.get("/integrations/export")
def export_file(request: Request, session: DbSession, principal: PageUser) -> Response:
    params = request.query_params
    kind, fmt = params.get("kind", "candidates"), params.get("format", "csv")
    if kind not in transfer.FIELDS or fmt not in tabular.FORMATS:
        raise ValidationFailed(N_("Choose CSV or XLSX."), fields={"format": "unknown"})
    content, filename = transfer.export(
        session, principal, kind, fmt, params.get("mapping", "hireflow")[:40]
    )
    return attachment(content, tabular.MEDIA_TYPES[fmt], filename)


@router.post("/integrations/import")
def import_file(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    require(principal, "data.import")
    _ = gettext_for(request.state.language)

    page = forms.rerender(
        request, "integrations/transfer.html", lambda: _transfer_context(session, principal)
    )

    content = form.read_file("file", tabular.MAX_BYTES + 1)
    upload = form.file("file")
    if content is None or upload is None:
        return page({"file": _("Choose a .csv or .xlsx file.")})

    kind = form.get("kind") or "candidates"
    if kind not in people_import.IMPORTERS:
        return page({"kind": _("Choose one of the listed values.")})
    upload_request = transfer.ImportRequest(
        upload.filename or "",
        content,
        form.get("mapping")[:40],
        dry_run=form.get("dry_run") == "on",
        system=form.get("system")[:40],
    )

    def act() -> Response:
        report = people_import.IMPORTERS[kind][1](session, principal, upload_request)
        context = _transfer_context(session, principal)
        context["report"], context["report_kind"] = report, kind
        return render(request, "integrations/transfer.html", context)

    return forms.act_or_rerender(request, act, page)
