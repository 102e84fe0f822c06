"""The HTTP meeting providers against a local server that checks requests like the providers
(signatures, tokens, body shapes) and answers like them, errors included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hireflow.scheduling.meetings.base import MeetingError, MeetingRequest
from hireflow.scheduling.meetings.providers import HTTP_PROVIDERS, tencent_signature
from tests.scheduling.meeting_fakes import FakeMeetingServer, tencent_expected

REQUEST = MeetingRequest(
    topic="面试：后端工程师 (Acme)",
    start=datetime(2030, 3, 4, 2, 0, tzinfo=UTC),
    duration_minutes=45,
    timezone="Asia/Shanghai",
    attendees=("candidate@example.com",),
)


@pytest.fixture
def fake():
    with FakeMeetingServer() as server:
        yield server


def _provider(fake, name, **overrides):
    config, secret = fake.config(name)
    return HTTP_PROVIDERS[name]({**config, **overrides}, secret)


def test_tencent_signs_like_the_documentation():
    headers = {"X-TC-Key": "AKIDtestid", "X-TC-Nonce": "12345", "X-TC-Timestamp": "1572168600"}
    ours = tencent_signature(
        "tencent-secret-key", "POST", "AKIDtestid", "12345", "1572168600", "/v1/meetings", "{}"
    )
    assert ours == tencent_expected("POST", headers, "/v1/meetings", "{}")


def test_tencent_creates_and_cancels_a_meeting(fake):
    provider = _provider(fake, "tencent")
    link = provider.create(REQUEST)
    assert link.url == "https://meeting.tencent.com/dm/abcdEFGH"
    assert (link.provider, link.external_id, link.join_code, link.password) == (
        "tencent",
        "7567173273889276131",
        "806146667",
        "1234",
    )
    provider.cancel(link.external_id)
    assert fake.state.paths("POST") == [
        "/v1/meetings",
        "/v1/meetings/7567173273889276131/cancel",
    ]
    assert not fake.state.refused
    # a wrong secret is refused by the signature check: the credentials error
    config, _secret = fake.config("tencent")
    wrong = HTTP_PROVIDERS["tencent"](config, {"secret_key": "not-it"})
    with pytest.raises(MeetingError) as refused:
        wrong.create(REQUEST)
    assert refused.value.code == "auth" and "200003" in refused.value.detail


def test_zoom_gets_a_token_once_and_creates_and_deletes(fake):
    provider = _provider(fake, "zoom")
    link = provider.create(REQUEST)
    again = provider.create(REQUEST)
    assert link.url.startswith("https://us05web.zoom.us/j/85746065432")
    assert (link.external_id, link.password) == ("85746065432", "a1b2c3")
    assert again.external_id == "85746065433", "each call makes a meeting"
    assert fake.state.tokens_issued == 1, "the token is reused until it expires"
    provider.cancel(link.external_id)
    assert fake.state.paths("DELETE") == ["/v2/meetings/85746065432"]
    assert not fake.state.refused
    # the host's start link (it lets its holder start the meeting as host) is not kept
    assert "zak" not in link.url and not link.host_url


def test_teams_uses_client_credentials_and_graph(fake):
    provider = _provider(fake, "teams")
    link = provider.create(REQUEST)
    assert link.url.startswith("https://teams.microsoft.com/l/meetup-join/")
    assert (link.join_code, link.password) == ("1234567890", "xyz")
    provider.cancel(link.external_id)
    deleted = fake.state.paths("DELETE")
    assert deleted == ["/v1.0/users/organizer-1/onlineMeetings/MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZi"]
    assert not fake.state.refused


def test_feishu_reserves_and_releases_a_meeting(fake):
    provider = _provider(fake, "feishu")
    link = provider.create(REQUEST)
    assert (link.url, link.join_code, link.external_id) == (
        "https://vc.feishu.cn/j/337736498",
        "112000358",
        "6911188411934973028",
    )
    provider.cancel(link.external_id)
    assert fake.state.paths("DELETE") == ["/open-apis/vc/v1/reserves/6911188411934973028"]
    assert not fake.state.refused
    # Feishu refuses with HTTP 200 and a non-zero code
    config, _secret = fake.config("feishu")
    config["base_url"] = fake.url + "/"  # a trailing slash is fine
    wrong = HTTP_PROVIDERS["feishu"]({**config, "app_id": "cli_other"}, {"app_secret": "x"})
    with pytest.raises(MeetingError) as refused:
        wrong.create(REQUEST)
    assert refused.value.code == "auth" and "10014" in refused.value.detail


CREATE_PATHS = {
    "tencent": "/v1/meetings",
    "zoom": "/v2/users",
    "teams": "/v1.0/users",
    "feishu": "/open-apis/vc",
}


@pytest.mark.parametrize("name", sorted(CREATE_PATHS))
@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "auth"), (403, "auth"), (429, "rate_limited"), (503, "unavailable"), (400, "refused")],
)
def test_error_answers_become_meeting_errors(fake, name, status, code):
    fake.state.fail[CREATE_PATHS[name]] = (status, {"message": "provider says no"})
    with pytest.raises(MeetingError) as failed:
        _provider(fake, name).create(REQUEST)
    assert failed.value.code == code and failed.value.provider == name
    assert f"HTTP {status}" in failed.value.detail
    secret = fake.config(name)[1]
    assert all(value not in str(failed.value) for value in secret.values())


@pytest.mark.parametrize("name", sorted(CREATE_PATHS))
def test_a_provider_that_does_not_answer_in_time_is_unavailable(fake, name):
    fake.state.delay = 1.5
    started = datetime.now(UTC)
    with pytest.raises(MeetingError) as failed:
        _provider(fake, name, timeout_seconds="1").create(REQUEST)
    assert failed.value.code == "unavailable" and failed.value.detail == "timeout"
    assert datetime.now(UTC) - started < timedelta(seconds=5)


def test_an_unreachable_provider_is_unavailable():
    provider = HTTP_PROVIDERS["zoom"](
        {"account_id": "a", "client_id": "b", "oauth_url": "http://127.0.0.1:9"},
        {"client_secret": "c"},
    )
    with pytest.raises(MeetingError) as failed:
        provider.create(REQUEST)
    assert failed.value.code == "unavailable"


@pytest.mark.parametrize("name", sorted(HTTP_PROVIDERS))
def test_missing_credentials_are_refused_before_any_request(name):
    with pytest.raises(MeetingError) as failed:
        HTTP_PROVIDERS[name]({}, {})
    assert failed.value.code == "not_configured"
