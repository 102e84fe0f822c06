"""Openings and hiring requests (SPEC B1-B4): each function checks the caller, writes, audits
and commits.

Competency models come from ``hireflow.scoring`` (job-type presets, chosen competencies, a
whole model, or the company's dictionary file); interview plans from its generator, then
edited by HR. Screening rules are compiled when saved, so a stored rule always runs; saving
them screens the opening's applications again.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, Forbidden, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, Role, get_visible, reaches_unit, require
from hireflow.openings import schemas
from hireflow.openings.models import (
    STATUS_CHANGES,
    HiringRequest,
    Opening,
    OpeningMember,
)
from hireflow.org.models import Department, RoleAssignment, Subsidiary, Tenant, User

log = logging.getLogger(__name__)

OWNER_ROLES = frozenset({Role.HR_ADMIN.value, Role.RECRUITER.value})
PANEL_ROLES = frozenset(
    {Role.HR_ADMIN.value, Role.RECRUITER.value, Role.HIRING_MANAGER.value, Role.INTERVIEWER.value}
)
MAX_DICTIONARY_BYTES = 5 * 1024 * 1024
DICTIONARY_SUFFIXES = (".csv", ".xlsx", ".yaml", ".yml", ".json")
RESCREEN_INLINE = 1000  # applications screened again while the rules are saved; more: the worker


class RulesRejected(ValidationFailed):
    """Screening rules that do not compile; ``fields`` holds each problem with its position."""

    code = "rules_invalid"
    message = N_("A screening rule has an error: %(detail)s")


class ModelRejected(ValidationFailed):
    """A competency model, dictionary or plan that does not validate (every problem listed)."""

    code = "model_invalid"
    message = N_("The competency model or plan is not valid: %(detail)s")


# --------------------------------------------------------------------------- helpers


def department_for(
    session: Session, principal: Principal, department_id: int, capability: str
) -> Department:
    """A department of the caller's tenant that ``capability`` reaches, else NotFound."""
    department = session.get(Department, department_id)
    if department is None or department.tenant_id != principal.tenant_id:
        raise NotFound()
    if not reaches_unit(principal, capability, department.subsidiary_id, department.id):
        raise NotFound()
    return department


def unit_region(session: Session, department: Department) -> str:
    """Where a department's data lives: its subsidiary's region, else its company's."""
    subsidiary = session.get(Subsidiary, department.subsidiary_id)
    if subsidiary is not None and subsidiary.region:
        return subsidiary.region
    tenant = session.get(Tenant, department.tenant_id)
    return tenant.region if tenant is not None and tenant.region else "cn"


