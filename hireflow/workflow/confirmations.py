"""HR's list of what rules left for people (SPEC H1): to-dos, and rejections to confirm.

A rule never rejects a person (PIPL Art. 24, EU AI Act Art. 14). When its condition would, the
candidate lands here; HR confirms (the move to the rejection stage happens then, in HR's
name, and the candidate receives a feedback e-mail in their language with the report's
concrete suggestions) or dismisses it (nothing happens to the candidate).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, get_visible, require, require_visible, restrict
from hireflow.core.rows import shaped
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.notifications import outbox as notify
from hireflow.notifications.templates import TemplateKind
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant
from hireflow.workflow import schemas
from hireflow.workflow.models import AutomationRule, RuleTask
from hireflow.workflow.scorecards import newest_report
from hireflow.workflow.service import MoveRequest, apply_move, current_position
from hireflow.workflow.stages import freeze_opening_stages

MAX_SUGGESTIONS = 5


class AlreadyDecided(Conflict):
    code = "already_decided"
    message = N_("Someone already decided on this item.")


@dataclass(frozen=True)
class TaskRow:
    task: RuleTask
    candidate_name: str
    opening_title: str
    rule_name: str


def open_tasks(session: Session, principal: Principal, limit: int = 200) -> list[TaskRow]:
    """The open items of the openings the caller may move candidates in, oldest first."""
    require(principal, "pipeline.move")
    visible = restrict(
        select(RuleTask.id).where(RuleTask.status == "open"), principal, "pipeline.move", RuleTask
    )
    stmt = (
        select(RuleTask, Candidate.name, Opening.title, AutomationRule.name)
        .join(Application, Application.id == RuleTask.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == RuleTask.opening_id)
        .outerjoin(AutomationRule, AutomationRule.id == RuleTask.rule_id)
        .where(RuleTask.id.in_(visible))
        .order_by(RuleTask.created_at, RuleTask.id)
        .limit(limit)
    )
    return [TaskRow(t, name, title, rule or "") for t, name, title, rule in session.execute(stmt)]


def task_out(row: TaskRow) -> schemas.RuleTaskOut:
    return shaped(
        schemas.RuleTaskOut,
        row.task,
        candidate_name=row.candidate_name,
        rule_name=row.rule_name,
        reason=row.task.reason_key,
    )


def decide(
    session: Session, principal: Principal, task_id: int, data: schemas.RuleTaskDecisionIn
) -> RuleTask:
    """Confirm or dismiss an item; a confirmed rejection moves the candidate and sends the
    feedback e-mail (after the commit, through the outbox)."""
    task = require_visible(session, RuleTask, task_id, principal, "pipeline.move")
    if task.status != "open":
        raise AlreadyDecided()
    now = utcnow()
    confirm = data.decision == "confirm"
    if confirm and task.kind == "confirm_reject":
        application = get_visible(
            session, Application, task.application_id, principal, "pipeline.move"
        )
        stages = freeze_opening_stages(session, application.opening)
        position = current_position(session, application, stages)
        request = MoveRequest(task.to_stage or "", position.version, task.reason_key, data.note)
        apply_move(session, principal, application, stages, request, now)
        send_feedback(session, application, task.id)
    task.status = "done" if confirm else "dismissed"
    task.decided_by_id = principal.user_id
    task.decided_at = now
    audit.commit_recorded(
        session,
        "pipeline.rule_task_decided",
        actor=principal,
        target_type="application",
        target_id=task.application_id,
        new={"task": task.id, "kind": task.kind, "decision": data.decision},
    )
    return task


def _language(session: Session, application: Application, tenant: Tenant) -> str:
    """The candidate's language: their application's, else their interview's, else the
    company's."""
    if application.language:
        return application.language
    interview = session.scalars(
        select(InterviewSession.language)
        .where(
            InterviewSession.opening_id == application.opening_id,
            InterviewSession.candidate_id == application.candidate_id,
        )
        .order_by(InterviewSession.id.desc())
        .limit(1)
    ).first()
    return interview or tenant.default_language


def suggestions(report: InterviewReport | None, language: str) -> list[str]:
    """The report's gaps (HR's adjusted report when there is one), in ``language``."""
    if report is None:
        return []
    body: dict[str, Any] = json.loads(report.final_body or report.body)
    short = "zh" if language.lower().startswith("zh") else "en"
    found: list[str] = []
    for gap in body.get("gaps") or []:
        text = (gap.get("text") or {}).get(short) or (gap.get("text") or {}).get("en")
        if text and text not in found:
            found.append(str(text))
    return found[:MAX_SUGGESTIONS]


FEEDBACK_TITLE = N_("Your application for %(opening)s")
FEEDBACK_BODY = N_(
    "Thank you for your time and interest in %(opening)s. After careful review by our team we "
    "will not continue with your application this time."
)
FEEDBACK_TIPS = N_("From your interview, these are the areas we suggest working on:")
FEEDBACK_NO_TIPS = N_("We wish you every success in your search.")


def send_feedback(session: Session, application: Application, task_id: int) -> bool:
    """The feedback e-mail to the candidate (queued in the outbox, sent after the commit)."""
    candidate = session.get(Candidate, application.candidate_id)
    tenant = session.get(Tenant, application.tenant_id)
    assert candidate is not None and tenant is not None
    address = (candidate.email or "").strip()
    if not address:
        return False
    language = _language(session, application, tenant)
    _ = gettext_for(language)
    opening = application.opening
    tips = suggestions(newest_report(session, application), language)
    lines = [_(FEEDBACK_BODY) % {"opening": opening.title}, ""]
    if tips:
        lines += [_(FEEDBACK_TIPS), *[f"- {tip}" for tip in tips]]
    else:
        lines.append(_(FEEDBACK_NO_TIPS))
    context = {
        "candidate_name": candidate.name,
        "company_name": tenant.name,
        "job_title": opening.title,
        "hr_contact": None,
        "title": _(FEEDBACK_TITLE) % {"opening": opening.title},
        "body": "\n".join(lines),
        "link": None,
    }
    cache = notify.TemplateCache(session, tenant.id)
    rendered = notify.render(
        cache, TemplateKind.GENERIC, language, context, tenant.default_timezone
    )
    notify.enqueue(
        session,
        tenant.id,
        notify.OutgoingMessage.from_rendered(
            "email", TemplateKind.GENERIC.value, address, rendered, recipient_label=candidate.name
        ),
        dedupe_key=f"rule-feedback:{task_id}",
        opening_id=opening.id,
        related_type="application",
        related_id=application.id,
    )
    return True
