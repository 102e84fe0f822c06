"""The live pages over HTTP: the room list, opening a room by the form, HR's room with the
assistant, the candidate's room by link, and the company's voice-observation switch."""

from __future__ import annotations

import re

from hireflow.live.models import LiveRoom, LiveSettings
from tests.conftest import login
from tests.live.factories import make_room, token_of
from tests.workflow.factories import apply, make_opening


def _csrf(client) -> str:
    return client.headers["X-CSRF-Token"]


def test_hr_opens_a_room_from_the_list_and_sees_the_assistant(session, org, client):
    opening = make_opening(session, org)
    application = apply(session, org, opening, name="李娜")
    session.commit()
    login(client, org.users["hr_admin"])
    page = client.get("/live")
    assert page.status_code == 200 and "李娜" in page.text
    response = client.post(
        "/live/rooms",
        data={"application_id": application.id, "mode": "webrtc", "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    room_id = int(re.search(r"/live/rooms/(\d+)", response.headers["location"]).group(1))
    room = session.get(LiveRoom, room_id)
    assert room.application_id == application.id
    hr = org.users["hr_admin"]
    for language, words in (("en", "Interview plan"), ("zh-CN", "面试方案")):
        hr.language = language
        session.commit()
        page = client.get(f"/live/rooms/{room_id}")
        assert page.status_code == 200
        assert words in page.text and "/live/join/" in page.text
    bad = client.post(
        "/live/rooms",
        data={"application_id": "abc", "mode": "webrtc", "csrf_token": _csrf(client)},
    )
    assert bad.status_code == 422


def test_the_candidate_page_opens_by_link_only(session, org, client):
    room = make_room(session, org)
    page = client.get(f"/live/join/{token_of(room)}")
    assert page.status_code == 200 and 'data-side="candidate"' in page.text
    assert "Interview plan" not in page.text and "面试方案" not in page.text
    assert client.get(f"/live/join/{token_of(room)}x").status_code == 404


def test_voice_observations_can_be_switched_off_per_company(session, org, client):
    login(client, org.users["hr_admin"])
    response = client.post(
        "/live/settings", data={"csrf_token": _csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    session.expire_all()
    assert (
        session.query(LiveSettings).filter_by(tenant_id=org.tenant.id).one().voice_observations
        is False
    )
    assert make_room(session, org).voice_observations is False
    login(client, org.users["recruiter"])
    assert client.post("/live/settings", data={"csrf_token": _csrf(client)}).status_code == 403