def staff_with_roles(session: Session, tenant_id: int, roles: Iterable[str]) -> list[User]:
    """Active users of the tenant holding any of ``roles`` (for owner and panel pickers)."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.tenant_id == tenant_id,
                User.is_active.is_(True),
                User.id.in_(
                    select(RoleAssignment.user_id).where(RoleAssignment.role.in_(list(roles)))
                ),
            )
            .order_by(User.name)
        )
    )


def _check_members(
    session: Session, tenant_id: int, owner_ids: Sequence[int], interviewer_ids: Sequence[int]
) -> None:
    owners = {u.id for u in staff_with_roles(session, tenant_id, OWNER_ROLES)}
    panel = {u.id for u in staff_with_roles(session, tenant_id, PANEL_ROLES)}
    if any(user_id not in owners for user_id in owner_ids):
        raise ValidationFailed(
            N_("Owners must be recruiters or HR admins of this company."),
            fields={"owner_ids": "invalid"},
        )
    if any(user_id not in panel for user_id in interviewer_ids):
        raise ValidationFailed(
            N_("Interviewers must be staff members of this company."),
            fields={"interviewer_ids": "invalid"},
        )


def _set_members(
    opening: Opening, owner_ids: Sequence[int], interviewer_ids: Sequence[int]
) -> None:
    wanted = {("owner", u) for u in dict.fromkeys(owner_ids)} | {
        ("interviewer", u) for u in dict.fromkeys(interviewer_ids)
    }
    opening.members = [m for m in opening.members if (m.role, m.user_id) in wanted]
    have = {(m.role, m.user_id) for m in opening.members}
    for role, user_id in sorted(wanted - have):
        opening.members.append(OpeningMember(user_id=user_id, role=role))


def _snapshot(opening: Opening) -> dict[str, Any]:
    return {
        "title": opening.title,
        "department_id": opening.department_id,
        "location": opening.location,
        "region": opening.region,
        "job_type": opening.job_type,
        "language": opening.language,
        "description": opening.description,
        "requirements": dict(opening.requirements or {}),
        "pass_threshold": opening.pass_threshold,
        "headcount": opening.headcount,
        "status": opening.status,
    }


def _problems(errors: Iterable[Any]) -> str:
    return "; ".join(str(e) for e in list(errors)[:8])


# --------------------------------------------------------------------------- competency model


def build_model(
    data: schemas.CompetencyModelIn, opening_job_type: str, opening_industry: str | None
) -> Any:
    """A validated ``CompetencyModel`` from the chosen source (raises ModelRejected)."""
    from hireflow.scoring.models import ModelError, load_preset, model_from_dict

    industry = data.industry or opening_industry
    try:
        if data.source == "model":
            if not data.model:
                raise ModelRejected(
                    params={"detail": "model: required"}, fields={"model": "required"}
                )
            return model_from_dict(data.model)
        if data.source == "competencies":
            if not data.competencies:
                raise ModelRejected(
                    params={"detail": "competencies: choose at least one"},
                    fields={"competencies": "required"},
                )
            return load_preset(list(dict.fromkeys(data.competencies)), industry=industry)
        return load_preset(job_type=data.job_type or opening_job_type, industry=industry)
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": _problems(exc.errors)},
            fields={e.location or "model": e.message for e in exc.errors[:20]},
        ) from exc
    except (KeyError, ValueError) as exc:
        raise ModelRejected(params={"detail": str(exc)}, fields={"model": str(exc)}) from exc


def preset_model_dict(
    job_type: str, industry: str | None, competencies: Sequence[str] = ()
) -> dict[str, Any]:
    """``model_to_dict`` of a preset model (job type, or the chosen competencies)."""
    from hireflow.scoring.models import model_to_dict

    source = schemas.CompetencyModelIn(
        source="competencies" if competencies else "job_type",
        competencies=list(competencies),
        job_type=job_type,  # type: ignore[arg-type]
    )
    return model_to_dict(build_model(source, job_type, industry))


def _opening_industry(opening: Opening) -> str | None:
    value = (opening.requirements or {}).get("industry")
    return value if isinstance(value, str) and value else None


def set_competency_model(
    session: Session, principal: Principal, opening_id: int, data: schemas.CompetencyModelIn
) -> Opening:
    """Replace the opening's competency model (preset, chosen competencies or a whole model)."""
    from hireflow.scoring.models import model_to_dict

    opening = manageable_opening(session, principal, opening_id)
    model = build_model(data, opening.job_type, _opening_industry(opening))
    return _store_model(session, principal, opening, model_to_dict(model), data.source)


def import_dictionary(
    session: Session, principal: Principal, opening_id: int, filename: str, content: bytes
) -> Opening:
    """Use the company's competency dictionary (CSV, XLSX, YAML, JSON) for this opening."""
    from hireflow.scoring.dictionary import import_dictionary as read_dictionary
    from hireflow.scoring.models import ModelError, model_to_dict

    opening = manageable_opening(session, principal, opening_id)
    suffix = Path(filename or "").suffix.lower()
    if suffix not in DICTIONARY_SUFFIXES:
        raise ModelRejected(
            params={"detail": "use a .csv, .xlsx, .yaml or .json file"},
            fields={"dictionary": "type"},
        )
    if not content:
        raise ModelRejected(params={"detail": "the file is empty"}, fields={"dictionary": "empty"})
    if len(content) > MAX_DICTIONARY_BYTES:
        raise ModelRejected(
            params={"detail": "the file is over 5 MB"}, fields={"dictionary": "size"}
        )
    stem = Path(filename).stem[:60] or "dictionary"
    with tempfile.TemporaryDirectory(prefix="hireflow-dictionary-") as folder:
        path = Path(folder) / f"{uuid.uuid4().hex}{suffix}"
        path.write_bytes(content)
        try:
            model = read_dictionary(path, model_id=None, name={"zh": stem, "en": stem})
        except ModelError as exc:
            raise ModelRejected(
                params={"detail": _problems(exc.errors)},
                fields={e.location or "dictionary": e.message for e in exc.errors[:20]},
            ) from exc
    data = model_to_dict(model)
    data["id"] = f"dictionary-{opening.id}"
    return _store_model(session, principal, opening, data, "dictionary")


