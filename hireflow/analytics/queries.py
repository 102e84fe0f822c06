"""The figures behind the dashboards, in aggregate SQL over indexed columns.

Every query starts from the openings the caller may see for ``analytics.read`` (HR: the
company; recruiters: their openings; hiring managers: their department), so a figure never
counts an application the caller could not open. No personal data is read: counts, stage keys,
seconds and scores only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic import ValidationError as PydanticError
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollups
from hireflow.candidates.models import Application
from hireflow.core.bounds import Id
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, restrict
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.interviews.queries import for_hiring
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import Opening
from hireflow.scoring.models import localised
from hireflow.workflow.models import StageMove
from hireflow.workflow.stages import Stage, company_stages, opening_stages

CLOSING_KINDS = frozenset({"rejected", "withdrawn"})
SCORE_BINS = rollups.SCORE_BINS  # 0-1, 1-2, ... 9-10 on the report's 0-10 scale
MAX_DAYS = 3 * 366  # a period longer than three years is refused: ask for a shorter one


@dataclass(frozen=True)
class Filters:
    opening_id: int | None = None
    department_id: int | None = None
    start: date | None = None  # applications received on or after
    end: date | None = None  # ... and on or before

    def checked(self) -> Filters:
        if self.start and self.end:
            if self.start > self.end:
                raise ValidationFailed(
                    N_("The period's start is after its end."), fields={"start": "after_end"}
                )
            if (self.end - self.start).days > MAX_DAYS:
                raise ValidationFailed(
                    N_("Choose a period of at most three years."), fields={"start": "too_long"}
                )
        return self


class FiltersIn(BaseModel):
    """The dashboards' filters as they arrive in a URL (``?opening=&department=&start=&end=``),
    for the pages and the API alike: one parser, one set of rules. Empty values mean "all"."""

    opening: Id | None = None
    department: Id | None = None
    start: date | None = Field(None, description="Applications received on or after (UTC)")
    end: date | None = Field(None, description="... and on or before")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_all(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    def filters(self) -> Filters:
        return Filters(self.opening, self.department, self.start, self.end).checked()


_FIELD_MESSAGES = {
    "opening": N_("Choose a value from the list."),
    "department": N_("Choose a value from the list."),
    "start": N_("Enter a date as YYYY-MM-DD."),
    "end": N_("Enter a date as YYYY-MM-DD."),
}


def parse_filters(values: Mapping[str, Any]) -> Filters:
    """Checked :class:`Filters` from URL parameters; bad ones raise ``ValidationFailed``
    naming each field (a page re-renders with them, the API answers 422)."""
    try:
        found = FiltersIn.model_validate({k: values.get(k) for k in FiltersIn.model_fields})
    except PydanticError as exc:
        fields = {str(e["loc"][0]): "invalid" for e in exc.errors() if e["loc"]}
        first = next(iter(fields), "start")
        raise ValidationFailed(
            _FIELD_MESSAGES.get(first, _FIELD_MESSAGES["start"]), fields=fields
        ) from None
    return found.filters()


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    reached: int
    conversion: float | None  # share of the previous step's applications that reached this one


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    moves: int
    mean_days: float


@dataclass(frozen=True)
class ScoreDistribution:
    competency: str
    counts: list[int]  # per bin of SCORE_BINS
    n: int
    mean: float | None


def _openings(
    session: Session, principal: Principal, filters: Filters, capability: str = "analytics.read"
) -> Select[Any]:
    """The ids of the openings in scope, as a subquery-able SELECT."""
    require(principal, capability)
    stmt = restrict(
        select(Opening.id).where(Opening.tenant_id == principal.tenant_id),
        principal,
        capability,
        Opening,
    )
    if filters.opening_id is not None:
        get_visible(session, Opening, filters.opening_id, principal, capability)
        stmt = stmt.where(Opening.id == filters.opening_id)
    if filters.department_id is not None:
        stmt = stmt.where(Opening.department_id == filters.department_id)
    return stmt


def openings_in_scope(
    session: Session, principal: Principal, filters: Filters, capability: str
) -> Select[Any]:
    """The ids of the openings ``capability`` lets the caller analyse, within the filters."""
    return _openings(session, principal, filters.checked(), capability)


def within(column: Any, filters: Filters) -> list[Any]:
    """Conditions keeping ``column`` inside the period (whole days, UTC)."""
    found = []
    if filters.start is not None:
        found.append(column >= datetime.combine(filters.start, time.min, UTC))
    if filters.end is not None:
        found.append(column <= datetime.combine(filters.end, time.max, UTC))
    return found


def _applications(session: Session, principal: Principal, filters: Filters) -> Select[Any]:
    stmt = select(Application.id).where(
        Application.opening_id.in_(_openings(session, principal, filters))
    )
    return stmt.where(*within(Application.created_at, filters))


def stages_for(session: Session, principal: Principal, filters: Filters) -> list[Stage]:
    """The stage list the figures are laid out on: the opening's, or the company's."""
    if filters.opening_id is not None:
        opening = get_visible(session, Opening, filters.opening_id, principal, "analytics.read")
        return opening_stages(session, opening)
    return company_stages(session, principal.tenant_id)


def funnel(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[FunnelStep]:
    """How many applications reached each open stage, in order, and the conversion from the
    step before. An application reached a stage if it was ever moved there or past it (a
    rejected one counts up to the furthest stage it stood in). Read from the rollups once
    they are built (same answer), from the stage events with ``direct``."""
    filters = filters.checked()
    stages = [s for s in stages_for(session, principal, filters) if s.kind not in CLOSING_KINDS]
    position = {stage.key: at for at, stage in enumerate(stages)}
    sets = None
    if not direct:
        openings = _openings(session, principal, filters)
        sets = rollups.funnel_sets(session, openings, filters.start, filters.end)
    if sets is None:
        total, by_furthest = _furthest_direct(session, principal, filters, position)
    else:
        total = sum(sets.values())
        by_furthest = Counter[int]()
        for keys, n in sets.items():
            by_furthest[max((position.get(key, 0) for key in keys.split()), default=0)] += n
    steps: list[FunnelStep] = []
    previous: int | None = None
    for at, stage in enumerate(stages):
        reached = total if at == 0 else sum(n for far, n in by_furthest.items() if far >= at)
        conversion = None if previous in (None, 0) else reached / previous
        steps.append(FunnelStep(stage, reached, conversion))
        previous = reached
    return steps


def _furthest_direct(
    session: Session, principal: Principal, filters: Filters, position: dict[str, int]
) -> tuple[int, Counter[int]]:
    """(applications, applications per furthest position) from the stage events."""
    applications = _applications(session, principal, filters)
    total = session.scalar(select(func.count()).select_from(applications.subquery())) or 0
    index = case(position, value=StageMove.to_key, else_=0)
    furthest = (
        select(StageMove.application_id, func.max(index).label("furthest"))
        .where(StageMove.application_id.in_(applications))
        .group_by(StageMove.application_id)
        .subquery()
    )
    by_furthest: Counter[int] = Counter()
    for at, n in session.execute(
        select(furthest.c.furthest, func.count()).group_by(furthest.c.furthest)
    ):
        by_furthest[at] = n
    return total, by_furthest


def time_in_stage(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[StageTime]:
    """Mean days an application spent in each stage before it was moved on (from the
    rollups once built, from the stage events with ``direct``)."""
    filters = filters.checked()
    stages = stages_for(session, principal, filters)
    found = None
    if not direct:
        openings = _openings(session, principal, filters)
        sums = rollups.stage_time_sums(session, openings, filters.start, filters.end)
        if sums is not None:
            found = {key: (n, seconds / n) for key, (n, seconds) in sums.items()}
    if found is None:
        rows = session.execute(
            select(StageMove.from_key, func.count(), func.avg(StageMove.seconds_in_stage))
            .where(StageMove.application_id.in_(_applications(session, principal, filters)))
            .group_by(StageMove.from_key)
        )
        found = {key: (n, float(mean or 0)) for key, n, mean in rows}
    return [
        StageTime(stage, found[stage.key][0], round(found[stage.key][1] / 86400, 2))
        for stage in stages
        if stage.key in found
    ]


def score_distributions(
    session: Session, principal: Principal, filters: Filters, *, direct: bool = False
) -> list[ScoreDistribution]:
    """Per competency, how the scores in effect (HR's overrides count) of the reports written
    in the period fall on 0-10: from the score rollups once built (same answer), from the
    reports with ``direct``."""
    filters = filters.checked()
    openings = _openings(session, principal, filters)
    sums = None
    if not direct:
        sums = rollups.score_sums(
            session, principal.tenant_id, openings, filters.start, filters.end
        )
    if sums is None:
        found = rollups.ScoreSums()
        stmt = (
            select(InterviewReport.scores, InterviewReport.final_scores)
            .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
            .where(InterviewSession.opening_id.in_(openings), for_hiring())
            .where(*within(InterviewReport.created_at, filters))
        )
        for scores, final in session.execute(stmt):
            found.add((0, 0, date.min), rollups.effective_scores(scores, final), 1)
        sums = found.by_bin()
    bins: dict[str, list[int]] = {}
    totals: dict[str, float] = defaultdict(float)
    for (competency, b), (n, total) in sums.items():
        bins.setdefault(competency, [0] * SCORE_BINS)[b] += n
        totals[competency] += total
    out = []
    for competency in sorted(bins):
        n = sum(bins[competency])
        if n:
            out.append(
                ScoreDistribution(competency, bins[competency], n, round(totals[competency] / n, 2))
            )
    return out


def competency_names(
    session: Session, principal: Principal, filters: Filters, language: str
) -> dict[str, str]:
    """Competency id -> name in ``language``, from the competency models of the openings in
    scope (the newest 200 are enough: ids are shared by the presets)."""
    openings = session.scalars(
        select(Opening)
        .where(Opening.id.in_(_openings(session, principal, filters)))
        .order_by(Opening.id.desc())
        .limit(200)
    )
    names: dict[str, str] = {}
    for opening in openings:
        for dimension in competency_model_of(opening).dimensions:
            names.setdefault(dimension.id, localised(dimension.name, language))
    return names


def scoped_openings(
    session: Session, principal: Principal, capability: str = "analytics.read"
) -> list[tuple[int, str]]:
    """(id, title) of the openings the caller may analyse, for the filter."""
    rows = session.execute(
        select(Opening.id, Opening.title)
        .where(Opening.id.in_(_openings(session, principal, Filters(), capability)))
        .order_by(Opening.title)
        .limit(1000)
    )
    return [(opening_id, title) for opening_id, title in rows]
