"""Rule pages (SPEC H1, H2): an opening's rules with the editor and dry runs, a candidate's
rule log, and HR's list of what rules left for people (to-dos, rejections to confirm).

Imported by :mod:`hireflow.workflow.routes_web`; both add their pages to one router
(:mod:`hireflow.workflow.web_router`)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from hireflow.core.errors import N_
from hireflow.core.permissions import Principal, can, require
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, PostedForm
from hireflow.web.templating import render
from hireflow.workflow import confirmations, rule_views, rules, schemas, service, stages
from hireflow.workflow.models import RULE_TRIGGERS
from hireflow.workflow.web_router import router

TRIGGER_LABELS = {
    "stage.changed": N_("The candidate entered a stage"),
    "report.ready": N_("An AI interview report is stored"),
    "scorecards.completed": N_("Every panel member submitted a round's scorecard"),
    "offer.answered": N_("The candidate answered the offer"),
    "stage.stale": N_("The candidate stayed in a stage for a number of days"),
}
STATUS_LABELS = {
    "pending": N_("Waiting for the worker"),
    "fired": N_("Fired"),
    "not_fired": N_("Did not fire"),
    "failed": N_("Could not run"),
}
ACTION_LABELS = {
    "move": N_("Move to a stage"),
    "next_round": N_("Start the next round (self-booking with the panel)"),
    "notify_manager": N_("Notify the hiring manager and the hiring group"),
    "todo": N_("Add to HR's to-do list"),
}
RESULT_LABELS = {
    "done": N_("done"),
    "queued": N_("queued"),
    "refused": N_("refused"),
    "skipped": N_("skipped (already past that stage)"),
    "hr_confirmation": N_("waiting for HR's confirmation"),
}
REASON_LABELS = {
    "no_match": N_("The condition did not hold."),
    "missing": N_("No value yet for %(field)s."),
    "stage": N_("The candidate was in another stage (%(stage)s)."),
    "disabled": N_("The rule was turned off."),
    "author": N_("The person who saved the rule can no longer act on this opening."),
    "condition": N_("The condition no longer fits the opening's competency model."),
    "gone": N_("The rule or the application no longer exists."),
    "error": N_("An unexpected error stopped the rule; IT can find it in the log."),
}
DRY_LABELS = {
    "match": N_("Would fire"),
    "no_match": N_("Would not fire"),
    "missing": N_("Not enough data"),
}
# Service errors name the rule's parts (``actions.0.to``); the form has one field per part.
_FIELD_OF_PART = {"to": "move_to", "reason": "move_reason", "type": "next_round"}


def _form_errors(errors: dict[str, str]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "actions" and len(parts) == 3:
            shown[_FIELD_OF_PART.get(parts[2], "actions")] = message
        else:
            shown[parts[0]] = message
    return shown


def _reason_of(reason: str, stage_labels: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A stored reason code (``missing:job_match``, ``stage:round_1``) as a msgid and its
    values, translated in the template."""
    code, _sep, detail = reason.partition(":")
    if code not in REASON_LABELS:
        return reason, {}
    return REASON_LABELS[code], {"field": detail, "stage": stage_labels.get(detail, detail)}


def _rules_context(
    request: Request, session: DbSession, principal: Principal, opening_id: int
) -> dict[str, Any]:
    found = rules.opening_rules(session, principal, opening_id)
    opening = service.get_visible_opening(session, principal, opening_id, "pipeline.rules_log")
    editing = next((r for r in found if str(r.id) == request.query_params.get("edit")), None)
    return {
        "opening": opening,
        "rules": found,
        "editing": editing,
        "form": _form_of(editing) if editing else {"trigger": "report.ready", "enabled": "on"},
        "stages": stages.opening_stages(session, opening),
        "stage_labels": {
            s.key: s.label(principal.language) for s in stages.opening_stages(session, opening)
        },
        "reasons": stages.rejection_reasons(session, principal.tenant_id),
        "triggers": RULE_TRIGGERS,
        "trigger_labels": TRIGGER_LABELS,
        "action_labels": ACTION_LABELS,
        "fields": {t: rules.fields_of(t) for t in RULE_TRIGGERS},
        "competencies": sorted(rules.competencies_of(opening)),
        "can_write": can(principal, "pipeline.rules"),
        "dry": None,
        "dry_labels": DRY_LABELS,
        "reason_of": _reason_of,
        "errors": {},
    }


def _form_of(rule: Any) -> dict[str, str]:
    form = {
        "name": rule.name,
        "trigger": rule.trigger,
        "stage": rule.stage_key or "",
        "stale_days": str(rule.stale_days or ""),
        "condition": rule.condition,
        "enabled": "on" if rule.enabled else "",
    }
    for action in rule.actions or []:
        kind = action.get("type")
        if kind == "move":
            form |= {"move_to": action.get("to", ""), "move_reason": action.get("reason") or ""}
        elif kind == "next_round":
            form |= {
                "next_round": "on",
                "round_name": action.get("round_name", ""),
                "meeting_url": action.get("meeting_url", ""),
            }
        elif kind == "notify_manager":
            form["notify_manager"] = "on"
        elif kind == "todo":
            form |= {"todo": "on", "todo_note": action.get("note", "")}
    return form


