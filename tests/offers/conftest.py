"""Fixtures of the offer tests: record storage in a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hireflow.core.settings import get_settings
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.offers import portal, schemas
from hireflow.offers.models import Employee
from hireflow.records.storage import override_storage
from tests.offers.factories import sent_offer


@pytest.fixture(autouse=True)
def regional(tmp_path: Path) -> Iterator[RegionalStorage]:
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


@pytest.fixture
def employee(session, org) -> Employee:
    """A hired person: Sun Li accepted a sent offer."""
    offer, _ = sent_offer(session, org, name="Sun Li")
    answer = schemas.AnswerIn(accept=True, typed_name="Sun Li")
    portal.answer(session, get_settings(), offer, answer, "203.0.113.9")
    return session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
