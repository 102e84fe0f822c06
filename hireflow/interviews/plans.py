"""The question plan an interview is asked: the opening's own, or one generated from its text."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from hireflow.openings.models import Opening
from hireflow.scoring.interview import InterviewError, interview_from_dict
from hireflow.scoring.models import (
    ModelError,
    load_model,
    load_preset,
    model_to_dict,
    question_to_dict,
)
from hireflow.scoring.plan import generate_plan
from hireflow.scoring.plan_model import InterviewPlan, JobSpec, PlanError
from hireflow.scoring.text import engine_language

log = logging.getLogger(__name__)

PLAN_BUDGET_MINUTES = (10, 30)  # a generated plan's budget: the invitation's, within these
_plan_lock = threading.Lock()
_plan_cache: dict[tuple[Any, ...], tuple[list[dict[str, Any]], dict[str, Any], str]] = {}


def plan_for(
    opening: Opening, language: str, budget_minutes: int
) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """(questions, model dict, source) for an interview of ``opening`` in ``language``.

    The opening's own plan and competency model when it has them (``source="opening"``);
    otherwise the engine's preset model for the job type and a plan generated from the
    opening's title and description (``source="preset"``). Generated plans are cached per
    process (the embedder pass takes seconds; every candidate of an opening gets the same).
    """
    lang = engine_language(language)
    model = None
    if opening.competency_model:
        try:
            model = load_model(opening.competency_model)
        except (ModelError, ValueError):
            log.warning(
                "opening model unreadable; preset used",
                extra={"event": "interviews.model_fallback", "opening": opening.id},
            )
    if model is None:
        model = load_preset(job_type=opening.job_type or "other")
    if opening.interview_plan:
        try:
            plan = InterviewPlan.from_dict(opening.interview_plan)
            questions = [question_to_dict(q) for q in plan.questions]
            interview_from_dict({"language": lang, "questions": questions, "answers": []}, model)
            return questions, model_to_dict(model), "opening"
        except (PlanError, InterviewError, ModelError, ValueError):
            log.warning(
                "opening plan unusable; generated",
                extra={"event": "interviews.plan_fallback", "opening": opening.id},
            )
    budget = min(max(int(budget_minutes), PLAN_BUDGET_MINUTES[0]), PLAN_BUDGET_MINUTES[1])
    key = (
        opening.id,
        opening.updated_at.isoformat() if opening.updated_at else "",
        lang,
        budget,
        json.dumps(model_to_dict(model), sort_keys=True, ensure_ascii=False),
    )
    with _plan_lock:
        cached = _plan_cache.get(key)
        if cached is None:
            skills = tuple(str(s) for s in (opening.requirements or {}).get("skills", []) or [])
            job = JobSpec(
                title=opening.title,
                description=opening.description or "",
                job_type=opening.job_type or "other",
                skills=skills,
                language=lang,
            )
            plan = generate_plan(job, model, budget_minutes=budget, lang=lang)
            cached = ([question_to_dict(q) for q in plan.questions], model_to_dict(model), "preset")
            if len(_plan_cache) > 256:
                _plan_cache.clear()
            _plan_cache[key] = cached
    return cached
