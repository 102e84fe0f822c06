"""The bootstrap behind predictive validity's intervals (``validity_stats.shared_correlations``):
Pearson's r and Spearman's rho of every score column with every outcome of the same hired
people, in each of the resamples ``validity_stats`` draws (the same draws: seeded, in the same
blocks, so the same people are drawn as before).

A resample's statistics need only sums per *score value* (a column holds at most the 101
scores 0.0-10.0) of how often its people were drawn, weighted by nothing, by their outcome's
rank and by their centred outcome value. Per block of resamples:

- how often each person was drawn (people × resamples), counted one resample at a time
  (``numpy.bincount`` into one resample's bins stays in the processor's cache; counting the
  whole block at once scattered into a block-sized array and took ten times as long), kept
  as float32, like the 0/1 matrices that sum them: whole numbers whose every sum is exact
  there (``COUNTS``), turned into float64 before any other arithmetic;
- an outcome with few distinct values (probation, retention: fewer score-value × outcome-value
  cells than people) is summed into one table per column of counts per (score value, outcome
  value) cell, all columns in one sparse product; ranks and Pearson's sums come from the
  tables alone;
- any other outcome (a mean rating) weights the counts per person by its rank and centred
  value (float64), summed per score value in one sparse product per ``STEP`` resamples.

No dense matrix product: OpenBLAS's threads took seconds for one on a busy machine. The
Spearman sums are of whole and half numbers, exact in any order, so rho is the same to the
last bit; Pearson's sums are of the same centred values added in another order (the last bits
may differ). A resample in which a variable takes one value is left out (NaN), known from its
counts rather than from a variance that rounding can leave a little above zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

# How often each person was drawn, and the 0/1 matrices summing those counts per score and
# outcome value: whole numbers, and every sum of them (at most the n people drawn: under
# 2**24, else float64 is used) is exact in float32, which halves the memory the sparse
# products read. Sums weighted by ranks or centred values are taken in float64, as before.
COUNTS = np.float32
# A many-valued outcome's counts weighted by rank and value (people × 2 × STEP float64) are
# summed this many resamples at a time: at 20,000 people 10 MB, which the processor's cache
# holds for the six passes of the sparse product, where a block's 32 MB did not.
STEP = 32


@dataclass(frozen=True)
class _Columns:
    """The score columns: each person's index among every column's distinct values (a
    column's values follow the previous column's), those values centred on the column's mean,
    and the (values, people) 0/1 matrix."""

    codes: list[np.ndarray]  # per column, each person's index (offset included)
    centred: np.ndarray
    offsets: list[int]  # where each column's values start, and the end
    stacked: sparse.csr_matrix


def _columns(x: np.ndarray) -> _Columns:
    n, d = x.shape
    means = x.mean(axis=0)  # as Pearson's centred values were
    codes, centred, offsets = [], [], [0]
    for j in range(d):
        distinct, code = np.unique(x[:, j], return_inverse=True)
        codes.append(code + offsets[-1])
        centred.append(distinct - means[j])
        offsets.append(offsets[-1] + distinct.size)
    cells, people = np.concatenate(codes), np.tile(np.arange(n), d)
    ones = np.ones(n * d, dtype=COUNTS)
    stacked = sparse.csr_matrix((ones, (cells, people)), shape=(offsets[-1], n))
    return _Columns(codes, np.concatenate(centred), offsets, stacked)


@dataclass(frozen=True)
class _Outcome:
    """An outcome: each person's index among its distinct values, those values centred, and
    the 0/1 matrix of (score-value × outcome-value cells, people) when there are few values,
    else of (outcome values, people)."""

    codes: np.ndarray
    centred: np.ndarray
    joint: bool
    matrix: sparse.csr_matrix


def _outcome(columns: _Columns, y: np.ndarray) -> _Outcome:
    n = y.size
    distinct, code = np.unique(y, return_inverse=True)
    centred = distinct - y.mean()
    if distinct.size * columns.offsets[-1] <= n:
        cells = np.concatenate([c * distinct.size + code for c in columns.codes])
        people = np.tile(np.arange(n), len(columns.codes))
        shape = (columns.offsets[-1] * distinct.size, n)
        joint = sparse.csr_matrix((np.ones(cells.size, dtype=COUNTS), (cells, people)), shape=shape)
        return _Outcome(code, centred, True, joint)
    ones = np.ones(n, dtype=COUNTS)
    values = sparse.csr_matrix((ones, (code, np.arange(n))), shape=(distinct.size, n))
    return _Outcome(code, centred, False, values)


def _ranks(per_value: np.ndarray) -> np.ndarray:
    """The average rank of each value (rows, ascending) in each resample (columns)."""
    return np.cumsum(per_value, axis=0) - per_value + (per_value + 1) / 2


def _spread(per_value: np.ndarray, ranks: np.ndarray, total: float) -> tuple[Any, Any]:
    """Per resample the sum of the ranks and (times the total) their sum of squares about
    the mean."""
    summed = (per_value * ranks).sum(axis=0)
    return summed, (per_value * ranks * ranks).sum(axis=0) - summed * summed / total


def _flat(per_value: np.ndarray) -> np.ndarray:
    """Per resample (column): whether only one value was drawn."""
    return np.count_nonzero(per_value, axis=0) <= 1


def _r(cov: np.ndarray, vx: np.ndarray, vy: np.ndarray, flat: np.ndarray) -> np.ndarray:
    denominator = np.sqrt(np.clip(vx, 0, None) * np.clip(vy, 0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / denominator
    r[(denominator <= 1e-12) | flat] = np.nan
    return np.clip(r, -1.0, 1.0)


def _both(
    columns: _Columns,
    per_x: np.ndarray,
    y: tuple[np.ndarray, np.ndarray],
    by_rank: np.ndarray,
    by_value: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(Pearson, Spearman) per resample (rows) and column from the sums per score value
    (rows of ``per_x``: counts, ``by_rank``: the outcome's ranks, ``by_value``: its centred
    values) and ``y``: the outcome's counts per value (values, resamples) and centred
    values."""
    per_y, cy = y
    total = float(per_y[:, 0].sum())
    sy, syy = cy @ per_y, (cy * cy) @ per_y
    rank_y = _ranks(per_y)
    ry, vry = _spread(per_y, rank_y, total)
    flat_y = _flat(per_y)
    pearson, spearman = [], []
    for a, b in zip(columns.offsets, columns.offsets[1:], strict=False):
        nx, cx = per_x[a:b], columns.centred[a:b]
        flat = flat_y | _flat(nx)
        sx, sxx, sxy = cx @ nx, (cx * cx) @ nx, cx @ by_value[a:b]
        pearson.append(
            _r(sxy - sx * sy / total, sxx - sx * sx / total, syy - sy * sy / total, flat)
        )
        rank_x = _ranks(nx)
        rx, vrx = _spread(nx, rank_x, total)
        spearman.append(_r((by_rank[a:b] * rank_x).sum(axis=0) - rx * ry / total, vrx, vry, flat))
    return np.stack(pearson, axis=1), np.stack(spearman, axis=1)