def _store_model(
    session: Session, principal: Principal, opening: Opening, model: dict[str, Any], source: str
) -> Opening:
    before = (opening.competency_model or {}).get("id")
    opening.competency_model = model
    audit.record(
        session,
        "opening.competency_model_set",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"model": before},
        new={
            "model": model.get("id"),
            "source": source,
            "dimensions": [d.get("id") for d in model.get("dimensions", [])],
        },
    )
    session.commit()
    return opening


def competency_model_of(opening: Opening) -> Any:
    """The opening's model as a ``CompetencyModel`` (the job type's preset when none is set)."""
    from hireflow.scoring.models import load_preset, model_from_dict

    if opening.competency_model:
        return model_from_dict(opening.competency_model)
    return load_preset(job_type=opening.job_type, industry=_opening_industry(opening))


# --------------------------------------------------------------------------- interview plan


def job_spec(opening: Opening) -> Any:
    from hireflow.scoring.plan import JobSpec

    requirements = opening.requirements or {}
    return JobSpec.from_dict(
        {
            "title": opening.title,
            "description": opening.description or "",
            "job_type": opening.job_type,
            "skills": [s for s in requirements.get("skills", []) if isinstance(s, str)],
            "language": opening.language,
            "industry": _opening_industry(opening),
        }
    )


def plan_for(opening: Opening, budget_minutes: int) -> dict[str, Any]:
    from hireflow.scoring.models import ModelError
    from hireflow.scoring.plan import generate_plan

    try:
        plan = generate_plan(
            job_spec(opening), competency_model_of(opening), budget_minutes, opening.language
        )
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": _problems(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    return plan.to_dict()


def generate_opening_plan(
    session: Session, principal: Principal, opening_id: int, budget_minutes: int
) -> Opening:
    """Generate the interview plan from the description and competency model (replaces it)."""
    from hireflow.scoring.models import model_to_dict

    opening = manageable_opening(session, principal, opening_id)
    if not opening.competency_model:
        opening.competency_model = model_to_dict(competency_model_of(opening))
    opening.interview_plan = plan_for(opening, budget_minutes)
    audit.record(
        session,
        "opening.plan_generated",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={
            "budget_minutes": budget_minutes,
            "questions": len(opening.interview_plan.get("items", [])),
        },
    )
    session.commit()
    return opening


def _load_plan(opening: Opening) -> Any:
    from hireflow.scoring.models import ModelError
    from hireflow.scoring.plan import InterviewPlan

    if not opening.interview_plan:
        raise ValidationFailed(
            N_("This opening has no interview plan yet; generate one first."),
            fields={"plan": "missing"},
        )
    try:
        return InterviewPlan.from_dict(opening.interview_plan)
    except ModelError as exc:
        raise ModelRejected(params={"detail": _problems(exc.errors)}) from exc


def save_plan(
    session: Session, principal: Principal, opening_id: int, plan_data: dict[str, Any]
) -> Opening:
    """Store a plan edited elsewhere (API): validated, dimensions checked against the model."""
    from hireflow.scoring.models import ModelError
    from hireflow.scoring.plan import InterviewPlan

    opening = manageable_opening(session, principal, opening_id)
    try:
        plan = InterviewPlan.from_dict(plan_data)
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": _problems(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    unknown = [
        w for w in plan.check(competency_model_of(opening)) if ".question.dimensions[" in w.location
    ]
    if unknown:
        raise ModelRejected(
            params={"detail": _problems(unknown)},
            fields={w.location or "plan": w.message for w in unknown},
        )
    return _store_plan(session, principal, opening, plan, "saved")


