"""Who is calling (``hireflow.web.middleware``): a request that presents a credential (a bearer
header or the session cookie) is identified in the thread pool (a database read); one that
presents none, such as a candidate's link request, is answered as anonymous on the event loop,
with no thread-pool hop and no database read, and what it may reach is unchanged."""

from __future__ import annotations

import pytest

from hireflow.web import middleware
from tests.conftest import bearer, login
from tests.interviews.factories import TAB, make_setup, started


@pytest.fixture
def identified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The credentials looked up in the database meanwhile (their kinds)."""
    seen: list[str] = []
    real = middleware.resolve_token

    def counting(session, raw, kinds):
        seen.append(",".join(kinds))
        return real(session, raw, kinds)

    monkeypatch.setattr(middleware, "resolve_token", counting)
    return seen


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The middleware's own calls into the thread pool meanwhile (the function's name)."""
    seen: list[str] = []
    real = middleware.run_in_threadpool

    async def counting(func, *args, **kwargs):
        seen.append(getattr(func, "__name__", str(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(middleware, "run_in_threadpool", counting)
    return seen


def test_a_candidates_link_request_is_not_identified(client, session, org, identified, hops):
    setup = make_setup(session, org)
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    state = client.get(base, headers=setup.headers)
    assert state.status_code == 200, state.text
    qid = state.json()["questions"][0]["id"]
    opened = client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    assert opened.status_code == 200
    draft = client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "草稿", "final": False},
    )
    assert draft.status_code == 200, draft.text
    assert identified == [] and "_identify" not in hops


def test_bad_link_input_is_refused_as_before_without_identification(
    client, session, org, identified, hops
):
    setup = make_setup(session, org)
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    # a forged link, a wrong access value, none at all
    assert client.get(f"/api/v1/links/{setup.token}x/interview").status_code == 404
    wrong = client.get(base, headers={"X-Link-Access": setup.access + "x"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "identity_required"
    assert client.get(base).status_code == 403
    assert identified == [] and "_identify" not in hops


def test_an_anonymous_api_call_is_refused(client, identified, hops):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert identified == [] and hops == []


def test_a_bearer_token_is_identified_in_the_thread_pool(client, org, identified, hops):
    headers = bearer(client, org.users["recruiter"])
    identified.clear(), hops.clear()
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["email"] == org.users["recruiter"].email
    assert identified == ["bearer,api_key"] and hops == ["_identify"]
    # a wrong token is looked up, found nowhere and refused
    wrong = client.get("/api/v1/me", headers={"Authorization": headers["Authorization"] + "x"})
    assert wrong.status_code == 401
    assert identified == ["bearer,api_key", "bearer,api_key"]


def test_a_session_cookie_is_identified_and_a_forged_one_is_anonymous(
    client, org, identified, hops
):
    login(client, org.users["recruiter"])
    identified.clear(), hops.clear()
    assert client.get("/api/v1/me").status_code == 200
    assert identified == ["session"] and hops == ["_identify"]
    # a cookie whose signature fails names nobody: not looked up, the caller is anonymous
    client.cookies.clear()
    client.cookies.set("hf_session", "forged.value")
    identified.clear(), hops.clear()
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]
    assert identified == [] and hops == []


def test_a_link_request_with_a_staff_cookie_is_still_identified(client, session, org, identified):
    """A staff member opening a candidate link in their own browser: their cookie is still
    read (the request is identified), the link still decides what the request reaches."""
    login(client, org.users["recruiter"])
    setup = make_setup(session, org)
    started(session, setup)
    identified.clear()
    state = client.get(f"/api/v1/links/{setup.token}/interview", headers=setup.headers)
    assert state.status_code == 200
    assert identified == ["session"]
    assert client.get(f"/api/v1/links/{setup.token}/interview").status_code == 403
