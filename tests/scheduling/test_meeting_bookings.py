"""Bookings with a generated meeting link: made by the worker after commit, stored with the
booking, put into the invitations (ICS LOCATION/URL and the messages), cancelled with the
booking; a failing provider never loses the booking and HR sees why."""

from __future__ import annotations

import base64

import icalendar
import pytest
from sqlalchemy import select, text

from hireflow.core.permissions import Role
from hireflow.live.models import LiveRoom
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.scheduling import schemas
from hireflow.scheduling.bookings import book, cancel_booking
from hireflow.scheduling.meetings import service as meetings
from hireflow.scheduling.meetings.settings import save_meeting_settings
from hireflow.scheduling.models import Booking, Invitation
from hireflow.scheduling.slot_search import offered_slots
from tests.conftest import bearer, login
from tests.scheduling.factories import make_hiring
from tests.scheduling.meeting_fakes import FakeMeetingServer
from tests.scheduling.test_service import _sent


@pytest.fixture
def fake():
    with FakeMeetingServer() as server:
        yield server


def configure(session, org, name, fake=None):
    config, secret = fake.config(name) if fake else ({}, {})
    save_meeting_settings(
        session,
        principal_for(org.users["hr_admin"]),
        schemas.MeetingSettingsIn(provider=name, config=config, secrets=secret),
    )


def worker(queue, db, settings) -> list:
    """Run the meeting tasks the code under test queued, as the worker would, in order."""
    done = []
    while any(name.startswith("scheduling.") and "meeting" in name for name in queue.names()):
        index = next(i for i, (n, _) in enumerate(queue.sent) if "meeting" in n)
        name, args = queue.sent.pop(index)
        if name == "scheduling.provide_meeting":
            done.append(meetings.provide_meeting(db, settings, *args))
        else:
            done.append(meetings.cancel_meeting(db, settings, *args))
    return done


def _messages(session, booking_id, kind):
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.related_type == "booking",
                OutboxMessage.related_id == booking_id,
                OutboxMessage.kind == kind,
            )
            .order_by(OutboxMessage.id)
        )
    )


def _event(message):
    ics = icalendar.Calendar.from_ical(base64.b64decode(message.attachments[0]["content_b64"]))
    return next(iter(ics.walk("VEVENT")))


def test_a_generated_zoom_link_goes_into_every_invitation(session, db, settings, org, fake, queue):
    configure(session, org, "zoom", fake)
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    # the request did not wait for Zoom: the slot is held, the invitations wait for the link
    assert booking.status == "active" and booking.meeting_status == "pending"
    assert not _messages(session, booking.id, "invitation_live")
    assert not fake.state.received
    assert worker(queue, db, settings) == ["ready"]
    session.expire_all()
    booking = session.get(Booking, booking.id)
    join = "https://us05web.zoom.us/j/85746065432?pwd=abc"
    assert (booking.meeting_provider, booking.meeting_url, booking.meeting_code) == (
        "zoom",
        join,
        "85746065432",
    )
    (to_candidate,) = _messages(session, booking.id, "invitation_live")
    assert join in to_candidate.body_text
    event = _event(to_candidate)
    assert str(event["LOCATION"]) == join and str(event["URL"]) == join
    assert "85746065432" in str(event["DESCRIPTION"]) and "a1b2c3" in str(event["DESCRIPTION"])
    for notice in _messages(session, booking.id, "interviewer_notice"):
        assert str(_event(notice)["URL"]) == join
    # the join link and password are stored encrypted
    raw = session.execute(
        text("SELECT meeting_url, meeting_password FROM bookings WHERE id = :id"),
        {"id": booking.id},
    ).one()
    assert join not in raw[0] and raw[0].startswith("hf") and "a1b2c3" not in raw[1]


def test_moving_makes_a_new_meeting_and_cancelling_deletes_it(
    session, db, settings, org, fake, queue
):
    configure(session, org, "zoom", fake)
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    booking = book(session, inv, slots[0].start, settings, actor=None)
    worker(queue, db, settings)
    book(session, inv, slots[-1].start, settings, actor=None)
    assert worker(queue, db, settings) == ["ready", True]
    assert fake.state.paths("DELETE") == ["/v2/meetings/85746065432"]
    session.expire_all()
    moved = session.get(Booking, booking.id)
    (update,) = [m for m in _messages(session, booking.id, "invitation_live") if m.id][1:]
    assert moved.meeting_url in update.body_text and int(_event(update)["SEQUENCE"]) == 1
    cancel_booking(session, session.get(Invitation, inv.id), settings, actor=None)
    assert worker(queue, db, settings) == [True]
    assert len(fake.state.paths("DELETE")) == 2
    session.expire_all()
    assert session.get(Booking, booking.id).meeting_status == "cancelled"


