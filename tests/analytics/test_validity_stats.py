"""The statistics of predictive validity on constructed data whose correlation is known:
intervals that cover it, seeded and repeatable; undefined cases (no variation, too few
people); restriction of range; the weight proposal (non-negative, shrunk, stays put when
nothing predicts)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr

from hireflow.analytics import validity_stats as stats
from hireflow.analytics.validity import add_months, employee_outcomes


def _pair(n: int, r: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = r * x + math.sqrt(1 - r * r) * rng.standard_normal(n)
    return 6 + 1.5 * x, 3 + 0.6 * y


def test_the_interval_covers_a_known_correlation_and_matches_scipy():
    x, y = _pair(400, 0.5, seed=11)
    found = stats.correlation(x, y, "pearson")
    assert found.n == 400 and not found.small
    assert found.r == pytest.approx(pearsonr(x, y).statistic, abs=1e-3)
    assert found.low < 0.5 < found.high
    assert found.high - found.low < 0.2  # n = 400: about ±0.075
    rho = stats.correlation(x, y, "spearman")
    assert rho.r == pytest.approx(spearmanr(x, y).statistic, abs=1e-3)
    assert rho.low < rho.r < rho.high
    assert stats.correlation(x, y) == found  # seeded: the same data, the same interval


def test_the_interval_covers_the_true_r_in_about_95_of_100_data_sets():
    covered = 0
    for seed in range(100):
        x, y = _pair(80, 0.5, seed=1000 + seed)
        found = stats.correlation(x, y, resamples=300)
        covered += found.low <= 0.5 <= found.high
    assert 88 <= covered <= 100  # a percentile bootstrap at n = 80 covers about 93-95 %


def test_undefined_small_and_unpaired():
    assert stats.correlation([5.0] * 40, list(range(40))).r is None  # no variation
    assert stats.correlation([1, 2], [2, 1]).r is None  # under three people
    small = stats.correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert small.small and small.r == pytest.approx(0.8) and small.n == 5
    with pytest.raises(ValueError):
        stats.correlation([1, 2, 3], [1, 2])
    with pytest.raises(KeyError):
        stats.correlation([1, 2, 3], [1, 2, 3], "kendall")


def test_restriction_of_range_ratio_and_correction():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(20000)
    y = 0.5 * x + math.sqrt(0.75) * rng.standard_normal(20000)
    top = x > np.quantile(x, 0.6)  # hire the top 40 % on the score
    ratio = stats.range_ratio(x[top], x)
    assert 0.5 < ratio < 0.7
    restricted = stats.correlation(x[top], y[top], resamples=50).r
    assert restricted < 0.4  # the hired understate the r among everyone
    assert stats.corrected_r(restricted, ratio) == pytest.approx(0.5, abs=0.03)
    assert stats.range_ratio([1.0], x) is None and stats.range_ratio(x, [2.0] * 5) is None
    assert stats.corrected_r(None, 0.5) is None and stats.corrected_r(0.3, None) is None


def test_proposed_weights_are_non_negative_shrunk_and_sum_to_one():
    rng = np.random.default_rng(9)
    n = 300
    scores = rng.normal(6, 1.5, (n, 3))
    outcome = 0.8 * scores[:, 0] - 0.5 * scores[:, 2] + rng.standard_normal(n)
    current = {"a": 20.0, "b": 50.0, "c": 30.0}
    found = stats.propose_weights(scores, outcome, current)
    assert found.n == n and found.shrinkage == pytest.approx(n / (n + stats.SHRINK_K), abs=1e-3)
    assert found.current == pytest.approx({"a": 0.2, "b": 0.5, "c": 0.3})
    # the negative effect of c is not a negative weight; a carries the fit
    assert found.data_weights["c"] == 0.0 and found.data_weights["a"] > 0.9
    assert all(w >= 0 for w in found.proposed.values())
    assert sum(found.proposed.values()) == pytest.approx(1.0)
    lam = found.shrinkage
    for k in current:
        expected = lam * found.data_weights[k] + (1 - lam) * found.current[k]
        assert found.proposed[k] == pytest.approx(expected)
    # fewer people: nearer the current weights
    few = stats.propose_weights(scores[:20], outcome[:20], current)
    assert abs(few.proposed["b"] - 0.5) < abs(found.proposed["b"] - 0.5)


def test_nothing_predicts_the_outcome_so_the_proposal_is_the_current_model():
    rng = np.random.default_rng(1)
    scores = rng.normal(6, 1.5, (100, 2))
    outcome = -scores[:, 0] - scores[:, 1]  # only negative relations
    found = stats.propose_weights(scores, outcome, {"a": 1, "b": 3})
    assert found.data_weights is None and found.proposed == {"a": 0.25, "b": 0.75}
    empty = stats.propose_weights(np.zeros((0, 2)), np.zeros(0), {"a": 1, "b": 1})
    assert empty.n == 0 and empty.proposed == {"a": 0.5, "b": 0.5}
    with pytest.raises(ValueError):
        stats.propose_weights(scores, outcome, {"a": 1})


def test_retention_is_known_only_once_its_time_has_passed():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)  # no 31 February
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    today = date(2026, 1, 10)
    stayed = employee_outcomes(date(2025, 3, 1), None, "passed", 4.0, today)
    assert stayed == {
        "rating": 4.0,
        "probation": 2.0,
        "retained_3": 1.0,
        "retained_6": 1.0,
    }  # 12 months not reached yet: unknown, left out
    left = employee_outcomes(date(2025, 3, 1), date(2025, 7, 15), "extended", None, today)
    assert left == {"probation": 1.0, "retained_3": 1.0, "retained_6": 0.0, "retained_12": 0.0}
    assert employee_outcomes(date(2024, 1, 1), None, None, None, today)["retained_12"] == 1.0


@pytest.mark.parametrize("people", [3, 7, 60, 400])
@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_counted_resamples_give_the_statistics_of_the_resampled_arrays(people, method):
    # The bootstrap computes each resample's r from how often each person was drawn (average
    # ranks of ties included); it must equal r of the resampled arrays themselves.
    rng = np.random.default_rng(people)
    x = np.round(rng.normal(6, 1.5, people), 1)
    y = np.round(rng.normal(3, 0.6, people), 2)
    x[: people // 2] = 5.0  # many ties
    if people == 3:
        y[:] = 2.0  # a variable that never varies: every r is undefined
    rows = rng.integers(0, people, (40, people))
    plain = stats._rows_statistic(x[rows], y[rows], method)
    counted = stats._counted_statistic(x, y, rows, method)
    assert np.array_equal(np.isnan(plain), np.isnan(counted))
    assert np.allclose(plain[~np.isnan(plain)], counted[~np.isnan(counted)], atol=1e-12)


def test_the_competencies_of_one_outcome_share_the_resamples_each_would_draw():
    """``correlations`` (every column at once, from one set of resamples) gives what
    ``correlation`` gives column by column: the draws depend only on n."""
    rng = np.random.default_rng(12)
    x = np.round(rng.normal(6.5, 1.8, (150, 4)), 1)  # tied scores
    x[:, 3] = 7.0  # a competency that does not vary: no r
    y = np.round(3 + 0.3 * (x[:, 0] - 6.5) + rng.normal(0, 0.5, 150), 1)
    found = stats.correlations(x, y)
    for j in range(4):
        assert found[j] == (
            stats.correlation(x[:, j], y, "pearson"),
            stats.correlation(x[:, j], y, "spearman"),
        )
    assert found[3][0].r is None and stats.correlations(x[:2], y[:2])[0][0].r is None


def test_remembered_intervals_cover_the_known_r_and_follow_the_data():
    """Through the remembered path (``validity.correlations``): on seeded data with r = 0.5 the
    interval covers it, the second answer is the first, and changing one person's outcome
    gives the interval of the changed data, not the remembered one."""
    from hireflow.analytics import validity, validity_cache
    from hireflow.analytics.validity_assessed import Sums

    x, y = _pair(300, 0.5, seed=21)
    people = [({"a": float(a)}, {"rating": float(b)}) for a, b in zip(x, y, strict=True)]
    data = validity.Data(Sums(), people)
    validity_cache.clear()
    first = validity.correlations(data)[0]
    assert first.pearson.low < 0.5 < first.pearson.high
    assert validity.correlations(data)[0] == first
    data.hired[0][1]["rating"] += 40.0  # one outlier: r and its interval move
    changed = validity.correlations(data)[0]
    assert changed.pearson != first.pearson
    assert changed.pearson == stats.correlation(x, np.array([o["rating"] for _, o in data.hired]))
