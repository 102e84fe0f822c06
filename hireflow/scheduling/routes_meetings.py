"""The meeting-provider part of the scheduling settings page (HR admins): choose who makes
each booking's meeting link and give that provider's credentials. Secrets are password fields
that are never filled in again; leaving one empty keeps the stored value."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hireflow.core.permissions import require
from hireflow.scheduling import policies, schemas
from hireflow.scheduling.meetings.base import FIELD_LABELS, PROVIDERS, SPECS
from hireflow.scheduling.meetings.settings import meeting_settings, save_meeting_settings
from hireflow.web import forms
from hireflow.web.deps import DbSession, PageUser
from hireflow.web.forms import Form, PostedForm

router = APIRouter(include_in_schema=False)


def settings_context(session: DbSession, principal: PageUser) -> dict[str, Any]:
    """What the settings page shows of meeting links (also when the policy form fails)."""
    return {
        "meetings": meeting_settings(session, principal).model_dump(),
        "meeting_field_labels": FIELD_LABELS,
    }


def _payload(form: PostedForm) -> dict[str, Any]:
    provider = form.get("provider")
    spec = SPECS.get(provider)
    if spec is None:
        return {"provider": provider[:20] or "?"}
    return {
        "provider": provider,
        "config": {k: form.get(f"{provider}.{k}") for k in spec.config},
        "secrets": {k: form.get(f"{provider}.secret.{k}") for k in spec.secrets},
    }


@router.post("/scheduling/settings/meetings")
def meetings_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "scheduling.configure")
    payload = _payload(form)

    def page() -> dict[str, Any]:
        policy = policies.policy_for(session, principal.tenant_id)
        context = settings_context(session, principal)
        # Show what was typed (never a secret) for the provider being saved.
        if payload["provider"] in PROVIDERS:
            context["meetings"]["provider"] = payload["provider"]
            for view in context["meetings"]["providers"]:
                if view["name"] == payload["provider"]:
                    view["config"] = {**view["config"], **payload.get("config", {})}
        return {"policy": schemas.PolicyOut.model_validate(policy).model_dump(), **context}

    return forms.submit_form(
        request,
        schemas.MeetingSettingsIn,
        payload,
        forms.redirect_after(
            lambda data: save_meeting_settings(session, principal, data),
            "/scheduling/settings?saved=1#meetings",
        ),
        forms.rerender(request, "scheduling/settings.html", page, rollback=session, saved=False),
    )
