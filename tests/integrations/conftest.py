from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from hireflow.core.db import Database, utcnow
from hireflow.integrations import delivery
from tests.integrations.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    try:
        yield running
    finally:
        running.stop()


def drain(db: Database, now: datetime | None = None, rounds: int = 20) -> list[delivery.Outcome]:
    """Send everything due at ``now`` as the worker would, following each line to its end."""
    now = now or utcnow()
    outcomes: list[delivery.Outcome] = []
    for _ in range(rounds):
        ids = delivery.due(db, now)
        if not ids:
            break
        for delivery_id in ids:
            outcome = delivery.attempt(db, delivery_id, now)
            outcomes.append(outcome)
            while outcome.next_in_line is not None:
                outcome = delivery.attempt(db, outcome.next_in_line, now)
                outcomes.append(outcome)
    return outcomes
