"""Running rules (SPEC H1, H2): from an event to what the rules did, once.

1. An event (``stage.changed``, ``report.ready``, ``scorecards.completed``,
   ``offer.answered``; the daily sweep for ``stage.stale``) writes one pending
   :class:`RuleLog` row per rule of the opening that listens to it, in the transaction of
   whoever published it, and queues ``workflow.evaluate_rules`` for after the commit. The
   row is unique per (rule, event id): the same event handled twice finds its rows and
   queues nothing.
2. The worker claims each pending row with a conditional UPDATE in the transaction that acts
   (a task delivered twice finds it claimed; a worker that dies leaves it pending), reads the
   candidate's values, evaluates the condition and runs the actions with the rights of the
   person who last saved the rule, then stores what happened (or why nothing did) on the row.

A move to a rejection stage is never made by a rule: it becomes an item on HR's list
(:mod:`hireflow.workflow.confirmations`), decided by a person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rule_engine import errors as rerrors
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import N_, AppError
from hireflow.core.events import Event
from hireflow.core.logging import log_error
from hireflow.core.permissions import Principal, Role
from hireflow.core.settings import get_settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant, User
from hireflow.org.role_holders import role_holders
from hireflow.scheduling import invitations
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.workflow.models import AutomationRule, PipelinePosition, RuleLog, RuleTask, Scorecard
from hireflow.workflow.rules import Condition, competencies_of, compile_condition
from hireflow.workflow.scorecards import ai_scores, mean_levels
from hireflow.workflow.service import MoveRequest, apply_move, current_position, visible_application
from hireflow.workflow.stage_notices import Route, enqueue_staff_message, group_routes
from hireflow.workflow.stages import Stage, by_key, freeze_opening_stages, opening_stages

log = logging.getLogger(__name__)

EVALUATE_TASK = "workflow.evaluate_rules"
NEXT_ROUND_TASK = "workflow.start_next_round"
# Event payload keys a rule's facts keep (ids and numbers; never names or texts).
_EVENT_KEYS = (
    "job_match",
    "scores",
    "round",
    "levels",
    "recommendations",
    "scorecards",
    "answer",
    "from",
    "to",
)
STALE_BATCH = 1000


# --------------------------------------------------------------------------- 1. the event


def record_event(session: Session, event: Event) -> list[int]:
    """Pending log rows for the rules listening to ``event`` (in the publisher's
    transaction); the evaluation is queued for after its commit. Returns the new rows' ids."""
    application_id = event.data.get("application_id")
    if not isinstance(application_id, int):
        return []
    application = session.get(Application, application_id)
    if application is None or application.tenant_id != event.tenant_id:
        return []
    rules = session.scalars(
        select(AutomationRule).where(
            AutomationRule.opening_id == application.opening_id,
            AutomationRule.trigger == event.name,
            AutomationRule.enabled.is_(True),
        )
    ).all()
    facts = {k: event.data[k] for k in _EVENT_KEYS if k in event.data}
    if event.name == "offer.answered" and "answer" not in facts and "accepted" in event.data:
        facts["answer"] = "accepted" if event.data["accepted"] else "declined"
    ids = [_log_once(session, rule, application, event.id, event.name, facts) for rule in rules]
    created = [i for i in ids if i is not None]
    if created:
        enqueue_on_commit(session, EVALUATE_TASK, created)
    return created


