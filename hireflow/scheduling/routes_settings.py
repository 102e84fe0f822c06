"""The scheduling settings page (HR admins): the tenant's scheduling policy, with the meeting
providers' part of the page from ``routes_meetings``. Included by ``routes_web``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hireflow.core.permissions import require
from hireflow.scheduling import policies, routes_meetings, schemas
from hireflow.web import forms
from hireflow.web.deps import DbSession, PageUser
from hireflow.web.forms import Form, PostedForm
from hireflow.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/scheduling/settings")
def settings_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "scheduling.configure")
    policy = policies.policy_for(session, principal.tenant_id)
    return render(
        request,
        "scheduling/settings.html",
        {
            "policy": schemas.PolicyOut.model_validate(policy).model_dump(),
            "errors": {},
            "saved": request.query_params.get("saved") == "1",
            **routes_meetings.settings_context(session, principal),
        },
    )


def _policy_payload(form: PostedForm) -> dict[str, Any]:
    payload: dict[str, Any] = {
        key: int(value) if value.isdigit() else value
        for key in schemas.PolicyIn.model_fields
        if key not in ("reminder_minutes", "candidate_channels", "notify_groups")
        and (value := form.get(key)) != ""
    }
    payload["reminder_minutes"] = [
        int(v) for v in form.get("reminder_minutes").replace(" ", "").split(",") if v.isdigit()
    ]
    payload["candidate_channels"] = form.listed("candidate_channels")
    payload["notify_groups"] = form.get("notify_groups") == "on"
    return payload


@router.post("/scheduling/settings")
def settings_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "scheduling.configure")
    payload = _policy_payload(form)
    return forms.submit_form(
        request,
        schemas.PolicyIn,
        payload,
        forms.redirect_after(
            lambda data: policies.save_policy(session, principal, data),
            "/scheduling/settings?saved=1",
        ),
        forms.rerender(
            request,
            "scheduling/settings.html",
            lambda: {
                "policy": {**payload, **form.values},
                **routes_meetings.settings_context(session, principal),
            },
            saved=False,
        ),
    )