def edit_plan(
    session: Session, principal: Principal, opening_id: int, edit: schemas.PlanEditIn
) -> Opening:
    """Remove, move or add one question of the opening's plan."""
    from hireflow.scoring.models import ModelError

    opening = manageable_opening(session, principal, opening_id)
    plan = _load_plan(opening)
    try:
        if edit.action == "remove":
            plan = plan.remove_question(edit.question_id)
        elif edit.action == "move":
            plan = plan.move_question(edit.question_id, edit.position or 0)
        else:
            model = competency_model_of(opening)
            dimension = edit.dimension or (model.dimension_ids[0] if model.dimension_ids else "")
            text = {
                k: v.strip() for k, v in (("zh", edit.text_zh), ("en", edit.text_en)) if v.strip()
            }
            if not text:
                raise ValidationFailed(
                    N_("Write the question in at least one language."), fields={"text": "required"}
                )
            question = {
                "id": f"hr.{uuid.uuid4().hex[:10]}",
                "kind": edit.kind,
                "text": text,
                "dimensions": [] if edit.kind == "motivation" else [dimension],
                "time_limit_s": edit.time_limit_s,
                "rationale": {"zh": "HR 添加的问题。", "en": "A question added by HR."},
            }
            if edit.kind == "technical":
                question["key_points"] = {k: [v] for k, v in text.items()}
            plan = plan.add_question(question, edit.position, model=model)
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": _problems(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    return _store_plan(session, principal, opening, plan, edit.action)


def _store_plan(
    session: Session, principal: Principal, opening: Opening, plan: Any, how: str
) -> Opening:
    opening.interview_plan = plan.to_dict()
    audit.record(
        session,
        "opening.plan_edited",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={"edit": how, "questions": len(plan.items)},
    )
    session.commit()
    return opening


def plan_warnings(opening: Opening) -> list[dict[str, str]]:
    """What HR should know about the stored plan (over budget, dimensions not covered...),
    in Chinese and English."""
    from hireflow.scoring.models import ModelError
    from hireflow.scoring.plan import InterviewPlan

    if not opening.interview_plan:
        return []
    try:
        plan = InterviewPlan.from_dict(opening.interview_plan)
        model = competency_model_of(opening)
        problems = plan.check(model)
    except ModelError as exc:
        return [{"zh": str(e), "en": str(e)} for e in exc.errors]
    names = {d.id: d.name for d in model.dimensions}
    warnings = []
    for problem in problems:
        text = str(problem)
        uncovered = re.search(r"no question assesses dimension '([^']+)'", problem.message)
        over = re.search(r"planned time (\d+) min exceeds the budget of (\d+) min", problem.message)
        if uncovered:
            dim = uncovered.group(1)
            label = names.get(dim, {})
            warnings.append(
                {
                    "zh": f"没有问题考察维度「{label.get('zh') or label.get('en') or dim}」",
                    "en": f"No question assesses {label.get('en') or label.get('zh') or dim}",
                }
            )
        elif over:
            planned, budget = over.group(1), over.group(2)
            warnings.append(
                {
                    "zh": f"计划时长 {planned} 分钟，超出 {budget} 分钟的上限",
                    "en": f"The plan takes {planned} min, over the {budget} min budget",
                }
            )
        else:
            warnings.append({"zh": text, "en": text})
    return warnings


# --------------------------------------------------------------------------- openings


def manageable_opening(session: Session, principal: Principal, opening_id: int) -> Opening:
    require(principal, "openings.manage")
    return get_visible(session, Opening, opening_id, principal, "openings.manage")


def create_opening(session: Session, principal: Principal, data: schemas.OpeningCreate) -> Opening:
    """Create an opening (draft) with the preset competency model of its job type."""
    require(principal, "openings.create")
    department = department_for(session, principal, data.department_id, "openings.create")
    owner_ids = list(data.owner_ids)
    if Role.RECRUITER in principal.roles and principal.user_id not in owner_ids:
        # A recruiter sees only openings they own: the one they create is theirs.
        owner_ids.insert(0, principal.user_id)
    _check_members(session, principal.tenant_id, owner_ids, data.interviewer_ids)
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
    _set_members(opening, owner_ids, data.interviewer_ids)
    if data.generate_plan:
        opening.interview_plan = plan_for(opening, data.plan_minutes)
    session.add(opening)
    session.flush()
    audit.record(
        session,
        "opening.created",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={**_snapshot(opening), "owners": owner_ids, "interviewers": data.interviewer_ids},
    )
    session.commit()
    return opening


def update_opening(
    session: Session, principal: Principal, opening_id: int, data: schemas.OpeningUpdate
) -> Opening:
    opening = manageable_opening(session, principal, opening_id)
    before = _snapshot(opening)
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
    old, new = audit.diff(before, _snapshot(opening))
    if new:
        audit.record(
            session,
            "opening.updated",
            actor=principal,
            target_type="opening",
            target_id=opening.id,
            old=old,
            new=new,
        )
    session.commit()
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
    audit.record(
        session,
        "opening.status_changed",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old={"status": before},
        new={"status": status},
    )
    session.commit()
    return opening


