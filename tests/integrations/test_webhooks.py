"""Signed webhooks against a real local receiver: signatures, retries with back-off, failure
and replay, order per subject, secret rotation, and refusals of bad input."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from hireflow.core import events
from hireflow.core.db import utcnow
from hireflow.integrations import delivery, signing
from hireflow.integrations.models import WebhookDelivery
from tests.conftest import bearer, make_org
from tests.integrations.conftest import drain


def _allow_local(client, headers) -> None:
    answer = client.put(
        "/api/v1/integrations/settings", json={"allow_private_addresses": True}, headers=headers
    )
    assert answer.status_code == 200, answer.text


def _endpoint(client, headers, url, events_=("*",)) -> dict:
    answer = client.post(
        "/api/v1/webhooks/endpoints",
        json={"url": url, "events": list(events_), "description": "HRIS"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _publish(session, org, name="candidate.created", subject="candidate:7", **data):
    data = data or {"candidate_id": 7, "opening_id": 3, "source": "upload"}
    event = events.publish(session, name, org.tenant.id, subject, data)
    session.commit()
    return event


def _rows(session, **where):
    stmt = select(WebhookDelivery).filter_by(**where).order_by(WebhookDelivery.id)
    return list(session.scalars(stmt.execution_options(populate_existing=True)))


def test_an_event_reaches_the_receiver_signed(client, org, session, db, receiver):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url, ["candidate.created"])
    assert made["secret"].startswith("whsec_")
    receiver.secrets = [made["secret"]]
    event = _publish(session, org)
    _publish(session, org, "stage.changed", "application:1", application_id=1, opening_id=3)
    rows = _rows(session, endpoint_id=made["id"])
    assert [r.event for r in rows] == ["candidate.created"]  # not subscribed to stage.changed
    drain(db)
    assert len(receiver.received) == 1 and receiver.refused == 0
    got = receiver.received[0]
    assert got.event_id == event.id and got.event == "candidate.created"
    assert got.body["id"] == event.id and got.body["subject"] == "candidate:7"
    assert got.body["data"] == {"candidate_id": 7, "opening_id": 3, "source": "upload"}
    assert got.headers[signing.DELIVERY_HEADER] == str(rows[0].id)
    row = _rows(session, id=rows[0].id)[0]
    assert row.status == "delivered" and row.attempts == 1 and row.last_status == 204


def test_an_event_of_a_rolled_back_transaction_is_never_sent(client, org, session, receiver):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    events.publish(session, "candidate.created", org.tenant.id, "candidate:9", {"candidate_id": 9})
    session.rollback()
    assert _rows(session, endpoint_id=made["id"]) == []


def test_a_receiver_that_is_down_is_retried_with_back_off(client, org, session, db, receiver):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    receiver.failing = 2
    _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    now = utcnow()
    first = delivery.attempt(db, row.id, now)
    assert first.status == "retry" and first.retry_in == 10
    assert delivery.due(db, now + timedelta(seconds=5)) == []  # still backing off
    second = delivery.attempt(db, row.id, now + timedelta(seconds=11))
    assert second.status == "retry" and second.retry_in == 20
    drain(db, now + timedelta(seconds=40))
    row = _rows(session, id=row.id)[0]
    assert row.status == "delivered" and row.attempts == 3
    assert len(receiver.received) == 1


def test_a_dead_receiver_fails_after_the_last_attempt_and_replay_sends_again(
    client, org, session, db, receiver
):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    receiver.stop()  # connection refused from now on
    event = _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    now = utcnow()
    for n in range(delivery.MAX_ATTEMPTS):
        outcome = delivery.attempt(db, row.id, now)
        now += delivery.backoff(n + 1)
    assert outcome.status == "failed"
    row = _rows(session, id=row.id)[0]
    assert row.status == "failed" and row.attempts == delivery.MAX_ATTEMPTS
    assert row.last_error == "ConnectError" and receiver.url not in row.last_error
    log = client.get(
        f"/api/v1/webhooks/deliveries?status=failed&endpoint_id={made['id']}", headers=admin
    )
    assert log.status_code == 200 and log.json()["total"] == 1

    receiver.start()  # back on the same port
    replayed = client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=admin)
    assert replayed.status_code == 201, replayed.text
    assert replayed.json()["replay_of_id"] == row.id
    drain(db)
    assert [r.event_id for r in receiver.received] == [event.id]
    assert _rows(session, id=replayed.json()["id"])[0].status == "delivered"
    # A pending delivery cannot be replayed (it would overtake itself).
    _publish(session, org, subject="candidate:8", candidate_id=8)
    pending = _rows(session, endpoint_id=made["id"], status="pending")[0]
    again = client.post(f"/api/v1/webhooks/deliveries/{pending.id}/replay", headers=admin)
    assert again.status_code == 409


def test_a_later_event_for_the_same_subject_waits_for_the_earlier(
    client, org, session, db, receiver
):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    receiver.failing = 1
    first = _publish(session, org, "stage.changed", "application:5", application_id=5, to="a")
    second = _publish(session, org, "stage.changed", "application:5", application_id=5, to="b")
    other = _publish(session, org, "stage.changed", "application:6", application_id=6, to="a")
    rows = _rows(session, endpoint_id=made["id"])
    now = utcnow()
    assert delivery.attempt(db, rows[0].id, now).status == "retry"
    # The second waits behind the first; another subject does not.
    assert delivery.attempt(db, rows[1].id, now).status == "blocked"
    assert delivery.due(db, now) == [rows[2].id]
    assert delivery.attempt(db, rows[2].id, now).status == "delivered"
    later = now + timedelta(seconds=11)
    settled = delivery.attempt(db, rows[0].id, later)
    assert settled.status == "delivered" and settled.next_in_line == rows[1].id
    assert delivery.attempt(db, rows[1].id, later).status == "delivered"
    assert [r.event_id for r in receiver.received] == [other.id, first.id, second.id]


def test_a_rotated_secret_signs_beside_the_old_one_during_the_grace_period(
    client, org, session, db, receiver
):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    rotated = client.post(
        f"/api/v1/webhooks/endpoints/{made['id']}/rotate", json={"grace_hours": 2}, headers=admin
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != made["secret"] and rotated.json()["previous_secret_until"] is not None
    receiver.secrets = [made["secret"], new]
    _publish(session, org)
    drain(db)
    assert receiver.received[0].valid_with == [made["secret"], new]
    header = receiver.received[0].headers[signing.SIGNATURE_HEADER]
    assert header.count("v1=") == 2
    # After the grace period only the new secret signs.
    _publish(session, org, subject="candidate:8", candidate_id=8)
    drain(db, utcnow() + timedelta(hours=3))
    assert receiver.received[1].valid_with == [new]
    # Rotating without grace drops the old secret at once.
    now_only = client.post(
        f"/api/v1/webhooks/endpoints/{made['id']}/rotate", json={"grace_hours": 0}, headers=admin
    ).json()
    assert now_only["previous_secret_until"] is None


def test_tampered_or_stale_signatures_do_not_verify():
    body = json.dumps({"id": "e1", "type": "candidate.created"}).encode()
    secret = signing.new_secret()
    now = 1_800_000_000
    header = signing.signature_header([secret], now, body)
    assert signing.verify(secret, header, body, now=now)
    assert not signing.verify(secret, header, body.replace(b"e1", b"e2"), now=now)
    assert not signing.verify(signing.new_secret(), header, body, now=now)
    assert not signing.verify(secret, header, body, now=now + 301)  # a replayed capture
    forged_time = header.replace(f"t={now}", f"t={now + 5}")
    assert not signing.verify(secret, forged_time, body, now=now)
    for broken in ("", "t=abc,v1=00", f"t={now}", "v1=" + "0" * 64, f"t={now},v1="):
        assert not signing.verify(secret, broken, body, now=now)


def test_bad_urls_and_unknown_events_are_refused(client, org):
    admin = bearer(client, org.users["hr_admin"])
    cases = {
        "ftp://example.com/hook": "scheme",
        "file:///etc/passwd": "scheme",
        "http://user:pw@example.com/hook": "credentials",
        "http://127.0.0.1:18400/hook": "private",
        "http://169.254.169.254/latest/meta-data": "private",
        "http://[::1]:8080/hook": "private",
        "http://10.0.0.8/hook": "private",
        "https://host.invalid/hook": "unresolvable",
        "http://exa mple.com:99999/hook": "malformed",
    }
    for url, code in cases.items():
        answer = client.post(
            "/api/v1/webhooks/endpoints", json={"url": url, "events": ["*"]}, headers=admin
        )
        assert answer.status_code == 422, url
        assert answer.json()["error"]["fields"] == {"url": code}, (url, answer.text)
    for events_ in (["candidate.deleted"], [], ["*", "nope"]):
        answer = client.post(
            "/api/v1/webhooks/endpoints",
            json={"url": "https://example.com/hook", "events": events_},
            headers=admin,
        )
        assert answer.status_code == 422, events_
    # Allowing private addresses still refuses other schemes.
    _allow_local(client, admin)
    answer = client.post(
        "/api/v1/webhooks/endpoints",
        json={"url": "gopher://127.0.0.1/x", "events": ["*"]},
        headers=admin,
    )
    assert answer.status_code == 422


def test_a_delivery_rechecks_the_address_before_sending(client, org, session, db, receiver):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    client.put(
        "/api/v1/integrations/settings", json={"allow_private_addresses": False}, headers=admin
    )
    _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    assert delivery.attempt(db, row.id).status == "retry"
    assert _rows(session, id=row.id)[0].last_error == "address_private"
    assert receiver.received == []


def test_other_companies_and_other_roles_see_nothing(client, org, session, receiver):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    other = make_org(session)
    stranger = bearer(client, other.users["hr_admin"])
    for method, path in (
        ("GET", f"/api/v1/webhooks/endpoints/{made['id']}"),
        ("PUT", f"/api/v1/webhooks/endpoints/{made['id']}"),
        ("DELETE", f"/api/v1/webhooks/endpoints/{made['id']}"),
        ("POST", f"/api/v1/webhooks/endpoints/{made['id']}/rotate"),
        ("GET", f"/api/v1/webhooks/deliveries/{row.id}"),
        ("POST", f"/api/v1/webhooks/deliveries/{row.id}/replay"),
    ):
        body = {"url": "https://example.com/x", "events": ["*"]} if method == "PUT" else {}
        answer = client.request(method, path, json=body, headers=stranger)
        assert answer.status_code == 404, (method, path, answer.text)
    assert client.get("/api/v1/webhooks/deliveries", headers=stranger).json()["total"] == 0
    recruiter = bearer(client, org.users["recruiter"])
    assert client.get("/api/v1/webhooks/endpoints", headers=recruiter).status_code == 403
    assert (
        client.post(
            "/api/v1/webhooks/endpoints",
            json={"url": "https://example.com/x", "events": ["*"]},
            headers=recruiter,
        ).status_code
        == 403
    )


def test_the_event_catalogue_documents_every_event(client, org):
    admin = bearer(client, org.users["hr_admin"])
    catalogue = client.get("/api/v1/webhooks/events", headers=admin).json()
    assert {e["name"] for e in catalogue["events"]} == set(events.EVENTS)
    spec = client.get("/api/v1/openapi.json").json()
    for name in ("CandidateCreated", "StageChanged", "OfferAccepted", "EmployeeCreated"):
        assert name in spec["components"]["schemas"], name


def test_the_queued_task_delivers_a_transactions_events_in_order(client, org, session, receiver):
    """Through the real task (run in-process): the ids handed over after the commit are the
    rows the transaction wrote, and a subject's events arrive in the order published."""
    from hireflow.core.tasks import celery_app

    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        published = [
            events.publish(
                session,
                "stage.changed",
                org.tenant.id,
                "application:1",
                {"application_id": 1, "n": n},
            )
            for n in range(120)  # more than one task's chunk
        ]
        session.commit()
    finally:
        celery_app.conf.task_always_eager = before
    assert [r.event_id for r in receiver.received] == [e.id for e in published]
    assert {r.status for r in _rows(session, endpoint_id=made["id"])} == {"delivered"}


