"""Predictive validity's bootstrap per group of outcomes (``validity_groups``; issue 16, speed):
the answer equals a straightforward computation (r and its interval computed on the resampled
arrays themselves, with the same seeded draws) for the company, one opening and a period; after
one probation result changed, in a new process, only the group holding the probation is
resampled (the others are taken as kept in the database) and the answer still equals the
straightforward one; a kept group of another shape is resampled, not shown."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy.stats import rankdata
from sqlalchemy import select

from hireflow.analytics import validity, validity_cache, validity_ready, validity_sample
from hireflow.analytics import validity_groups as groups
from hireflow.analytics import validity_stats as stats
from hireflow.analytics.queries import Filters
from hireflow.analytics.validity_models import ValidityResult
from hireflow.analytics.validity_stats import Correlation
from hireflow.offers.models import Employee
from tests.conftest import make_org
from tests.workflow.factories import make_opening, principal

TODAY = date(2026, 12, 1)


@pytest.fixture
def sampled(session):
    """Two openings in two departments: 150 assessed, the top 40 % hired; 40, half hired at
    random."""
    org = make_org(session)
    first = make_opening(session, org)
    second = make_opening(session, org, dept_index=2)
    session.commit()
    validity_sample.generate(session, first.id, people=150, today=TODAY)
    validity_sample.generate(
        session, second.id, people=40, hired_share=0.5, select_top=False, seed=3, today=TODAY
    )
    validity_cache.clear()
    return org, first, second


def _r(a: np.ndarray, b: np.ndarray, method: str) -> np.ndarray:
    """r of each row pair, on the values themselves (ranks for Spearman); NaN where a row
    does not vary."""
    if method == "spearman":
        a, b = rankdata(a, axis=1), rankdata(b, axis=1)
    da, db = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (da * db).sum(axis=1) / np.sqrt((da * da).sum(axis=1) * (db * db).sum(axis=1))
    r[(np.ptp(a, axis=1) == 0) | (np.ptp(b, axis=1) == 0)] = np.nan
    return np.clip(r, -1.0, 1.0)


def _straight(x: np.ndarray, y: np.ndarray, method: str) -> Correlation:
    """r with a 95 % percentile interval over 1,000 resamples of people, each resample's r
    computed on the resampled arrays (the draws of ``validity_stats``: seeded, in blocks)."""
    n = x.size
    r = float(_r(x[None, :], y[None, :], method)[0]) if n >= 3 else float("nan")
    if np.isnan(r):
        return Correlation(n, None)
    rng = np.random.default_rng(stats.SEED)
    block = max(1, min(stats.RESAMPLES, stats.BLOCK_VALUES // n))
    found = []
    for done in range(0, stats.RESAMPLES, block):
        rows = rng.integers(0, n, (min(block, stats.RESAMPLES - done), n))
        found.append(_r(x[rows], y[rows], method))
    values = np.concatenate(found)
    values = values[~np.isnan(values)]
    if values.size < stats.RESAMPLES / 2:
        return Correlation(n, round(r, 3))
    low, high = np.percentile(values, [2.5, 97.5])
    return Correlation(n, round(r, 3), round(float(low), 3), round(float(high), 3))


def _expected(session, who, filters):
    """(dimension, outcome, Pearson, Spearman) of every row, straightforwardly."""
    openings = validity._openings(session, who, validity.Scope(filters))
    data = validity.gather_openings(session, openings, filters, TODAY)
    dimensions, scores, outcomes = validity._arrays(data)
    rows = []
    for j, dimension in enumerate(dimensions):
        for k, outcome in enumerate(validity.OUTCOMES):
            both = ~np.isnan(scores[:, j]) & ~np.isnan(outcomes[:, k])
            if both.any():
                x, y = scores[both, j], outcomes[both, k]
                rows.append(
                    (dimension, outcome, _straight(x, y, "pearson"), _straight(x, y, "spearman"))
                )
    return rows


def _answered(session, who, filters):
    """A request in a new process (nothing remembered in memory)."""
    validity_cache.clear()
    found = validity.analyse(session, who, validity.Scope(filters), TODAY)
    return [(r.dimension, r.outcome, r.pearson, r.spearman) for r in found.rows]


def _counting(monkeypatch):
    runs = []
    shared = stats.shared_correlations
    monkeypatch.setattr(stats, "shared_correlations", lambda *a: runs.append(1) or shared(*a))
    return runs


def _groups_of(session, who, filters):
    openings = validity._openings(session, who, validity.Scope(filters))
    data = validity.gather_openings(session, openings, filters, TODAY)
    _dimensions, scores, outcomes = validity._arrays(data)
    return groups.groups(scores, outcomes)


SCOPES = ("company", "opening", "period")


def _scope(name, first):
    return {
        "company": Filters(),
        "opening": Filters(opening_id=first.id),
        "period": Filters(start=date(2026, 1, 1)),  # the reports are written today
    }[name]


@pytest.mark.parametrize("name", SCOPES)
def test_the_answer_equals_the_straightforward_computation(session, sampled, name):
    org, first, _second = sampled
    hr = principal(session, org, "hr_admin")
    filters = _scope(name, first)
    expected = _expected(session, hr, filters)
    assert len(expected) == 7 * len(validity.OUTCOMES)  # seven competencies, five outcomes
    assert _answered(session, hr, filters) == expected


def test_after_a_change_only_the_changed_group_is_resampled(session, db, sampled, monkeypatch):
    org, first, second = sampled
    hr = principal(session, org, "hr_admin")
    filters = Filters(opening_id=first.id)
    validity_ready.refresh(db, TODAY)  # the worker keeps every standing scope's groups
    # the rating and probation (known for everyone hired) share one group; each retention
    # outcome is known for other people: four groups
    assert [g[2] for g in _groups_of(session, hr, filters)] == [(0, 1), (2,), (3,), (4,)]
    employee = session.scalars(
        select(Employee).where(Employee.opening_id == first.id).order_by(Employee.id)
    ).first()
    employee.probation_result = "failed" if employee.probation_result != "failed" else "passed"
    session.commit()
    runs = _counting(monkeypatch)
    answered = _answered(session, hr, filters)
    assert runs == [1]  # the rating and probation's group; the retention groups as kept
    monkeypatch.undo()
    assert answered == _expected(session, hr, filters)
    # a second opening's scope, not changed: read as kept, nothing resampled
    runs = _counting(monkeypatch)
    _answered(session, hr, Filters(opening_id=second.id))
    assert runs == []


def test_a_kept_group_of_another_shape_is_resampled(session, db, sampled, monkeypatch):
    org, _first, _second = sampled
    hr = principal(session, org, "hr_admin")
    period = Filters(start=date(2026, 1, 1))  # asked for by nobody; the reports are of today
    expected = _expected(session, hr, period)
    validity_ready.refresh(db, TODAY)
    # the period holds every report: its groups are the company's, kept by the worker
    runs = _counting(monkeypatch)
    assert _answered(session, hr, period) == expected
    assert runs == []
    monkeypatch.undo()
    # every kept group (and whole result) unreadable: each group resampled, the same answer
    for row in session.scalars(select(ValidityResult)):
        row.found = [["only", "two"]]
    session.commit()
    runs = _counting(monkeypatch)
    assert _answered(session, hr, Filters(start=date(2025, 12, 31))) == expected
    assert len(runs) == len(_groups_of(session, hr, period))
