"""Sign-in, lock-out, sessions, bearer tokens and API keys against the real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.org.models import AccessToken, LoginThrottle, User
from tests.conftest import PASSWORD, bearer, login


def _csrf(client) -> str:
    page = client.get("/login")
    return page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def test_login_sets_httponly_session_and_reaches_home(client, org):
    user = org.users["hr_admin"]
    token = _csrf(client)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token, "next": "/org"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/org"
    cookies = response.headers.get_list("set-cookie")
    cookie = next(c for c in cookies if c.startswith("hf_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    home = client.get("/")
    assert home.status_code == 200
    assert user.name in home.text


def test_wrong_password_is_rejected_and_translated(client, org, session):
    user = org.users["recruiter"]
    client.cookies.set("hf_lang", "zh-CN")
    token = _csrf(client)
    response = client.post(
        "/login", data={"email": user.email, "password": "nope-nope-1", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "邮箱或密码错误" in response.text
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 1
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == str(user.id))
    ).all()
    assert "auth.login_failed" in actions


def test_unknown_email_gives_the_same_answer_as_a_wrong_password(client, org):
    token = _csrf(client)
    unknown = client.post(
        "/login", data={"email": "ghost@example.com", "password": "x" * 12, "csrf_token": token}
    )
    wrong = client.post(
        "/login",
        data={"email": org.users["recruiter"].email, "password": "x" * 12, "csrf_token": token},
    )
    assert unknown.status_code == wrong.status_code == 401


def test_lockout_after_repeated_failures_even_with_the_right_password(client, org, settings):
    user = org.users["interviewer"]
    token = _csrf(client)
    for _ in range(settings.login_max_failures):
        client.post(
            "/login", data={"email": user.email, "password": "bad-bad-bad", "csrf_token": token}
        )
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429


def test_lockout_expires(client, org, session, settings):
    user = org.users["interviewer"]
    token = _csrf(client)
    for _ in range(settings.login_max_failures):
        client.post("/login", data={"email": user.email, "password": "bad", "csrf_token": token})
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.locked_until.is_not(None))
        .values(locked_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    login(client, user)
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 0


def test_login_without_csrf_token_is_refused(client, org):
    client.get("/login")
    response = client.post(
        "/login", data={"email": org.users["hr_admin"].email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "hf_session" not in response.headers.get("set-cookie", "")


def test_logout_revokes_the_session_server_side(client, org):
    login(client, org.users["hr_admin"])
    stolen = client.cookies.get("hf_session")
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    client.cookies.set("hf_session", stolen)
    again = client.get("/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_expired_session_redirects_to_login(client, org, session):
    login(client, org.users["hr_admin"])
    for row in session.scalars(select(AccessToken).where(AccessToken.kind == "session")):
        row.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    response = client.get("/org", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/org"


def test_tampered_session_cookie_is_ignored(client, org):
    login(client, org.users["hr_admin"])
    signed = client.cookies.get("hf_session")
    tampered = signed[:-3] + ("abc" if not signed.endswith("abc") else "xyz")
    client.cookies.clear()
    client.cookies.set("hf_session", tampered)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_bearer_token_round_trip_and_revocation(client, org):
    headers = bearer(client, org.users["hr_admin"])
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == org.users["hr_admin"].email
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_without_credentials_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_api_keys_are_stored_hashed_and_work_until_revoked(client, org, session):
    headers = bearer(client, org.users["it_auditor"])
    created = client.post(
        "/api/v1/apikeys", json={"name": "HRIS sync", "days": 30}, headers=headers
    )
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    stored = session.scalars(select(AccessToken).where(AccessToken.kind == "api_key")).all()
    assert all(key not in (row.token_hash, row.prefix) for row in stored)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    key_id = created.json()["id"]
    assert client.delete(f"/api/v1/apikeys/{key_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_deactivated_user_cannot_sign_in(client, org, session):
    user = org.users["employee"]
    user.is_active = False
    session.commit()
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_password_change_requires_current_and_signs_out_elsewhere(client, org):
    user = org.users["recruiter"]
    other = bearer(client, user)
    login(client, user)
    weak = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 422
    wrong = client.post(
        "/account/password",
        data={"current_password": "not-it-123", "new_password": "Another-pass-77"},
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "Another-pass-77"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/api/v1/me", headers=other).status_code == 401
    token = client.post(
        "/api/v1/auth/token", json={"email": user.email, "password": "Another-pass-77"}
    )
    assert token.status_code == 200
