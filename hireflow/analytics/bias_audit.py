"""The bias audit (NYC Local Law 144 style): selection rates and impact ratios per category.

The population is every application in scope (opening, department, period of receipt) that
the AI interview assessed: one with a scored report (its job match in effect, HR's adjustment
included). For each category of the company's self-identification set, and sex × race where
both are asked, it counts per group how many were assessed and how many reached each outcome:

- ``ai_recommended``: the AI's own recommendation, job match ≥ the opening's bar
  (``pass_threshold`` × 10: the bar is on the 0–10 scale, job match a percentage);
- ``above_median``: the LL144 "scoring rate", job match above the population's median;
- ``advanced``: moved past the AI interview stage (``workflow_stage_moves``);
- ``interview_round``: reached a stage of kind ``interview``;
- ``hired``: reached a stage of kind ``hired``.

Selection rate = selected / assessed; impact ratio = rate / the highest rate among the groups
that qualify as reference (known, not suppressed, at least ``MIN_SHARE`` of the known data).
People who gave no answer or declined are the group ``unknown``: reported, never in a ratio.
Counts from 1 to ``SUPPRESS_BELOW`` − 1 are not shown (nor the rates that would reveal them),
and when only one count of a column is hidden, the next smallest is hidden too, so no count can
be recovered by subtraction. Groups under ``SMALL_SAMPLE`` are flagged. A ratio under
``FOUR_FIFTHS`` is flagged: a statistical screen, not a finding of discrimination.

Answers are decrypted here only to count; no individual's answer leaves this module.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.analytics.categories import DECLINED, UNKNOWN, CategorySet
from hireflow.analytics.models import SelfIdentification
from hireflow.analytics.queries import CLOSING_KINDS, Filters, openings_in_scope, within
from hireflow.analytics.self_identification import category_set_of
from hireflow.candidates.models import Application
from hireflow.core.permissions import Principal
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.interviews.queries import for_hiring
from hireflow.openings.models import Opening
from hireflow.workflow.models import StageMove
from hireflow.workflow.stages import Stage, opening_stages

CAPABILITY = "analytics.audit"
OUTCOMES = ("ai_recommended", "above_median", "advanced", "interview_round", "hired")
SUPPRESS_BELOW = 5  # counts 1-4 are hidden
SMALL_SAMPLE = 30  # groups assessed fewer times are flagged: rates swing with one person
MIN_SHARE = 0.02  # groups under 2 % of the known data are shown but not used as reference
FOUR_FIFTHS = 0.8
INTERSECTION = "sex_race"


@dataclass(frozen=True)
class Cell:
    """One group's result for one outcome; ``None`` where hidden or undefined."""

    selected: int | None
    rate: float | None
    impact_ratio: float | None
    below_four_fifths: bool


@dataclass(frozen=True)
class Group:
    category: str  # "sex", "race", "age_band" or "sex_race"
    group: str  # an option code, "female+asian", or "unknown"
    assessed: int | None  # None when suppressed
    suppressed: bool
    small_sample: bool
    excluded: bool  # known, but under MIN_SHARE of the known data: no reference, no ratio
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class Audit:
    category_set: CategorySet
    start: date | None
    end: date | None
    assessed: int
    groups: list[Group]
    outcomes: tuple[str, ...] = OUTCOMES


@dataclass
class _Person:
    """One assessed application: its outcomes and its person's groups (never shown)."""

    candidate_id: int
    outcomes: set[str]
    groups: dict[str, str] = field(default_factory=dict)


def _stage_keys(stages: list[Stage]) -> dict[str, set[str]]:
    """Which stage keys of one opening's list count as each pipeline outcome."""
    ai = [s.position for s in stages if s.kind == "ai_interview"]
    if ai:
        advanced = {s.key for s in stages if s.kind not in CLOSING_KINDS and s.position > max(ai)}
    else:
        advanced = {s.key for s in stages if s.kind in ("interview", "offer", "hired")}
    return {
        "advanced": advanced,
        "interview_round": {s.key for s in stages if s.kind == "interview"},
        "hired": {s.key for s in stages if s.kind == "hired"},
    }


