"""Sign-in throttling: per address and account, per address, per account; nothing revealed.

Each client below comes from its own address (Starlette's test client lets a test choose it),
so an attacker and the account's owner are told apart the way a real server tells them apart.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from hireflow.core.db import utcnow
from hireflow.org.models import LoginThrottle
from tests.conftest import PASSWORD


@pytest.fixture
def from_address(app):
    """A client factory: each call is a browser at the given address."""
    clients: list[TestClient] = []

    def make(address: str) -> TestClient:
        client = TestClient(app, base_url="http://testserver", client=(address, 40000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _token(client: TestClient, email: str, password: str):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_known_and_unknown_accounts_get_the_same_answers(from_address, org, settings):
    client = from_address("203.0.113.10")
    known = org.users["hr_admin"].email
    unknown = "nobody-here@example.com"
    answers = {}
    for email in (known, unknown):
        replies = [_token(client, email, "wrong-password-1") for _ in range(7)]
        answers[email] = [(r.status_code, r.json()["error"]["code"]) for r in replies]
    assert answers[known] == answers[unknown]
    limit = settings.login_max_failures
    assert [status for status, _code in answers[known]] == [401] * limit + [429] * (7 - limit)
    # The wait quoted is the same too: it depends on the count, not on the account existing.
    waits = [
        int(re.search(r"\d+", _token(client, email, "x-wrong-1").json()["error"]["message"])[0])
        for email in (known, unknown)
    ]
    assert abs(waits[0] - waits[1]) <= 5  # the test's own run time apart


def test_guessing_from_one_address_does_not_lock_the_owner_out(from_address, org, settings):
    admin = org.users["hr_admin"]
    attacker = from_address("203.0.113.20")
    for _ in range(settings.login_max_failures + 3):
        _token(attacker, admin.email, "guess-guess-1")
    assert _token(attacker, admin.email, PASSWORD).status_code == 429
    owner = from_address("198.51.100.20")
    assert _token(owner, admin.email, PASSWORD).status_code == 200


def test_one_address_spraying_many_accounts_is_stopped(from_address, org, settings):
    sprayer = from_address("203.0.113.30")
    for number in range(settings.login_address_max_failures):
        assert _token(sprayer, f"user{number}@example.com", "Spring2026!").status_code == 401
    # Even a right password is refused from that address now; other addresses are unaffected.
    recruiter = org.users["recruiter"]
    assert _token(sprayer, recruiter.email, PASSWORD).status_code == 429
    assert _token(from_address("198.51.100.30"), recruiter.email, PASSWORD).status_code == 200


def test_spread_attack_slows_the_account_but_the_owner_still_signs_in(
    from_address, org, settings, session
):
    admin = org.users["hr_admin"]
    home = from_address("198.51.100.40")
    assert _token(home, admin.email, PASSWORD).status_code == 200  # the owner's usual address
    per_address = settings.login_max_failures - 1
    needed = settings.login_account_max_failures
    for number in range(needed // per_address + 1):
        attacker = from_address(f"203.0.113.{100 + number}")
        for _ in range(per_address):
            _token(attacker, admin.email, "guess-guess-2")
    # A new address feels the per-account back-off (same 429 as any other throttle) ...
    fresh = from_address("192.0.2.40")
    refused = _token(fresh, admin.email, PASSWORD)
    assert refused.status_code == 429
    # ... which is bounded: the owner's usual address is not held back at all,
    assert _token(home, admin.email, PASSWORD).status_code == 200
    # and once the back-off has passed a new address signs in as well.
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.locked_until.is_not(None))
        .values(locked_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    assert _token(fresh, admin.email, PASSWORD).status_code == 200


def test_back_off_doubles_and_is_capped(from_address, org, settings, session):
    user = org.users["interviewer"]
    client = from_address("203.0.113.50")
    waits = []
    for _ in range(4):
        for _ in range(settings.login_max_failures):
            if _token(client, user.email, "wrong-wrong-3").status_code == 429:
                break
        rows = session.scalars(select(LoginThrottle).where(LoginThrottle.scope == "pair")).all()
        session.expire_all()
        row = max(
            (
                r
                for r in session.scalars(select(LoginThrottle).where(LoginThrottle.scope == "pair"))
            ),
            key=lambda r: r.failures,
        )
        assert rows
        waits.append(round((row.locked_until - utcnow()).total_seconds()))
        row.locked_until = utcnow() - timedelta(seconds=1)
        session.commit()
    base = settings.login_lockout_seconds
    assert waits[0] == pytest.approx(base, abs=2)
    assert waits[1] == pytest.approx(2 * base, abs=2)
    assert max(waits) <= settings.login_max_lockout_seconds


def test_success_clears_the_owners_own_typos(from_address, org, settings, session):
    user = org.users["recruiter"]
    client = from_address("198.51.100.60")
    for _ in range(settings.login_max_failures - 1):
        assert _token(client, user.email, "typo-typo-4").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 200
    for _ in range(settings.login_max_failures - 1):
        assert _token(client, user.email, "typo-typo-4").status_code == 401


def test_the_throttle_keeps_neither_addresses_nor_emails(from_address, org, session):
    user = org.users["recruiter"]
    _token(from_address("203.0.113.70"), user.email, "wrong-wrong-5")
    rows = session.scalars(select(LoginThrottle)).all()
    assert rows
    for row in rows:
        assert "@" not in row.key and "203.0.113.70" not in row.key
        assert len(row.key) == 64


def test_housekeeping_forgets_idle_counters_but_keeps_active_locks(from_address, org, session):
    from hireflow.org.auth import purge_login_throttles

    user = org.users["recruiter"]
    _token(from_address("203.0.113.80"), user.email, "wrong-wrong-6")
    rows = session.scalars(select(LoginThrottle)).all()
    assert rows
    for row in rows:
        row.updated_at = utcnow() - timedelta(days=2)
    rows[0].locked_until = utcnow() + timedelta(minutes=5)
    session.commit()
    purge_login_throttles(session)
    left = session.scalars(select(LoginThrottle)).all()
    assert [row.id for row in left] == [rows[0].id]
