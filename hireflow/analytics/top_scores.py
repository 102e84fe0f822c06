"""The top ten per competency from an ordered table instead of every report's scores.

:class:`TopScore` holds the AI's score of each competency of each hiring interview's report
(rounded to two decimals, as the figure shows it), indexed by (competency, score, report) and
by (opening, competency, score, report): the ten highest of a scope are the first ten rows of
that order inside the scope, read from the index with LIMIT. The AI's scores never change;
the reports HR overrode (found through the company's score adjustments, few) are left out of
the table's answer and their scores in effect read directly, like the reports written after
the table's cut (:data:`NAME` state row's ``report_id``). The worker adds the new reports
(:func:`refresh`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select, text
from sqlalchemy.orm import Session

from hireflow.analytics import rollup_state, rollups
from hireflow.analytics.flow_models import FlowState, TopScore
from hireflow.analytics.rollup_state import CHUNK, day_range
from hireflow.core.db import Database, utcnow
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.interviews.queries import for_hiring

NAME = "top_scores"
ROLLUP = rollup_state.Rollup(FlowState, NAME, (TopScore,))
FEW_OPENINGS = 5  # up to this many openings in scope: read each opening's own range


def _scores(scores: dict[str, Any] | None) -> dict[str, float]:
    return {
        competency: round(float(value), 2)
        for competency, value in (scores or {}).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def _reports(since: int, until: int) -> Select[Any]:
    return (
        select(
            InterviewReport.id,
            InterviewReport.tenant_id,
            InterviewSession.opening_id,
            InterviewReport.created_at,
            InterviewReport.scores,
        )
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(InterviewReport.id > since, InterviewReport.id <= until, for_hiring())
        .order_by(InterviewReport.id)
    )


def _fold(session: Session, since: int, until: int) -> int:
    """Write the AI scores of the reports with ``since < id <= until``."""
    rows: list[dict[str, Any]] = []
    written = 0
    connection = session.connection()
    for report_id, tenant_id, opening_id, created_at, scores in session.execute(
        _reports(since, until).execution_options(yield_per=CHUNK)
    ).all():
        for competency, score in _scores(scores).items():
            rows.append(
                {"tenant_id": tenant_id, "report_id": report_id, "opening_id": opening_id,
                 "day": created_at.date(), "competency": competency, "score": score}
            )  # fmt: skip
        if len(rows) >= CHUNK:
            connection.execute(insert(TopScore), rows)
            written, rows = written + len(rows), []
    if rows:
        connection.execute(insert(TopScore), rows)
    return written + len(rows)


def _max_report(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(InterviewReport.id), 0))) or 0


def refresh(database: Database, rebuild: bool = False) -> int:
    """Add the reports written since the last run (all of them the first time, or with
    ``rebuild``); the state row is advanced with a conditional UPDATE, so the same reports
    are never added twice."""
    with database.session() as session:
        state = session.get(FlowState, NAME, with_for_update=True)
        until = _max_report(session)
        if state is not None and not rebuild:
            since = state.report_id
            after = {"report_id": until, "changed_before": utcnow()}
            if since >= until or not rollup_state.claim(
                session, ROLLUP, {"report_id": since}, after
            ):
                return 0
            written = _fold(session, since, until)
            session.commit()
            return written
        rollup_state.start_rebuild(session, ROLLUP, changed_before=utcnow(), report_id=until)
        # from nothing: the indexes are built once at the end, by sorting
        indexes = list(cast(Table, TopScore.__table__).indexes)
        for index in indexes:
            index.drop(session.connection())
        written = _fold(session, 0, until)
        for index in indexes:
            index.create(session.connection())
        rollup_state.finish_rebuild(session, ROLLUP)
    return written


def competencies(session: Session) -> list[str]:
    """The competencies in the table, by skipping through its index (no full scan)."""
    rows = session.execute(
        text(
            "WITH RECURSIVE c(x) AS (SELECT min(competency) FROM analytics_top_scores "
            "UNION ALL SELECT (SELECT min(competency) FROM analytics_top_scores "
            "WHERE competency > c.x) FROM c WHERE c.x IS NOT NULL) "
            "SELECT x FROM c WHERE x IS NOT NULL"
        )
    )
    return [row[0] for row in rows]


Item = tuple[float, int]  # score, -report id: the figure's order


def _ranked(
    session: Session, competency: str, where: list[Any], skip: list[int], top: int
) -> list[Item]:
    stmt = (
        select(TopScore.score, TopScore.report_id)
        .where(TopScore.competency == competency, *where)
        .order_by(TopScore.score.desc(), TopScore.report_id)
        .limit(top + len(skip))
    )
    skipped = set(skip)
    return [(s, -r) for s, r in session.execute(stmt) if r not in skipped][:top]


def best(
    session: Session,
    tenant_id: int,
    openings: Select[Any],
    start: date | None,
    end: date | None,
    top: int,
) -> dict[str, list[Item]] | None:
    """Per competency, the ``top`` highest (score in effect, -report id) of the reports on
    ``openings`` written in the period; None before the first build."""
    state = session.get(FlowState, NAME)
    if state is None:
        return None
    scope = list(session.scalars(openings))
    period = day_range(TopScore.day, start, end)
    late = _late(session, tenant_id, openings, start, end, state.report_id)
    skip = sorted({report_id for report_id, _scores in late})
    found: dict[str, list[Item]] = {}
    for competency in competencies(session):
        if len(scope) <= FEW_OPENINGS:
            items = []
            for opening_id in scope:
                where = [TopScore.opening_id == opening_id, *period]
                items += _ranked(session, competency, where, skip, top)
        else:
            items = _ranked(
                session, competency, [TopScore.opening_id.in_(openings), *period], skip, top
            )
        found[competency] = items
    for report_id, scores in late:
        for competency, score in scores.items():
            found.setdefault(competency, []).append((score, -report_id))
    return {c: sorted(items, reverse=True)[:top] for c, items in found.items() if items}


def _late(
    session: Session,
    tenant_id: int,
    openings: Select[Any],
    start: date | None,
    end: date | None,
    cut: int,
) -> list[tuple[int, dict[str, float]]]:
    """The reports in scope and period read directly, with their scores in effect: those
    after the cut and those HR overrode."""
    adjusted = select(ScoreAdjustment.interview_id).where(ScoreAdjustment.tenant_id == tenant_id)
    stmt = rollups.reports_in(openings, start, end)  # the score figures' own query
    late = session.execute(stmt.where(InterviewReport.id > cut)).all()
    overridden = session.execute(
        stmt.where(
            InterviewReport.id <= cut,
            InterviewReport.interview_id.in_(adjusted),
            InterviewReport.adjusted_at.is_not(None),
        )
    ).all()
    return [
        (row[0], _scores(rollups.effective_scores(row[4], row[5]))) for row in [*late, *overridden]
    ]
