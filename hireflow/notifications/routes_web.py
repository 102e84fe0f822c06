"""Notification pages: the outbox per channel with delivery status and one-click resend, the
company's channel settings (secrets write-only), and message template editing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.core.settings import get_settings
from hireflow.notifications import (
    channel_settings,
    message_templates,
    outbox_actions,
    queries,
    schemas,
)
from hireflow.notifications.factory import SPECS, ChannelSpec
from hireflow.notifications.models import CHANNELS, MESSAGE_STATUSES
from hireflow.notifications.templates import TemplateKind
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageNumber, PageUser, audit_read
from hireflow.web.forms import Form, Page, PostedForm
from hireflow.web.listing import Paging
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
    paging = Paging(page, PAGE)
    rows, total = queries.outbox(
        session, principal, channel=channel, status=status, limit=PAGE, offset=paging.offset
    )
    audit_read(session, principal, "outbox.listed", "outbox_message", [r.id for r in rows])
    return render(
        request,
        "notifications/outbox.html",
        {
            "rows": rows,
            "counts": queries.counts(session, principal),
            "channel": channel,
            "status": status,
            "channels": CHANNELS,
            "statuses": MESSAGE_STATUSES,
            **paging.context(total),
        },
    )


@router.get("/notifications/outbox/{outbox_message_id}")
def message_page(
    request: Request, session: DbSession, principal: PageUser, outbox_message_id: Id
) -> Response:
    context = _message_context(session, principal, outbox_message_id)
    audit_read(
        session, principal, "outbox.message_viewed", "outbox_message", target_id=context["m"].id
    )
    return render(request, "notifications/message.html", context)


def _message_context(
    session: DbSession, principal: PageUser, outbox_message_id: int, error: str | None = None
) -> dict[str, Any]:
    row = queries.message(session, principal, outbox_message_id)
    return {"m": row, "text": outbox_actions.visible_text(row), "error": error}


@router.post("/notifications/outbox/{outbox_message_id}/resend")
def message_resend(
    request: Request, session: DbSession, principal: PageUser, outbox_message_id: Id
) -> Response:
    resend = forms.redirect_to_new(
        lambda: outbox_actions.resend_message(session, principal, outbox_message_id),
        "/notifications/outbox/{id}",
    )

    def page(errors: dict[str, str]) -> Response:
        error = next(iter(errors.values()))
        context = _message_context(session, principal, outbox_message_id, error)
        return render(request, "notifications/message.html", context, status_code=422)

    return forms.act_or_rerender(request, resend, page)


# --------------------------------------------------------------------------- settings


def _settings_context(session: DbSession, principal: PageUser) -> dict[str, Any]:
    views = {
        v.channel: v for v in channel_settings.channel_views(session, principal, get_settings())
    }
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


def _channel_payload(form: PostedForm, spec: ChannelSpec) -> dict[str, Any]:
    return {
        "channel": form.get("channel"),
        "provider": form.get("provider"),
        "enabled": form.get("enabled") == "on",
        "config": {k: form.get(f"config_{k}") for k in spec.config if form.get(f"config_{k}")},
        "secrets": {k: form.get(f"secret_{k}") for k in spec.secrets if form.get(f"secret_{k}")},
        "webhook_url": form.get("webhook_url"),
        "clear_secrets": [k for k in spec.secrets if form.get(f"clear_{k}") == "on"],
    }


def _settings_rerender(
    request: Request, session: DbSession, principal: PageUser, channel: str
) -> Page:
    """The settings page again, with the errors under the channel that was being saved."""
    return forms.rerender(
        request,
        "notifications/settings.html",
        lambda: _settings_context(session, principal),
        failed_channel=channel,
    )


@router.post("/notifications/settings")
def settings_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "notifications.channels")
    channel = form.get("channel")
    page = _settings_rerender(request, session, principal, channel)
    spec = SPECS.get((channel, form.get("provider")))
    if spec is None:
        _ = gettext_for(request.state.language)
        return page({"channel": _("Choose one of the listed values.")})

    return forms.submit_form(
        request,
        schemas.ChannelIn,
        _channel_payload(form, spec),
        forms.redirect_after(
            lambda data: channel_settings.save_channel(session, principal, data, get_settings()),
            f"/notifications/settings?saved={channel}",
        ),
        page,
    )


@router.post("/notifications/settings/test")
def settings_test(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "notifications.channels")

    def send(data: schemas.TestMessageIn) -> Response:
        row = outbox_actions.send_test(session, principal, data)
        if principal.has("notifications.read"):
            return RedirectResponse(f"/notifications/outbox/{row.id}", status_code=303)
        return RedirectResponse("/notifications/settings?tested=1", status_code=303)

    fields = form.pick("channel", "recipient")
    page = _settings_rerender(request, session, principal, form.get("channel"))
    return forms.submit_form(request, schemas.TestMessageIn, fields, send, page)


# --------------------------------------------------------------------------- templates


@router.get("/notifications/templates")
def templates_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    kind: str = "",
    language: str = "",
) -> Response:
    views = message_templates.template_views(session, principal)
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
def templates_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "notifications.templates")
    kind, language = form.get("kind"), form.get("language")
    saved = f"/notifications/templates?kind={kind}&language={language}&saved=1"

    def page(errors: dict[str, str]) -> Response:
        kinds = [k.value for k in TemplateKind]
        current = schemas.TemplateOut(
            kind=kind,
            language=language,
            subject=form.get("subject"),
            body=form.get("body"),
            sms=form.get("sms"),
            customised=True,
        )
        context = {
            "views": message_templates.template_views(session, principal),
            "kinds": kinds,
            "kind": kind if kind in kinds else kinds[0],
            "language": language,
            "current": current,
            "errors": errors,
            "saved": False,
        }
        return render(request, "notifications/templates.html", context, status_code=422)

    if form.get("reset") == "1":
        reset = forms.redirect_after(
            lambda data: message_templates.reset_template(
                session, principal, data.kind, data.language
            ),
            saved,
        )
        fields = {"kind": kind, "language": language}
        return forms.submit_form(request, schemas.TemplateReset, fields, reset, page)

    save = forms.redirect_after(
        lambda data: message_templates.save_template(session, principal, data), saved
    )
    fields = {"kind": kind, "language": language, **form.pick("subject", "body", "sms")}
    return forms.submit_form(request, schemas.TemplateIn, fields, save, page)
