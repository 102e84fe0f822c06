"""API key scopes: every capability is either opened by a scope or never reachable with a key,
and a key without the right scope is refused on every API route."""

from __future__ import annotations

import re

from hireflow.app import _routers
from hireflow.core.permissions import API_SCOPES, KEY_NEVER, MATRIX
from hireflow.org.auth import issue_token
from tests.conftest import bearer

# Routes a key without scopes may call: they concern the caller's own key and nothing else.
OPEN_TO_ANY_KEY = {
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/token"),
    ("POST", "/api/v1/telemetry"),
}


def test_every_capability_is_a_scopes_or_never_a_keys():
    opened = set().union(*API_SCOPES.values())
    assert opened <= set(MATRIX), sorted(opened - set(MATRIX))
    missing = set(MATRIX) - opened - KEY_NEVER
    assert not missing, f"add these capabilities to a scope in API_SCOPES or KEY_NEVER: {missing}"


def _api_routes():
    api_routers, _pages = _routers()
    for router in api_routers:
        for route in router.routes:
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield method, "/api/v1" + route.path


def test_a_key_without_scopes_reaches_nothing(client, org, session):
    """An HR administrator's key with no scope: every route answers 401/403/404/422 or an
    empty list, never data (the admin's own bearer token sees the same routes' data)."""
    _raw_admin = bearer(client, org.users["hr_admin"])
    raw, _row = issue_token(session, org.users["hr_admin"], "api_key", name="no scope")
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    reached = []
    for method, path in _api_routes():
        if (method, path) in OPEN_TO_ANY_KEY:
            continue
        url = re.sub(r"\{\w+\}", "1", path)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        answer = client.request(method, url, json=body, headers=headers)
        if answer.status_code < 300:
            data = answer.json() if answer.content else None
            empty = data in ([], None) or (isinstance(data, dict) and data.get("total") == 0)
            if not empty:
                reached.append((method, path, answer.status_code, answer.text[:80]))
    assert reached == []


def test_scoped_keys_open_exactly_their_scopes(client, org):
    admin = bearer(client, org.users["hr_admin"])

    def key(*scopes):
        made = client.post(
            "/api/v1/apikeys", json={"name": "k", "scopes": list(scopes)}, headers=admin
        )
        assert made.status_code == 201, made.text
        return {"Authorization": f"Bearer {made.json()['key']}"}

    hooks = key("webhooks.manage")
    reader = key("candidates.read")
    assert client.get("/api/v1/webhooks/endpoints", headers=hooks).status_code == 200
    assert client.get("/api/v1/webhooks/endpoints", headers=reader).status_code == 403
    body = {"url": "https://example.com/hook", "events": ["*"]}
    assert client.post("/api/v1/webhooks/endpoints", json=body, headers=reader).status_code == 403
    assert client.get("/api/v1/org/users", headers=hooks).status_code == 403
    unknown = client.post(
        "/api/v1/apikeys", json={"name": "k", "scopes": ["everything"]}, headers=admin
    )
    assert unknown.status_code == 422
    # A scope opens nothing the key's user does not hold: an interviewer's webhook key.
    interviewer = bearer(client, org.users["interviewer"])
    refused = client.post(
        "/api/v1/apikeys", json={"name": "k", "scopes": ["webhooks.manage"]}, headers=interviewer
    )
    assert refused.status_code == 403  # interviewers make no keys at all


def test_the_account_page_makes_keys_with_scopes(client, org):
    from tests.conftest import login

    login(client, org.users["hr_admin"])
    page = client.get("/account")
    assert 'id="key-scopes"' in page.text and 'value="webhooks.manage"' in page.text
    made = client.post("/account/keys", data={"name": "sync", "scopes": ["webhooks.manage"]})
    assert made.status_code == 200, made.text
    raw = made.text.split('id="new-key">', 1)[1].split("<", 1)[0]
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/webhooks/endpoints", headers=headers).status_code == 200
    assert client.get("/api/v1/org/users", headers=headers).status_code == 403
    unknown = client.post("/account/keys", data={"name": "x", "scopes": ["root"]})
    assert unknown.status_code == 422