def _assessed(session: Session, principal: Principal, filters: Filters) -> list[_Person]:
    openings = openings_in_scope(session, principal, filters, CAPABILITY)
    applications = {
        (candidate_id, opening_id): app_id
        for app_id, candidate_id, opening_id in session.execute(
            select(Application.id, Application.candidate_id, Application.opening_id)
            .where(Application.opening_id.in_(openings))
            .where(*within(Application.created_at, filters))
        )
    }
    # The newest scored report of each application (a re-interview replaces the first).
    match: dict[int, float] = {}
    for candidate_id, opening_id, ai_match, final_match, adjusted in session.execute(
        select(
            InterviewSession.candidate_id,
            InterviewSession.opening_id,
            InterviewReport.job_match,
            InterviewReport.final_job_match,
            InterviewReport.adjusted_at,
        )
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
        .order_by(InterviewReport.id)
    ):
        app_id = applications.get((candidate_id, opening_id))
        value = final_match if adjusted is not None else ai_match
        if app_id is not None and value is not None:
            match[app_id] = float(value)
    if not match:
        return []
    by_app = {app_id: key for key, app_id in applications.items() if app_id in match}
    bars = dict(
        session.execute(
            select(Opening.id, Opening.pass_threshold).where(
                Opening.id.in_({opening for _c, opening in by_app.values()})
            )
        ).all()
    )
    reached: dict[int, set[str]] = {}
    for app_id, to_key in session.execute(
        select(StageMove.application_id, StageMove.to_key).where(
            StageMove.application_id.in_(list(by_app))
        )
    ):
        reached.setdefault(app_id, set()).add(to_key)
    keys: dict[int, dict[str, set[str]]] = {}
    median = statistics.median(match.values())
    people = []
    for app_id, (candidate_id, opening_id) in by_app.items():
        if opening_id not in keys:
            keys[opening_id] = _stage_keys(
                opening_stages(session, session.get_one(Opening, opening_id))
            )
        moved_to = reached.get(app_id, set())
        outcomes = {o for o, stage_keys in keys[opening_id].items() if moved_to & stage_keys}
        if match[app_id] >= float(bars[opening_id]) * 10:
            outcomes.add("ai_recommended")
        if match[app_id] > median:
            outcomes.add("above_median")
        people.append(_Person(candidate_id, outcomes))
    return people


def _attach_groups(
    session: Session, tenant_id: int, people: list[_Person], chosen: CategorySet
) -> list[str]:
    """Give each person their group per category; returns the categories reported."""
    answers: dict[int, SelfIdentification] = {}
    ids = list({p.candidate_id for p in people})
    for start in range(0, len(ids), 500):
        for row in session.scalars(
            select(SelfIdentification).where(
                SelfIdentification.tenant_id == tenant_id,
                SelfIdentification.candidate_id.in_(ids[start : start + 500]),
            )
        ):
            answers[row.candidate_id] = row
    categories = list(chosen.fields)
    if "sex" in categories and "race" in categories:
        categories.append(INTERSECTION)
    for person in people:
        given = answers.get(person.candidate_id)
        for name in chosen.fields:
            value = getattr(given, name) if given is not None else ""
            known = value not in ("", DECLINED) and value in chosen.options(name)
            person.groups[name] = value if known else UNKNOWN
        if INTERSECTION in categories:
            sex, race = person.groups["sex"], person.groups["race"]
            person.groups[INTERSECTION] = UNKNOWN if UNKNOWN in (sex, race) else f"{sex}+{race}"
    # session.scalars above decrypted the answers; drop them from the identity map at once
    for row in answers.values():
        session.expunge(row)
    return categories


def _hidden(counts: dict[str, int]) -> set[str]:
    """Groups whose count must not be shown: 1..SUPPRESS_BELOW-1, and when that hides a
    single count, the next smallest non-zero one (else the total would give it away)."""
    hidden = {g for g, n in counts.items() if 0 < n < SUPPRESS_BELOW}
    if len(hidden) == 1:
        others = sorted((n, g) for g, n in counts.items() if n > 0 and g not in hidden)
        if others:
            hidden.add(others[0][1])
    return hidden


