"""Reading what rules did and would do (SPEC H1): a candidate's rule log, and a dry run of a
rule against the opening's candidates that writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal
from hireflow.core.rows import shaped
from hireflow.workflow import schemas
from hireflow.workflow.automation import evaluate, values_for
from hireflow.workflow.models import AutomationRule, RuleLog
from hireflow.workflow.rules import check_rule, rule_in, visible_rule
from hireflow.workflow.service import get_visible_opening, visible_application
from hireflow.workflow.stages import opening_stages

DRY_RUN_LIMIT = 500


@dataclass(frozen=True)
class RuleLogView:
    application: Application
    candidate_name: str
    rows: list[tuple[RuleLog, str]]  # (row, rule name)


def rule_log(session: Session, principal: Principal, application_id: int) -> RuleLogView:
    """Every rule that looked at this application, newest first: what fired, what it did,
    or why not."""
    application = visible_application(session, principal, application_id, "pipeline.rules_log")
    candidate = session.get(Candidate, application.candidate_id)
    rows = session.execute(
        select(RuleLog, AutomationRule.name)
        .join(AutomationRule, AutomationRule.id == RuleLog.rule_id)
        .where(RuleLog.application_id == application.id)
        .order_by(RuleLog.created_at.desc(), RuleLog.id.desc())
        .limit(500)
    ).all()
    return RuleLogView(application, candidate.name if candidate else "", [(r, n) for r, n in rows])


def log_out(row: RuleLog, rule_name: str) -> schemas.RuleLogOut:
    status = row.status if row.status in ("fired", "not_fired", "failed") else "pending"
    return shaped(
        schemas.RuleLogOut,
        row,
        rule_name=rule_name,
        event=row.event_name,
        status=status,
        facts=dict(row.facts or {}),
        outcome=list(row.outcome or []),
    )


def dry_run(
    session: Session, principal: Principal, opening_id: int, data: schemas.RuleIn
) -> schemas.DryRunOut:
    """What the rule would have decided for the opening's candidates (newest first, up to
    500), from their values today; nothing is written and no action runs."""
    opening = get_visible_opening(session, principal, opening_id, "pipeline.rules")
    condition = check_rule(session, opening, data, principal.language)
    stages = opening_stages(session, opening)
    labels = {s.key: s.label(principal.language) for s in stages}
    found = session.execute(
        select(Application, Candidate.name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.opening_id == opening.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(DRY_RUN_LIMIT)
    ).all()
    now = utcnow()
    rows: list[schemas.DryRunRow] = []
    for application, name in found:
        values = values_for(session, application, stages, data.trigger, {}, now)
        stage = values["stage"]
        if data.stage is not None and stage != data.stage:
            result, detail, used = "no_match", f"stage:{stage}", {"stage": stage}
        else:
            verdict = evaluate(condition, values)
            result, used = verdict.result, verdict.used
            detail = f"missing:{verdict.missing}" if verdict.missing else ""
        rows.append(
            schemas.DryRunRow(
                application_id=application.id,
                candidate_name=name,
                stage=labels.get(stage, stage),
                result=result,  # type: ignore[arg-type]
                detail=detail,
                facts=used,
            )
        )
    return schemas.DryRunOut(
        rule=data,
        checked=len(rows),
        matched=sum(1 for r in rows if r.result == "match"),
        rows=rows,
    )


def dry_run_rule(session: Session, principal: Principal, rule_id: int) -> schemas.DryRunOut:
    """The dry run of a saved rule."""
    rule = visible_rule(session, principal, rule_id, "pipeline.rules")
    return dry_run(session, principal, rule.opening_id, rule_in(rule))
