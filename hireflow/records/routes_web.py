"""HR record pages: search, a person's record, file access, policy, integrity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from hireflow.candidates.models import Candidate
from hireflow.core.errors import N_, AppError, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, get_visible, require, restrict
from hireflow.openings.models import Opening
from hireflow.records import queries, service
from hireflow.records.models import (
    ATTACHMENT_KINDS,
    CONSENT_PURPOSES,
    ENTRY_TYPES,
    STATUSES,
    Attachment,
    IntegrityRun,
    RetentionRule,
)
from hireflow.records.presenting import Presenter
from hireflow.records.routes_api import LimitedReader, export_response, stream_file
from hireflow.web.deps import AppSettings, Count, DbSession, Id, PageNumber, PageUser, audit_read
from hireflow.web.forms import app_error_fields, day_bound
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/records", N_("HR records"), "records.read", order=25, group="people"),
    NavItem(
        "/records/integrity", N_("Record integrity"), "records.integrity", order=93, group="audit"
    ),
)
REGIONS = ("cn", "eu", "us", "sg")
PAGE = 25


def _number(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _person_for(session: DbSession, principal: Principal, person_id: int, capability: str) -> None:
    """Refuse a foreign or out-of-scope person before looking at any form input."""
    require(principal, capability)
    get_visible(session, Candidate, person_id, principal, capability)


@router.get("/records")
def records_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    q: str = "",
    status: str = "",
    region: str = "",
    entry_type: str = "",
    opening_id: str = "",
    since: str = "",
    until: str = "",
    dimension: str = "",
    min_score: str = "",
    page: PageNumber = 1,
) -> Response:
    require(principal, "records.read")
    zone = request.state.timezone
    filters = queries.SearchFilters(
        q=q[:100],
        status=status if status in STATUSES else "",
        region=region if region in REGIONS else "",
        entry_type=entry_type if entry_type in ENTRY_TYPES else "",
        opening_id=int(opening_id) if opening_id.isdigit() else None,
        since=day_bound(since, zone, end=False),
        until=day_bound(until, zone, end=True),
        dimension=dimension[:60],
        min_score=_number(min_score),
    )
    page = max(page, 1)
    hits, total = queries.search(session, principal, filters, limit=PAGE, offset=(page - 1) * PAGE)
    audit_read(session, principal, "records.listed", "person", [hit.person.id for hit in hits])
    openings = (
        list(
            session.scalars(
                restrict(select(Opening), principal, "openings.read", Opening).order_by(
                    Opening.title
                )
            )
        )
        if principal.has("openings.read")
        else []
    )
    return render(
        request,
        "records/search.html",
        {
            "hits": hits,
            "total": total,
            "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1),
            "filters": {
                "q": q,
                "status": filters.status,
                "region": filters.region,
                "entry_type": filters.entry_type,
                "opening_id": opening_id,
                "since": since,
                "until": until,
                "dimension": dimension,
                "min_score": min_score,
            },
            "statuses": STATUSES,
            "regions": REGIONS,
            "entry_types": ENTRY_TYPES,
            "openings": openings,
            "dimensions": queries.dimensions(session, principal),
            "words": Presenter(request.state.language, gettext_for(request.state.language)),
        },
    )


def _record_context(
    request: Request, session: DbSession, principal: Principal, person_id: int
) -> dict[str, Any]:
    view = queries.view_record(session, principal, person_id)
    words = Presenter(
        request.state.language,
        gettext_for(request.state.language),
        view.models,
        interviews=view.interviews,
    )
    return {
        "view": view,
        "words": words,
        "shown": {item.entry.seq: words.entry(item.entry, item.data) for item in view.entries},
        "statuses": STATUSES,
        "kinds": ATTACHMENT_KINDS,
        "purposes": CONSENT_PURPOSES,
        "errors": {},
        "values": {},
    }


@router.get("/records/policy")
def policy_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "records/policy.html", _policy_context(session, principal))


def _policy_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    require(principal, "records.manage")
    rules = list(
        session.scalars(
            restrict(select(RetentionRule), principal, "records.manage", RetentionRule).order_by(
                RetentionRule.id
            )
        )
    )
    return {
        "policy": service.get_policy(session, principal.tenant_id),
        "rules": rules,
        "statuses": STATUSES,
        "regions": REGIONS,
        "errors": {},
        "values": {},
    }


@router.post("/records/policy")
async def policy_update(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "records.manage")
    values = await _form(request)
    service.update_policy(
        session, principal, require_download_code=values.get("require_download_code") == "on"
    )
    return RedirectResponse("/records/policy?saved=1", status_code=303)


@router.post("/records/policy/rules")
async def policy_add_rule(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "records.manage")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    months = str(values.get("months", ""))
    try:
        service.add_retention_rule(
            session,
            principal,
            status=str(values.get("status", "")),
            months=int(months) if months.isdigit() else 0,
            region=str(values.get("region") or "") or None,
        )
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        context = _policy_context(session, principal)
        context.update({"errors": app_error_fields(exc, _), "values": values})
        return render(request, "records/policy.html", context, status_code=422)
    return RedirectResponse("/records/policy#rules", status_code=303)


@router.post("/records/policy/rules/{rule_id}/delete")
def policy_delete_rule(session: DbSession, principal: PageUser, rule_id: Id) -> Response:
    service.delete_retention_rule(session, principal, rule_id)
    return RedirectResponse("/records/policy#rules", status_code=303)


@router.get("/records/integrity")
def integrity_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "records.integrity")
    runs = list(
        session.scalars(
            restrict(select(IntegrityRun), principal, "records.integrity", IntegrityRun)
            .order_by(IntegrityRun.id.desc())
            .limit(20)
        )
    )
    return render(request, "records/integrity.html", {"runs": runs})


@router.post("/records/integrity")
def integrity_run(session: DbSession, principal: PageUser, settings: AppSettings) -> Response:
    from hireflow.core.db import utcnow
    from hireflow.records.checkpoints import cached_checkpoints
    from hireflow.records.integrity import save_run, verify

    require(principal, "records.integrity")
    started = utcnow()
    report = verify(
        session,
        tenant_id=principal.tenant_id,
        checkpoints=cached_checkpoints(settings),
        files=True,
    )
    save_run(session, report, tenant_id=principal.tenant_id, trigger="manual", started_at=started)
    return RedirectResponse("/records/integrity", status_code=303)


# --- files -----------------------------------------------------------------------------------


def _attachment_for(session: DbSession, principal: Principal, attachment_id: int) -> Attachment:
    require(principal, "records.files")
    return get_visible(session, Attachment, attachment_id, principal, "records.files")


@router.get("/records/attachments/{attachment_id}")
def attachment_page(
    request: Request, session: DbSession, principal: PageUser, attachment_id: Id, sent: Count = 0
) -> Response:
    """Download at once, or (company policy) ask for the one-time code first."""
    attachment = _attachment_for(session, principal, attachment_id)
    if not service.get_policy(session, attachment.tenant_id).require_download_code:
        return stream_file(service.open_attachment(session, principal, attachment_id))
    return render(
        request,
        "records/download.html",
        {"attachment": attachment, "sent": bool(sent), "error": ""},
    )


@router.post("/records/attachments/{attachment_id}/code")
def attachment_send_code(session: DbSession, principal: PageUser, attachment_id: Id) -> Response:
    service.request_download_code(session, principal, attachment_id)
    return RedirectResponse(f"/records/attachments/{attachment_id}?sent=1", status_code=303)


@router.post("/records/attachments/{attachment_id}")
async def attachment_open(
    request: Request, session: DbSession, principal: PageUser, attachment_id: Id
) -> Response:
    attachment = _attachment_for(session, principal, attachment_id)
    values = await _form(request)
    _ = gettext_for(request.state.language)
    try:
        opened = service.open_attachment(
            session, principal, attachment_id, code=str(values.get("code", ""))[:12]
        )
    except (service.CodeRequired, service.CodeInvalid) as exc:
        return render(
            request,
            "records/download.html",
            {"attachment": attachment, "sent": True, "error": exc.translated(_)},
            status_code=403,
        )
    return stream_file(opened)


# --- one person's record ---------------------------------------------------------------------


@router.get("/records/{person_id}")
def record_page(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    return render(
        request, "records/detail.html", _record_context(request, session, principal, person_id)
    )


@router.get("/records/{person_id}/verify")
def record_verify_page(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    """The record's hash chain checked now, explained (the record page's badge links here)."""
    check = queries.check_record(session, principal, person_id)
    return render(request, "records/verify.html", {"check": check})


def _rerender(
    request: Request,
    session: DbSession,
    principal: Principal,
    person_id: int,
    exc: AppError,
    values: dict[str, Any],
    section: str,
) -> Response:
    if exc.status in (403, 404):
        raise exc
    _ = gettext_for(request.state.language)
    context = _record_context(request, session, principal, person_id)
    errors = app_error_fields(exc, _)
    context.update(
        {"errors": {section: errors.get("form") or next(iter(errors.values()))}, "values": values}
    )
    return render(request, "records/detail.html", context, status_code=exc.status)


def _back(person_id: int, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"/records/{person_id}#{anchor}", status_code=303)


@router.post("/records/{person_id}/notes")
async def record_add_note(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    _person_for(session, principal, person_id, "records.review")
    values = await _form(request)
    kind = "review" if values.get("kind") == "review" else "note"
    text = str(values.get("text", "")).strip()
    try:
        if not text or len(text) > 5000:
            raise ValidationFailed(
                N_("Write between 1 and 5000 characters."), fields={"text": "length"}
            )
        service.append_entry(session, principal, person_id, kind, {"text": text}, "web")
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "note")
    return _back(person_id, "timeline")


@router.post("/records/{person_id}/status")
async def record_set_status(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    _person_for(session, principal, person_id, "records.write")
    values = await _form(request)
    try:
        service.set_status(
            session,
            principal,
            person_id,
            str(values.get("status", "")),
            source="web",
            reason=str(values.get("reason", "")).strip()[:500] or None,
        )
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "status")
    return _back(person_id, "timeline")


@router.post("/records/{person_id}/attachments")
async def record_upload(
    request: Request,
    session: DbSession,
    principal: PageUser,
    settings: AppSettings,
    person_id: Id,
) -> Response:
    _person_for(session, principal, person_id, "records.write")
    form = await request.form()
    upload = form.get("file")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed(N_("Choose a file."), fields={"file": "required"})
        labels: dict[str, Any] = {}
        opening = values.get("opening_id", "")
        if opening.isdigit():
            labels["opening_id"] = int(opening)
        service.attach_file(
            session,
            principal,
            person_id,
            LimitedReader(upload.file, settings.max_upload_bytes),  # type: ignore[arg-type]
            upload.filename,
            upload.content_type or "application/octet-stream",
            labels,
            kind=values.get("kind", "document"),
        )
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "upload")
    return _back(person_id, "files")


@router.post("/records/{person_id}/consents")
async def record_consent(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    _person_for(session, principal, person_id, "records.consent")
    values = await _form(request)
    try:
        service.record_consent(
            session,
            principal,
            person_id,
            str(values.get("purpose", "")),
            str(values.get("notice_version", "")),
            values.get("granted") == "yes",
            method=str(values.get("method", "paper")),
        )
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "consent")
    return _back(person_id, "consents")


@router.post("/records/{person_id}/hold")
async def record_hold(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    _person_for(session, principal, person_id, "records.manage")
    values = await _form(request)
    lift = values.get("action") == "lift"
    try:
        service.set_legal_hold(
            session, principal, person_id, None if lift else str(values.get("reason", ""))
        )
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "rights")
    return _back(person_id, "rights")


@router.post("/records/{person_id}/erase")
async def record_erase(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    _person_for(session, principal, person_id, "records.manage")
    values = await _form(request)
    try:
        if values.get("confirm") != "ERASE":
            raise ValidationFailed(
                N_("Type ERASE to confirm: this cannot be undone."), fields={"confirm": "missing"}
            )
        service.erase_person(
            session,
            principal,
            person_id,
            reason=str(values.get("reason", "subject_request")),
            request_ref=str(values.get("request_ref", "")).strip(),
        )
    except AppError as exc:
        return _rerender(request, session, principal, person_id, exc, values, "rights")
    return _back(person_id, "rights")


@router.get("/records/{person_id}/export")
def record_export(session: DbSession, principal: PageUser, person_id: Id) -> Response:
    return export_response(session, principal, person_id)