def _category(category: str, group_order: list[str], people: list[_Person]) -> list[Group]:
    assessed = Counter(p.groups[category] for p in people)
    for name in group_order:
        assessed.setdefault(name, 0)
    hidden_groups = _hidden(dict(assessed))
    known_total = sum(n for g, n in assessed.items() if g != UNKNOWN)
    selected = {
        outcome: Counter(p.groups[category] for p in people if outcome in p.outcomes)
        for outcome in OUTCOMES
    }
    hidden_cells = {
        outcome: _hidden({g: selected[outcome][g] for g in assessed}) | hidden_groups
        for outcome in OUTCOMES
    }
    excluded = {
        g
        for g, n in assessed.items()
        if g != UNKNOWN and known_total and n / known_total < MIN_SHARE
    }

    def rate(outcome: str, group: str) -> float | None:
        n = assessed[group]
        if n == 0 or group in hidden_cells[outcome]:
            return None
        return selected[outcome][group] / n

    reference = {
        outcome: max(
            (
                r
                for g in assessed
                if g != UNKNOWN and g not in excluded and (r := rate(outcome, g)) is not None
            ),
            default=None,
        )
        for outcome in OUTCOMES
    }
    out = []
    for name in [*group_order, UNKNOWN]:
        n = assessed[name]
        cells = {}
        for outcome in OUTCOMES:
            r = rate(outcome, name)
            top = reference[outcome]
            ratio = (
                r / top
                if r is not None and top and name != UNKNOWN and name not in excluded
                else None
            )
            cells[outcome] = Cell(
                None if name in hidden_cells[outcome] else selected[outcome][name],
                None if r is None else round(r, 4),
                None if ratio is None else round(ratio, 4),
                ratio is not None and ratio < FOUR_FIFTHS,
            )
        out.append(
            Group(
                category,
                name,
                None if name in hidden_groups else n,
                name in hidden_groups,
                0 < n < SMALL_SAMPLE and name not in hidden_groups,
                name in excluded,
                cells,
            )
        )
    return out


def _order(chosen: CategorySet, category: str) -> list[str]:
    if category == INTERSECTION:
        return [
            f"{sex}+{race}"
            for sex in chosen.options("sex")
            if sex != DECLINED
            for race in chosen.options("race")
            if race != DECLINED
        ]
    return [code for code in chosen.options(category) if code != DECLINED]


def audit(session: Session, principal: Principal, filters: Filters) -> Audit:
    """The audit over the applications in scope (HR administrators: ``analytics.audit``)."""
    filters = filters.checked()
    people = _assessed(session, principal, filters)
    chosen = category_set_of(session, principal.tenant_id)
    categories = _attach_groups(session, principal.tenant_id, people, chosen)
    groups: list[Group] = []
    for category in categories:
        groups.extend(_category(category, _order(chosen, category), people))
    return Audit(chosen, filters.start, filters.end, len(people), groups)


def as_dict(found: Audit) -> dict[str, Any]:
    """The audit as plain data (the API's answer)."""
    return {
        "category_set": found.category_set.key,
        "start": found.start,
        "end": found.end,
        "assessed": found.assessed,
        "outcomes": list(found.outcomes),
        "thresholds": {
            "suppress_below": SUPPRESS_BELOW,
            "small_sample": SMALL_SAMPLE,
            "min_share": MIN_SHARE,
            "four_fifths": FOUR_FIFTHS,
        },
        "groups": [
            {
                "category": g.category,
                "group": g.group,
                "assessed": g.assessed,
                "suppressed": g.suppressed,
                "small_sample": g.small_sample,
                "excluded_from_ratios": g.excluded,
                "outcomes": {
                    o: {
                        "selected": c.selected,
                        "rate": c.rate,
                        "impact_ratio": c.impact_ratio,
                        "below_four_fifths": c.below_four_fifths,
                    }
                    for o, c in g.cells.items()
                },
            }
            for g in found.groups
        ],
    }
