"""Jobs and interview plans as data: the job a plan is made for, the planned questions, and
the plan HR edits (add, remove, move, reorder), each validated with every problem named by its
field. :mod:`hireflow.scoring.plan` makes plans; this module holds, edits and (de)serialises
them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from hireflow.scoring.models import (
    CompetencyModel,
    FieldError,
    ModelError,
    Question,
    question_from_dict,
    question_to_dict,
    read_structured_file,
)
from hireflow.scoring.questions import SECTIONS, section_of
from hireflow.scoring.text import engine_language

JOB_TYPES = ("technical", "sales", "management", "production", "customer_service", "other")
MIN_BUDGET_MINUTES = 5
MAX_BUDGET_MINUTES = 240
# Reading the question and moving on takes time too; a plan that only counted answer time
# would overrun every interview.
PER_QUESTION_OVERHEAD_S = 20


class PlanError(ModelError):
    """An invalid job, plan or plan edit; ``errors`` names each problem's field."""

    def __init__(self, errors: Iterable[FieldError], what: str = "interview plan") -> None:
        super().__init__(errors, what)


# ------------------------------------------------------------------------------ job


@dataclass(frozen=True)
class JobSpec:
    """What the planner needs to know about a job (SPEC B1)."""

    title: str
    description: str = ""
    job_type: str = "other"
    skills: tuple[str, ...] = ()
    language: str = "zh"
    industry: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> JobSpec:
        """Validate job data; other fields (department, location...) are ignored."""
        errors: list[FieldError] = []
        if not isinstance(data, Mapping):
            raise PlanError([FieldError("", "a job must be a mapping")], "job")
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            errors.append(FieldError("title", "is required (a non-empty text)"))
            title = ""
        description = data.get("description") or ""
        if not isinstance(description, str):
            errors.append(FieldError("description", "must be a text"))
            description = ""
        job_type = data.get("job_type") or "other"
        if job_type not in JOB_TYPES:
            errors.append(
                FieldError("job_type", f"{job_type!r} must be one of {', '.join(JOB_TYPES)}")
            )
            job_type = "other"
        raw_skills = data.get("skills")
        if raw_skills is None and isinstance(data.get("requirements"), Mapping):
            raw_skills = data["requirements"].get("skills")
        skills: list[str] = []
        if isinstance(raw_skills, str):
            raw_skills = raw_skills.replace("，", ",").replace("、", ",").split(",")
        if raw_skills is not None and not isinstance(raw_skills, list | tuple):
            errors.append(
                FieldError("skills", "must be a list of skills or a comma-separated text")
            )
        else:
            for i, skill in enumerate(raw_skills or []):
                if not isinstance(skill, str):
                    errors.append(FieldError(f"skills[{i}]", "must be a text"))
                elif skill.strip():
                    skills.append(skill.strip())
        language = data.get("language")
        if language is not None and not isinstance(language, str):
            errors.append(FieldError("language", "must be a language code such as 'zh' or 'en'"))
            language = None
        industry = data.get("industry")
        if industry is not None and (not isinstance(industry, str) or not industry.strip()):
            errors.append(FieldError("industry", "must be a text such as 'manufacturing'"))
            industry = None
        if errors:
            raise PlanError(errors, "job")
        return cls(
            title=title.strip(),
            description=description.strip(),
            job_type=job_type,
            skills=tuple(dict.fromkeys(skills)),
            language=engine_language(language),
            industry=industry.strip() if isinstance(industry, str) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "job_type": self.job_type,
            "skills": list(self.skills),
            "language": self.language,
            "industry": self.industry,
        }


def load_job(source: str | Path | Mapping[str, Any]) -> JobSpec:
    """A job from a YAML/JSON file or a dict (``{job: {...}}`` is unwrapped)."""
    data = read_structured_file(Path(source), "job") if isinstance(source, str | Path) else source
    if isinstance(data, Mapping) and isinstance(data.get("job"), Mapping):
        data = data["job"]
    return JobSpec.from_dict(data)


# ----------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class PlannedQuestion:
    """One question of a plan, with the section it sits in and why it was chosen.

    ``source`` is "bank" (built-in question), "generated" (from a dimension's indicators)
    or "hr" (added by a person); ``relevance`` is the planner's score (0 for HR's own).
    """

    question: Question
    section: str
    reason: dict[str, str]
    relevance: float = 0.0
    matched_keywords: tuple[str, ...] = ()
    source: str = "bank"

    @property
    def planned_seconds(self) -> int:
        return self.question.time_limit_s + PER_QUESTION_OVERHEAD_S