def delete_opening(session: Session, principal: Principal, opening_id: int) -> None:
    """Delete a draft that nobody applied to (a typo, a duplicate); anything else is closed
    instead, so its applications and history stay."""
    from hireflow.candidates.models import Application

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
    snapshot = _snapshot(opening)
    session.delete(opening)
    try:
        session.flush()
    except IntegrityError as exc:  # something else (an invitation, a record entry) points at it
        session.rollback()
        raise Conflict(
            N_("Only a draft without applications can be deleted; close the opening instead."),
            fields={"status": "in_use"},
        ) from exc
    audit.record(
        session,
        "opening.deleted",
        actor=principal,
        target_type="opening",
        target_id=opening_id,
        old=snapshot,
    )
    session.commit()


def set_members(
    session: Session, principal: Principal, opening_id: int, data: schemas.MembersIn
) -> Opening:
    opening = manageable_opening(session, principal, opening_id)
    _check_members(session, principal.tenant_id, data.owner_ids, data.interviewer_ids)
    before = {
        "owners": opening.member_ids("owner"),
        "interviewers": opening.member_ids("interviewer"),
    }
    _set_members(opening, data.owner_ids, data.interviewer_ids)
    audit.record(
        session,
        "opening.members_set",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        old=before,
        new={"owners": data.owner_ids, "interviewers": data.interviewer_ids},
    )
    session.commit()
    return opening


# --------------------------------------------------------------------------- screening rules


def compile_opening_rules(rules: Sequence[dict[str, Any]]) -> list[Any]:
    from hireflow.candidates.screening import compile_rules

    return compile_rules(list(rules))


def save_screening_rules(
    session: Session, principal: Principal, opening_id: int, data: schemas.ScreeningRulesIn
) -> Opening:
    """Compile and store the opening's rules, then screen its applications again (at once up
    to ``RESCREEN_INLINE`` applications, else in the worker after the commit).

    A rule that does not compile is refused with every problem and its line and column.
    """
    from hireflow.candidates.screening import RuleCompileError, ScreeningRule

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
    from hireflow.candidates.models import Application

    waiting = session.scalar(
        select(func.count()).select_from(Application).where(Application.opening_id == opening.id)
    )
    if (waiting or 0) > RESCREEN_INLINE:
        # Thousands of applications: the worker screens them (about 1 ms each) after the
        # commit, so saving the rules answers at once.
        from hireflow.core.tasks import enqueue_on_commit

        enqueue_on_commit(session, "candidates.rescreen_opening", opening.id)
        session.commit()
        return opening
    session.commit()
    from hireflow.candidates.service import rescreen_opening

    rescreen_opening(session, opening.id)
    return opening


# --------------------------------------------------------------------------- hiring requests


def _request_step(
    request: HiringRequest, principal: Principal, action: str, comment: str = ""
) -> None:
    request.history = [
        *(request.history or []),
        {
            "action": action,
            "by": principal.user_id,
            "by_name": principal.name,
            "at": utcnow().isoformat(),
            "comment": comment,
        },
    ]


def _check_dimensions(dimensions: Sequence[str]) -> None:
    from hireflow.scoring.models import list_presets

    known = {p["id"] for p in list_presets()}
    unknown = [d for d in dimensions if d not in known]
    if unknown:
        raise ValidationFailed(
            N_("Unknown competencies: %(names)s"),
            params={"names": ", ".join(unknown)},
            fields={"dimensions": "unknown"},
        )


def submit_request(
    session: Session, principal: Principal, data: schemas.HiringRequestIn
) -> HiringRequest:
    """A hiring manager asks for a hire for their department; HR is notified."""
    require(principal, "hiring_requests.submit")
    department = department_for(session, principal, data.department_id, "hiring_requests.submit")
    _check_dimensions(data.dimensions)
    request = HiringRequest(
        tenant_id=principal.tenant_id,
        subsidiary_id=department.subsidiary_id,
        department_id=department.id,
        submitted_by_id=principal.user_id,
        status="submitted",
        review_comment="",
        history=[],
    )
    _fill_request(request, data)
    request.region = data.region or unit_region(session, department)
    _request_step(request, principal, "submitted")
    session.add(request)
    session.flush()
    audit.record(
        session,
        "hiring_request.submitted",
        actor=principal,
        target_type="hiring_request",
        target_id=request.id,
        new={
            "title": request.title,
            "department_id": department.id,
            "headcount": request.headcount,
        },
    )
    _notify_reviewers(session, request)
    session.commit()
    return request