def _log_once(
    session: Session,
    rule: AutomationRule,
    application: Application,
    event_id: str,
    event_name: str,
    facts: dict[str, Any],
) -> int | None:
    """A pending row for (rule, event), or None when that event already has one."""
    exists = session.scalar(
        select(RuleLog.id).where(RuleLog.rule_id == rule.id, RuleLog.event_id == event_id)
    )
    if exists is not None:
        return None
    row = RuleLog(
        tenant_id=application.tenant_id,
        rule_id=rule.id,
        event_id=event_id,
        event_name=event_name,
        application_id=application.id,
        opening_id=application.opening_id,
        status="pending",
        facts=facts,
        outcome=[],
        reason="",
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same event recorded by a concurrent delivery
        return None
    return row.id


# --------------------------------------------------------------------------- 2. the values


def _latest_round(session: Session, application: Application) -> dict[str, Any]:
    """The scorecard values of the newest round with scorecards (for dry runs)."""
    cards = list(
        session.scalars(
            select(Scorecard)
            .where(Scorecard.application_id == application.id, Scorecard.superseded_at.is_(None))
            .order_by(Scorecard.submitted_at.desc(), Scorecard.id.desc())
        )
    )
    if not cards:
        return {}
    round_key = cards[0].round_key
    cards = [c for c in cards if c.round_key == round_key]
    counts: dict[str, int] = {}
    for card in cards:
        counts[card.recommendation] = counts.get(card.recommendation, 0) + 1
    return {
        "round": round_key,
        "levels": mean_levels(cards),
        "recommendations": counts,
        "scorecards": len(cards),
    }


def values_for(
    session: Session,
    application: Application,
    stages: list[Stage],
    trigger: str,
    event_facts: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """What a condition of ``trigger`` sees for ``application``: the event's own values,
    completed with the newest report and where the candidate stands."""
    scores, job_match = ai_scores(session, application)
    position = current_position(session, application, stages)
    values: dict[str, Any] = {
        "job_match": job_match,
        "scores": scores,
        "stage": position.stage.key,
        "days_in_stage": round(position.seconds_in_stage(now) / 86400, 2),
    }
    facts = dict(event_facts)
    if trigger == "scorecards.completed":
        facts = {**_latest_round(session, application), **facts}
        votes = facts.get("recommendations") or {}
        values |= {
            "round": facts.get("round"),
            "levels": dict(facts.get("levels") or {}),
            "votes_yes": float(votes.get("yes", 0) + votes.get("strong_yes", 0)),
            "votes_no": float(votes.get("no", 0) + votes.get("strong_no", 0)),
            "scorecards": float(facts.get("scorecards") or 0),
        }
    elif trigger == "offer.answered":
        values["answer"] = facts.get("answer")
    elif trigger == "stage.changed":
        values["previous_stage"] = facts.get("from")
    for key in ("job_match", "scores"):
        if facts.get(key) is not None:
            values[key] = facts[key]
    return values


@dataclass(frozen=True)
class Verdict:
    result: str  # match | no_match | missing
    used: dict[str, Any]  # the values the condition read
    missing: str = ""  # the field without a value


def _used(condition: Condition, values: Mapping[str, Any]) -> dict[str, Any]:
    used: dict[str, Any] = {}
    for name in sorted(condition.symbols - {"scores", "levels"}):
        used[name] = values.get(name)
    for mapping, key in sorted(condition.keys):
        used[f"{mapping}.{key}"] = (values.get(mapping) or {}).get(key)
    return used


def evaluate(condition: Condition, values: Mapping[str, Any]) -> Verdict:
    """Whether the condition holds; "missing" when a field it reads has no value yet."""
    used = _used(condition, values)
    empty = next((name for name, value in used.items() if value is None), None)
    if empty is not None:
        return Verdict("missing", used, empty)
    floats = {
        k: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
        for k, v in values.items()
    }
    try:
        matched = condition.engine_rule.matches(floats)
    except rerrors.EngineError:
        return Verdict("missing", used, next(iter(used), ""))
    return Verdict("match" if matched else "no_match", used)


# --------------------------------------------------------------------------- 3. evaluating


def evaluate_logs(database: Database, log_ids: list[int], now: datetime | None = None) -> int:
    """Evaluate pending rows (each in its own transaction); the number acted on here."""
    done = 0
    for log_id in log_ids:
        with database.session() as session:
            claimed = session.execute(
                update(RuleLog)
                .where(RuleLog.id == int(log_id), RuleLog.status == "pending")
                .values(status="evaluating")
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                continue
            row = session.get(RuleLog, int(log_id))
            assert row is not None
            session.refresh(row)
            try:
                _evaluate_one(session, row, now or utcnow())
                session.commit()
            except Exception as exc:
                # A fault of ours must not send the task round forever: the row says so, and
                # the log has the trace (ids only).
                session.rollback()
                log_error(
                    log, "rule evaluation failed", exc, event="workflow.rule_failed", log_id=log_id
                )
                _mark_failed(session, int(log_id), now or utcnow())
            done += 1
    return done


def _mark_failed(session: Session, log_id: int, now: datetime) -> None:
    session.execute(
        update(RuleLog)
        .where(RuleLog.id == log_id, RuleLog.status == "pending")
        .values(status="failed", reason="error", evaluated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _author(session: Session, rule: AutomationRule) -> Principal | None:
    user = session.get(User, rule.created_by_id)
    if user is None or not user.is_active or user.tenant_id != rule.tenant_id:
        return None
    return principal_for(user)


def _finish(row: RuleLog, status: str, reason: str, now: datetime) -> None:
    row.status = status
    row.reason = reason[:500]
    row.evaluated_at = now


def _evaluate_one(session: Session, row: RuleLog, now: datetime) -> None:
    rule = session.get(AutomationRule, row.rule_id)
    application = session.get(Application, row.application_id)
    if rule is None or application is None:
        _finish(row, "not_fired", "gone", now)
        return
    if not rule.enabled:
        _finish(row, "not_fired", "disabled", now)
        return
    opening = session.get(Opening, rule.opening_id)
    assert opening is not None
    stages = opening_stages(session, opening)
    values = values_for(session, application, stages, rule.trigger, row.facts or {}, now)
    if rule.stage_key and values["stage"] != rule.stage_key:
        row.facts = {**(row.facts or {}), "stage": values["stage"]}
        _finish(row, "not_fired", f"stage:{values['stage']}", now)
        return
    try:
        condition = compile_condition(rule.condition, rule.trigger, competencies_of(opening))
    except ValueError:  # the opening's model changed since the rule was saved
        _finish(row, "failed", "condition", now)
        return
    verdict = evaluate(condition, values)
    row.facts = {**(row.facts or {}), **verdict.used}
    if verdict.result == "missing":
        _finish(row, "not_fired", f"missing:{verdict.missing}", now)
        return
    if verdict.result == "no_match":
        _finish(row, "not_fired", "no_match", now)
        return
    principal = _author(session, rule)
    if principal is None:
        _finish(row, "failed", "author", now)
        return
    row.outcome = [
        _act(session, principal, rule, row, application, index, action)
        for index, action in enumerate(rule.actions or [])
    ]
    _finish(row, "fired", "", now)


# --------------------------------------------------------------------------- 4. actions


def _act(
    session: Session,
    principal: Principal,
    rule: AutomationRule,
    row: RuleLog,
    application: Application,
    index: int,
    action: Mapping[str, Any],
) -> dict[str, Any]:
    """Run one action; a refused one is reported and does not undo the others."""
    kind = str(action.get("type"))
    try:
        with session.begin_nested():
            if kind == "move":
                return {"type": kind, **_move(session, principal, rule, row, application, action)}
            if kind == "next_round":
                enqueue_on_commit(session, NEXT_ROUND_TASK, row.id, index)
                return {"type": kind, "result": "queued"}
            if kind == "notify_manager":
                sent = notify_managers(session, rule, application, f"rule-log:{row.id}")
                return {"type": kind, "result": "done" if sent else "refused", "count": sent}
            if kind == "todo":
                _task(session, rule, row, "todo", note=str(action.get("note", "")))
                return {"type": kind, "result": "done"}
    except AppError as exc:
        return {"type": kind, "result": "refused", "detail": exc.code}
    return {"type": kind, "result": "refused", "detail": "unknown_action"}


def _task(
    session: Session, rule: AutomationRule, row: RuleLog, kind: str, **values: Any
) -> RuleTask:
    task = RuleTask(
        tenant_id=row.tenant_id,
        opening_id=row.opening_id,
        application_id=row.application_id,
        rule_id=rule.id,
        log_id=row.id,
        kind=kind,
        status="open",
        created_at=utcnow(),
        **values,
    )
    session.add(task)
    session.flush()
    return task


def _move(
    session: Session,
    principal: Principal,
    rule: AutomationRule,
    row: RuleLog,
    application: Application,
    action: Mapping[str, Any],
) -> dict[str, Any]:
    visible_application(session, principal, application.id, "pipeline.move")
    stages = freeze_opening_stages(session, application.opening)
    target = by_key(stages, str(action.get("to")))
    if target is None:
        return {"result": "refused", "detail": "unknown_stage"}
    if target.kind == "rejected":
        # Never automatically: a person decides (PIPL Art. 24, EU AI Act Art. 14).
        _task(
            session,
            rule,
            row,
            "confirm_reject",
            to_stage=target.key,
            reason_key=action.get("reason"),
        )
        return {"result": "hr_confirmation", "to": target.key}
    position = current_position(session, application, stages)
    keys = [s.key for s in stages]
    if rule.stage_key is None and (
        position.stage.key not in keys or keys.index(position.stage.key) >= keys.index(target.key)
    ):
        return {"result": "skipped", "detail": "already_past", "to": target.key}
    request = MoveRequest(target.key, position.version, None, rule.name)
    apply_move(session, principal, application, stages, request, utcnow())
    return {"result": "done", "to": target.key, "from": position.stage.key}


NOTE_TITLE = N_("Candidate for %(opening)s: rule “%(rule)s”")
NOTE_BODY = N_(
    "%(candidate)s (%(opening)s) met the rule “%(rule)s”. Open the pipeline to see the "
    "candidate's report and next steps."
)


def notify_managers(
    session: Session, rule: AutomationRule, application: Application, dedupe: str
) -> int:
    """Tell the hiring managers (e-mail, in their language) and the company's hiring-group
    robots (WeCom, DingTalk, Feishu) that a candidate met the rule; messages written."""
    opening = application.opening
    tenant = session.get(Tenant, opening.tenant_id)
    candidate = session.get(Candidate, application.candidate_id)
    assert tenant is not None and candidate is not None
    link = f"{get_settings().base_url.rstrip('/')}/applications/{application.id}/pipeline/rules"
    params = {"candidate": candidate.name, "opening": opening.title, "rule": rule.name}
    routes = [
        Route(
            "email", user.email, user.name, user.language or tenant.default_language, f"u{user.id}"
        )
        for user in role_holders(
            session, opening.tenant_id, Role.HIRING_MANAGER, department_id=opening.department_id
        )
        if user.email
    ]
    routes += group_routes(session, tenant)
    for route in routes:
        enqueue_staff_message(
            session, application, route, (NOTE_TITLE, NOTE_BODY, params), link, dedupe
        )
    return len(routes)


# --------------------------------------------------------------------------- the next round


def start_next_round(database: Database, log_id: int, index: int) -> dict[str, Any]:
    """Invite the candidate to book the next round with the opening's panel (the scheduling
    domain's self-booking invitation), once: the invitation's request key is the log row's."""
    with database.session() as session:
        row = session.get(RuleLog, int(log_id))
        rule = session.get(AutomationRule, row.rule_id) if row else None
        if row is None or rule is None or index >= len(row.outcome or []):
            return {"result": "gone"}
        action = (rule.actions or [])[index] if index < len(rule.actions or []) else {}
        application = session.get(Application, row.application_id)
        principal = _author(session, rule)
        assert application is not None
        outcome: dict[str, Any]
        if principal is None:
            outcome = {"type": "next_round", "result": "refused", "detail": "author"}
        else:
            outcome = _invite(session, principal, row.id, application, action)
        if outcome["result"] == "refused":
            session.rollback()
            row = session.get(RuleLog, int(log_id))
            assert row is not None
        entries = list(row.outcome or [])
        entries[index] = outcome
        row.outcome = entries
        session.commit()
        return outcome


def _invite(
    session: Session, principal: Principal, log_id: int, application: Application, action: Any
) -> dict[str, Any]:
    stages = opening_stages(session, application.opening)
    position = current_position(session, application, stages)
    # The whole panel meets the candidate: without naming it the invitation would book any
    # one interviewer, and only that one would get the calendar invitation.
    panel = list(
        session.scalars(
            select(OpeningMember.user_id)
            .join(User, User.id == OpeningMember.user_id)
            .where(
                OpeningMember.opening_id == application.opening_id,
                OpeningMember.role == "interviewer",
                User.is_active.is_(True),
            )
            .order_by(OpeningMember.id)
            .limit(10)
        )
    )
    data = scheduling_schemas.InvitationCreate.model_validate(
        {
            "opening_id": application.opening_id,
            "candidate_ids": [application.candidate_id],
            "kind": "live",
            "interviewer_ids": panel,
            "panel": len(panel) > 1,
            "round_name": str(action.get("round_name") or position.stage.label(principal.language))[
                :100
            ],
            "meeting_url": str(action.get("meeting_url") or ""),
            "duration_minutes": action.get("duration_minutes"),
            "request_key": f"rule-{log_id}",
        }
    )
    try:
        batch, skipped, _created = invitations.create_invitations(
            session, principal, data, get_settings()
        )
    except AppError as exc:
        return {"type": "next_round", "result": "refused", "detail": exc.code}
    return {
        "type": "next_round",
        "result": "done",
        "batch_id": batch.id,
        "meeting_url": bool(data.meeting_url),
        "skipped": [s.reason for s in skipped],
    }


# --------------------------------------------------------------------------- stage.stale


def sweep_stale(database: Database, now: datetime | None = None) -> int:
    """Pending rows for candidates left in a rule's stage for its number of days (once per
    stay in the stage: the event id names the position's version)."""
    now = now or utcnow()
    created = 0
    with database.session() as session:
        rules = session.scalars(
            select(AutomationRule).where(
                AutomationRule.trigger == "stage.stale", AutomationRule.enabled.is_(True)
            )
        ).all()
        ids: list[int] = []
        for rule in rules:
            ids += _stale_for(session, rule, now)
        if ids:
            enqueue_on_commit(session, EVALUATE_TASK, ids)
        session.commit()
        created = len(ids)
    return created


def _stale_for(session: Session, rule: AutomationRule, now: datetime) -> list[int]:
    opening = session.get(Opening, rule.opening_id)
    if opening is None or opening.status != "open" or not rule.stage_key or not rule.stale_days:
        return []
    cutoff = now - timedelta(days=rule.stale_days)
    first = opening_stages(session, opening)[0].key
    conditions = [
        and_(
            PipelinePosition.stage_key == rule.stage_key,
            PipelinePosition.entered_at <= cutoff,
        )
    ]
    if rule.stage_key == first:
        conditions.append(and_(PipelinePosition.id.is_(None), Application.created_at <= cutoff))
    found = session.execute(
        select(Application, PipelinePosition.version)
        .outerjoin(PipelinePosition, PipelinePosition.application_id == Application.id)
        .where(Application.opening_id == opening.id, or_(*conditions))
        .order_by(Application.id)
        .limit(STALE_BATCH)
    ).all()
    ids: list[int] = []
    for application, version in found:
        event_id = f"stale:{application.id}:{version or 0}"
        created = _log_once(session, rule, application, event_id, "stage.stale", {})
        if created is not None:
            ids.append(created)
    return ids
