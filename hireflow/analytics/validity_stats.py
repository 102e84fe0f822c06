"""The statistics of the predictive validity analysis (SPEC I2), on plain arrays.

- ``correlation``: Pearson r or Spearman rho of paired values, with a 95 % bootstrap interval
  that resamples people (rows), seeded so the same data gives the same interval.
- ``range_ratio`` / ``corrected_r``: the restriction of range (only hired people have
  outcomes): SD among the hired ÷ SD among all assessed, and Thorndike's case II correction.
- ``propose_weights``: non-negative least squares of the outcome on the dimension scores,
  shrunk toward the current weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls
from scipy.stats import rankdata

from hireflow.analytics.validity_resamples import resampled

MIN_N = 30  # fewer people: the interval is too wide to act on; the page warns
RESAMPLES = 1000
SEED = 2  # SPEC I2
BLOCK_VALUES = 2_000_000  # resampled values held at once (per array)
SHRINK_K = 50  # the data's weight is n / (n + SHRINK_K): at n = 50, half data, half current


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None  # None: fewer than 3 pairs or a variable that does not vary
    low: float | None = None  # 95 % bootstrap interval
    high: float | None = None

    @property
    def small(self) -> bool:
        return self.n < MIN_N


def _pearson_rows(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Pearson r of each row pair of two (k, n) arrays (a row may be (1, n), shared by all),
    each value counted ``weights`` times (the same shape; None: once); NaN where a row does
    not vary."""
    w = np.ones(np.broadcast_shapes(x.shape, y.shape)) if weights is None else weights
    total = w.sum(axis=1, keepdims=True)
    dx = x - (w * x).sum(axis=1, keepdims=True) / total
    dy = y - (w * y).sum(axis=1, keepdims=True) / total
    denominator = np.sqrt((w * dx * dx).sum(axis=1) * (w * dy * dy).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (w * dx * dy).sum(axis=1) / denominator
    r[denominator <= 1e-12] = np.nan
    return np.clip(r, -1.0, 1.0)


def _ranks(x: np.ndarray) -> np.ndarray:
    return np.asarray(rankdata(x, axis=1), dtype=float)


def _rows_statistic(x: np.ndarray, y: np.ndarray, method: str) -> np.ndarray:
    if method == "spearman":
        return _pearson_rows(_ranks(x), _ranks(y))
    if method == "pearson":
        return _pearson_rows(x, y)
    raise KeyError(method)


def _counted_ranks(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The average rank each of ``values`` has in resamples that hold it ``counts`` times
    (one row per resample): the copies below it, plus the middle of its ties' ranks."""
    distinct, inverse = np.unique(values, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], np.arange(distinct.size))
    per_value = np.add.reduceat(counts[:, order], starts, axis=1)
    below = np.cumsum(per_value, axis=1) - per_value
    return (below + (per_value + 1) / 2)[:, inverse]


def _counted_statistic(a: np.ndarray, b: np.ndarray, rows: np.ndarray, method: str) -> np.ndarray:
    """``_rows_statistic(a[rows], b[rows])`` from how often each person was drawn, without
    sorting each resample (the same values, up to rounding in the last bits)."""
    k, n = rows.shape
    counts = np.bincount((rows + n * np.arange(k)[:, None]).ravel(), minlength=k * n)
    counts = counts.reshape(k, n).astype(float)
    if method == "spearman":
        return _pearson_rows(_counted_ranks(a, counts), _counted_ranks(b, counts), counts)
    return _pearson_rows(a[None, :], b[None, :], counts)


METHODS = ("pearson", "spearman")


def correlation(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    method: str = "pearson",
    resamples: int = RESAMPLES,
) -> Correlation:
    """r of paired values with its 95 % percentile bootstrap interval over resampled people.

    Resamples in which a variable does not vary are left out; when over half are, no interval.
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape:
        raise ValueError("x and y must be paired")
    if method not in METHODS:
        raise KeyError(method)
    if a.size < 3:
        return Correlation(int(a.size), None)
    r = float(_rows_statistic(a[None, :], b[None, :], method)[0])
    if np.isnan(r):
        return Correlation(int(a.size), None)
    rng = np.random.default_rng(SEED)
    block = max(1, min(resamples, BLOCK_VALUES // a.size))  # bounded memory at any n
    parts = []
    for done in range(0, resamples, block):
        rows = rng.integers(0, a.size, (min(block, resamples - done), a.size))
        parts.append(_counted_statistic(a, b, rows, method))
    found = np.concatenate(parts)
    found = found[~np.isnan(found)]
    if found.size < resamples / 2:
        return Correlation(int(a.size), round(r, 3))
    low, high = np.percentile(found, [2.5, 97.5])
    return Correlation(int(a.size), round(r, 3), round(float(low), 3), round(float(high), 3))


def correlations(
    x: np.ndarray, y: np.ndarray, resamples: int = RESAMPLES
) -> list[tuple[Correlation, Correlation]]:
    """:func:`correlation` (Pearson, Spearman) of each column of ``x`` (n, d) with ``y``, each
    from the same resamples as that function draws (the draws depend only on n), drawn once
    for all columns (``validity_resamples``)."""
    return shared_correlations(x, [y], resamples)[0]


def shared_correlations(
    x: np.ndarray, ys: Sequence[np.ndarray], resamples: int = RESAMPLES
) -> list[list[tuple[Correlation, Correlation]]]:
    """:func:`correlations` of ``x`` with each of ``ys`` (outcomes of the same people): the
    resamples are drawn once for all, and each resample's sums per score value computed from
    them (``validity_resamples``; the same values as one call per outcome)."""
    n, columns = x.shape
    if n < 3:
        return [[(Correlation(n, None), Correlation(n, None))] * columns for _ in ys]
    found = resampled(x, ys, resamples, SEED, BLOCK_VALUES)
    out = []
    for i, y in enumerate(ys):
        points = {m: _rows_statistic(x.T, np.broadcast_to(y, (columns, n)), m) for m in METHODS}
        pairs = []
        for j in range(columns):
            pair = []
            for m in METHODS:
                values = found[i][m][:, j]
                r = float(points[m][j])
                pair.append(_with_interval(n, r, values[~np.isnan(values)], resamples))
            pairs.append((pair[0], pair[1]))
        out.append(pairs)
    return out


def _with_interval(n: int, r: float, found: np.ndarray, resamples: int) -> Correlation:
    if np.isnan(r):
        return Correlation(n, None)
    if found.size < resamples / 2:
        return Correlation(n, round(r, 3))
    low, high = np.percentile(found, [2.5, 97.5])
    return Correlation(n, round(r, 3), round(float(low), 3), round(float(high), 3))


def standard_deviation(values: Sequence[float] | np.ndarray) -> float | None:
    """The sample SD (n - 1), None under two values."""
    a = np.asarray(values, dtype=float)
    return float(a.std(ddof=1)) if a.size >= 2 else None


def range_ratio(hired: Sequence[float], assessed: Sequence[float]) -> float | None:
    """SD of the scores among the hired ÷ SD among everyone assessed (under 1: restricted)."""
    return ratio_of(standard_deviation(hired), standard_deviation(assessed))


def ratio_of(sd_hired: float | None, sd_all: float | None) -> float | None:
    """SD among the hired ÷ SD among everyone assessed, None when either is undefined."""
    if sd_hired is None or sd_all is None or sd_all <= 1e-12:
        return None
    return round(sd_hired / sd_all, 3)


def corrected_r(r: float | None, ratio: float | None) -> float | None:
    """Thorndike's case II: r among everyone assessed, estimated from r among the hired and
    the SD ratio u = SD hired / SD all: r·(1/u) / sqrt(1 + r²(1/u² − 1)). It assumes the
    selection was on this score alone, which it rarely was: an upper guide, not a finding."""
    if r is None or ratio is None or ratio <= 0:
        return None
    k = 1 / ratio
    return round(max(-1.0, min(1.0, r * k / float(np.sqrt(1 + r * r * (k * k - 1))))), 3)


@dataclass(frozen=True)
class Proposal:
    n: int
    data_weights: dict[str, float] | None  # NNLS coefficients scaled to sum 1 (None: all 0)
    current: dict[str, float]  # scaled to sum 1
    proposed: dict[str, float]  # shrunk, scaled to sum 1
    shrinkage: float  # the data's share lambda = n / (n + SHRINK_K)


def _scaled(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in weights.items()}


def propose_weights(
    scores: np.ndarray, outcome: np.ndarray, current: Mapping[str, float]
) -> Proposal:
    """Weights for the dimensions (the columns of ``scores``, in ``current``'s order).

    1. b = argmin ‖(X − x̄) b − (y − ȳ)‖² with b ≥ 0 (non-negative least squares on centred
       data, so the intercept is free), scaled to sum 1: the data's weights w_data;
    2. w = λ·w_data + (1 − λ)·w_current with λ = n / (n + SHRINK_K), scaled to sum 1.

    With few people the proposal stays near the current model; when the data give no
    dimension a positive weight (nothing predicts the outcome), w_data is None and the
    proposal is the current model.
    """
    x, y = np.asarray(scores, dtype=float), np.asarray(outcome, dtype=float)
    names = list(current)
    if x.ndim != 2 or x.shape != (y.size, len(names)):
        raise ValueError("scores must have one row per person and one column per dimension")
    base = _scaled(current)
    n = int(y.size)
    lam = n / (n + SHRINK_K)
    data: dict[str, float] | None = None
    if n >= 2:
        coefficients, _residual = nnls(x - x.mean(axis=0), y - y.mean())
        if coefficients.sum() > 1e-12:
            data = _scaled(dict(zip(names, (float(c) for c in coefficients), strict=True)))
    if data is None:
        return Proposal(n, None, base, dict(base), lam)
    mixed = _scaled({k: lam * data[k] + (1 - lam) * base[k] for k in names})
    return Proposal(n, data, base, mixed, lam)