def _fill_request(request: HiringRequest, data: schemas.HiringRequestIn) -> None:
    request.title = data.title.strip()
    request.job_type = data.job_type
    request.location = data.location.strip()
    request.region = data.region or request.region
    request.language = data.language
    request.headcount = data.headcount
    request.description = data.description.strip()
    request.requirements = data.requirements.model_dump(exclude_none=True)
    request.dimensions = list(data.dimensions)


def resubmit_request(
    session: Session, principal: Principal, request_id: int, data: schemas.HiringRequestIn
) -> HiringRequest:
    """The submitter changes a returned request and sends it again."""
    require(principal, "hiring_requests.submit")
    request = get_visible(session, HiringRequest, request_id, principal, "hiring_requests.submit")
    if request.submitted_by_id != principal.user_id:
        raise Forbidden()
    if request.status != "returned":
        raise Conflict(
            N_("Only a returned request can be changed and sent again."), fields={"status": "state"}
        )
    if data.department_id != request.department_id:
        department = department_for(
            session, principal, data.department_id, "hiring_requests.submit"
        )
        request.department_id, request.subsidiary_id = department.id, department.subsidiary_id
    _check_dimensions(data.dimensions)
    _fill_request(request, data)
    request.status = "submitted"
    _request_step(request, principal, "resubmitted")
    audit.record(
        session,
        "hiring_request.resubmitted",
        actor=principal,
        target_type="hiring_request",
        target_id=request.id,
        new={"title": request.title, "headcount": request.headcount},
    )
    _notify_reviewers(session, request)
    session.commit()
    return request


def _reviewable(session: Session, principal: Principal, request_id: int) -> HiringRequest:
    require(principal, "hiring_requests.review")
    request = get_visible(session, HiringRequest, request_id, principal, "hiring_requests.review")
    if request.status != "submitted":
        raise Conflict(
            N_("This request was already decided (%(status)s)."),
            params={"status": request.status},
            fields={"status": "state"},
        )
    return request


def return_request(
    session: Session, principal: Principal, request_id: int, data: schemas.ReviewIn
) -> HiringRequest:
    """HR sends a request back with a comment saying what to change."""
    request = _reviewable(session, principal, request_id)
    comment = data.comment.strip()
    if not comment:
        raise ValidationFailed(
            N_("Say why the request is returned."), fields={"comment": "required"}
        )
    request.status = "returned"
    request.review_comment = comment
    request.reviewed_by_id, request.reviewed_at = principal.user_id, utcnow()
    _request_step(request, principal, "returned", comment)
    audit.record(
        session,
        "hiring_request.returned",
        actor=principal,
        target_type="hiring_request",
        target_id=request.id,
        new={"comment": comment},
    )
    _notify_submitter(session, request, approved=False)
    session.commit()
    return request


def approve_request(
    session: Session, principal: Principal, request_id: int, data: schemas.ApproveIn
) -> HiringRequest:
    """HR approves: the opening is created from the request (and opened, unless told not to)."""
    request = _reviewable(session, principal, request_id)
    require(principal, "openings.create")
    _check_members(session, principal.tenant_id, data.owner_ids, [])
    requirements = dict(request.requirements or {})
    opening = Opening(
        tenant_id=request.tenant_id,
        subsidiary_id=request.subsidiary_id,
        department_id=request.department_id,
        title=request.title,
        location=request.location,
        region=request.region,
        job_type=request.job_type,
        language=request.language,
        description=request.description,
        requirements=requirements,
        headcount=request.headcount,
        status="open" if data.open_now else "draft",
        screening_rules=[],
        created_by_id=principal.user_id,
        competency_model=preset_model_dict(
            request.job_type, requirements.get("industry"), request.dimensions
        ),
    )
    _set_members(opening, data.owner_ids, [])
    try:
        opening.interview_plan = plan_for(opening, 30)
    except AppError as exc:  # the opening is still useful; HR can generate the plan later
        log.warning(
            "plan not generated on approval",
            extra={"event": "opening.plan_failed", "code": exc.code},
        )
    session.add(opening)
    session.flush()
    request.status = "approved"
    request.opening_id = opening.id
    request.review_comment = data.comment.strip()
    request.reviewed_by_id, request.reviewed_at = principal.user_id, utcnow()
    _request_step(request, principal, "approved", request.review_comment)
    audit.record(
        session,
        "opening.created",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={**_snapshot(opening), "hiring_request": request.id, "owners": data.owner_ids},
    )
    audit.record(
        session,
        "hiring_request.approved",
        actor=principal,
        target_type="hiring_request",
        target_id=request.id,
        new={"opening_id": opening.id, "comment": request.review_comment},
    )
    _notify_submitter(session, request, approved=True)
    session.commit()
    return request