@dataclass(frozen=True)
class InterviewPlan:
    """An ordered, timed list of questions for one job; serialises to JSON; editable."""

    job_title: str
    language: str
    budget_minutes: int
    model_id: str
    items: tuple[PlannedQuestion, ...]
    dimension_weights: dict[str, float] = field(default_factory=dict)
    notes: tuple[dict[str, str], ...] = ()

    @property
    def questions(self) -> tuple[Question, ...]:
        """The questions in order, ready for an interview (``InterviewInput.questions``)."""
        return tuple(item.question for item in self.items)

    @property
    def total_seconds(self) -> int:
        """Answer time plus the per-question overhead of every question."""
        return sum(item.planned_seconds for item in self.items)

    def seconds_by_dimension(self) -> dict[str, int]:
        """Planned seconds credited to each question's first (primary) dimension."""
        result = dict.fromkeys(self.dimension_weights, 0)
        for item in self.items:
            if item.question.dimensions:
                primary = item.question.dimensions[0]
                result[primary] = result.get(primary, 0) + item.planned_seconds
        return result

    def check(self, model: CompetencyModel | None = None) -> list[FieldError]:
        """Warnings HR should see: over budget, dimensions without questions, unknown ones."""
        warnings: list[FieldError] = []
        budget = self.budget_minutes * 60
        if self.total_seconds > budget:
            warnings.append(
                FieldError(
                    "items",
                    f"planned time {math.ceil(self.total_seconds / 60)} min exceeds the budget "
                    f"of {self.budget_minutes} min",
                )
            )
        dims = model.dimension_ids if model is not None else tuple(self.dimension_weights)
        covered = {d for item in self.items for d in item.question.dimensions}
        for dim in dims:
            if dim not in covered:
                warnings.append(FieldError("items", f"no question assesses dimension {dim!r}"))
        if model is not None:
            known = set(model.dimension_ids)
            for i, item in enumerate(self.items):
                for j, dim in enumerate(item.question.dimensions):
                    if dim not in known:
                        warnings.append(
                            FieldError(
                                f"items[{i}].question.dimensions[{j}]",
                                f"dimension {dim!r} is not in model {model.id!r}",
                            )
                        )
        return warnings

    # ----------------------------------------------------------------- editing by HR

    def _index(self, question_id: str, location: str = "question_id") -> int:
        for i, item in enumerate(self.items):
            if item.question.id == question_id:
                return i
        raise PlanError([FieldError(location, f"no question {question_id!r} in this plan")])

    def add_question(
        self,
        question: Question | Mapping[str, Any],
        position: int | None = None,
        model: CompetencyModel | None = None,
        reason: Mapping[str, str] | None = None,
    ) -> InterviewPlan:
        """A new plan with ``question`` inserted at ``position`` (default: before closing).

        With ``model`` the question's dimensions must belong to it.
        """
        known = model.dimension_ids if model is not None else None
        if isinstance(question, Mapping):
            question = question_from_dict(question, location="question", known_dimensions=known)
        elif known is not None:
            question = question_from_dict(
                question_to_dict(question), location="question", known_dimensions=known
            )
        errors: list[FieldError] = []
        if any(item.question.id == question.id for item in self.items):
            errors.append(FieldError("question.id", f"{question.id!r} is already in the plan"))
        if position is None:
            closing = [i for i, item in enumerate(self.items) if item.section == "closing"]
            position = closing[0] if closing else len(self.items)
        elif not 0 <= position <= len(self.items):
            errors.append(FieldError("position", f"must be 0..{len(self.items)} (got {position})"))
        if errors:
            raise PlanError(errors)
        item = PlannedQuestion(
            question=question,
            section=section_of(question),
            reason=dict(reason) if reason else {"zh": "由 HR 添加。", "en": "Added by HR."},
            source="hr",
        )
        items = list(self.items)
        items.insert(position, item)
        return replace(self, items=tuple(items))

    def remove_question(self, question_id: str) -> InterviewPlan:
        """A new plan without the question ``question_id``."""
        index = self._index(question_id)
        return replace(self, items=self.items[:index] + self.items[index + 1 :])

    def move_question(self, question_id: str, position: int) -> InterviewPlan:
        """A new plan with ``question_id`` moved to ``position`` (0-based)."""
        index = self._index(question_id)
        if not 0 <= position < len(self.items):
            raise PlanError(
                [FieldError("position", f"must be 0..{len(self.items) - 1} (got {position})")]
            )
        items = list(self.items)
        items.insert(position, items.pop(index))
        return replace(self, items=tuple(items))

    def reorder(self, question_ids: Sequence[str]) -> InterviewPlan:
        """A new plan in the order given, which must list every question exactly once."""
        current = [item.question.id for item in self.items]
        errors: list[FieldError] = []
        seen: set[str] = set()
        for i, ident in enumerate(question_ids):
            if ident not in current:
                errors.append(
                    FieldError(f"question_ids[{i}]", f"no question {ident!r} in this plan")
                )
            elif ident in seen:
                errors.append(FieldError(f"question_ids[{i}]", f"{ident!r} is listed twice"))
            seen.add(ident)
        missing = [ident for ident in current if ident not in seen]
        if missing:
            errors.append(FieldError("question_ids", f"missing {', '.join(map(repr, missing))}"))
        if errors:
            raise PlanError(errors)
        by_id = {item.question.id: item for item in self.items}
        return replace(self, items=tuple(by_id[ident] for ident in question_ids))

    # ---------------------------------------------------------------- serialisation

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_title": self.job_title,
            "language": self.language,
            "budget_minutes": self.budget_minutes,
            "model_id": self.model_id,
            "total_seconds": self.total_seconds,
            "dimension_weights": dict(self.dimension_weights),
            "notes": [dict(note) for note in self.notes],
            "items": [
                {
                    "section": item.section,
                    "source": item.source,
                    "relevance": item.relevance,
                    "matched_keywords": list(item.matched_keywords),
                    "reason": dict(item.reason),
                    "question": question_to_dict(item.question),
                }
                for item in self.items
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> InterviewPlan:
        """Validate stored plan data (``total_seconds`` is recomputed, not trusted)."""
        if not isinstance(data, Mapping):
            raise PlanError([FieldError("", "a plan must be a mapping")])
        errors: list[FieldError] = []
        title = data.get("job_title")
        if not isinstance(title, str):
            errors.append(FieldError("job_title", "must be a text"))
        language = data.get("language")
        if language not in ("zh", "en"):
            errors.append(FieldError("language", "must be 'zh' or 'en'"))
        budget = data.get("budget_minutes")
        if (
            isinstance(budget, bool)
            or not isinstance(budget, int)
            or not (MIN_BUDGET_MINUTES <= budget <= MAX_BUDGET_MINUTES)
        ):
            errors.append(
                FieldError(
                    "budget_minutes",
                    f"must be a whole number {MIN_BUDGET_MINUTES}..{MAX_BUDGET_MINUTES}",
                )
            )
        model_id = data.get("model_id", "")
        if not isinstance(model_id, str):
            errors.append(FieldError("model_id", "must be a text"))
        weights = data.get("dimension_weights") or {}
        if not isinstance(weights, Mapping) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in weights.values()
        ):
            errors.append(FieldError("dimension_weights", "must map dimension ids to numbers"))
            weights = {}
        notes = data.get("notes") or []
        if not isinstance(notes, list) or not all(isinstance(n, Mapping) for n in notes):
            errors.append(FieldError("notes", "must be a list of {zh, en} texts"))
            notes = []
        raw_items = data.get("items")
        items: list[PlannedQuestion] = []
        if not isinstance(raw_items, list):
            errors.append(FieldError("items", "must be a list"))
            raw_items = []
        seen: set[str] = set()
        for i, raw in enumerate(raw_items):
            item = _planned_item(raw, f"items[{i}]", seen, errors)
            if item is not None:
                items.append(item)
        if errors:
            raise PlanError(errors)
        return cls(
            job_title=str(title),
            language=str(language),
            budget_minutes=cast(int, budget),  # checked above: an int in range
            model_id=str(model_id),
            items=tuple(items),
            dimension_weights={str(k): float(v) for k, v in weights.items()},
            notes=tuple({str(k): str(v) for k, v in n.items()} for n in notes),
        )

    @classmethod
    def from_json(cls, text: str) -> InterviewPlan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(
                [FieldError(f"line {exc.lineno}, column {exc.colno}", exc.msg)]
            ) from None
        return cls.from_dict(data)


