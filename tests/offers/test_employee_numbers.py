"""Employee numbers per company: in order, after the employees a company already has, a
number already taken is skipped, and two hires at once get different numbers (PostgreSQL: the
second waits for the first; real threads, real commits)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete, select, update

from hireflow.core.db import Database
from hireflow.core.settings import get_settings
from hireflow.notifications.models import OutboxMessage
from hireflow.offers import numbers, portal, schemas
from hireflow.offers.models import Employee, EmployeeNumberCounter, OnboardingTask
from tests.conftest import make_org
from tests.offers.factories import sent_offer


def _accept(session, token: str, name: str) -> None:
    opened = portal.open_offer(session, get_settings(), token)
    portal.answer(
        session, get_settings(), opened, schemas.AnswerIn(accept=True, typed_name=name), "::1"
    )


def _numbers(session, tenant_id: int) -> list[str]:
    return sorted(
        session.scalars(select(Employee.employee_number).where(Employee.tenant_id == tenant_id))
    )


def test_numbers_follow_each_other_and_skip_a_taken_one(session):
    org = make_org(session)
    tenant = org.tenant.id
    _offer, token = sent_offer(session, org, name="张伟")
    _accept(session, token, "张伟")
    assert _numbers(session, tenant) == ["E000001"]
    # a company whose counter row is missing (employees from before it) continues after them
    session.execute(delete(EmployeeNumberCounter).where(EmployeeNumberCounter.tenant_id == tenant))
    assert numbers.next_employee_number(session, tenant) == "E000002"
    # an employee that holds the next number already (an import) is skipped
    existing = session.scalars(select(Employee).where(Employee.tenant_id == tenant)).one()
    existing.employee_number = "E000003"
    session.flush()
    assert numbers.next_employee_number(session, tenant) == "E000004"


def _database_or_skip(engine) -> Database:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks of concurrent transactions: PostgreSQL (run with --db postgresql)")
    return Database(engine)


def test_a_second_draw_waits_for_the_first_hire_and_gets_the_next_number(engine):
    database = _database_or_skip(engine)
    with database.session() as session:
        tenant = make_org(session).tenant.id
        session.commit()
    drawn: list[str] = []
    with database.session() as first:
        mine = numbers.next_employee_number(first, tenant)

        def second_draw() -> None:
            with database.session() as second:
                drawn.append(numbers.next_employee_number(second, tenant))
                second.rollback()

        waiting = threading.Thread(target=second_draw)
        waiting.start()
        time.sleep(0.5)
        assert not drawn, "the second hire must wait for the first to commit"
        first.commit()
    waiting.join(30)
    assert drawn and drawn[0] != mine, (mine, drawn)


def test_two_concurrent_hires_get_different_numbers(engine):
    database = _database_or_skip(engine)
    with database.session() as session:
        org = make_org(session)
        tokens = [sent_offer(session, org, name=name)[1] for name in ("张伟", "李娜")]
        tenant = org.tenant.id
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def accept(token: str, name: str) -> None:
        try:
            with database.session() as session:
                opened = portal.open_offer(session, get_settings(), token)
                barrier.wait(10)
                portal.answer(
                    session,
                    get_settings(),
                    opened,
                    schemas.AnswerIn(accept=True, typed_name=name),
                    "::1",
                )
        except BaseException as exc:  # reported below, with the other thread's outcome
            failures.append(exc)

    threads = [
        threading.Thread(target=accept, args=(token, name))
        for token, name in zip(tokens, ("张伟", "李娜"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert not failures, failures
        with database.session() as session:
            got = _numbers(session, tenant)
        assert len(got) == 2 and len(set(got)) == 2, got
    finally:
        _forget_committed_work(database, tenant)


def _forget_committed_work(database: Database, tenant: int) -> None:
    """This test commits for real into the shared test database: its messages and open tasks
    would otherwise show up in other tests that look across companies (the outbox, the
    onboarding reminders)."""
    with database.session() as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.tenant_id == tenant))
        session.execute(
            update(OnboardingTask).where(OnboardingTask.tenant_id == tenant).values(status="done")
        )
        session.commit()
