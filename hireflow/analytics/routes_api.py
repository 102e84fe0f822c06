"""Analytics under ``/api/v1`` (SPEC I1): each dashboard table as JSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from hireflow.analytics import accuracy, bias_audit, tables, validity
from hireflow.analytics.queries import Filters, FiltersIn, parse_filters
from hireflow.analytics.validity_stats import MIN_N
from hireflow.core.bounds import Id
from hireflow.core.i18n import gettext_for
from hireflow.core.rows import shaped
from hireflow.openings.models import JOB_TYPES
from hireflow.openings.schemas import ModelVersionOut
from hireflow.web.deps import ApiUser, DbSession

router = APIRouter(tags=["analytics"])


class TableOut(BaseModel):
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _filters(query: Annotated[FiltersIn, Query()]) -> Filters:
    """The same parser as the pages' (FastAPI checks the types first, for the schema)."""
    return parse_filters(query.model_dump())


FiltersQuery = Annotated[Filters, Depends(_filters)]


@router.get("/analytics", response_model=TableOut)
def chart_table(
    session: DbSession,
    principal: ApiUser,
    filters: FiltersQuery,
    chart: tables.ChartKey = "funnel",
) -> Any:
    """A dashboard's figures over the openings the caller may analyse, in the caller's
    language: ``funnel`` (applications that reached each stage, conversion), ``pass_rates``
    (moved on / rejected / withdrew per stage), ``stage_time`` (mean days in each stage),
    ``end_to_end`` (hours invitation → report and application → offer), ``completion`` (AI
    interviews started and completed per answer mode and device), ``reach`` (per application
    source and invitation channel: invited, opened, completed), ``scores`` (the distribution
    of scores in effect per competency, 0-10 in ten bins), ``top`` (ten best per
    competency), ``interviewer_load`` (scorecards and live rounds per interviewer),
    ``deliveries`` (messages sent and failed per channel and kind). ``start``/``end`` bound
    the date of what each figure counts (applications, invitations, reports, messages)."""
    found = tables.table(chart, session, principal, filters, gettext_for(principal.language))
    return shaped(TableOut, found)


class AuditCellOut(BaseModel):
    selected: int | None
    rate: float | None
    impact_ratio: float | None
    below_four_fifths: bool


class AuditGroupOut(BaseModel):
    category: str
    group: str
    assessed: int | None
    suppressed: bool
    small_sample: bool
    excluded_from_ratios: bool
    outcomes: dict[str, AuditCellOut]


class BiasAuditOut(BaseModel):
    category_set: str
    start: date | None
    end: date | None
    assessed: int
    outcomes: list[str]
    thresholds: dict[str, float]
    groups: list[AuditGroupOut]


@router.get("/analytics/bias-audit", response_model=BiasAuditOut)
def bias_audit_report(session: DbSession, principal: ApiUser, filters: FiltersQuery) -> Any:
    """The bias audit (HR administrators): per self-identified category and group, the
    applications the AI interview assessed, and per outcome (``ai_recommended``,
    ``above_median``, ``advanced``, ``interview_round``, ``hired``) the selected count,
    selection rate and impact ratio. Hidden counts (under ``thresholds.suppress_below``) and
    undefined ratios are null; ``unknown`` is reported and never in a ratio. A statistical
    screen, not a legal conclusion."""
    found = bias_audit.audit(session, principal, filters)
    return bias_audit.as_dict(found)


@router.get("/analytics/ai-accuracy", response_model=accuracy.Review)
def ai_accuracy(session: DbSession, principal: ApiUser, filters: FiltersQuery) -> Any:
    """The AI accuracy review over the applications the caller may analyse: per competency
    the AI's agreement with interviewers' scorecards on levels 1-5 (QWK and mean difference AI
    − interviewer, each with a 95 % bootstrap interval; ``flagged`` = low agreement, to review
    in calibration), the AI's recommendation against the final decision, HR's overrides per
    competency and direction, and drift by month (``YYYY-MM``)."""
    return accuracy.review(session, principal, filters)


class ValidityOut(BaseModel):
    assessed: int
    hired: int
    min_n: int
    tables: list[TableOut]


@router.get("/analytics/validity", response_model=ValidityOut)
def predictive_validity(
    session: DbSession,
    principal: ApiUser,
    filters: FiltersQuery,
    family: str | None = Query(None, max_length=30, description=f"one of {JOB_TYPES}"),
    outcome: str = Query("rating", max_length=30, description=f"one of {validity.OUTCOMES}"),
) -> Any:
    """Predictive validity (SPEC I2) over the openings the caller may analyse (or one
    ``opening``, or one job ``family``): table ``validity`` has per competency and outcome
    (``rating``, ``probation``, ``retained_3|6|12``) n, Pearson r and Spearman rho with 95 %
    bootstrap intervals over people, the SD ratio hired ÷ assessed and r corrected for range
    restriction; with one opening, table ``validity_weights`` has the current, fitted and
    proposed weights (%) for ``outcome``. Under ``min_n`` people a figure is noted."""
    _ = gettext_for(principal.language)
    scope = validity.parse_scope(filters, family, outcome)
    found = validity.analyse(session, principal, scope)
    names = tables.competency_names(session, principal, filters)
    return ValidityOut(
        assessed=found.assessed,
        hired=found.hired,
        min_n=MIN_N,
        tables=[shaped(TableOut, t) for t in tables.validity_tables(found, names, _)],
    )


class ProposalIn(BaseModel):
    opening: Id
    outcome: str = Field("rating", max_length=30, description=f"one of {validity.OUTCOMES}")
    start: date | None = None
    end: date | None = None


@router.post("/analytics/validity/proposals", response_model=ModelVersionOut, status_code=201)
def adopt_proposal(data: ProposalIn, session: DbSession, principal: ApiUser) -> Any:
    """Save the weights proposed for ``outcome`` as a new, inactive version of the opening's
    competency model (HR administrators; at least ``min_n`` people). Activate it with
    ``POST /openings/{id}/competency-versions/{number}/activate``."""
    filters = Filters(data.opening, None, data.start, data.end)
    scope = validity.parse_scope(filters, None, data.outcome)
    return validity.adopt(session, principal, scope)
