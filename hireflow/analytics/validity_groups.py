"""Predictive validity's bootstrap in *groups*, each keyed by its own data (issue 16, speed).

The outcomes known for the same hired people, with the dimensions every one of them has,
share one set of resamples (``validity_stats.shared_correlations``): a group. A group's
result depends only on its own arrays (its people's scores on those dimensions and their
outcomes, in order), the number of resamples and the seed: the draws of one group are
``default_rng(SEED)`` over its own n, whatever the other groups hold. So each group's result
is kept under a digest of its own arrays, and when the data changes only the groups whose
arrays changed are resampled: one probation result changed leaves the retention outcomes'
groups (other people, other arrays) as they were, and their results are taken as kept.

What is taken is exactly what the computation gives for those arrays (seeded), so the
answer is the same to the last bit whether a group was resampled or taken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from hireflow.analytics import validity_cache
from hireflow.analytics import validity_stats as stats

# (people with the outcomes, as a mask; the dimensions they all have; the outcomes)
Group = tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]
Found = dict[tuple[str, str], tuple[stats.Correlation, stats.Correlation]]
Keyed = list[tuple[bytes, Group]]  # each group with its digest
KIND = "group"  # group digests are apart from whole-data digests
# groups resampled at once: numpy's draws and counts and scipy's sparse products run
# without Python's lock, so two groups use two processor cores
THREADS = 2


def groups(scores: np.ndarray, outcomes: np.ndarray) -> list[Group]:
    """Per outcome, the dimensions every hired person with the outcome has; outcomes known
    for the same people with the same such dimensions form one group (first seen first)."""
    known = ~np.isnan(scores)
    found: dict[tuple[bytes, tuple[int, ...]], list[int]] = {}
    for k in range(outcomes.shape[1]):
        people = ~np.isnan(outcomes[:, k])
        common = tuple(int(j) for j in np.flatnonzero(known[people].all(axis=0)))
        if people.any() and common:
            found.setdefault((people.tobytes(), common), []).append(k)
    return [
        (np.frombuffer(mask, dtype=bool), common, tuple(ks)) for (mask, common), ks in found.items()
    ]


def _arrays(
    group: Group, scores: np.ndarray, outcomes: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The group's scores (people, dimensions) and each outcome's values (contiguous, as
    the bootstrap has always been given them: a sum over a strided view may round
    differently)."""
    people, common, ks = group
    return scores[people][:, list(common)], [outcomes[people, k] for k in ks]


def key(
    group: Group,
    dimensions: Sequence[str],
    names: Sequence[str],
    scores: np.ndarray,
    outcomes: np.ndarray,
) -> bytes:
    """The digest of everything the group's result depends on."""
    _people, common, ks = group
    x, ys = _arrays(group, scores, outcomes)
    values = np.stack(ys, axis=1) if ys else np.empty((x.shape[0], 0))
    return validity_cache.key(
        [dimensions[j] for j in common], [names[k] for k in ks], x, values, kind=KIND
    )


def computed(
    group: Group,
    dimensions: Sequence[str],
    names: Sequence[str],
    scores: np.ndarray,
    outcomes: np.ndarray,
) -> Found:
    """The group's (Pearson, Spearman) per dimension and outcome, resampled."""
    _people, common, ks = group
    x, ys = _arrays(group, scores, outcomes)
    found: Found = {}
    for k, pairs in zip(ks, stats.shared_correlations(x, ys), strict=True):
        found.update(((dimensions[j], names[k]), p) for j, p in zip(common, pairs, strict=True))
    return found


def part(group: Group, dimensions: Sequence[str], names: Sequence[str], found: Found) -> Found:
    """The group's own entries of a whole result."""
    _people, common, ks = group
    return {(dimensions[j], names[k]): found[(dimensions[j], names[k])] for k in ks for j in common}


def keyed(
    dimensions: Sequence[str], names: Sequence[str], scores: np.ndarray, outcomes: np.ndarray
) -> Keyed:
    """Every group with its digest, found once for a computation (``taken_or_computed``
    looks results up by it and ``parts`` files them under it)."""
    return [(key(g, dimensions, names, scores, outcomes), g) for g in groups(scores, outcomes)]


def taken_or_computed(
    dimensions: Sequence[str],
    names: Sequence[str],
    scores: np.ndarray,
    outcomes: np.ndarray,
    kept: Mapping[bytes, Found] | None,
    keyed_groups: Keyed | None = None,
) -> Found:
    """Every group's result: taken from ``kept`` (by the group's digest) when there, else
    resampled; the groups to resample side by side on up to ``THREADS`` threads (each
    group's draws are its own, so the order they run in changes nothing). ``keyed_groups``:
    the groups with their digests when the caller found them already."""
    if keyed_groups is None:
        keyed_groups = keyed(dimensions, names, scores, outcomes)
    results: list[Found | None] = []
    missing: list[tuple[int, Group]] = []
    for digest, group in keyed_groups:
        taken = kept.get(digest) if kept else None
        if taken is None:
            missing.append((len(results), group))
        results.append(taken)
    if len(missing) > 1 and THREADS > 1:
        with ThreadPoolExecutor(min(THREADS, len(missing))) as pool:
            done = list(
                pool.map(lambda m: computed(m[1], dimensions, names, scores, outcomes), missing)
            )
    else:
        done = [computed(group, dimensions, names, scores, outcomes) for _, group in missing]
    for (at, _group), result in zip(missing, done, strict=True):
        results[at] = result
    found: Found = {}
    for kept_or_done in results:
        found.update(kept_or_done or {})
    return found


def parts(
    dimensions: Sequence[str], names: Sequence[str], keyed_groups: Keyed, found: Found
) -> dict[bytes, Found]:
    """Each group's digest and its own entries of the whole result ``found``."""
    return {digest: part(g, dimensions, names, found) for digest, g in keyed_groups}


__all__ = ["Found", "Group", "Keyed", "groups", "key", "keyed", "parts", "taken_or_computed"]
