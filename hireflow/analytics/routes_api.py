"""Analytics under ``/api/v1`` (SPEC I1): each dashboard table as JSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from hireflow.analytics import accuracy, bias_audit, tables
from hireflow.analytics.queries import Filters, FiltersIn, parse_filters
from hireflow.core.i18n import gettext_for
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
    return TableOut(key=found.key, title=found.title, headers=found.headers, rows=found.rows)


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
