"""Interview plans of openings (SPEC B3): generated from the competency model, then edited by HR;
warnings where a plan no longer fits its model."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.orm import Session

from hireflow.coding import plans as coding_plans
from hireflow.core import audit
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.openings import schemas
from hireflow.openings.access import manageable_opening
from hireflow.openings.competency import competency_model_of, opening_industry
from hireflow.openings.errors import ModelRejected, problem_list
from hireflow.openings.models import (
    Opening,
)
from hireflow.scoring.models import (
    ModelError,
    model_to_dict,
)
from hireflow.scoring.plan import generate_plan
from hireflow.scoring.plan_model import InterviewPlan, JobSpec


def job_spec(opening: Opening) -> JobSpec:

    requirements = opening.requirements or {}
    return JobSpec.from_dict(
        {
            "title": opening.title,
            "description": opening.description or "",
            "job_type": opening.job_type,
            "skills": [s for s in requirements.get("skills", []) if isinstance(s, str)],
            "language": opening.language,
            "industry": opening_industry(opening),
        }
    )


def plan_for(opening: Opening, budget_minutes: int) -> dict[str, Any]:

    try:
        plan = generate_plan(
            job_spec(opening), competency_model_of(opening), budget_minutes, opening.language
        )
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": problem_list(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    return plan.to_dict()


def generate_opening_plan(
    session: Session, principal: Principal, opening_id: int, budget_minutes: int
) -> Opening:
    """Generate the interview plan from the description and competency model (replaces it)."""

    opening = manageable_opening(session, principal, opening_id)
    if not opening.competency_model:
        opening.competency_model = model_to_dict(competency_model_of(opening))
    opening.interview_plan = plan_for(opening, budget_minutes)
    audit.commit_recorded(
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
    return opening


def _load_plan(opening: Opening) -> InterviewPlan:

    if not opening.interview_plan:
        raise ValidationFailed(
            N_("This opening has no interview plan yet; generate one first."),
            fields={"plan": "missing"},
        )
    try:
        return InterviewPlan.from_dict(opening.interview_plan)
    except ModelError as exc:
        raise ModelRejected(params={"detail": problem_list(exc.errors)}) from exc


def save_plan(
    session: Session, principal: Principal, opening_id: int, plan_data: dict[str, Any]
) -> Opening:
    """Store a plan edited elsewhere (API): validated, dimensions checked against the model."""

    opening = manageable_opening(session, principal, opening_id)
    try:
        plan = InterviewPlan.from_dict(plan_data)
    except ModelError as exc:
        raise ModelRejected(
            params={"detail": problem_list(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    unknown = [
        w for w in plan.check(competency_model_of(opening)) if ".question.dimensions[" in w.location
    ]
    if unknown:
        raise ModelRejected(
            params={"detail": problem_list(unknown)},
            fields={w.location or "plan": w.message for w in unknown},
        )
    return _store_plan(session, principal, opening, plan, "saved")


def edit_plan(
    session: Session, principal: Principal, opening_id: int, edit: schemas.PlanEditIn
) -> Opening:
    """Remove, move or add one question of the opening's plan."""

    opening = manageable_opening(session, principal, opening_id)
    plan = _load_plan(opening)
    try:
        if edit.action == "remove":
            plan = plan.remove_question(edit.question_id)
        elif edit.action == "move":
            plan = plan.move_question(edit.question_id, edit.position or 0)
        elif edit.action == "add_coding":
            plan = _add_coding(plan, opening, edit)
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
            params={"detail": problem_list(exc.errors)},
            fields={e.location or "plan": e.message for e in exc.errors[:20]},
        ) from exc
    return _store_plan(session, principal, opening, plan, edit.action)


def _add_coding(plan: InterviewPlan, opening: Opening, edit: schemas.PlanEditIn) -> InterviewPlan:
    """Add a question of the coding bank, scored on the chosen (or the technical) dimension."""
    model = competency_model_of(opening)
    try:
        question = coding_plans.plan_question(
            edit.coding_id,
            edit.dimension or coding_plans.technical_dimension(model.dimension_ids),
        )
    except LookupError:
        raise ValidationFailed(
            N_("Choose a coding question from the bank."), fields={"coding_id": "unknown"}
        ) from None
    if any(item.question.id == question["id"] for item in plan.items):
        raise ValidationFailed(
            N_("This coding question is already in the plan."), fields={"coding_id": "duplicate"}
        )
    return plan.add_question(question, edit.position, model=model)


def _store_plan(
    session: Session, principal: Principal, opening: Opening, plan: InterviewPlan, how: str
) -> Opening:
    opening.interview_plan = plan.to_dict()
    audit.commit_recorded(
        session,
        "opening.plan_edited",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={"edit": how, "questions": len(plan.items)},
    )
    return opening


def plan_warnings(opening: Opening) -> list[dict[str, str]]:
    """What HR should know about the stored plan (over budget, dimensions not covered...),
    in Chinese and English."""

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