def test_a_task_for_a_moved_booking_does_nothing(session, db, settings, org, fake, queue):
    configure(session, org, "tencent", fake)
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    slots = offered_slots(session, inv)
    booking = book(session, inv, slots[0].start, settings, actor=None)
    book(session, inv, slots[-1].start, settings, actor=None)  # moved before the worker ran
    assert worker(queue, db, settings) == ["stale", "ready"]
    assert fake.state.paths("POST") == ["/v1/meetings"], "one meeting, for the time that holds"
    messages = _messages(session, booking.id, "invitation_live")
    assert len(messages) == 1 and int(_event(messages[0])["SEQUENCE"]) == 1


@pytest.mark.parametrize(("status", "code"), [(401, "auth"), (429, "rate_limited"), (500, None)])
def test_a_failing_provider_falls_back_and_hr_sees_why(
    client, session, db, settings, org, fake, queue, status, code
):
    configure(session, org, "teams", fake)
    policy_row = session.scalars(
        select(meetings.SchedulingPolicy).where(
            meetings.SchedulingPolicy.tenant_id == org.tenant.id
        )
    ).one()
    policy_row.meeting_url_template = "https://meet.example.com/{booking}"
    session.commit()
    fake.state.fail["/v1.0/users"] = (status, {"error": {"code": "x", "message": "no"}})
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    assert worker(queue, db, settings) == ["failed"]
    session.expire_all()
    booking = session.get(Booking, booking.id)
    assert booking.status == "active" and booking.meeting_status == "failed"
    assert booking.meeting_error.startswith(code or "unavailable")
    (to_candidate,) = _messages(session, booking.id, "invitation_live")
    assert "https://meet.example.com/hf-" in str(_event(to_candidate)["URL"])
    login(client, org.users["hr_admin"])
    page = client.get(f"/scheduling/invitations/{inv.id}")
    assert 'id="booking-meeting"' in page.text and f"HTTP {status}" in page.text


def test_a_pasted_link_wins_and_goes_out_at_once(session, db, settings, org, fake, queue):
    configure(session, org, "feishu", fake)
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring, meeting_url="https://meeting.tencent.com/dm/own")
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    assert booking.meeting_status == "" and "scheduling.provide_meeting" not in queue.names()
    (to_candidate,) = _messages(session, booking.id, "invitation_live")
    assert str(_event(to_candidate)["URL"]) == "https://meeting.tencent.com/dm/own"
    assert not fake.state.received


def test_missing_credentials_at_booking_time_fall_back(session, db, settings, org, queue):
    policy = meetings.policy_for(session, org.tenant.id)
    session.add(policy)
    policy.meeting_provider = "zoom"  # chosen, e.g. before its secret was removed
    session.commit()
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    assert worker(queue, db, settings) == ["failed"]
    session.expire_all()
    assert session.get(Booking, booking.id).meeting_error.startswith("not_configured")
    assert _messages(session, booking.id, "invitation_live")


def test_the_live_room_opens_for_the_booking(client, session, db, settings, org, queue):
    configure(session, org, "hireflow_live")
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _sent(session, db, settings, hiring)
    booking = book(session, inv, offered_slots(session, inv)[0].start, settings, actor=None)
    assert worker(queue, db, settings) == ["ready"]
    session.expire_all()
    booking = session.get(Booking, booking.id)
    room = session.scalars(select(LiveRoom).where(LiveRoom.invitation_id == inv.id)).one()
    assert booking.meeting_external_id == str(room.id)
    assert booking.meeting_host_url.endswith(f"/live/rooms/{room.id}")
    candidate_link = booking.meeting_url
    assert "/live/join/" in candidate_link
    (to_candidate,) = _messages(session, booking.id, "invitation_live")
    assert candidate_link in to_candidate.body_text
    # the panel's invitations carry the staff page, never the candidate's own link
    for notice in _messages(session, booking.id, "interviewer_notice"):
        assert candidate_link not in notice.body_text
        assert str(_event(notice)["URL"]) == booking.meeting_host_url
    path = "/" + candidate_link.split("/", 3)[3]
    assert client.get(path).status_code == 200, "the candidate's link opens the room"
    login(client, hiring.interviewers[0])
    assert client.get(f"/live/rooms/{room.id}").status_code == 200
    # moving keeps the room; cancelling makes the candidate's link stop working
    book(session, inv, offered_slots(session, inv)[-1].start, settings, actor=None)
    assert worker(queue, db, settings) == ["ready"]
    assert session.scalars(select(LiveRoom).where(LiveRoom.invitation_id == inv.id)).all() == [room]
    cancel_booking(session, session.get(Invitation, inv.id), settings, actor=None)
    assert worker(queue, db, settings) == [True]
    client.cookies.clear()
    assert client.get(path).status_code == 404


