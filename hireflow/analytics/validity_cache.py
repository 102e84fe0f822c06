"""The last few bootstrap results of predictive validity, remembered per process and keyed by
the *contents* of what they were computed from: the dimensions, the outcomes, every hired
person's scores and outcomes in order, the number of resamples and the seed.

The key is the data version: a changed score, outcome, person or order is another key, so an
answer is never stale and nothing has to be invalidated; an unchanged scope (the page again,
its CSV/XLSX export, the API) is answered without resampling. The statistics are the same
whether remembered or computed (the bootstrap is seeded: the same arrays give the same
intervals). Bounded (``SIZE`` entries, least recently used dropped); thread-safe (routes run
on a thread pool).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from hireflow.analytics import validity_stats as stats

SIZE = 128  # whole results and their groups' (``validity_groups``)

_lock = threading.Lock()
_remembered: OrderedDict[bytes, Any] = OrderedDict()


def key(
    dimensions: Sequence[str],
    outcomes: Sequence[str],
    scores: np.ndarray,
    values: np.ndarray,
    kind: str = "",
) -> bytes:
    """A digest of everything the bootstrap's result depends on (``kind``: what it is the
    result of, "" for a scope's whole data, so digests of different kinds never meet)."""
    digest = hashlib.blake2b(digest_size=32)
    head: tuple[object, ...] = (tuple(dimensions), tuple(outcomes), stats.RESAMPLES, stats.SEED)
    digest.update(repr((*head, kind) if kind else head).encode())
    for array in (scores, values):
        digest.update(repr(array.shape).encode())
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    return digest.digest()


def get(found_key: bytes) -> Any | None:
    with _lock:
        found = _remembered.get(found_key)
        if found is not None:
            _remembered.move_to_end(found_key)
        return found


def put(found_key: bytes, found: Any) -> None:
    with _lock:
        _remembered[found_key] = found
        _remembered.move_to_end(found_key)
        while len(_remembered) > SIZE:
            _remembered.popitem(last=False)


def clear() -> None:
    with _lock:
        _remembered.clear()
