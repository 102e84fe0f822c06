"""The dashboard rollups (issue 16, speed): on a generated pipeline, every figure read from the
rollups equals the one computed from the stage events, before and after the worker folds in
new applications and moves, and a second run or a rebuild changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from hireflow.analytics import figures, queries, rollups
from hireflow.analytics.models import FunnelRollup, PassRollup, ScoreRollup, StageTimeRollup
from hireflow.analytics.queries import Filters
from hireflow.analytics.tasks import refresh_rollups
from hireflow.candidates.models import Application
from hireflow.core.db import utcnow
from hireflow.core.errors import NotFound, ValidationFailed
from hireflow.core.tasks import celery_app
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewReport
from hireflow.workflow import service, stages
from hireflow.workflow.service import MoveRequest
from tests.conftest import make_org
from tests.interviews.factories import scored_interview
from tests.workflow.factories import apply, make_opening, principal

WALK = ("screened", "ai_interview", "round_1", "round_2", "offer", "hired")


@pytest.fixture
def org(session):
    return make_org(session)


def _grow(session, org, openings, rng, count, start):
    """``count`` applications spread over ``openings`` and days, each walking a random number
    of stages (sometimes back one, sometimes ending in a rejection)."""
    hr = principal(session, org, "hr_admin")
    reason = stages.rejection_reasons(session, hr.tenant_id)[0].key
    made = [apply(session, org, rng.choice(openings)) for _ in range(count)]
    session.flush()
    for app in made:
        received = start + timedelta(days=rng.randint(0, 100), hours=rng.randint(0, 23))
        session.execute(
            update(Application).where(Application.id == app.id).values(created_at=received)
        )
    session.commit()
    for app in made:
        _walk(session, hr, app, rng, reason, start)
    return made


def _walk(session, hr, app, rng, reason, start, version=0, after=""):
    """Moves from ``after`` (a stage of WALK, "" for the start) on."""
    rest = WALK[WALK.index(after) + 1 :] if after else WALK
    path = list(rest[: rng.randint(0, len(rest))])
    if len(path) >= 2 and path[-1] != "hired" and rng.random() < 0.2:
        path.append(path[-2])  # moved back a stage
    if (not path or path[-1] != "hired") and rng.random() < 0.3:
        path.append("rejected")
    moment = start + timedelta(days=50)
    for key in path:
        moment += timedelta(hours=rng.randint(1, 200))
        request = MoveRequest(to=key, version=version, reason=reason if key == "rejected" else None)
        version = service.move(session, hr, app.id, request, now=moment).version
    return version


def _cases(openings, org):
    first = utcnow().date() - timedelta(days=120)
    month = _next(first)  # a 1st of the month inside the data
    return [
        Filters(),
        Filters(opening_id=openings[0].id),
        Filters(department_id=org.departments[1].id),
        Filters(start=first + timedelta(days=10), end=first + timedelta(days=25)),
        Filters(opening_id=openings[1].id, start=first + timedelta(days=20)),
        # whole months read from the month rows, ragged ends from the day rows
        Filters(start=first + timedelta(days=13), end=first + timedelta(days=80)),
        Filters(start=month, end=month + timedelta(days=58)),
        Filters(start=first + timedelta(days=3), end=_next(_next(month)) - timedelta(days=1)),
        Filters(start=month, end=_next(month) - timedelta(days=1)),
        Filters(end=month + timedelta(days=9)),
    ]


def _next(day):
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _same(session, people, filters):
    for who in people:
        if filters.opening_id is not None:
            try:
                queries.stages_for(session, who, filters)
            except NotFound:
                continue  # not theirs: both ways answer 404 (test_rollups_keep_scope...)
        assert queries.funnel(session, who, filters) == queries.funnel(
            session, who, filters, direct=True
        )
        assert queries.time_in_stage(session, who, filters) == queries.time_in_stage(
            session, who, filters, direct=True
        )
        assert figures.pass_rates(session, who, filters) == figures.pass_rates(
            session, who, filters, direct=True
        )


def _tables(session):
    funnel = session.execute(
        select(FunnelRollup.opening_id, FunnelRollup.grain, FunnelRollup.day, FunnelRollup.reached)
        .add_columns(FunnelRollup.applications)
        .where(FunnelRollup.applications != 0)
        .order_by(
            FunnelRollup.opening_id, FunnelRollup.grain, FunnelRollup.day, FunnelRollup.reached
        )
    ).all()
    times = session.execute(
        select(
            StageTimeRollup.opening_id,
            StageTimeRollup.grain,
            StageTimeRollup.day,
            StageTimeRollup.from_key,
            StageTimeRollup.moves,
            StageTimeRollup.seconds,
        ).order_by(
            StageTimeRollup.opening_id,
            StageTimeRollup.grain,
            StageTimeRollup.day,
            StageTimeRollup.from_key,
        )
    ).all()
    passes = session.execute(
        select(
            PassRollup.opening_id,
            PassRollup.grain,
            PassRollup.day,
            PassRollup.from_key,
            PassRollup.to_key,
            PassRollup.moves,
        ).order_by(
            PassRollup.opening_id,
            PassRollup.grain,
            PassRollup.day,
            PassRollup.from_key,
            PassRollup.to_key,
        )
    ).all()
    assert passes  # the pass rates are read from these rows
    return [tuple(r) for r in funnel], [tuple(r) for r in times], [tuple(r) for r in passes]


def test_rollups_answer_like_the_stage_events_as_events_arrive(session, db, org):
    rng = random.Random(1616)
    openings = [make_opening(session, org), make_opening(session, org, dept_index=1)]
    openings.append(make_opening(session, org, dept_index=1, members=False))
    start = utcnow() - timedelta(days=120)
    made = _grow(session, org, openings, rng, 45, start)
    people = [principal(session, org, r) for r in ("hr_admin", "recruiter", "hiring_manager")]
    cases = _cases(openings, org)

    assert rollups.built_cut(session) is None  # not built: the direct queries answer
    assert refresh_rollups.apply().get()["moves"] > 0  # the worker's task, run in-process
    assert rollups.built_cut(session) is not None
    for filters in cases:
        _same(session, people, filters)

    # new applications and moves, not yet folded in: the readers add them on the fly
    hr = people[0]
    reason = stages.rejection_reasons(session, hr.tenant_id)[0].key
    _grow(session, org, openings, rng, 12, start)
    for app in made[:10]:
        moves = service.history(session, hr, app.id).moves
        last = moves[-1].to_key if moves else ""
        if last not in ("rejected", "hired"):
            _walk(session, hr, app, rng, reason, start, len(moves), last)
    for filters in cases:
        _same(session, people, filters)

    # folded in by the worker: same answers; a second run changes nothing
    assert rollups.refresh(db)["moves"] > 0
    for filters in cases:
        _same(session, people, filters)
    folded = _tables(session)
    assert rollups.refresh(db) == {"applications": 0, "moves": 0, "reports": 0}
    assert _tables(session) == folded
    # a rebuild from the source tables lands on the same rows
    rollups.rebuild(db)
    assert _tables(session) == folded
    for filters in cases:
        _same(session, people, filters)


def test_the_worker_runs_the_refresh_every_minute():
    schedule = celery_app.conf.beat_schedule["analytics.refresh_rollups"]
    assert schedule["task"] == refresh_rollups.name and schedule["schedule"] == 60.0


def test_rollups_keep_scope_and_bad_input(session, db, org):
    rng = random.Random(3)
    mine = make_opening(session, org)
    other = make_opening(session, org, dept_index=2, members=False)
    _grow(session, org, [mine, other], rng, 8, utcnow() - timedelta(days=60))
    rollups.refresh(db)
    recruiter = principal(session, org, "recruiter")
    mine_count = len(
        session.scalars(select(Application.id).where(Application.opening_id == mine.id)).all()
    )
    assert queries.funnel(session, recruiter, Filters())[0].reached == mine_count
    stranger = principal(session, make_org(session), "hr_admin")
    assert queries.funnel(session, stranger, Filters())[0].reached == 0
    assert queries.time_in_stage(session, stranger, Filters()) == []
    with pytest.raises(NotFound):
        queries.funnel(session, stranger, Filters(opening_id=mine.id))
    with pytest.raises(ValidationFailed):
        queries.time_in_stage(
            session, recruiter, Filters(start=date(2026, 2, 2), end=date(2026, 1, 1))
        )


def _same_scores(session, hr, cases):
    for filters in cases:
        direct = queries.score_distributions(session, hr, filters, direct=True)
        rolled = queries.score_distributions(session, hr, filters)
        assert [(d.competency, d.counts, d.n) for d in rolled] == [
            (d.competency, d.counts, d.n) for d in direct
        ], filters
        assert [d.mean for d in rolled] == pytest.approx([d.mean for d in direct], abs=0.011)


def test_score_rollups_answer_like_the_reports_through_overrides(session, db, org):
    hr = principal(session, org, "hr_admin")
    written = []
    for days_ago in (70, 40, 3):
        setup, interview = scored_interview(session, db, org)
        report = session.scalars(
            select(InterviewReport).where(InterviewReport.interview_id == interview.id)
        ).one()
        report.created_at = utcnow() - timedelta(days=days_ago)
        written.append((setup, interview, report))
    session.commit()
    today = utcnow().date()
    opening = written[0][0].opening
    cases = [
        Filters(),
        Filters(opening_id=opening.id),
        Filters(start=today - timedelta(days=45)),
        Filters(start=today - timedelta(days=75), end=today - timedelta(days=35)),
        Filters(end=today - timedelta(days=60)),
    ]
    rollups.refresh(db)
    assert rollups.built_cut(session).report_id >= written[-1][2].id
    _same_scores(session, hr, cases)
    assert session.scalar(select(func.count()).select_from(ScoreRollup)) > 0
    # a new report, not yet folded in, and an override of a folded one
    scored_interview(session, db, org)
    target = queries.score_distributions(session, hr, Filters(opening_id=opening.id))[0]
    interview_hr.adjust_score(
        session,
        hr,
        written[0][1].id,
        interview_schemas.AdjustIn(
            dimension_id=target.competency, score=0.5, reason="例子不具体，没有结果"
        ),
    )
    after = queries.score_distributions(session, hr, Filters(opening_id=opening.id))
    assert after[0].counts[0] == 1 and after[0].mean == 0.5
    _same_scores(session, hr, cases)
    assert rollups.refresh(db)["reports"] == 1
    _same_scores(session, hr, cases)
    rows = session.execute(select(ScoreRollup.id, ScoreRollup.scores).order_by(ScoreRollup.id))
    folded = rows.all()
    assert rollups.refresh(db)["reports"] == 0
    rollups.rebuild(db)
    _same_scores(session, hr, cases)
    rebuilt = session.scalar(select(func.sum(ScoreRollup.scores)))
    assert rebuilt == sum(n for _id, n in folded)
