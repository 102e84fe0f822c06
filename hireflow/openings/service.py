"""Openings (SPEC B1) and their screening rules: each function checks the caller, writes,
audits and commits.

Competency models are in ``competency``, interview plans in ``plans``, hiring requests in
``hiring_requests``. Screening rules are compiled when saved, so a stored rule always runs;
saving them screens the opening's applications again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.candidates.screening_rules import (
    CompiledRule,
    RuleCompileError,
    ScreeningRule,
    compile_rules,
)
from hireflow.candidates.service import rescreen_opening
from hireflow.core import audit
from hireflow.core.errors import N_, Conflict
from hireflow.core.permissions import Principal, Role, require
from hireflow.core.tasks import enqueue_on_commit
from hireflow.openings import schemas
from hireflow.openings.access import (
    add_opening,
    check_members,
    department_for,
    manageable_opening,
    opening_snapshot,
    set_member_rows,
    unit_region,
)
from hireflow.openings.competency import preset_model_dict
from hireflow.openings.errors import RulesRejected
from hireflow.openings.models import (
    STATUS_CHANGES,
    HiringRequest,
    Opening,
)
from hireflow.openings.plans import plan_for

RESCREEN_INLINE = 1000  # applications screened again while the rules are saved; more: the worker


# --------------------------------------------------------------------------- openings


def create_opening(session: Session, principal: Principal, data: schemas.OpeningCreate) -> Opening:
    """Create an opening (draft) with the preset competency model of its job type."""
    require(principal, "openings.create")
    department = department_for(session, principal, data.department_id, "openings.create")
    owner_ids = list(data.owner_ids)
    if Role.RECRUITER in principal.roles and principal.user_id not in owner_ids:
        # A recruiter sees only openings they own: the one they create is theirs.
        owner_ids.insert(0, principal.user_id)
    check_members(session, principal.tenant_id, owner_ids, data.interviewer_ids)
    requirements = data.requirements.model_dump(exclude_none=True)
    opening = Opening(
        tenant_id=principal.tenant_id,
        subsidiary_id=department.subsidiary_id,
        department_id=department.id,
        title=data.title.strip(),
        location=data.location.strip(),
        region=data.region or unit_region(session, department),
        job_type=data.job_type,
        language=data.language,
        description=data.description.strip(),
        requirements=requirements,
        pass_threshold=data.pass_threshold,
        headcount=data.headcount,
        status="draft",
        screening_rules=[],
        created_by_id=principal.user_id,
        competency_model=preset_model_dict(data.job_type, requirements.get("industry")),
    )
    set_member_rows(opening, owner_ids, data.interviewer_ids)
    if data.generate_plan:
        opening.interview_plan = plan_for(opening, data.plan_minutes)
    add_opening(session, principal, opening, owners=owner_ids, interviewers=data.interviewer_ids)
    session.commit()
    return opening


def update_opening(
    session: Session, principal: Principal, opening_id: int, data: schemas.OpeningUpdate
) -> Opening:
    opening = manageable_opening(session, principal, opening_id)
    before = opening_snapshot(opening)
    changes = data.model_dump(exclude_unset=True)
    if (
        changes.get("department_id") is not None
        and changes["department_id"] != opening.department_id
    ):
        department = department_for(session, principal, changes["department_id"], "openings.create")
        opening.department_id, opening.subsidiary_id = department.id, department.subsidiary_id
    for key in ("title", "location", "description"):
        if changes.get(key) is not None:
            setattr(opening, key, changes[key].strip())
    for key in ("region", "job_type", "language", "pass_threshold", "headcount"):
        if changes.get(key) is not None:
            setattr(opening, key, changes[key])
    if data.requirements is not None:
        opening.requirements = data.requirements.model_dump(exclude_none=True)
    audit.commit_changed(
        session,
        "opening.updated",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        before=before,
        after=opening_snapshot(opening),
    )
    return opening


def set_status(session: Session, principal: Principal, opening_id: int, status: str) -> Opening:
    """Move an opening along draft → open → closed (a closed opening may be reopened)."""
    opening = manageable_opening(session, principal, opening_id)
    if status == opening.status:
        return opening
    if status not in STATUS_CHANGES.get(opening.status, ()):
        raise Conflict(
            N_("An opening cannot go from %(old)s to %(new)s."),
            params={"old": opening.status, "new": status},
            fields={"status": "transition"},
        )
    before = opening.status
    opening.status = status
    audit.commit_recorded(
        session,
        "opening.status_changed",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"status": before},
        new={"status": status},
    )
    return opening


def delete_opening(session: Session, principal: Principal, opening_id: int) -> None:
    """Delete a draft that nobody applied to (a typo, a duplicate); anything else is closed
    instead, so its applications and history stay."""

    opening = manageable_opening(session, principal, opening_id)
    applied = session.scalar(
        select(func.count()).select_from(Application).where(Application.opening_id == opening.id)
    )
    requested = session.scalar(
        select(func.count())
        .select_from(HiringRequest)
        .where(HiringRequest.opening_id == opening.id)
    )
    if opening.status != "draft" or applied or requested:
        raise Conflict(
            N_("Only a draft without applications can be deleted; close the opening instead."),
            fields={"status": "in_use"},
        )
    snapshot = opening_snapshot(opening)
    session.delete(opening)
    try:
        session.flush()
    except IntegrityError as exc:  # something else (an invitation, a record entry) points at it
        session.rollback()
        raise Conflict(
            N_("Only a draft without applications can be deleted; close the opening instead."),
            fields={"status": "in_use"},
        ) from exc
    audit.commit_on(session, "opening.deleted", principal, ("opening", opening_id), old=snapshot)


def set_members(
    session: Session, principal: Principal, opening_id: int, data: schemas.MembersIn
) -> Opening:
    opening = manageable_opening(session, principal, opening_id)
    check_members(session, principal.tenant_id, data.owner_ids, data.interviewer_ids)
    before = {
        "owners": opening.member_ids("owner"),
        "interviewers": opening.member_ids("interviewer"),
    }
    set_member_rows(opening, data.owner_ids, data.interviewer_ids)
    audit.commit_recorded(
        session,
        "opening.members_set",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old=before,
        new={"owners": data.owner_ids, "interviewers": data.interviewer_ids},
    )
    return opening


# --------------------------------------------------------------------------- screening rules


def compile_opening_rules(rules: Sequence[dict[str, Any]]) -> list[CompiledRule]:

    return compile_rules(list(rules))


def save_screening_rules(
    session: Session, principal: Principal, opening_id: int, data: schemas.ScreeningRulesIn
) -> Opening:
    """Compile and store the opening's rules, then screen its applications again (at once up
    to ``RESCREEN_INLINE`` applications, else in the worker after the commit).

    A rule that does not compile is refused with every problem and its line and column.
    """

    opening = manageable_opening(session, principal, opening_id)
    rules = [
        ScreeningRule(
            text=rule.text,
            kind=rule.kind,
            weight=rule.weight,
            id=f"rule{index + 1}",
            name={"zh": rule.name, "en": rule.name} if rule.name else {},
        )
        for index, rule in enumerate(data.rules)
    ]
    try:
        compile_opening_rules([r.to_dict() for r in rules])
    except RuleCompileError as exc:
        first = exc.errors[0]
        where = f" (line {first.line}, column {first.column})" if first.line else ""
        raise RulesRejected(
            params={"detail": first.message["en"] + where},
            fields={
                f"rules.{int(p.rule_id.removeprefix('rule') or 1) - 1}": p.to_dict()
                for p in exc.errors
            },
        ) from exc
    before = [r.get("text") for r in opening.screening_rules or []]
    opening.screening_rules = [r.to_dict() for r in rules]
    audit.record(
        session,
        "opening.rules_saved",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"rules": before},
        new={"rules": [f"{r.kind}: {r.text}" for r in rules]},
    )

    waiting = session.scalar(
        select(func.count()).select_from(Application).where(Application.opening_id == opening.id)
    )
    if (waiting or 0) > RESCREEN_INLINE:
        # Thousands of applications: the worker screens them (about 1 ms each) after the
        # commit, so saving the rules answers at once.

        enqueue_on_commit(session, "candidates.rescreen_opening", opening.id)
        session.commit()
        return opening
    session.commit()

    rescreen_opening(session, opening.id)
    return opening