def test_a_resume_upload_publishes_candidate_created_with_ids_only(client, org, session):
    """The candidates domain publishes candidate.created when intake creates a person."""
    from tests.openings.factories import txt_resume

    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, "http://127.0.0.1:18449/hook", ["candidate.created"])
    opening = client.post(
        "/api/v1/openings",
        json={"title": "Webhook intake", "department_id": org.departments[0].id},
        headers=admin,
    ).json()["id"]
    client.post(f"/api/v1/openings/{opening}/status", json={"status": "open"}, headers=admin)
    files = [("files", ("a.txt", txt_resume("韩梅梅", "han.meimei@example.cn", None)))]
    uploaded = client.post(f"/api/v1/openings/{opening}/resumes", files=files, headers=admin)
    assert uploaded.json()["accepted"] == 1, uploaded.text
    (row,) = _rows(session, endpoint_id=made["id"])
    body = json.loads(row.body)
    assert row.event == "candidate.created" and row.subject.startswith("candidate:")
    assert body["data"]["opening_id"] == opening and body["data"]["source"] == "api"
    assert "韩梅梅" not in row.body and "han.meimei" not in row.body


def test_a_claim_left_by_a_dead_worker_is_released_and_sent(client, org, session, db, receiver):
    from sqlalchemy import update

    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    receiver.secrets = [made["secret"]]
    _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    now = utcnow()
    # A worker claimed the row and died before sending it.
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id)
        .values(status="sending", lease_until=now + delivery.LEASE)
    )
    session.commit()
    assert delivery.due(db, now) == []  # the lease still holds
    assert delivery.attempt(db, row.id, now).status == "skipped"
    later = now + delivery.LEASE + timedelta(seconds=1)
    assert delivery.due(db, later) == [row.id]
    assert delivery.attempt(db, row.id, later).status == "delivered"
    assert len(receiver.received) == 1


def test_a_switched_off_endpoint_gets_nothing_new_and_fails_what_was_open(
    client, org, session, db, receiver
):
    admin = bearer(client, org.users["hr_admin"])
    _allow_local(client, admin)
    made = _endpoint(client, admin, receiver.url)
    _publish(session, org)
    (row,) = _rows(session, endpoint_id=made["id"])
    off = client.put(
        f"/api/v1/webhooks/endpoints/{made['id']}",
        json={"url": receiver.url, "events": ["*"], "active": False},
        headers=admin,
    )
    assert off.status_code == 200 and off.json()["active"] is False
    assert delivery.attempt(db, row.id).status == "failed"
    assert _rows(session, id=row.id)[0].last_error == "endpoint_off"
    _publish(session, org, subject="candidate:8", candidate_id=8)
    assert len(_rows(session, endpoint_id=made["id"])) == 1  # nothing new for it
    assert receiver.received == []
    replay = client.post(f"/api/v1/webhooks/deliveries/{row.id}/replay", headers=admin)
    assert replay.status_code == 409