def _rule_fields(form: PostedForm) -> dict[str, Any]:
    """The editor's fields as a :class:`schemas.RuleIn` body."""
    actions: list[dict[str, Any]] = []
    if form.get("move_to"):
        actions.append(
            {"type": "move", "to": form.get("move_to"), "reason": form.get("move_reason") or None}
        )
    if form.get("next_round") == "on":
        actions.append({"type": "next_round", **form.pick("round_name", "meeting_url")})
    if form.get("notify_manager") == "on":
        actions.append({"type": "notify_manager"})
    if form.get("todo") == "on":
        actions.append({"type": "todo", "note": form.get("todo_note")})
    days = form.get("stale_days").strip()
    return {
        "name": form.get("name"),
        "trigger": form.get("trigger"),
        "stage": form.get("stage") or None,
        "stale_days": int(days) if days.isdigit() and len(days) < 6 else (days or None),
        "condition": form.get("condition"),
        "actions": actions,
        "enabled": form.get("enabled") == "on",
    }


def _rules_page(
    request: Request, session: DbSession, principal: Principal, opening_id: int, form: PostedForm
) -> Any:
    def page(errors: dict[str, str]) -> Response:
        context = _rules_context(request, session, principal, opening_id)
        context["form"] = dict(form.values)
        context["errors"] = _form_errors(errors)
        return render(request, "workflow/rules.html", context, status_code=422)

    return page


@router.get("/openings/{opening_id}/pipeline/rules")
def rules_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    return render(
        request, "workflow/rules.html", _rules_context(request, session, principal, opening_id)
    )


@router.post("/openings/{opening_id}/pipeline/rules")
def save_rule(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, form: Form
) -> Response:
    """Create a rule, or change the one named by ``rule_id``; ``dry_run`` only tries it."""
    require(principal, "pipeline.rules")
    service.get_visible_opening(session, principal, opening_id, "pipeline.rules")
    rule_id = form.get("rule_id")

    def act(data: schemas.RuleIn) -> Response:
        if form.get("dry_run"):
            context = _rules_context(request, session, principal, opening_id)
            context["form"] = dict(form.values)
            context["dry"] = rule_views.dry_run(session, principal, opening_id, data)
            shown = [row.application_id for row in context["dry"].rows]
            audit_read(session, principal, "pipeline.rule_dry_run", "application", shown)
            return render(request, "workflow/rules.html", context)
        if rule_id.isdigit() and len(rule_id) < 10:
            rules.update_rule(session, principal, int(rule_id), data)
        else:
            rules.create_rule(session, principal, opening_id, data)
        return RedirectResponse(f"/openings/{opening_id}/pipeline/rules?saved=1", status_code=303)

    page = _rules_page(request, session, principal, opening_id, form)
    return forms.submit_form(request, schemas.RuleIn, _rule_fields(form), act, page)


@router.post("/openings/{opening_id}/pipeline/rules/{rule_id}/delete")
def delete_rule(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, rule_id: Id
) -> Response:
    return forms.act_or_rerender(
        request,
        forms.redirect_after(
            lambda: rules.delete_rule(session, principal, rule_id),
            f"/openings/{opening_id}/pipeline/rules?deleted=1",
        ),
        _rules_page(request, session, principal, opening_id, PostedForm()),
    )


# --------------------------------------------------------------------------- rule log


@router.get("/applications/{application_id}/pipeline/rules")
def rule_log_page(
    request: Request, session: DbSession, principal: PageUser, application_id: Id
) -> Response:
    view = rule_views.rule_log(session, principal, application_id)
    audit_read(
        session,
        principal,
        "pipeline.rule_log_viewed",
        "candidate",
        target_id=view.application.candidate_id,
    )
    opening = view.application.opening
    return render(
        request,
        "workflow/rule_log.html",
        {
            "view": view,
            "stage_labels": {
                s.key: s.label(principal.language) for s in stages.opening_stages(session, opening)
            },
            "opening": view.application.opening,
            "status_labels": STATUS_LABELS,
            "action_labels": ACTION_LABELS,
            "result_labels": RESULT_LABELS,
            "trigger_labels": TRIGGER_LABELS,
            "reason_of": _reason_of,
        },
    )


# --------------------------------------------------------------------------- HR's list


def _tasks_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "rows": confirmations.open_tasks(session, principal),
        "reasons": {r.key: r for r in stages.rejection_reasons(session, principal.tenant_id)},
        "errors": {},
    }


@router.get("/workflow/confirmations")
def confirmations_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "workflow/confirmations.html", _tasks_context(session, principal))


@router.post("/workflow/confirmations/{task_id}")
def decide(
    request: Request, session: DbSession, principal: PageUser, task_id: Id, form: Form
) -> Response:
    return forms.submit_form(
        request,
        schemas.RuleTaskDecisionIn,
        form.pick("decision", "note"),
        forms.redirect_after(
            lambda data: confirmations.decide(session, principal, task_id, data),
            "/workflow/confirmations?decided=1",
        ),
        forms.rerender(
            request, "workflow/confirmations.html", lambda: _tasks_context(session, principal)
        ),
    )
