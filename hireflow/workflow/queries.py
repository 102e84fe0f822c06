"""Reads of the pipeline: the kanban board of an opening and its filters.

The board reads only the columns a card shows (never a candidate's encrypted profile), in one
query for the applications and one for the AI job match, so an opening with thousands of
candidates renders quickly (``bench/workflow_board.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.openings.models import Opening
from hireflow.workflow.ai_report_gate import withheld
from hireflow.workflow.models import PipelinePosition
from hireflow.workflow.stages import Stage, opening_stages

MAX_CARDS_PER_COLUMN = 1000  # a longer column is unusable: the page asks to filter


@dataclass(frozen=True)
class BoardFilters:
    query: str = ""
    min_match: float | None = None
    min_days: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Card:
    application_id: int
    candidate_id: int
    name: str
    source: str
    stage: str
    version: int
    entered_at: datetime
    seconds_in_stage: int
    job_match: float | None

    @property
    def days_in_stage(self) -> int:
        return self.seconds_in_stage // 86400

    @property
    def match_text(self) -> str:
        return "" if self.job_match is None else f"{round(self.job_match)}%"


@dataclass
class Column:
    stage: Stage
    cards: list[Card] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class Board:
    opening: Opening
    columns: list[Column]
    total: int
    shown: int
    match_hidden: bool
    sources: list[str]


def job_matches(session: Session, opening_id: int) -> dict[int, float]:
    """candidate id -> job match in effect of their newest AI interview report for the opening
    (HR's override counts when there is one)."""
    newest = (
        select(
            InterviewSession.candidate_id.label("candidate_id"),
            func.max(InterviewReport.id).label("report_id"),
        )
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .where(InterviewSession.opening_id == opening_id)
        .group_by(InterviewSession.candidate_id)
        .subquery()
    )
    effective = case(
        (InterviewReport.adjusted_at.is_not(None), InterviewReport.final_job_match),
        else_=InterviewReport.job_match,
    )
    rows = session.execute(
        select(newest.c.candidate_id, effective).join(
            InterviewReport, InterviewReport.id == newest.c.report_id
        )
    ).all()
    return {int(cid): float(match) for cid, match in rows if match is not None}


def _passes(card: Card, filters: BoardFilters) -> bool:
    if filters.query and filters.query.casefold() not in card.name.casefold():
        return False
    if filters.min_match is not None and (
        card.job_match is None or card.job_match < filters.min_match
    ):
        return False
    if filters.min_days is not None and card.days_in_stage < filters.min_days:
        return False
    return not (filters.source and card.source != filters.source)


def _rows(session: Session, opening: Opening) -> list[tuple]:
    stmt = (
        select(
            Application.id,
            Application.candidate_id,
            Application.source,
            Application.created_at,
            Candidate.name,
            PipelinePosition.stage_key,
            PipelinePosition.version,
            PipelinePosition.entered_at,
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(PipelinePosition, PipelinePosition.application_id == Application.id)
        .where(Application.opening_id == opening.id, Candidate.merged_into_id.is_(None))
    )
    return [tuple(row) for row in session.execute(stmt).all()]


def board(
    session: Session,
    principal: Principal,
    opening_id: int,
    filters: BoardFilters | None = None,
    *,
    now: datetime | None = None,
) -> Board:
    """The opening's candidates by stage: best job match first, then longest waiting."""
    opening = require_visible(session, Opening, opening_id, principal, "pipeline.read")
    filters = filters or BoardFilters()
    now = now or utcnow()
    stages = opening_stages(session, opening)
    columns = {s.key: Column(s) for s in stages}
    matches = job_matches(session, opening.id)
    rows = _rows(session, opening)
    # A blind panel interviewer sees no AI match before their own scorecard (SPEC F6).
    hidden = withheld(session, principal, {(opening.id, row[1]) for row in rows})
    sources: set[str] = set()
    total = shown = 0
    for app_id, cand_id, source, applied_at, name, key, version, entered in rows:
        stage_key = key or stages[0].key
        entered_at = entered or applied_at
        match = None if (opening.id, cand_id) in hidden else matches.get(cand_id)
        card = Card(
            app_id,
            cand_id,
            name,
            source,
            stage_key,
            version or 0,
            entered_at,
            max(0, int((now - entered_at).total_seconds())),
            match,
        )
        total += 1
        sources.add(source)
        column = columns.get(stage_key)
        if column is None or not _passes(card, filters):
            continue
        column.total += 1
        column.cards.append(card)
    for column in columns.values():
        column.cards.sort(
            key=lambda c: (c.job_match is None, -(c.job_match or 0.0), c.entered_at, c.name)
        )
        del column.cards[MAX_CARDS_PER_COLUMN:]
        shown += len(column.cards)
    return Board(opening, list(columns.values()), total, shown, bool(hidden), sorted(sources))


@dataclass(frozen=True)
class OpeningSummary:
    opening: Opening
    stages: list[Stage]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def overview(session: Session, principal: Principal, limit: int = 200) -> list[OpeningSummary]:
    """The openings the caller may see the pipeline of, open ones first, with stage counts."""
    require(principal, "pipeline.read")
    openings = session.scalars(
        restrict(select(Opening), principal, "pipeline.read", Opening)
        .where(Opening.status != "draft")
        .order_by(Opening.status.desc(), Opening.created_at.desc(), Opening.id.desc())
        .limit(limit)
    ).all()
    ids = [o.id for o in openings]
    placed: dict[int, dict[str, int]] = {}
    for opening_id, key, count in session.execute(
        select(PipelinePosition.opening_id, PipelinePosition.stage_key, func.count())
        .where(PipelinePosition.opening_id.in_(ids))
        .group_by(PipelinePosition.opening_id, PipelinePosition.stage_key)
    ):
        placed.setdefault(opening_id, {})[key] = int(count)
    unmoved = dict(
        session.execute(
            select(Application.opening_id, func.count())
            .outerjoin(PipelinePosition, PipelinePosition.application_id == Application.id)
            .where(Application.opening_id.in_(ids), PipelinePosition.id.is_(None))
            .group_by(Application.opening_id)
        ).all()
    )
    found = []
    for opening in openings:
        stages = opening_stages(session, opening)
        counts = dict(placed.get(opening.id, {}))
        counts[stages[0].key] = counts.get(stages[0].key, 0) + int(unmoved.get(opening.id, 0))
        found.append(OpeningSummary(opening, stages, counts))
    return found
