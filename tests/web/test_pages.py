"""Pages in every language, errors, limits, health, metrics and the technical log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hireflow.core.audit import AuditEntry, ClientEvent
from hireflow.core.permissions import Role
from hireflow.org.models import User
from tests.conftest import PASSWORD, bearer, login

PAGES_BY_ROLE = {
    "hr_admin": [
        "/",
        "/openings",
        "/candidates",
        "/org",
        "/audit",
        "/techlog",
        "/system",
        "/account",
    ],
    "recruiter": ["/", "/openings", "/candidates", "/org", "/account"],
    "hiring_manager": ["/", "/openings", "/candidates", "/org", "/account"],
    "interviewer": ["/", "/openings", "/candidates", "/account"],
    "it_auditor": ["/", "/org", "/audit", "/techlog", "/system", "/account"],
    "candidate": ["/", "/me", "/account"],
    "employee": ["/", "/me", "/account"],
}
HOME_WORD = {"zh-CN": "首页", "en": "Home", "ja": "ホーム"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_sees_its_pages_in_every_language(client, org, session, role):
    login(client, org.users[role])
    for language, word in HOME_WORD.items():
        switched = client.post(
            "/lang", data={"lang": language, "next": "/"}, follow_redirects=False
        )
        assert switched.status_code == 303
        for path in PAGES_BY_ROLE[role]:
            page = client.get(path)
            assert page.status_code == 200, (role, language, path, page.text[:300])
            assert f'<html lang="{language}">' in page.text
            assert word in page.text
    session.expire_all()
    assert session.get(User, org.users[role].id).language == "ja"


@pytest.mark.parametrize(
    ("role", "forbidden"),
    [
        ("candidate", ["/org", "/audit", "/techlog", "/system", "/openings", "/candidates"]),
        ("employee", ["/org", "/audit", "/openings", "/candidates"]),
        ("interviewer", ["/audit", "/techlog", "/system", "/org"]),
        ("recruiter", ["/audit", "/techlog", "/system"]),
        ("it_auditor", ["/openings", "/candidates", "/me"]),
    ],
)
def test_pages_outside_a_role_are_refused(client, org, role, forbidden):
    login(client, org.users[role])
    for path in forbidden:
        assert client.get(path).status_code == 403, (role, path)


def test_navigation_follows_the_capability_matrix(client, org):
    login(client, org.users["it_auditor"])
    home = client.get("/").text
    assert 'href="/audit"' in home and 'href="/techlog"' in home
    assert 'href="/candidates"' not in home and 'href="/openings"' not in home


def test_navigation_is_grouped_into_a_few_menus(client, org):
    from hireflow.web.templating import NAV_GROUPS, all_nav_items

    assert all(item.group in ("", *NAV_GROUPS) for item in all_nav_items())
    login(client, org.users["hr_admin"])
    home = client.get("/").text
    bar = home.split('class="nav-entries"', 1)[1].split("</nav>", 1)[0]
    menus = re.sub(r'<ul class="nav-group-items">.*?</ul>', "", bar, flags=re.S)
    top_level = menus.count('<li class="nav-group') + menus.count("<li><a ")
    # HR sees every page (14 links) but at most five entries in the bar: Home and the menus.
    assert bar.count("<a ") >= 14
    assert top_level <= 5, top_level
    for key in NAV_GROUPS:
        assert f'data-group="{key}"' in bar
    assert 'id="nav-toggle"' in home  # the phone menu


def test_a_menu_with_one_link_is_that_link(client, org):
    login(client, org.users["candidate"])
    bar = client.get("/").text.split('class="nav-entries"', 1)[1].split("</nav>", 1)[0]
    assert "nav-group" not in bar


def test_unknown_language_is_refused_and_changes_nothing(client, org, session):
    user = org.users["recruiter"]
    login(client, user)
    response = client.post("/lang", data={"lang": "xx", "next": "/"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(User, user.id).language == user.language


def test_anonymous_language_follows_accept_language_then_cookie(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.text and "Sign in to Hireflow" in page.text
    page = client.get("/login", headers={"Accept-Language": "ja,en;q=0.5"})
    assert '<html lang="ja">' in page.text and "Hireflow にログイン" in page.text
    client.cookies.set("hf_lang", "zh-CN")
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert "登录 Hireflow" in page.text


def test_open_redirects_are_refused(client, org):
    login(client, org.users["hr_admin"])
    response = client.post(
        "/lang", data={"lang": "en", "next": "https://evil.example/"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"
    response = client.post(
        "/lang", data={"lang": "en", "next": "//evil.example"}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_unknown_page_is_a_translated_404(client):
    client.cookies.set("hf_lang", "zh-CN")
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "您访问的页面或对象不存在" in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "http_404"


def test_malformed_json_gets_a_clear_error(client, org):
    headers = bearer(client, org.users["hr_admin"])
    headers["Content-Type"] = "application/json"
    response = client.post("/api/v1/org/subsidiaries", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "malformed_json"


def test_validation_errors_name_the_field_and_change_nothing(client, org, session):
    headers = bearer(client, org.users["hr_admin"])
    before = session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/api/v1/org/users",
        json={"email": "not-an-email", "name": "", "password": "x", "timezone": "Mars/Base"},
        headers=headers,
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"email", "name", "timezone"} <= set(fields)
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_oversized_request_is_refused(client, org, settings, monkeypatch):
    monkeypatch.setattr(settings, "max_request_bytes", 1000)
    headers = bearer(client, org.users["hr_admin"])
    response = client.post(
        "/api/v1/org/subsidiaries", json={"name": "x" * 5000, "region": "cn"}, headers=headers
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_crash_leaves_no_half_written_rows(client, org, session, monkeypatch, caplog):
    from hireflow.core import audit

    def broken(*args, **kwargs):
        raise RuntimeError("disk full writing half@example.com")

    headers = bearer(client, org.users["hr_admin"])
    monkeypatch.setattr(audit, "record", broken)
    before = session.scalar(select(func.count()).select_from(User))
    client_no_raise = client
    client_no_raise.app_state = None
    from fastapi.testclient import TestClient

    with (
        caplog.at_level("ERROR", logger="hireflow.errors"),
        TestClient(client.app, raise_server_exceptions=False) as quiet,
    ):
        response = quiet.post(
            "/api/v1/org/users",
            json={"email": "half@example.com", "name": "Half", "password": "Long-enough-1"},
            headers=headers,
        )
    assert response.status_code == 500
    assert response.json()["error"]["request_id"]
    # the log says what failed and where, not the error's message (it may name people)
    [crash] = [r for r in caplog.records if getattr(r, "event", "") == "http.crash"]
    assert crash.error == "RuntimeError" and "in broken" in crash.stack
    logged = f"{caplog.text} {crash.exc_text} {crash.__dict__}"
    assert "disk full" not in logged and "half@example.com" not in logged
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_healthz_and_metrics(client, org):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["checks"]["database"]["ok"] is True
    client.get("/login")
    metrics = client.get("/metrics").text
    assert "hireflow_http_requests_total" in metrics
    assert 'route="/login"' in metrics


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


def test_client_problems_are_logged_without_personal_data(client, org, session):
    response = client.post(
        "/api/v1/telemetry",
        json={
            "kind": "js_error",
            "message": "TypeError for zhang.san@example.com tel 13800138000 id 110101199003071234",
            "page": "/interview/abc?token=secret&email=x@y.z",
            "details": {"line": 12, "email": "leak@example.com"},
        },
        headers={
            "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Mobile Safari"
        },
    )
    assert response.status_code == 202
    event = session.scalars(select(ClientEvent).order_by(ClientEvent.id.desc())).first()
    assert "@" not in event.message and "13800138000" not in event.message
    assert "110101199003071234" not in event.message
    assert event.page == "/interview/abc"
    assert event.details == {"line": 12}
    assert event.device == "phone" and event.os == "iOS"
    headers = bearer(client, org.users["it_auditor"])
    listed = client.get("/api/v1/techlog", headers=headers)
    assert listed.status_code == 200 and any(e["id"] == event.id for e in listed.json())
    headers = bearer(client, org.users["candidate"])
    assert client.get("/api/v1/techlog", headers=headers).status_code == 403


def test_telemetry_rejects_unknown_kinds(client):
    response = client.post("/api/v1/telemetry", json={"kind": "anything", "message": "x"})
    assert response.status_code == 422


def test_audit_page_filters_and_masks_personal_data_for_it(client, org, session):
    headers = bearer(client, org.users["hr_admin"])
    created = client.post(
        "/api/v1/org/users",
        json={
            "email": "audited@example.com",
            "name": "Audited Person",
            "password": "Long-enough-1",
        },
        headers=headers,
    )
    assert created.status_code == 201
    user_id = created.json()["id"]
    hr = client.get(
        "/api/v1/audit",
        params={"action": "user.created", "target_id": str(user_id)},
        headers=headers,
    ).json()
    assert hr["total"] == 1
    assert hr["items"][0]["new_values"]["email"] == "audited@example.com"
    it = client.get(
        "/api/v1/audit",
        params={"action": "user.created", "target_id": str(user_id)},
        headers=bearer(client, org.users["it_auditor"]),
    ).json()
    assert it["items"][0]["new_values"]["email"] == "•••"
    assert it["items"][0]["new_values"]["name"] == "•••"
    login(client, org.users["it_auditor"])
    page = client.get("/audit", params={"action": "user.created", "target_id": str(user_id)})
    assert page.status_code == 200
    assert "audited@example.com" not in page.text and "user.created" in page.text
    future = client.get("/audit", params={"since": "2999-01-01"})
    assert "No entries match" in future.text or "没有匹配的记录" in future.text
    bad = client.get("/audit", params={"since": "yesterday"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text


def test_viewing_a_candidate_is_audited(client, org, session):
    from hireflow.candidates.models import Candidate

    person = Candidate(tenant_id=org.tenant.id, name="Viewed Person", email="v@example.com")
    session.add(person)
    session.commit()
    headers = bearer(client, org.users["hr_admin"])
    assert client.get(f"/api/v1/candidates/{person.id}", headers=headers).status_code == 200
    views = session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "candidate.viewed", AuditEntry.target_id == str(person.id))
    )
    assert views == 1


def test_times_are_shown_in_the_viewers_zone(client, org, session):
    user = org.users["hr_admin"]
    user.timezone = "America/New_York"
    session.commit()
    login(client, user)
    page = client.get(f"/org/users/{user.id}")
    assert page.status_code == 200
    # the offset as ISO 8601 writes it, the same form in every zone (not "EDT" here, "+0800" there)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d -0[45]:00", page.text)


def test_login_page_password_field_is_not_echoed(client, org):
    client.get("/login")
    token = client.cookies.get("hf_csrf")
    assert token  # the signed cookie exists; the page carries the raw token
    page = client.post(
        "/login",
        data={"email": org.users["hr_admin"].email, "password": "wrong-pass-1", "csrf_token": "x"},
    )
    assert page.status_code == 403
    assert PASSWORD not in page.text


def test_link_tokens_never_reach_the_technical_log(client, session):
    token = "eyJpbnZpdGF0aW9uIjo0Mn0.Zx3kQw.abcdefghijklmnop"
    response = client.post(
        "/api/v1/telemetry", json={"kind": "js_error", "message": "x", "page": f"/i/{token}/book"}
    )
    assert response.status_code == 202
    event = session.scalars(select(ClientEvent).order_by(ClientEvent.id.desc())).first()
    assert event.page == "/i/…/book"


def test_every_page_names_an_icon_and_the_icon_is_served(client):
    login_page = client.get("/login")
    assert 'rel="icon"' in login_page.text
    icon_url = login_page.text.split('rel="icon"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    assert client.get(icon_url).headers["content-type"].startswith("image/svg+xml")
    # Chrome asks for /favicon.ico on responses without a <link> (JSON, files): no 404.
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


def test_api_docs_load_nothing_from_other_sites(client):
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text and "//cdn" not in docs.text
    assets = [
        part.split('"', 1)[0]
        for part in docs.text.replace("href=", "src=").split('src="')[1:]
        if part.startswith("/")
    ]
    assert any(a.endswith(".js") and "swagger-ui-bundle" in a for a in assets)
    assert any(a.endswith(".css") and "swagger-ui" in a for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    spec = docs.text.split('data-spec="', 1)[1].split('"', 1)[0]
    assert client.get(spec).json()["info"]["title"] == "Hireflow"


def test_an_unknown_time_zone_is_explained_in_the_readers_language(client, org, session):
    """A time zone not in the list (or left empty) on the new-user form: the reason is in the
    page's language, not the validator's English with a Python repr of the value."""
    login(client, org.users["hr_admin"])
    for language, words in (
        ("zh-CN", "请从列表中选择时区，例如 Asia/Shanghai。"),
        ("en", "Choose a time zone from the list, such as Asia/Shanghai."),
    ):
        client.post("/lang", data={"lang": language, "next": "/"})
        for zone in ("", "Shanghai"):
            refused = client.post(
                "/org/users",
                data={
                    "email": "new.person@example.com",
                    "name": "新同事",
                    "password": "a-long-enough-password",
                    "language": "zh-CN",
                    "timezone": zone,
                },
            )
            assert refused.status_code == 422 and words in refused.text
            assert "unknown IANA" not in refused.text and "新同事" in refused.text
    assert (
        session.scalar(
            select(func.count()).select_from(User).where(User.email == "new.person@example.com")
        )
        == 0
    )
