"""Fixtures for the notification tests: the local fake of the HTTP providers, and Celery
messages recorded instead of sent to a broker (tests run the delivery functions themselves)."""

from collections.abc import Iterator

import pytest

from hireflow.notifications import tasks as notification_tasks
from hireflow.scheduling import tasks as scheduling_tasks
from tests.notifications.provider_fakes import FakeProviders


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with FakeProviders() as fake:
        yield fake


@pytest.fixture(autouse=True)
def recorded_tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple]]:
    sent: list[tuple[str, tuple]] = []
    for task in (scheduling_tasks.send_invitation_batch, notification_tasks.deliver_messages):

        def fake(args=(), kwargs=None, _name=task.name, **_options):
            sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", fake)
    return sent


@pytest.fixture
def make_second_org(session):
    from tests.conftest import make_org

    return lambda: make_org(session)
