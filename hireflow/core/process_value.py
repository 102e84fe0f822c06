"""A value each process builds once from the settings (the keyring, the regional storage),
with an override that wins inside a block (tools such as key rotation or a restore, tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessValue(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._cached: T | None = None
        self._override: T | None = None

    def get(self) -> T:
        """The override if one is active, else the value (built on first use)."""
        if self._override is not None:
            return self._override
        if self._cached is None:
            with self._lock:
                if self._cached is None:
                    self._cached = self._build()
        return self._cached

    def reset(self) -> None:
        """Forget the built value (after the settings changed); the next use builds it again."""
        with self._lock:
            self._cached = None

    @contextmanager
    def override(self, value: T) -> Iterator[T]:
        """Use ``value`` instead inside the block (overrides nest)."""
        previous = self._override
        self._override = value
        try:
            yield value
        finally:
            self._override = previous
