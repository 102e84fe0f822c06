"""The AI accuracy review (SPEC I4) from counts: what the review needs of each application,
added up, and the figures computed from those sums alone. :mod:`accuracy` adds them up from
the source rows, :mod:`rollups_review` from the worker's rollups; both hand them to
:func:`review_of`, so the page gives the same answer either way.

Per competency the statistics need only, per *application* (the bootstrap's cluster):

- its *cell type*: the AI's level and the sorted levels its interviewers gave (QWK, and the
  exact mean difference from the integer sums of scores and levels);
- its *spread type*: how many pairs and the sum over them of 20·(score to a tenth ÷ 2 − level)
  (the mean difference's resamples).

Resampling N applications with replacement draws each type as often as a multinomial of N
with the types' shares: the same distribution as drawing the applications themselves, at the
cost of the number of distinct types (a few hundred) instead of N. The mean difference's
resamples use the score to a tenth (a tenth of a point is 0.05 of a level) and are shifted by
what that rounding moved the estimate; the estimate itself is exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

LEVELS = 5
SCALE = 10_000  # scores kept as whole 1/10,000ths (reports hold at most four decimals)
RESAMPLES = 400
SEED = 16
_GRID = np.arange(LEVELS)
_WEIGHTS = ((_GRID[:, None] - _GRID[None, :]) ** 2 / (LEVELS - 1) ** 2).ravel()


@dataclass
class Counts:
    # (competency, AI level, the application's interviewer levels "344")
    #   -> [applications, sum of score units over the pairs, sum of interviewer levels]
    cells: defaultdict[tuple[str, int, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    # (report month, AI level, interviewer level) -> [pairs, sum of score units, of levels]
    drift: defaultdict[tuple[str, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    # (competency, pairs, sum of 20·(tenths / 20 − level)) -> applications
    spreads: Counter[tuple[str, int, int]] = field(default_factory=Counter)
    decisions: Counter[tuple[int, int]] = field(default_factory=Counter)  # (recommended, hired)
    # (competency, month of the override, sign of HR − AI) -> [overrides, sum of change units]
    overrides: defaultdict[tuple[str, str, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )

    def add_pairs(self, competency: str, month: str, score: float, humans: list[int]) -> None:
        """One application's pairs of one competency: the AI's 0-10 score, its interviewers'
        levels."""
        levels = sorted(humans)
        level, units = ai_level(score), round(score * SCALE)
        cell = self.cells[(competency, level, "".join(str(h) for h in levels))]
        cell[0] += 1
        cell[1] += units * len(levels)
        cell[2] += sum(levels)
        for human in levels:
            pair = self.drift[(month, level, human)]
            pair[0], pair[1], pair[2] = pair[0] + 1, pair[1] + units, pair[2] + human
        tenths = round(score * 10)
        self.spreads[(competency, len(levels), tenths * len(levels) - 20 * sum(levels))] += 1

    def add_override(self, competency: str, month: str, ai: float, hr: float) -> None:
        change = hr - ai
        row = self.overrides[(competency, month, (change > 0) - (change < 0))]
        row[0] += 1
        row[1] += round(change * SCALE)

    def merge(self, other: Counts) -> None:
        for key, (n, s, h) in other.cells.items():
            cell = self.cells[key]
            cell[0], cell[1], cell[2] = cell[0] + n, cell[1] + s, cell[2] + h
        for when, (n, s, h) in other.drift.items():
            pair = self.drift[when]
            pair[0], pair[1], pair[2] = pair[0] + n, pair[1] + s, pair[2] + h
        self.spreads.update(other.spreads)
        self.decisions.update(other.decisions)
        for place, (n, s) in other.overrides.items():
            row = self.overrides[place]
            row[0], row[1] = row[0] + n, row[1] + s


def ai_level(score: float) -> int:
    """The AI's 0-10 score on the scorecards' levels 1-5 (half up: 7.0 → 4, 6.9 → 3)."""
    return min(LEVELS, max(1, int(float(score) / 2 + 0.5)))


def _kappas(observed: np.ndarray) -> np.ndarray:
    """QWK of each row of (k, 25) cell counts (AI level × interviewer level); NaN where
    undefined (no pairs, or no disagreement is possible)."""
    grid = observed.reshape(-1, LEVELS, LEVELS).astype(float)
    total = grid.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (
            np.einsum("ki,kj->kij", grid.sum(axis=2), grid.sum(axis=1)) / total[:, None, None]
        )
        disagreement = (expected.reshape(-1, LEVELS * LEVELS) * _WEIGHTS).sum(axis=1)
        kappa = 1 - (grid.reshape(-1, LEVELS * LEVELS) * _WEIGHTS).sum(axis=1) / disagreement
    kappa[~(disagreement > 0)] = np.nan
    return kappa


def qwk_of_cells(observed: np.ndarray) -> float | None:
    value = float(_kappas(observed.reshape(1, -1))[0])
    return None if np.isnan(value) else value


def _interval(values: np.ndarray) -> tuple[float | None, float | None]:
    found = values[~np.isnan(values)]
    if found.size < RESAMPLES / 2:
        return None, None
    low, high = np.percentile(found, [2.5, 97.5])
    return round(float(low), 3), round(float(high), 3)


def _draws(multiplicity: np.ndarray) -> np.ndarray | None:
    """(RESAMPLES, types) counts of each type among N applications drawn with replacement
    (None under two applications: one cannot vary)."""
    total = int(multiplicity.sum())
    if total < 2:
        return None
    rng = np.random.default_rng(SEED)
    return rng.multinomial(total, multiplicity / total, size=RESAMPLES)


def cells_matrix(cells: dict[tuple[int, str], int]) -> np.ndarray:
    """25 pair counts from (AI level, interviewer levels) -> applications."""
    grid = np.zeros(LEVELS * LEVELS, dtype=np.int64)
    for (level, humans), n in cells.items():
        for h in humans:
            grid[(level - 1) * LEVELS + int(h) - 1] += n
    return grid


def qwk_interval(cells: dict[tuple[int, str], int]) -> tuple[float | None, float | None]:
    """QWK's 95 % bootstrap interval over applications, from their cell types."""
    types = sorted(cells)
    draws = _draws(np.array([cells[t] for t in types], dtype=np.int64))
    if draws is None:
        return None, None
    per_type = np.array([cells_matrix({t: 1}) for t in types])
    return _interval(_kappas(draws @ per_type))


def difference_interval(
    spreads: dict[tuple[int, int], int], exact: float
) -> tuple[float | None, float | None]:
    """The mean difference's 95 % bootstrap interval over applications, from their spread
    types (pairs, 20 × summed difference at a tenth of a point), shifted by the rounding."""
    types = sorted(spreads)
    multiplicity = np.array([spreads[t] for t in types], dtype=np.int64)
    draws = _draws(multiplicity)
    if draws is None:
        return None, None
    pairs = np.array([t[0] for t in types], dtype=float)
    summed = np.array([t[1] for t in types], dtype=float) / 20
    rounded = float(multiplicity @ summed) / float(multiplicity @ pairs)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (draws @ summed) / (draws @ pairs)
    return _interval(means + (exact - rounded))


def share_interval(agree: int, total: int) -> tuple[float | None, float | None]:
    """A share's 95 % bootstrap interval (independent decisions resampled)."""
    if total < 2:
        return None, None
    rng = np.random.default_rng(SEED)
    return _interval(rng.binomial(total, agree / total, size=RESAMPLES) / total)