def test_settings_api_checks_role_tenant_and_input(client, session, org, fake, make_org_fixture):
    admin = bearer(client, org.users["hr_admin"])
    config, secret = fake.config("zoom")
    put = client.put(
        "/api/v1/scheduling/meetings",
        json={"provider": "zoom", "config": config, "secrets": secret},
        headers=admin,
    )
    assert put.status_code == 200, put.text
    assert secret["client_secret"] not in put.text
    zoom = next(p for p in put.json()["providers"] if p["name"] == "zoom")
    assert zoom["secrets_set"] == ["client_secret"] and zoom["config"]["client_id"] == "zoom-client"
    # a blank secret keeps the stored one
    keep = client.put(
        "/api/v1/scheduling/meetings",
        json={"provider": "zoom", "config": config, "secrets": {"client_secret": ""}},
        headers=admin,
    )
    assert keep.status_code == 200 and secret["client_secret"] not in keep.text
    unknown = client.put("/api/v1/scheduling/meetings", json={"provider": "webex"}, headers=admin)
    assert unknown.status_code == 422
    missing = client.put(
        "/api/v1/scheduling/meetings",
        json={"provider": "teams", "config": {"tenant": "x"}},
        headers=admin,
    )
    assert missing.status_code == 422 and "client_secret" in missing.text
    bad_url = client.put(
        "/api/v1/scheduling/meetings",
        json={"provider": "zoom", "config": {**config, "base_url": "ftp://x"}},
        headers=admin,
    )
    assert bad_url.status_code == 422
    odd = client.put(
        "/api/v1/scheduling/meetings",
        json={"provider": "zoom", "config": {**config, "password": "x"}},
        headers=admin,
    )
    assert odd.status_code == 422
    for config_bad in ({**config, "client_id": "a\x00b"}, {**config, "timeout_seconds": "²"}):
        refused = client.put(
            "/api/v1/scheduling/meetings",
            json={"provider": "zoom", "config": config_bad},
            headers=admin,
        )
        assert refused.status_code == 422, refused.text
    for role in (Role.RECRUITER, Role.INTERVIEWER, Role.IT_AUDITOR):
        headers = bearer(client, org.users[role.value])
        assert client.get("/api/v1/scheduling/meetings", headers=headers).status_code == 403
        assert (
            client.put(
                "/api/v1/scheduling/meetings", json={"provider": "pasted"}, headers=headers
            ).status_code
            == 403
        )
    other = make_org_fixture()
    theirs = client.get(
        "/api/v1/scheduling/meetings", headers=bearer(client, other.users["hr_admin"])
    ).json()
    assert theirs["provider"] == "pasted"
    assert all(not p["secrets_set"] and not p["config"] for p in theirs["providers"])
    mine = client.get("/api/v1/scheduling/meetings", headers=admin).json()
    assert mine["provider"] == "zoom"


def test_settings_page_saves_provider_without_showing_secrets(client, session, org, fake):
    login(client, org.users["hr_admin"])
    csrf = client.headers["X-CSRF-Token"]
    config, secret = fake.config("tencent")
    form = {"csrf_token": csrf, "provider": "tencent"}
    form |= {f"tencent.{k}": v for k, v in config.items()}
    saved = client.post(
        "/scheduling/settings/meetings",
        data={**form, "tencent.secret.secret_key": secret["secret_key"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = client.get("/scheduling/settings")
    assert page.status_code == 200 and secret["secret_key"] not in page.text
    assert 'id="meetings"' in page.text and config["secret_id"] in page.text
    missing = client.post(
        "/scheduling/settings/meetings",
        data={"csrf_token": csrf, "provider": "feishu", "feishu.app_id": "cli_x"},
    )
    assert missing.status_code == 422 and "app_secret" in missing.text
    assert 'value="cli_x"' in missing.text, "what was typed (not a secret) is shown again"
    unknown = client.post(
        "/scheduling/settings/meetings", data={"csrf_token": csrf, "provider": "webex"}
    )
    assert unknown.status_code == 422
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["recruiter"])
    refused = client.post(
        "/scheduling/settings/meetings",
        data={"csrf_token": client.headers["X-CSRF-Token"], "provider": "pasted"},
    )
    assert refused.status_code == 403
