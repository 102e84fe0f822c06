"""API keys: bounded lifetime, no key or user making unless scoped, no web pages, IT listing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hireflow.core.db import utcnow
from hireflow.core.security import new_token, token_hash
from hireflow.org.models import AccessToken
from tests.conftest import PASSWORD, bearer, login, unique


def _key(client, headers, **body):
    payload = {"name": unique("key"), **body}
    return client.post("/api/v1/apikeys", json=payload, headers=headers)


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_cannot_make_keys_unless_scoped(client, org):
    admin = bearer(client, org.users["hr_admin"])
    plain = _key(client, admin, days=30)
    assert plain.status_code == 201, plain.text
    assert plain.json()["scopes"] == []
    minted = _key(client, _auth(plain.json()["key"]), days=365)
    assert minted.status_code == 403
    assert client.get("/api/v1/apikeys", headers=_auth(plain.json()["key"])).status_code == 403


def test_a_scoped_key_makes_keys_that_never_outlive_it_or_exceed_it(client, org):
    admin = bearer(client, org.users["hr_admin"])
    parent = _key(client, admin, days=30, scopes=["apikeys.manage"]).json()
    child = _key(client, _auth(parent["key"]), days=365)
    assert child.status_code == 201, child.text
    assert child.json()["expires_at"] <= parent["expires_at"]
    assert child.json()["scopes"] == []
    wider = _key(client, _auth(parent["key"]), days=10, scopes=["users.manage"])
    assert wider.status_code == 422
    assert wider.json()["error"]["fields"] == {"scopes": "not_held"}


def test_a_key_cannot_create_users_unless_scoped(client, org):
    admin = bearer(client, org.users["hr_admin"])
    body = {
        "email": f"{unique('new')}@example.com",
        "name": "New Admin",
        "password": PASSWORD,
        "roles": [{"role": "hr_admin"}],
    }
    plain = _key(client, admin).json()["key"]
    assert client.post("/api/v1/org/users", json=body, headers=_auth(plain)).status_code == 403
    user_id = org.users["recruiter"].id
    change = client.patch(f"/api/v1/org/users/{user_id}", json={"name": "X"}, headers=_auth(plain))
    assert change.status_code == 403
    # A key reaches only what its scopes open: reading users takes org.read.
    assert client.get("/api/v1/org/users", headers=_auth(plain)).status_code == 403
    reader = _key(client, admin, scopes=["org.read"]).json()["key"]
    assert client.get("/api/v1/org/users", headers=_auth(reader)).status_code == 200
    assert client.post("/api/v1/org/users", json=body, headers=_auth(reader)).status_code == 403
    scoped = _key(client, admin, scopes=["users.manage"]).json()["key"]
    created = client.post("/api/v1/org/users", json=body, headers=_auth(scoped))
    assert created.status_code == 201, created.text


def test_someone_without_the_power_cannot_scope_a_key_with_it(client, org):
    auditor = bearer(client, org.users["it_auditor"])
    refused = _key(client, auditor, scopes=["users.manage"])
    assert refused.status_code == 422


def test_keys_always_expire_within_the_maximum(client, org, settings):
    admin = bearer(client, org.users["hr_admin"])
    assert _key(client, admin, days=None).status_code == 422
    assert _key(client, admin, days=3650).status_code == 422
    default = _key(client, admin)
    assert default.status_code == 201
    expires = default.json()["expires_at"]
    assert expires is not None
    settings.api_key_max_days = 30
    try:
        too_long = _key(client, admin, days=60)
        assert too_long.status_code == 422
        assert too_long.json()["error"]["fields"] == {"days": "too_long"}
    finally:
        settings.api_key_max_days = 365


def test_a_key_without_expiry_from_before_is_refused(client, org, session):
    raw = new_token("hfk")
    session.add(
        AccessToken(
            user_id=org.users["hr_admin"].id,
            kind="api_key",
            name="legacy",
            token_hash=token_hash(raw),
            prefix=raw[:10],
            expires_at=None,
        )
    )
    session.commit()
    assert client.get("/api/v1/me", headers=_auth(raw)).status_code == 401


def test_a_key_opens_no_web_page(client, org):
    admin = bearer(client, org.users["hr_admin"])
    key = _key(client, admin).json()["key"]
    assert client.get("/api/v1/me", headers=_auth(key)).status_code == 200
    for page in ("/", "/org", "/account", "/system"):
        response = client.get(page, headers=_auth(key), follow_redirects=False)
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/login")
    # A password-backed bearer token is unaffected (API clients sign in that way).
    assert client.get("/api/v1/me", headers=admin).status_code == 200


def test_the_it_page_lists_every_key_with_its_last_use(client, org, session):
    admin = bearer(client, org.users["hr_admin"])
    made = _key(client, admin, name="HRIS nightly sync", scopes=["users.manage"]).json()
    assert client.get("/api/v1/me", headers=_auth(made["key"])).status_code == 200
    row = session.scalars(select(AccessToken).where(AccessToken.id == made["id"])).one()
    session.refresh(row)
    assert row.last_used_at is not None and utcnow() - row.last_used_at < timedelta(minutes=1)
    login(client, org.users["it_auditor"])
    page = client.get("/system")
    assert page.status_code == 200
    assert "HRIS nightly sync" in page.text and made["prefix"] in page.text
    assert "users.manage" in page.text and org.users["hr_admin"].name in page.text
    assert made["key"] not in page.text
