"""The counterfactual set: answer templates, swap lists and the variants they give.

Shared by ``tests/scoring/test_counterfactual.py`` (every variant of an answer must score
within :data:`MAX_CHANGE` of the others) and ``bench/scoring_counterfactual.py`` (max and mean
change per swap category). Data: ``tests/data/counterfactual/answers.yaml`` (its header says
where the answers come from and what each category swaps).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.models import CompetencyModel, Question, load_model, question_from_dict
from hireflow.scoring.questions import load_question_bank

DATA = Path(__file__).resolve().parents[1] / "data" / "counterfactual" / "answers.yaml"
GRADED = Path(__file__).resolve().parents[1] / "data" / "scoring" / "graded"
CATEGORIES = ("name", "pronoun", "place", "school", "group", "profile")
MAX_CHANGE = 0.1  # the most any score, level or job match may move between variants


@dataclass(frozen=True)
class Variant:
    """One text of an answer: the category it varies and the values filled in."""

    category: str
    label: str
    text: str


@dataclass(frozen=True)
class Scores:
    """What the test compares: every dimension's score and level, and the job match."""

    values: dict[str, float]


@cache
def load() -> dict[str, Any]:
    """The parsed data file (swap lists per language and answer templates)."""
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _fill(template: str, swaps: dict[str, Any], person: dict[str, str], **values: str) -> str:
    pronouns = swaps["pronouns"][person["gender"]]
    return template.format(name=person["name"], **pronouns, **values)


def _base(swaps: dict[str, Any]) -> dict[str, str]:
    return {"place": swaps["places"][0], "school": swaps["schools"][0], "group": swaps["groups"][0]}


def variants(answer: dict[str, Any]) -> list[Variant]:
    """Every text of one answer: the base text, then each category's swaps (a category whose
    placeholder the template lacks gives nothing)."""
    swaps = load()["swaps"][answer["language"]]
    template: str = answer["text"]
    fields = _fields(template)
    names = swaps["names"]
    base = _base(swaps)
    out = [Variant("base", names[0]["name"], _fill(template, swaps, names[0], **base))]
    pronoun_fields = set(swaps["pronouns"]["m"])
    if fields & pronoun_fields:
        # The first name of the other gender, with its pronouns (张伟/他 ↔ 王芳/她).
        other = next(p for p in names if p["gender"] != names[0]["gender"])
        out.append(Variant("pronoun", other["name"], _fill(template, swaps, other, **base)))
    if "name" in fields:
        out += [Variant("name", p["name"], _fill(template, swaps, p, **base)) for p in names[1:]]
    for category, key in (("place", "places"), ("school", "schools"), ("group", "groups")):
        if category in fields:
            for value in swaps[key][1:]:
                filled = _fill(template, swaps, names[0], **{**base, category: value})
                out.append(Variant(category, value, filled))
    if fields:
        out.extend(_profiles(template, swaps))
    seen: set[str] = set()
    unique = []
    for variant in out:
        if variant.text not in seen:
            seen.add(variant.text)
            unique.append(variant)
    return unique


def _profiles(template: str, swaps: dict[str, Any]) -> Iterator[Variant]:
    """Whole profiles at once: name, pronouns, place, school and group of index i."""
    count = min(len(swaps[k]) for k in ("names", "places", "schools", "groups"))
    for i in range(1, count):
        person = swaps["names"][i]
        values = {"place": swaps["places"][i], "school": swaps["schools"][i]}
        values["group"] = swaps["groups"][i]
        yield Variant(
            "profile",
            f"{person['name']}/{values['place']}",
            _fill(template, swaps, person, **values),
        )


@cache
def graded_model() -> CompetencyModel:
    return load_model(GRADED / "model.yaml")


@cache
def graded_questions() -> dict[str, Question]:
    data = yaml.safe_load((GRADED / "questions.yaml").read_text(encoding="utf-8"))
    return {q["id"]: question_from_dict(q) for q in data}


@cache
def technical_model() -> CompetencyModel:
    from hireflow.scoring.models import load_preset

    return load_preset(["technical_depth", "coding", "problem_solving"])


def question_and_model(question_id: str) -> tuple[Question, CompetencyModel]:
    """A behavioural question of the graded set with its rubric, or a bank technical question
    with a technical preset."""
    questions = graded_questions()
    if question_id in questions:
        return questions[question_id], graded_model()
    return load_question_bank().get(question_id), technical_model()


def score_text(answer: dict[str, Any], text: str, engine: str | None = None) -> Scores:
    """Score one text of an answer as a one-question interview with the default engine."""
    question, model = question_and_model(answer["question"])
    report = score_interview(
        InterviewInput(
            language=answer["language"],
            model=model,
            questions=(question,),
            answers=(Answer(question.id, text),),
        ),
        engine=engine,
    )
    values: dict[str, float] = {"job_match": float(report.job_match or 0.0)}
    for dim in report.dimensions:
        if dim.assessed:
            values[f"{dim.id}.score"] = float(dim.score or 0.0)
            values[f"{dim.id}.level"] = float(dim.level or 0.0)
    return Scores(values)


def changes(base: Scores, other: Scores) -> dict[str, float]:
    """Absolute change of each compared value (a value present in only one counts as 10)."""
    keys = set(base.values) | set(other.values)
    return {
        k: abs(base.values.get(k, 10.0) - other.values.get(k, -10.0))
        if k in base.values and k in other.values
        else 10.0
        for k in sorted(keys)
    }


def placeholder_free(text: str) -> bool:
    """No ``{field}`` left over (a typo in the data file would otherwise pass silently)."""
    return re.search(r"\{[A-Za-z_]+\}", text) is None


def held_out_variants(answer: dict[str, Any]) -> list[Variant]:
    """Variants with the held-out names, places and schools (not in the neutraliser's lists),
    the rest at the base values; category ``held_out_<kind>``."""
    swaps = load()["swaps"][answer["language"]]
    held = load()["held_out"][answer["language"]]
    template: str = answer["text"]
    fields = _fields(template)
    base = _base(swaps)
    out: list[Variant] = []
    if "name" in fields:
        out += [
            Variant("held_out_name", p["name"], _fill(template, swaps, p, **base))
            for p in held["names"]
        ]
    for category, key in (("place", "places"), ("school", "schools")):
        if category in fields:
            for value in held[key]:
                filled = _fill(template, swaps, swaps["names"][0], **{**base, category: value})
                out.append(Variant(f"held_out_{category}", value, filled))
    return out
