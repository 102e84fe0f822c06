"""HR record pages: search, a person's record, file access, policy, integrity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.records import download_codes, policy, queries, service
from hireflow.records.integrity import verify_company_now
from hireflow.records.models import (
    ATTACHMENT_KINDS,
    CONSENT_PURPOSES,
    ENTRY_TYPES,
    STATUSES,
    Attachment,
)
from hireflow.records.presenting import Presenter
from hireflow.records.routes_api import LimitedReader, export_response, stream_file
from hireflow.records.timeline import visible_to
from hireflow.web import forms
from hireflow.web.deps import AppSettings, Count, DbSession, Id, PageNumber, PageUser, audit_read
from hireflow.web.forms import Form, PostedForm
from hireflow.web.listing import Days, Paging
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


def _person_for(session: DbSession, principal: Principal, person_id: int, capability: str) -> None:
    """Refuse a foreign or out-of-scope person before looking at any form input."""
    visible_to(session, principal, Candidate, person_id, capability)


@router.get("/records")
def records_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    days: Days,
    q: str = "",
    status: str = "",
    region: str = "",
    entry_type: str = "",
    opening_id: str = "",
    dimension: str = "",
    min_score: str = "",
    page: PageNumber = 1,
) -> Response:
    require(principal, "records.read")
    filters = queries.SearchFilters(
        q=q[:100],
        status=status if status in STATUSES else "",
        region=region if region in REGIONS else "",
        entry_type=entry_type if entry_type in ENTRY_TYPES else "",
        opening_id=int(opening_id) if opening_id.isdigit() else None,
        since=days.start,
        until=days.end,
        dimension=dimension[:60],
        min_score=_number(min_score),
    )
    paging = Paging(page, PAGE)
    hits, total = queries.search(session, principal, filters, limit=PAGE, offset=paging.offset)
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
            **paging.context(total),
            "filters": {
                "q": q,
                "status": filters.status,
                "region": filters.region,
                "entry_type": filters.entry_type,
                "opening_id": opening_id,
                "since": days.since,
                "until": days.until,
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
        timezone=principal.timezone,
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
    rules = queries.retention_rules(session, principal)
    return {
        "policy": policy.get_policy(session, principal.tenant_id),
        "rules": rules,
        "statuses": STATUSES,
        "regions": REGIONS,
        "errors": {},
        "values": {},
    }


@router.post("/records/policy")
def policy_update(session: DbSession, principal: PageUser, form: Form) -> Response:
    require(principal, "records.manage")
    policy.update_policy(
        session, principal, require_download_code=form.get("require_download_code") == "on"
    )
    return RedirectResponse("/records/policy?saved=1", status_code=303)


@router.post("/records/policy/rules")
def policy_add_rule(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "records.manage")
    months = form.get("months")

    def add() -> None:
        policy.add_retention_rule(
            session,
            principal,
            status=form.get("status"),
            months=int(months) if months.isdigit() else 0,
            region=form.get("region") or None,
        )

    page = forms.rerender(
        request,
        "records/policy.html",
        lambda: _policy_context(session, principal),
        values=dict(form.values),
    )
    return forms.act_or_rerender(request, forms.redirect_after(add, "/records/policy#rules"), page)


@router.post("/records/policy/rules/{rule_id}/delete")
def policy_delete_rule(session: DbSession, principal: PageUser, rule_id: Id) -> Response:
    policy.delete_retention_rule(session, principal, rule_id)
    return RedirectResponse("/records/policy#rules", status_code=303)


@router.get("/records/integrity")
def integrity_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    runs = queries.integrity_runs(session, principal, limit=20)
    return render(request, "records/integrity.html", {"runs": runs})


@router.post("/records/integrity")
def integrity_run(session: DbSession, principal: PageUser, settings: AppSettings) -> Response:
    verify_company_now(session, principal, settings)
    return RedirectResponse("/records/integrity", status_code=303)


# --- files -----------------------------------------------------------------------------------


def _attachment_for(session: DbSession, principal: Principal, attachment_id: int) -> Attachment:
    return require_visible(session, Attachment, attachment_id, principal, "records.files")


@router.get("/records/attachments/{attachment_id}")
def attachment_page(
    request: Request, session: DbSession, principal: PageUser, attachment_id: Id, sent: Count = 0
) -> Response:
    """Download at once, or (company policy) ask for the one-time code first."""
    attachment = _attachment_for(session, principal, attachment_id)
    if not policy.get_policy(session, attachment.tenant_id).require_download_code:
        return stream_file(service.open_attachment(session, principal, attachment_id))
    return render(
        request,
        "records/download.html",
        {"attachment": attachment, "sent": bool(sent), "error": ""},
    )


@router.post("/records/attachments/{attachment_id}/code")
def attachment_send_code(session: DbSession, principal: PageUser, attachment_id: Id) -> Response:
    download_codes.request_download_code(session, principal, attachment_id)
    return RedirectResponse(f"/records/attachments/{attachment_id}?sent=1", status_code=303)


@router.post("/records/attachments/{attachment_id}")
def attachment_open(
    request: Request, session: DbSession, principal: PageUser, attachment_id: Id, form: Form
) -> Response:
    attachment = _attachment_for(session, principal, attachment_id)
    _ = gettext_for(request.state.language)
    try:
        opened = service.open_attachment(
            session, principal, attachment_id, code=form.get("code")[:12]
        )
    except (download_codes.CodeRequired, download_codes.CodeInvalid) as exc:
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


RecordAction = Callable[[DbSession, Principal, int, PostedForm], None]


def _record_form(
    path: str, capability: str, section: str, anchor: str
) -> Callable[[RecordAction], RecordAction]:
    """Register ``act`` as a form of the record page, posted to ``/records/{person_id}/<path>``.

    The person is checked (``capability``) before any input is read; then ``act`` runs and the
    answer goes back to ``anchor``, or a refused action re-renders the page with its message in
    ``section`` (the form layer answers the refusal's status)."""

    def register(act: RecordAction) -> RecordAction:
        def endpoint(
            request: Request, session: DbSession, principal: PageUser, person_id: Id, form: Form
        ) -> Response:
            _person_for(session, principal, person_id, capability)

            def page(errors: dict[str, str]) -> Response:
                context = _record_context(request, session, principal, person_id)
                message = errors.get("form") or next(iter(errors.values()))
                shown = {section: message}
                return forms.form_page(request, "records/detail.html", context, shown, form.values)

            return forms.act_or_rerender(
                request,
                forms.redirect_after(
                    lambda: act(session, principal, person_id, form),
                    f"/records/{person_id}#{anchor}",
                ),
                page,
            )

        endpoint.__name__ = endpoint.__qualname__ = act.__name__
        router.post(f"/records/{{person_id}}/{path}")(endpoint)
        return act

    return register


@_record_form("notes", "records.review", "note", "timeline")
def record_add_note(
    session: DbSession, principal: Principal, person_id: int, form: PostedForm
) -> None:
    kind = "review" if form.get("kind") == "review" else "note"
    text = form.get("text").strip()
    if not text or len(text) > 5000:
        raise ValidationFailed(
            N_("Write between 1 and 5000 characters."), fields={"text": "length"}
        )
    service.append_entry(session, principal, person_id, kind, {"text": text}, "web")


@_record_form("status", "records.write", "status", "timeline")
def record_set_status(
    session: DbSession, principal: Principal, person_id: int, form: PostedForm
) -> None:
    service.set_status(
        session,
        principal,
        person_id,
        form.get("status"),
        source="web",
        reason=form.get("reason").strip()[:500] or None,
    )


@_record_form("attachments", "records.write", "upload", "files")
def record_upload(
    session: DbSession, principal: Principal, person_id: int, form: PostedForm
) -> None:
    upload = form.file("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(N_("Choose a file."), fields={"file": "required"})
    labels: dict[str, Any] = {}
    opening = form.get("opening_id")
    if opening.isdigit():
        labels["opening_id"] = int(opening)
    service.attach_file(
        session,
        principal,
        person_id,
        LimitedReader(upload.file, get_settings().max_upload_bytes),  # type: ignore[arg-type]
        upload.filename,
        upload.content_type or "application/octet-stream",
        labels,
        kind=form.get("kind", "document"),
    )


@_record_form("consents", "records.consent", "consent", "consents")
def record_consent(
    session: DbSession, principal: Principal, person_id: int, form: PostedForm
) -> None:
    service.record_consent(
        session,
        principal,
        person_id,
        form.get("purpose"),
        form.get("notice_version"),
        form.get("granted") == "yes",
        method=form.get("method", "paper"),
    )


@_record_form("hold", "records.manage", "rights", "rights")
def record_hold(session: DbSession, principal: Principal, person_id: int, form: PostedForm) -> None:
    reason = None if form.get("action") == "lift" else form.get("reason")
    service.set_legal_hold(session, principal, person_id, reason)


@_record_form("erase", "records.manage", "rights", "rights")
def record_erase(
    session: DbSession, principal: Principal, person_id: int, form: PostedForm
) -> None:
    if form.get("confirm") != "ERASE":
        raise ValidationFailed(
            N_("Type ERASE to confirm: this cannot be undone."), fields={"confirm": "missing"}
        )
    service.erase_person(
        session,
        principal,
        person_id,
        reason=form.get("reason", "subject_request"),
        request_ref=form.get("request_ref").strip(),
    )


@router.get("/records/{person_id}/export")
def record_export(session: DbSession, principal: PageUser, person_id: Id) -> Response:
    return export_response(session, principal, person_id)