def _joint(
    columns: _Columns, outcome: _Outcome, drawn: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """The sums per score value of a few-valued outcome, from its joint tables."""
    vy, k = outcome.centred.size, drawn.shape[1]
    tables = _exact(outcome.matrix @ drawn).reshape(columns.offsets[-1], vy, k)
    per_y = tables[: columns.offsets[1]].sum(axis=0)
    rank_y = _ranks(per_y)
    by_rank = (tables * rank_y[None, :, :]).sum(axis=1)
    by_value = (tables * outcome.centred[None, :, None]).sum(axis=1)
    return tables.sum(axis=1), (per_y, outcome.centred), by_rank, by_value


def _people(
    columns: _Columns, outcome: _Outcome, drawn: np.ndarray, weighted: Any
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """The sums per score value of a many-valued outcome: the counts per person weighted by
    its rank and centred value (into ``weighted``, people × 2 ``STEP`` resamples), summed
    ``STEP`` resamples at a time (each resample's sums are its own: the same numbers)."""
    n, k = drawn.shape
    per_y = _exact(outcome.matrix @ drawn)
    rank_y = _ranks(per_y)
    centred = outcome.centred[outcome.codes][:, None]
    by_rank, by_value = np.empty((columns.offsets[-1], k)), np.empty((columns.offsets[-1], k))
    for a in range(0, k, STEP):
        b = min(k, a + STEP)
        w = b - a
        part = weighted if weighted.shape[1] == 2 * w else np.empty((n, 2 * w))
        np.multiply(drawn[:, a:b], rank_y[:, a:b][outcome.codes], out=part[:, :w])
        np.multiply(drawn[:, a:b], centred, out=part[:, w:])
        summed = columns.stacked @ part
        by_rank[:, a:b], by_value[:, a:b] = summed[:, :w], summed[:, w:]
    return (per_y, outcome.centred), by_rank, by_value


def _counts(rows: np.ndarray, n: int) -> np.ndarray:
    """How often each person (rows of the result) was drawn in each resample (columns)."""
    exact = COUNTS if n < 2**24 else np.float64  # a sum of counts is at most n
    counted = np.empty((rows.shape[0], n), dtype=exact)
    for at, row in enumerate(rows):
        counted[at] = np.bincount(row, minlength=n)
    return np.ascontiguousarray(counted.T)


def _exact(counted: np.ndarray) -> np.ndarray:
    """Sums of counts (whole numbers under 2**24, so exact in ``COUNTS``) as float64, for
    the arithmetic that follows: the same numbers the float64 sums were."""
    return counted.astype(float)


def resampled(
    x: np.ndarray, ys: Sequence[np.ndarray], resamples: int, seed: int, block_values: int
) -> list[dict[str, np.ndarray]]:
    """Per outcome, ``{"pearson": ..., "spearman": ...}``: r per resample (rows) and column
    of ``x`` (n, d); NaN where a resample's variable does not vary. The resamples are
    ``numpy.random.default_rng(seed).integers(0, n, (block, n))`` in blocks of
    ``block_values // n`` (at least one, at most ``resamples``)."""
    n = x.shape[0]
    columns = _columns(x)
    outcomes = [_outcome(columns, y) for y in ys]
    found: list[dict[str, list[np.ndarray]]] = [{"pearson": [], "spearman": []} for _ in ys]
    rng = np.random.default_rng(seed)
    block = max(1, min(resamples, block_values // n))
    for done in range(0, resamples, block):
        # int32: the same draws as the default int64
        rows = rng.integers(0, n, (min(block, resamples - done), n), dtype=np.int32)
        drawn = _counts(rows, n)
        joint = [_joint(columns, o, drawn) if o.joint else None for o in outcomes]
        # every score column's counts per value: from a joint table when there is one
        per_x = next((j[0] for j in joint if j is not None), None)
        if per_x is None:
            per_x = _exact(columns.stacked @ drawn)
        weighted = np.empty((n, 2 * min(STEP, drawn.shape[1]))) if None in joint else None
        sums = [
            j[1:] if j is not None else _people(columns, o, drawn, weighted)
            for o, j in zip(outcomes, joint, strict=True)
        ]
        for i, (y, by_rank, by_value) in enumerate(sums):
            pearson, spearman = _both(columns, per_x, y, by_rank, by_value)
            found[i]["pearson"].append(pearson)
            found[i]["spearman"].append(spearman)
    return [{m: np.concatenate(parts) for m, parts in f.items()} for f in found]