def count_pending_requests(session: Session, principal: Principal) -> int:
    if not principal.has("hiring_requests.review"):
        return 0
    from hireflow.core.permissions import restrict

    stmt = restrict(
        select(func.count()).select_from(HiringRequest).where(HiringRequest.status == "submitted"),
        principal,
        "hiring_requests.review",
        HiringRequest,
    )
    return int(session.scalar(stmt) or 0)


# --------------------------------------------------------------------------- notifications


def _reviewers(session: Session, request: HiringRequest) -> list[User]:
    """HR admins whose assignment reaches the request's department."""
    rows = session.execute(
        select(User, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.tenant_id == request.tenant_id,
            User.is_active.is_(True),
            RoleAssignment.role == Role.HR_ADMIN.value,
        )
    ).all()
    found: dict[int, User] = {}
    for user, grant in rows:
        if grant.department_id is not None and grant.department_id != request.department_id:
            continue
        if grant.subsidiary_id is not None and grant.subsidiary_id != request.subsidiary_id:
            continue
        found[user.id] = user
    return list(found.values())


def _notify_reviewers(session: Session, request: HiringRequest) -> None:
    step = len(request.history or [])
    for user in _reviewers(session, request):
        _notify(
            session,
            request,
            user,
            N_("New hiring request: %(title)s"),
            N_(
                "%(department)s asks for %(count)s × %(title)s. Review it and approve it or "
                "return it with a comment."
            ),
            f"hiring_request:{request.id}:{step}:{user.id}",
        )


def _notify_submitter(session: Session, request: HiringRequest, *, approved: bool) -> None:
    user = session.get(User, request.submitted_by_id)
    if user is None or not user.is_active:
        return
    step = len(request.history or [])
    if approved:
        title, body = (
            N_("Hiring request approved: %(title)s"),
            N_(
                "Your request for %(count)s × %(title)s was approved and the opening "
                "created. %(comment)s"
            ),
        )
    else:
        title, body = (
            N_("Hiring request returned: %(title)s"),
            N_("Your request for %(count)s × %(title)s was returned: %(comment)s"),
        )
    _notify(session, request, user, title, body, f"hiring_request:{request.id}:{step}:{user.id}")


def _notify(
    session: Session, request: HiringRequest, user: User, title: str, body: str, dedupe_key: str
) -> None:
    """E-mail one user about a request step, in their language, through the outbox."""
    from email_validator import EmailNotValidError, validate_email

    from hireflow.core.i18n import gettext_for
    from hireflow.core.settings import get_settings
    from hireflow.notifications import outbox as notify
    from hireflow.notifications.templates import TemplateError

    try:
        address = validate_email(user.email, check_deliverability=False).normalized
    except EmailNotValidError:
        return
    _ = gettext_for(user.language)
    department = session.get(Department, request.department_id)
    tenant = session.get(Tenant, request.tenant_id)
    params = {
        "title": request.title,
        "count": request.headcount,
        "department": department.name if department else "",
        "comment": request.review_comment,
    }
    link = f"{get_settings().base_url.rstrip('/')}/hiring-requests/{request.id}"
    try:
        rendered = notify.render(
            notify.TemplateCache(session, request.tenant_id),
            "generic",
            user.language,
            {
                "title": _(title) % params,
                "body": _(body) % params,
                "link": link,
                "company_name": tenant.name if tenant else "",
                "job_title": request.title,
            },
            user.timezone,
        )
    except TemplateError as exc:
        log.warning(
            "hiring request notice not rendered",
            extra={"event": "hiring_request.notice", "code": exc.code},
        )
        return
    notify.enqueue(
        session,
        request.tenant_id,
        notify.OutgoingMessage.from_rendered(
            "email", "generic", address, rendered, recipient_label=user.name
        ),
        dedupe_key=dedupe_key,
        related_type="hiring_request",
        related_id=request.id,
        created_by_id=None,
    )
