"""Rules per opening (SPEC H1): the rule language, its checks and saving rules.

A rule listens to one trigger (a candidate entering a stage, an AI report stored, a round's
scorecards complete, an offer answered, or a candidate left in a stage for N days), holds a
condition written in the same ``rule-engine`` language as screening rules (parsed by
:func:`hireflow.candidates.screening_rules.parse_expression`: no ``eval``, unknown names refused
with their position) and lists actions: move to a stage, start the next round, notify the
hiring manager, put a to-do on HR's list.

A rule is refused when it is saved, never when it runs, if its condition does not parse, names
a field the trigger does not offer or a competency the opening's model does not have, names an
unknown stage or reason, or would make candidates go round in circles together with the
opening's other rules (``round_1 → round_2`` on one rule, ``round_2 → round_1`` on another).
Moves to a rejection stage are not automatic at all (they wait for HR), so they never loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

import rule_engine
import rule_engine.ast as rast
from rule_engine import DataType
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.screening_rules import (
    RuleCompileError,
    RuleProblem,
    find_name,
    parse_expression,
    problem_at,
    walk,
)
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.permissions import Principal, require_visible
from hireflow.core.rows import shaped
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import Opening, OpeningMember
from hireflow.workflow import schemas
from hireflow.workflow.models import FINAL_KINDS, AutomationRule, RuleLog
from hireflow.workflow.service import get_visible_opening
from hireflow.workflow.stages import Stage, by_key, opening_stages, rejection_reasons

# Fields every rule may use, whatever its trigger: the newest AI report (HR's overrides
# count) and where the candidate stands.
_COMMON: dict[str, Any] = {
    "job_match": DataType.FLOAT,
    "scores": DataType.MAPPING(DataType.STRING, DataType.FLOAT),
    "stage": DataType.STRING,
    "days_in_stage": DataType.FLOAT,
}
# What each trigger adds.
TRIGGER_FIELDS: dict[str, dict[str, Any]] = {
    "stage.changed": {"previous_stage": DataType.STRING},
    "report.ready": {},
    "scorecards.completed": {
        "round": DataType.STRING,
        "levels": DataType.MAPPING(DataType.STRING, DataType.FLOAT),
        "votes_yes": DataType.FLOAT,
        "votes_no": DataType.FLOAT,
        "scorecards": DataType.FLOAT,
    },
    "offer.answered": {"answer": DataType.STRING},
    "stage.stale": {},
}
# Mappings whose keys are the opening's competencies: ``scores.communication``.
COMPETENCY_MAPPINGS = frozenset({"scores", "levels"})


class _RuleContext(rule_engine.Context):
    """``scores.communication`` reads the competency's key: the short form HR writes
    (rule-engine deprecates its own fallback from attributes to keys, so the lookup is ours)."""

    def resolve_attribute(self, thing: Any, object_: Any, name: str) -> Any:
        if isinstance(object_, Mapping) and name in object_:
            return object_[name]
        return super().resolve_attribute(thing, object_, name)


_CONTEXTS = {
    trigger: _RuleContext(type_resolver=_COMMON | extra, default_timezone="UTC")
    for trigger, extra in TRIGGER_FIELDS.items()
}


def fields_of(trigger: str) -> list[str]:
    """The names a condition of ``trigger`` may use (shown in the editor)."""
    return sorted(_COMMON | TRIGGER_FIELDS.get(trigger, {}))


@dataclass(frozen=True)
class Condition:
    """A checked condition: the parsed rule and the fields it reads."""

    text: str
    engine_rule: rule_engine.Rule
    symbols: frozenset[str]
    # (mapping, key) pairs the condition reads, e.g. ("scores", "communication")
    keys: frozenset[tuple[str, str]]


def _mapping_keys(engine_rule: rule_engine.Rule) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for node in walk(engine_rule.statement.expression):
        if isinstance(node, rast.GetAttributeExpression):
            target = node.object
            if isinstance(target, rast.SymbolExpression) and target.name in COMPETENCY_MAPPINGS:
                found.append((target.name, node.name))
        elif isinstance(node, rast.GetItemExpression):
            target, item = node.container, node.item
            if (
                isinstance(target, rast.SymbolExpression)
                and target.name in COMPETENCY_MAPPINGS
                and isinstance(item, rast.StringExpression)
            ):
                found.append((target.name, item.value))
    return found


def compile_condition(text: str, trigger: str, competencies: set[str]) -> Condition:
    """Parse and check a condition for ``trigger``; :class:`RuleCompileError` lists why not."""
    context = _CONTEXTS.get(trigger)
    if context is None:
        raise ValueError(f"unknown trigger {trigger!r}")
    engine_rule, symbols = parse_expression(text, context, "condition")
    keys = _mapping_keys(engine_rule)
    problems: list[RuleProblem] = [
        problem_at(
            "condition",
            text,
            "unknown_field",
            f"「{mapping}.{key}」不是本职位胜任力模型中的能力",
            f"{mapping}.{key!r} is not a competency of this opening's model",
            find_name(text, key),
        )
        for mapping, key in keys
        if key not in competencies
    ]
    if problems:
        raise RuleCompileError(problems)
    return Condition(text, engine_rule, symbols, frozenset(keys))


def competencies_of(opening: Opening) -> set[str]:
    return {d.id for d in competency_model_of(opening).dimensions}


def _condition_refused(exc: RuleCompileError, language: str) -> ValidationFailed:
    first = exc.errors[0]
    detail = first.message["zh" if language.lower().startswith("zh") else "en"]
    return ValidationFailed(
        N_("The condition cannot be used: %(detail)s"),
        params={"detail": detail},
        fields={"condition": first.code},
    )


# --------------------------------------------------------------------------- actions


def _refuse(message: str, field: str, code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, params=params, fields={field: code})


def _check_move(
    session: Session, opening: Opening, stages: list[Stage], index: int, action: Any
) -> None:
    field = f"actions.{index}.to"
    target = by_key(stages, action.to or "")
    if target is None:
        raise _refuse(
            N_("Unknown stage “%(stage)s”; choose one of this opening's stages."),
            field,
            "unknown",
            stage=action.to or "",
        )
    if target.kind in FINAL_KINDS:
        raise _refuse(
            N_("A rule cannot move a candidate to “%(stage)s”: only people do that."),
            field,
            "final",
            stage=target.key,
        )
    if target.kind == "rejected":
        known = {r.key for r in rejection_reasons(session, opening.tenant_id)}
        if action.reason not in known:
            raise _refuse(
                N_("A rejection needs a reason from the company's list."),
                f"actions.{index}.reason",
                "required" if not action.reason else "unknown",
            )


def _check_actions(
    session: Session, opening: Opening, stages: list[Stage], data: schemas.RuleIn
) -> None:
    moves = [i for i, a in enumerate(data.actions) if a.type == "move"]
    if len(moves) > 1:
        raise _refuse(N_("A rule can move a candidate only once."), "actions", "two_moves")
    for index, action in enumerate(data.actions):
        if action.type == "move":
            _check_move(session, opening, stages, index, action)
        elif action.type == "next_round" and not session.scalar(
            select(func.count())
            .select_from(OpeningMember)
            .where(OpeningMember.opening_id == opening.id, OpeningMember.role == "interviewer")
        ):
            raise _refuse(
                N_("The next round needs an interviewer panel on this opening."),
                f"actions.{index}.type",
                "no_panel",
            )


def _check_scope(stages: list[Stage], data: schemas.RuleIn) -> None:
    if data.stage is not None and by_key(stages, data.stage) is None:
        raise _refuse(
            N_("Unknown stage “%(stage)s”; choose one of this opening's stages."),
            "stage",
            "unknown",
            stage=data.stage,
        )
    if data.trigger == "stage.stale":
        if data.stage is None:
            raise _refuse(N_("Choose the stage the candidate stays in."), "stage", "required")
        if data.stale_days is None:
            raise _refuse(N_("Enter the number of days."), "stale_days", "required")


# --------------------------------------------------------------------------- loops


def _edges(rule: _MoveRule, stages: list[Stage]) -> list[tuple[str, str]]:
    """The automatic moves a rule can make, as (from, to) stage keys. A rule without a stage
    acts only on candidates before its target, so on its own it only moves forward."""
    keys = [s.key for s in stages]
    if rule.to not in keys:
        return []
    if rule.stage is not None:
        return [(rule.stage, rule.to)]
    return [(key, rule.to) for key in keys[: keys.index(rule.to)]]


@dataclass(frozen=True)
class _MoveRule:
    name: str
    stage: str | None
    to: str


def _automatic_move(
    stages: list[Stage], name: str, stage: str | None, actions: list[Any]
) -> _MoveRule | None:
    for action in actions:
        kind = action.get("type") if isinstance(action, dict) else action.type
        to = action.get("to") if isinstance(action, dict) else action.to
        if kind == "move" and to:
            target = by_key(stages, to)
            if target is not None and target.kind != "rejected":
                return _MoveRule(name, stage, to)
    return None


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A list of stage keys ``[a, b, ..., a]`` that the moves go round, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _check_loops(
    session: Session,
    opening: Opening,
    stages: list[Stage],
    data: schemas.RuleIn,
    rule_id: int | None,
) -> None:
    mine = _automatic_move(stages, data.name, data.stage, list(data.actions))
    if mine is None or not data.enabled:
        return
    index = next(i for i, a in enumerate(data.actions) if a.type == "move")
    field = f"actions.{index}.to"
    if mine.stage == mine.to:
        raise _refuse(
            N_("This rule would move candidates to the stage they are already in."), field, "loop"
        )
    others = session.scalars(
        select(AutomationRule).where(
            AutomationRule.opening_id == opening.id, AutomationRule.enabled.is_(True)
        )
    ).all()
    moves = [mine] + [
        m
        for r in others
        if r.id != rule_id
        and (m := _automatic_move(stages, r.name, r.stage_key, r.actions or [])) is not None
    ]
    edges: dict[str, set[str]] = {}
    for move in moves:
        for source, target in _edges(move, stages):
            if source != target:
                edges.setdefault(source, set()).add(target)
    cycle = _find_cycle(edges)
    if cycle is None:
        return
    pairs = set(pairwise(cycle))
    names = sorted({m.name for m in moves if pairs & set(_edges(m, stages))})
    raise _refuse(
        N_(
            "These rules would move candidates back and forth (%(cycle)s): %(rules)s. "
            "Give one of them another stage or target."
        ),
        field,
        "loop",
        cycle=" → ".join(cycle),
        rules=", ".join(f"“{n}”" for n in names),
    )


# --------------------------------------------------------------------------- saving


def check_rule(
    session: Session,
    opening: Opening,
    data: schemas.RuleIn,
    language: str,
    rule_id: int | None = None,
) -> Condition:
    """Every check a rule must pass before it is saved (or dry-run)."""
    stages = opening_stages(session, opening)
    _check_scope(stages, data)
    try:
        condition = compile_condition(data.condition, data.trigger, competencies_of(opening))
    except RuleCompileError as exc:
        raise _condition_refused(exc, language) from None
    _check_actions(session, opening, stages, data)
    _check_loops(session, opening, stages, data, rule_id)
    return condition


def _actions_json(data: schemas.RuleIn) -> list[dict[str, Any]]:
    return [a.model_dump(exclude_defaults=True) | {"type": a.type} for a in data.actions]


def _write(rule: AutomationRule, data: schemas.RuleIn, now: datetime) -> None:
    rule.name = data.name
    rule.trigger = data.trigger
    rule.stage_key = data.stage
    rule.stale_days = data.stale_days if data.trigger == "stage.stale" else None
    rule.condition = data.condition
    rule.actions = _actions_json(data)
    rule.enabled = data.enabled
    rule.updated_at = now


# What a rule's audit rows record: its trigger, condition and the kinds of its actions.
_AUDITED: dict[str, str | Callable[[AutomationRule], object]] = {
    "opening_id": "opening_id",
    "trigger": "trigger",
    "stage": "stage_key",
    "condition": "condition",
    "actions": lambda rule: [a.get("type") for a in rule.actions or []],
    "enabled": "enabled",
}


def _audit_rule(session: Session, principal: Principal, action: str, rule: AutomationRule) -> None:
    audit.record_row(session, action, principal, "workflow_rule", rule, _AUDITED)


def create_rule(
    session: Session, principal: Principal, opening_id: int, data: schemas.RuleIn
) -> AutomationRule:
    opening = get_visible_opening(session, principal, opening_id, "pipeline.rules")
    check_rule(session, opening, data, principal.language)
    now = utcnow()
    rule = AutomationRule(
        tenant_id=opening.tenant_id,
        opening_id=opening.id,
        created_by_id=principal.user_id,
        created_at=now,
    )
    _write(rule, data, now)
    session.add(rule)
    session.flush()
    _audit_rule(session, principal, "pipeline.rule_created", rule)
    session.commit()
    return rule


def visible_rule(
    session: Session, principal: Principal, rule_id: int, capability: str
) -> AutomationRule:
    return require_visible(session, AutomationRule, rule_id, principal, capability)


def update_rule(
    session: Session, principal: Principal, rule_id: int, data: schemas.RuleIn
) -> AutomationRule:
    """Change a rule; its actions then run with the rights of the person who changed it."""
    rule = visible_rule(session, principal, rule_id, "pipeline.rules")
    opening = session.get(Opening, rule.opening_id)
    assert opening is not None
    check_rule(session, opening, data, principal.language, rule_id=rule.id)
    _write(rule, data, utcnow())
    rule.created_by_id = principal.user_id
    _audit_rule(session, principal, "pipeline.rule_updated", rule)
    session.commit()
    return rule


class RuleHasLog(Conflict):
    code = "rule_has_log"
    message = N_("This rule has acted on candidates; turn it off instead, so its log stays.")


def delete_rule(session: Session, principal: Principal, rule_id: int) -> None:
    """Delete a rule that never acted (one with a log is turned off instead)."""
    rule = visible_rule(session, principal, rule_id, "pipeline.rules")
    used = session.scalar(select(func.count()).where(RuleLog.rule_id == rule.id)) or 0
    if used:
        raise RuleHasLog()
    _audit_rule(session, principal, "pipeline.rule_deleted", rule)
    session.delete(rule)
    session.commit()


def opening_rules(session: Session, principal: Principal, opening_id: int) -> list[AutomationRule]:
    opening = get_visible_opening(session, principal, opening_id, "pipeline.rules_log")
    return list(
        session.scalars(
            select(AutomationRule)
            .where(AutomationRule.opening_id == opening.id)
            .order_by(AutomationRule.id)
        )
    )


def rule_in(rule: AutomationRule) -> schemas.RuleIn:
    """The stored rule as the editor's input (for editing and dry runs)."""
    return schemas.RuleIn(
        name=rule.name,
        trigger=rule.trigger,  # type: ignore[arg-type]
        stage=rule.stage_key,
        stale_days=rule.stale_days,
        condition=rule.condition,
        actions=[schemas.RuleActionIn(**a) for a in rule.actions or []],
        enabled=rule.enabled,
    )


def rule_out(rule: AutomationRule) -> schemas.RuleOut:
    return shaped(schemas.RuleOut, rule, stage=rule.stage_key, actions=list(rule.actions or []))