def _planned_item(
    raw: Any, loc: str, seen: set[str], errors: list[FieldError]
) -> PlannedQuestion | None:
    """One stored plan item (None when it cannot be read); problems go to ``errors``."""
    if not isinstance(raw, Mapping):
        errors.append(FieldError(loc, "must be a mapping"))
        return None
    try:
        question = question_from_dict(raw.get("question"), location=f"{loc}.question")
    except ModelError as exc:
        errors.extend(exc.errors)
        return None
    if question.id in seen:
        errors.append(FieldError(f"{loc}.question.id", f"{question.id!r} appears twice"))
    seen.add(question.id)
    section = raw.get("section", section_of(question))
    if section not in SECTIONS:
        errors.append(FieldError(f"{loc}.section", f"must be one of {', '.join(SECTIONS)}"))
    source = raw.get("source", "bank")
    if source not in ("bank", "generated", "hr"):
        errors.append(FieldError(f"{loc}.source", "must be bank, generated or hr"))
    reason = raw.get("reason") or {}
    if not isinstance(reason, Mapping):
        errors.append(FieldError(f"{loc}.reason", "must be a {zh, en} mapping"))
        reason = {}
    relevance = raw.get("relevance", 0.0)
    if isinstance(relevance, bool) or not isinstance(relevance, int | float):
        errors.append(FieldError(f"{loc}.relevance", "must be a number"))
        relevance = 0.0
    keywords = raw.get("matched_keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        errors.append(FieldError(f"{loc}.matched_keywords", "must be a list of texts"))
        keywords = []
    return PlannedQuestion(
        question=question,
        section=str(section),
        reason={str(k): str(v) for k, v in reason.items()},
        relevance=float(relevance),
        matched_keywords=tuple(keywords),
        source=str(source),
    )
