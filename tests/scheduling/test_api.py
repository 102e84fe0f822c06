"""The scheduling API: staff endpoints with bearer tokens, and the candidate's public link API."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import select

from hireflow.core.db import utcnow
from hireflow.scheduling import messages
from hireflow.scheduling.models import BusyBlock, Invitation
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.sending import process_batch
from tests.conftest import bearer
from tests.scheduling.factories import make_candidate, make_hiring

DATA = Path(__file__).parent / "data"


def _send(client, session, db, settings, hiring, **extra):
    headers = bearer(client, hiring.owner)
    body = {
        "opening_id": hiring.opening.id,
        "candidate_ids": [c.id for c in hiring.candidates],
        "kind": "live",
        **extra,
    }
    response = client.post("/api/v1/invitations", json=body, headers=headers)
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["total"] == len(hiring.candidates) and batch["queued"] == batch["total"]
    process_batch(db, batch["id"], settings)
    session.expire_all()
    return headers, list(
        session.scalars(
            select(Invitation).where(Invitation.batch_id == batch["id"]).order_by(Invitation.id)
        )
    )


def test_invite_progress_and_batch_status(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    headers, invitations = _send(client, session, db, settings, hiring)
    batch = client.get(f"/api/v1/invitation-batches/{invitations[0].batch_id}", headers=headers)
    assert batch.json()["status"] == "done" and batch.json()["sent"] == 2
    progress = client.get(
        f"/api/v1/scheduling/openings/{hiring.opening.id}/progress", headers=headers
    ).json()
    assert progress["counts"]["invited"] == 2
    assert {i["delivery"] for i in progress["invitations"]} == {"queued"}
    one = client.get(f"/api/v1/invitations/{invitations[0].id}", headers=headers).json()
    assert one["kind"] == "live" and one["deadline"]
    preview = client.post(
        "/api/v1/invitations/preview",
        json={
            "opening_id": hiring.opening.id,
            "candidate_ids": [hiring.candidates[0].id],
            "kind": "ai",
        },
        headers=headers,
    ).json()
    assert preview["count"] == 1 and preview["samples"][0]["subject"]


def test_bad_input_gets_clear_errors(client, session, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    headers = bearer(client, hiring.owner)
    naive = client.post(
        "/api/v1/invitations",
        json={
            "opening_id": hiring.opening.id,
            "candidate_ids": [hiring.candidates[0].id],
            "deadline": "2030-01-01T10:00:00",
        },
        headers=headers,
    )
    assert naive.status_code == 422 and "deadline" in naive.json()["error"]["fields"]
    past = client.post(
        "/api/v1/invitations",
        json={
            "opening_id": hiring.opening.id,
            "candidate_ids": [hiring.candidates[0].id],
            "deadline": "2020-01-01T10:00:00+00:00",
        },
        headers=headers,
    )
    assert past.status_code == 422
    hr = bearer(client, org.users["hr_admin"])
    zone = client.put(
        f"/api/v1/availability/{org.users['interviewer'].id}",
        json={"timezone": "Mars/Olympus", "working_hours": []},
        headers=hr,
    )
    assert zone.status_code == 422 and "timezone" in zone.json()["error"]["fields"]
    hours = client.put(
        f"/api/v1/availability/{org.users['interviewer'].id}",
        json={
            "timezone": "Europe/Berlin",
            "working_hours": [{"weekday": 0, "start": "25:00", "end": "10:00"}],
        },
        headers=hr,
    )
    assert hours.status_code == 422
    same = client.put(
        f"/api/v1/availability/{org.users['interviewer'].id}",
        json={
            "timezone": "Europe/Berlin",
            "working_hours": [{"weekday": 0, "start": "10:00", "end": "10:00"}],
        },
        headers=hr,
    )
    assert same.status_code == 422 and same.json()["error"]["code"] == "invalid_working_hours"
    busy = client.post(
        f"/api/v1/availability/{org.users['interviewer'].id}/busy",
        json={"start": "2020-01-01T10:00:00+00:00", "end": "2020-01-01T11:00:00+00:00"},
        headers=hr,
    )
    assert busy.status_code == 422
    ics = client.post(
        f"/api/v1/availability/{org.users['interviewer'].id}/calendar",
        json={"ics": "this is not a calendar"},
        headers=hr,
    )
    assert ics.status_code == 422 and ics.json()["error"]["code"] == "invalid_ics"


def test_interviewers_manage_only_their_own_availability(client, session, org):
    interviewer = org.users["interviewer"]
    headers = bearer(client, interviewer)
    own = client.put(
        f"/api/v1/availability/{interviewer.id}",
        json={
            "timezone": "Europe/Berlin",
            "working_hours": [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(5)],
            "holidays": ["2030-12-24"],
            "max_per_day": 2,
        },
        headers=headers,
    )
    assert own.status_code == 200, own.text
    assert own.json()["working_hours"][0]["start"] == "08:00" and not own.json()["is_default"]
    other = client.get(f"/api/v1/availability/{org.users['recruiter'].id}", headers=headers)
    assert other.status_code == 404
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    block = client.post(
        f"/api/v1/availability/{interviewer.id}/busy",
        json={
            "start": start.isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
            "label": "dentist",
        },
        headers=headers,
    )
    assert block.status_code == 201
    assert (
        client.delete(
            f"/api/v1/availability/busy/{block.json()['id']}", headers=headers
        ).status_code
        == 204
    )


class _Calendar(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_calendar_import_from_a_url_keeps_only_times_and_the_url_encrypted(client, session, org):
    now = utcnow()
    stamp = (now + timedelta(days=2)).strftime("%Y%m%d")
    _Calendar.body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART:{stamp}T090000Z\r\nDTEND:{stamp}T100000Z\r\nSUMMARY:Secret board meeting\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Calendar)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        headers = bearer(client, org.users["interviewer"])
        url = f"http://127.0.0.1:{server.server_address[1]}/private-token-abc/basic.ics"
        result = client.post(
            f"/api/v1/availability/{org.users['interviewer'].id}/calendar",
            json={"url": url},
            headers=headers,
        )
        assert result.status_code == 200, result.text
        assert result.json() == {"blocks": 1}
    finally:
        server.shutdown()
    blocks = session.scalars(
        select(BusyBlock).where(BusyBlock.user_id == org.users["interviewer"].id)
    ).all()
    assert [(b.start.hour, b.end.hour, b.label) for b in blocks] == [(9, 10, "")]
    view = client.get(f"/api/v1/availability/{org.users['interviewer'].id}", headers=headers).json()
    assert view["calendar_url_set"] is True
    from hireflow.scheduling.models import AvailabilityProfile

    profile = session.scalars(
        select(AvailabilityProfile).where(
            AvailabilityProfile.user_id == org.users["interviewer"].id
        )
    ).one()
    assert (
        profile.calendar_url_token.startswith("hf1.")
        and "private-token" not in profile.calendar_url_token
    )


def _token(session, settings, inv):
    return messages.link_token(settings, inv, policy_for(session, inv.tenant_id))


def test_public_link_api_end_to_end(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    _headers, (a, b) = _send(client, session, db, settings, hiring)
    token = _token(session, settings, a)
    anonymous = client.get(f"/api/v1/links/{token}")
    assert anonymous.status_code == 200
    assert anonymous.json()["verified"] is False and anonymous.json()["candidate_name"] == ""
    assert anonymous.json()["identity_method"] == "code"
    assert client.get(f"/api/v1/links/{token}/slots").status_code == 403
    assert client.post(f"/api/v1/links/{token}/code").json() == {"sent": 1}
    from hireflow.notifications.models import OutboxMessage

    code_mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "identity_code", OutboxMessage.related_id == a.id
        )
    ).one()
    import re

    code = re.search(r"\b(\d{6})\b", code_mail.body_text).group(1)
    wrong = client.post(
        f"/api/v1/links/{token}/verify", json={"answer": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "identity_wrong"
    verified = client.post(f"/api/v1/links/{token}/verify", json={"answer": code})
    access = {"X-Link-Access": verified.json()["access"]}
    info = client.get(f"/api/v1/links/{token}", headers=access).json()
    assert info["verified"] and info["candidate_name"] == hiring.candidates[0].name
    # A's access value opens nothing of B's
    token_b = _token(session, settings, b)
    assert client.get(f"/api/v1/links/{token_b}/slots", headers=access).status_code == 403
    b_info = client.get(f"/api/v1/links/{token_b}", headers=access).json()
    assert b_info["verified"] is False and hiring.candidates[0].name not in str(b_info)

    slots = client.get(f"/api/v1/links/{token}/slots", headers=access).json()
    assert slots["timezone"] == a.timezone and slots["slots"]
    first = slots["slots"][0]
    booked = client.post(
        f"/api/v1/links/{token}/booking", json={"start": first["start"]}, headers=access
    )
    assert booked.status_code == 201, booked.text
    # B cannot take the same time: 409 with alternatives in B's zone
    verified_b = None
    session.refresh(b)
    b.verified_at = utcnow()
    session.commit()
    from hireflow.scheduling import candidate_link

    verified_b = {"X-Link-Access": candidate_link.access_value(settings, b)}
    clash = client.post(
        f"/api/v1/links/{token_b}/booking", json={"start": first["start"]}, headers=verified_b
    )
    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["code"] == "slot_unavailable" and error["alternatives"]
    assert all(alt["start"] != first["start"] for alt in error["alternatives"])
    # slots in the past and naive times are refused clearly
    past = client.post(
        f"/api/v1/links/{token_b}/booking",
        json={"start": "2020-01-01T10:00:00+00:00"},
        headers=verified_b,
    )
    assert past.status_code == 422
    naive = client.post(
        f"/api/v1/links/{token_b}/booking",
        json={"start": "2030-01-01T10:00:00"},
        headers=verified_b,
    )
    assert naive.status_code == 422
    # stated availability with an invalid zone
    bad_zone = client.put(
        f"/api/v1/links/{token}/availability",
        json={"timezone": "Nowhere/Land", "windows": []},
        headers=access,
    )
    assert bad_zone.status_code == 422
    assert client.delete(f"/api/v1/links/{token}/booking", headers=access).status_code == 204


def test_expired_and_tampered_links(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    _headers, (inv,) = _send(client, session, db, settings, hiring, kind="ai")
    token = _token(session, settings, inv)
    # A character inside the payload (the last one of a base64 text may only carry padding).
    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert client.get(f"/api/v1/links/{tampered}").status_code == 404
    assert client.get("/api/v1/links/not-a-token").status_code == 404
    inv.deadline = utcnow() - timedelta(minutes=1)
    session.commit()
    expired_token = _token(session, settings, inv)
    gone = client.get(f"/api/v1/links/{expired_token}")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "link_expired"


def test_staff_booking_auto_assign_and_cancel(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=3)
    headers, invitations = _send(client, session, db, settings, hiring)
    slots = client.get(f"/api/v1/invitations/{invitations[0].id}/slots", headers=headers).json()[
        "slots"
    ]
    booked = client.post(
        f"/api/v1/invitations/{invitations[0].id}/booking",
        json={"start": slots[0]["start"]},
        headers=headers,
    )
    assert booked.status_code == 201
    # two other candidates state availability; auto-assign books both without overlap
    for inv in invitations[1:]:
        session.refresh(inv)
        inv.verified_at = utcnow()
        session.commit()
        from hireflow.scheduling import candidate_link, schemas

        # A day the interviewers work, as the slots offered say: a fixed offset from today
        # lands on a weekend on some days of the week.
        day = (
            datetime.fromisoformat(slots[-1]["start"])
            .astimezone(__import__("zoneinfo").ZoneInfo(inv.timezone))
            .date()
        )
        candidate_link.save_availability(
            session,
            inv,
            schemas.CandidateAvailabilityIn(
                timezone=inv.timezone,
                windows=[{"start": f"{day}T00:00", "end": f"{day}T23:59"}],
            ),
        )
    result = client.post(
        f"/api/v1/scheduling/openings/{hiring.opening.id}/auto-assign", headers=headers
    )
    assert result.status_code == 200, result.text
    placed = result.json()["placed"]
    assert len(placed) == 2 and placed[0]["start"] != placed[1]["start"]
    progress = client.get(
        f"/api/v1/scheduling/openings/{hiring.opening.id}/progress", headers=headers
    ).json()
    assert progress["counts"]["booked"] == 3
    assert (
        client.delete(
            f"/api/v1/invitations/{invitations[0].id}/booking", headers=headers
        ).status_code
        == 204
    )
    cancel = client.post(f"/api/v1/invitations/{invitations[1].id}/cancel", headers=headers)
    assert cancel.json()["status"] == "cancelled" and cancel.json()["booking"] is None


def test_unreachable_candidates_are_reported_not_lost(client, session, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    bad = make_candidate(session, org, hiring.opening, email="nobody@", phone="+86 123")
    session.commit()
    headers = bearer(client, hiring.owner)
    response = client.post(
        "/api/v1/invitations",
        json={"opening_id": hiring.opening.id, "candidate_ids": [hiring.candidates[0].id, bad.id]},
        headers=headers,
    )
    assert response.status_code == 202
    assert [(s["candidate_id"], s["reason"]) for s in response.json()["skipped"]] == [
        (bad.id, "unreachable")
    ]
    only_bad = client.post(
        "/api/v1/invitations",
        json={"opening_id": hiring.opening.id, "candidate_ids": [bad.id]},
        headers=headers,
    )
    assert only_bad.status_code == 422
