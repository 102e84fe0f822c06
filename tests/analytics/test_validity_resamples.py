"""The bootstrap of predictive validity from sums per score value
(``validity_resamples``): every resample's r equals r of the resampled arrays themselves
(ties' ranks averaged), NaN exactly where a resampled variable does not vary, for outcomes
with few values (joint tables) and many (summed per person), alone and together; and the
shared intervals equal the one-column computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata

from hireflow.analytics import validity_resamples
from hireflow.analytics import validity_stats as stats


def _plain(x: np.ndarray, y: np.ndarray, seed: int, resamples: int, block: int) -> dict:
    """r per resample and column computed on the resampled arrays, the same draws."""
    n, d = x.shape
    rng = np.random.default_rng(seed)
    size = max(1, min(resamples, block // n))
    found: dict[str, list[list[float]]] = {"pearson": [], "spearman": []}
    for done in range(0, resamples, size):
        for rows in rng.integers(0, n, (min(size, resamples - done), n)):
            xs, ys = x[rows], y[rows]
            for method, found_rows in found.items():
                a = rankdata(xs, axis=0) if method == "spearman" else xs
                b = rankdata(ys) if method == "spearman" else ys
                found_rows.append(
                    [
                        np.nan
                        if np.ptp(xs[:, j]) == 0 or np.ptp(ys) == 0
                        else np.corrcoef(a[:, j], b)[0, 1]
                        for j in range(d)
                    ]
                )
    return {m: np.array(v) for m, v in found.items()}


def _data(people: int, seed: int) -> tuple[np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    x = np.round(np.clip(rng.normal(6.5, 1.8, (people, 3)), 0, 10), 1)
    x[: people // 2, 1] = 5.0  # many ties
    rating = np.round(np.clip(3 + 0.3 * (x[:, 0] - 6.5) + rng.normal(0, 0.6, people), 1, 5), 2)
    probation = rng.choice([0.0, 1.0, 2.0], people)
    retained = rng.choice([0.0, 1.0], people, p=[0.15, 0.85])
    return x, [rating, probation, retained]


@pytest.mark.parametrize("people", [3, 5, 9, 40, 700])
def test_each_resample_gives_the_statistics_of_the_resampled_arrays(people):
    x, ys = _data(people, people)
    if people == 9:
        x[:, 2] = 7.0  # a score that never varies: every r undefined
    found = validity_resamples.resampled(x, ys, 60, 2, 2_000)
    for y, got in zip(ys, found, strict=True):
        plain = _plain(x, y, 2, 60, 2_000)
        for method in ("pearson", "spearman"):
            assert np.array_equal(np.isnan(plain[method]), np.isnan(got[method]))
            same = ~np.isnan(plain[method])
            assert np.allclose(plain[method][same], got[method][same], atol=1e-12)
    if people == 9:
        assert np.isnan(found[0]["pearson"][:, 2]).all()


def test_both_kinds_of_outcome_are_summed_as_their_values_allow():
    x, (rating, probation, _) = _data(700, 1)
    columns = validity_resamples._columns(x)
    assert validity_resamples._outcome(columns, probation).joint  # 3 values: tables
    assert not validity_resamples._outcome(columns, rating).joint  # ~300 values: per person


def test_shared_intervals_equal_the_one_column_computation():
    """Outcomes of both kinds together give, per column, what ``correlation`` gives."""
    x, ys = _data(300, 4)
    shared = stats.shared_correlations(x, ys)
    for y, per_outcome in zip(ys, shared, strict=True):
        for j in range(x.shape[1]):
            assert per_outcome[j] == (
                stats.correlation(x[:, j], y, "pearson"),
                stats.correlation(x[:, j], y, "spearman"),
            )
