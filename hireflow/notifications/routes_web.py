"""Notification pages: the outbox per channel with delivery status and one-click resend, the
company's channel settings (secrets write-only), and message template editing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.core.settings import get_settings
from hireflow.notifications import queries, schemas, service
from hireflow.notifications.factory import SPECS
from hireflow.notifications.models import CHANNELS, MESSAGE_STATUSES
from hireflow.notifications.templates import TemplateKind
from hireflow.web.deps import DbSession, Id, PageNumber, PageUser, audit_read
from hireflow.web.forms import app_error_fields, field_errors
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem(
        "/notifications/outbox", N_("Outbox"), "notifications.read", order=60, group="settings"
    ),
    NavItem(
        "/notifications/settings",
        N_("Notification settings"),
        "notifications.channels",
        order=86,
        group="settings",
    ),
)
LABELS = (
    N_("email"),
    N_("sms"),
    N_("dingtalk"),
    N_("wecom"),
    N_("feishu"),
    N_("queued"),
    N_("sending"),
    N_("retry"),
    N_("sent"),
    N_("failed"),
    N_("cancelled"),
    N_("invitation_ai"),
    N_("invitation_live"),
    N_("invitation_next_round"),
    N_("invitation_schedule"),
    N_("reminder_24h"),
    N_("reminder_1h"),
    N_("interviewer_reminder"),
    N_("feedback_reminder"),
    N_("identity_code"),
    N_("generic"),
    N_("booking_cancelled"),
    N_("interviewer_notice"),
    N_("identity_locked"),
    N_("group_notice"),
    N_("test"),
    N_("aliyun"),
    N_("twilio"),
    N_("smtp"),
    N_("robot"),
)
PAGE = 50
FIELD_LABELS = {
    "host": N_("SMTP server"),
    "port": N_("Port"),
    "security": N_("Security (starttls, ssl or plain)"),
    "username": N_("User name"),
    "password": N_("Password"),
    "sender": N_("Sender address"),
    "sender_name": N_("Sender name"),
    "reply_to": N_("Reply-to address"),
    "access_key_id": N_("AccessKey ID"),
    "access_key_secret": N_("AccessKey secret"),
    "sign_name": N_("SMS signature name"),
    "region_id": N_("Region"),
    "endpoint": N_("API endpoint"),
    "default_region": N_("Default country for numbers (e.g. CN, US)"),
    "template_invitation": N_("Template code: invitations"),
    "template_reminder": N_("Template code: reminders"),
    "template_code": N_("Template code: verification codes"),
    "template_generic": N_("Template code: other messages"),
    "account_sid": N_("Account SID"),
    "auth_token": N_("Auth token"),
    "from_number": N_("Sender number"),
    "messaging_service_sid": N_("Messaging service SID"),
    "api_key_sid": N_("API key SID (optional)"),
    "base_url": N_("API address (leave empty for the default)"),
    "access_token": N_("Access token"),
    "secret": N_("Signing secret"),
    "key": N_("Webhook key"),
    "hook_token": N_("Webhook token"),
}
PROVIDER_LABELS = {
    ("email", "smtp"): N_("E-mail (your own SMTP server)"),
    ("sms", "aliyun"): N_("SMS: Alibaba Cloud"),
    ("sms", "twilio"): N_("SMS: Twilio"),
    ("dingtalk", "robot"): N_("DingTalk group robot"),
    ("wecom", "robot"): N_("WeCom group robot"),
    ("feishu", "robot"): N_("Feishu group robot"),
}


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


@router.get("/notifications/outbox")
def outbox_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    channel: str = "",
    status: str = "",
    page: PageNumber = 1,
) -> Response:
    channel = channel if channel in CHANNELS else ""
    status = status if status in MESSAGE_STATUSES else ""
    page = max(page, 1)
    rows, total = queries.outbox(
        session, principal, channel=channel, status=status, limit=PAGE, offset=(page - 1) * PAGE
    )
    audit_read(session, principal, "outbox.listed", "outbox_message", [r.id for r in rows])
    return render(
        request,
        "notifications/outbox.html",
        {
            "rows": rows,
            "total": total,
            "counts": queries.counts(session, principal),
            "channel": channel,
            "status": status,
            "channels": CHANNELS,
            "statuses": MESSAGE_STATUSES,
            "page": page,
            "pages": max((total + PAGE - 1) // PAGE, 1),
        },
    )


@router.get("/notifications/outbox/{outbox_message_id}")
def message_page(
    request: Request, session: DbSession, principal: PageUser, outbox_message_id: Id
) -> Response:
    row = queries.message(session, principal, outbox_message_id)
    audit_read(session, principal, "outbox.message_viewed", "outbox_message", target_id=row.id)
    return render(
        request,
        "notifications/message.html",
        {"m": row, "text": service.visible_text(row), "error": None},
    )


@router.post("/notifications/outbox/{outbox_message_id}/resend")
def message_resend(
    request: Request, session: DbSession, principal: PageUser, outbox_message_id: Id
) -> Response:
    try:
        row = service.resend_message(session, principal, outbox_message_id)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        original = queries.message(session, principal, outbox_message_id)
        _ = gettext_for(request.state.language)
        return render(
            request,
            "notifications/message.html",
            {"m": original, "text": service.visible_text(original), "error": exc.translated(_)},
            status_code=exc.status,
        )
    return RedirectResponse(f"/notifications/outbox/{row.id}", status_code=303)


# --------------------------------------------------------------------------- settings


def _settings_context(session: DbSession, principal: PageUser) -> dict[str, Any]:
    views = {v.channel: v for v in service.channel_views(session, principal, get_settings())}
    return {
        "views": views,
        "specs": SPECS,
        "field_labels": FIELD_LABELS,
        "provider_labels": PROVIDER_LABELS,
        "errors": {},
        "failed_channel": "",
        "saved": "",
        "tested": None,
    }


@router.get("/notifications/settings")
def settings_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    context = _settings_context(session, principal)
    context["saved"] = request.query_params.get("saved", "")
    return render(request, "notifications/settings.html", context)


@router.post("/notifications/settings")
async def settings_save(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "notifications.channels")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    channel = values.get("channel", "")
    provider = values.get("provider", "")
    spec = SPECS.get((channel, provider))
    errors: dict[str, str] = {}
    if spec is None:
        errors = {"channel": _("Choose one of the listed values.")}
    else:
        payload = {
            "channel": channel,
            "provider": provider,
            "enabled": values.get("enabled") == "on",
            "config": {k: values[f"config_{k}"] for k in spec.config if values.get(f"config_{k}")},
            "secrets": {
                k: values[f"secret_{k}"] for k in spec.secrets if values.get(f"secret_{k}")
            },
            "webhook_url": values.get("webhook_url", ""),
            "clear_secrets": [k for k in spec.secrets if values.get(f"clear_{k}") == "on"],
        }
        try:
            data = schemas.ChannelIn.model_validate(payload)
            service.save_channel(session, principal, data, get_settings())
            return RedirectResponse(f"/notifications/settings?saved={channel}", status_code=303)
        except ValidationError as exc:
            errors = field_errors(exc, _)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    context = _settings_context(session, principal)
    context.update(errors=errors, failed_channel=channel)
    return render(request, "notifications/settings.html", context, status_code=422)


@router.post("/notifications/settings/test")
async def settings_test(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "notifications.channels")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    try:
        data = schemas.TestMessageIn.model_validate(
            {"channel": values.get("channel", ""), "recipient": values.get("recipient", "")}
        )
        row = service.send_test(session, principal, data)
    except ValidationError as exc:
        context = _settings_context(session, principal)
        context.update(errors=field_errors(exc, _), failed_channel=values.get("channel", ""))
        return render(request, "notifications/settings.html", context, status_code=422)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        context = _settings_context(session, principal)
        context.update(errors=app_error_fields(exc, _), failed_channel=values.get("channel", ""))
        return render(request, "notifications/settings.html", context, status_code=exc.status)
    if principal.has("notifications.read"):
        return RedirectResponse(f"/notifications/outbox/{row.id}", status_code=303)
    return RedirectResponse("/notifications/settings?tested=1", status_code=303)


# --------------------------------------------------------------------------- templates


@router.get("/notifications/templates")
def templates_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    kind: str = "",
    language: str = "",
) -> Response:
    views = service.template_views(session, principal)
    kinds = [k.value for k in TemplateKind]
    kind = kind if kind in kinds else kinds[0]
    language = language if language in ("zh-CN", "en", "ja") else request.state.language
    language = language if language in ("zh-CN", "en", "ja") else "zh-CN"
    current = next(v for v in views if v.kind == kind and v.language == language)
    return render(
        request,
        "notifications/templates.html",
        {
            "views": views,
            "kinds": kinds,
            "kind": kind,
            "language": language,
            "current": current,
            "errors": {},
            "saved": request.query_params.get("saved") == "1",
        },
    )


@router.post("/notifications/templates")
async def templates_save(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "notifications.templates")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    kind, language = values.get("kind", ""), values.get("language", "")
    errors: dict[str, str] = {}
    try:
        if values.get("reset") == "1":
            data_reset = schemas.TemplateReset.model_validate({"kind": kind, "language": language})
            service.reset_template(session, principal, data_reset.kind, data_reset.language)
        else:
            data = schemas.TemplateIn.model_validate(
                {
                    "kind": kind,
                    "language": language,
                    "subject": values.get("subject", ""),
                    "body": values.get("body", ""),
                    "sms": values.get("sms", ""),
                }
            )
            service.save_template(session, principal, data)
        return RedirectResponse(
            f"/notifications/templates?kind={kind}&language={language}&saved=1", status_code=303
        )
    except ValidationError as exc:
        errors = field_errors(exc, _)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        errors = app_error_fields(exc, _)
    views = service.template_views(session, principal)
    kinds = [k.value for k in TemplateKind]
    current = schemas.TemplateOut(
        kind=kind,
        language=language,
        subject=values.get("subject", ""),
        body=values.get("body", ""),
        sms=values.get("sms", ""),
        customised=True,
    )
    return render(
        request,
        "notifications/templates.html",
        {
            "views": views,
            "kinds": kinds,
            "kind": kind if kind in kinds else kinds[0],
            "language": language,
            "current": current,
            "errors": errors,
            "saved": False,
        },
        status_code=422,
    )
