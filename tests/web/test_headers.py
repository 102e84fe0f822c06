"""Answers carrying personal data are never stored by browsers or proxies."""

from __future__ import annotations

from tests.conftest import bearer, login


def test_pages_and_api_answers_are_not_stored(client, org):
    login(client, org.users["hr_admin"])
    for path in ("/", "/org", "/candidates", "/account", f"/org/users/{org.users['recruiter'].id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    headers = bearer(client, org.users["recruiter"])
    for path in ("/api/v1/me", "/api/v1/candidates", "/api/v1/org/users/999999"):
        response = client.get(path, headers=headers)
        assert response.headers["cache-control"] == "no-store", path


def test_errors_and_sign_in_pages_are_not_stored_either(client):
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"


def test_static_assets_stay_cacheable(client):
    response = client.get("/favicon.ico")
    assert response.headers["cache-control"].startswith("public")
    static = client.get("/static/hireflow.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")
