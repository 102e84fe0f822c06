"""The record through HTTP: API and pages, roles, one-time codes by real e-mail, audit."""

from __future__ import annotations

import email
import io
import os
import re
import zipfile
from email import policy

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.tasks import celery_app
from hireflow.org.auth import principal_for
from hireflow.records import download_codes, service
from hireflow.records import policy as record_policy
from hireflow.records.models import Attachment, PersonRecord
from tests.conftest import bearer, login
from tests.notifications import smtp_server
from tests.records.conftest import make_opening, make_person


@pytest.fixture
def person(session, org, regional):
    opening = make_opening(session, org, 0)
    candidate = make_person(session, org, opening=opening, name="Li Na Record")
    scorer = service.SystemActor("interview-scoring", tenant_id=org.tenant.id)
    service.record_interview_report(
        session,
        scorer,
        candidate.id,
        opening_id=opening.id,
        interview_id=42,
        scores={"communication": 8.2, "problem_solving": 7.5},
        match_percent=80,
        summary="Handled the customer complaint case with a clear structure",
        strengths=["clear STAR answers"],
        gaps=["leadership examples"],
        recordings=[service.RecordingIn(io.BytesIO(b"webm" * 500), "answer-1.webm", "video/webm")],
    )
    return candidate


def test_record_page_shows_results_recordings_status_and_integrity(client, org, person):
    login(client, org.users["hr_admin"])
    page = client.get(f"/records/{person.id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Li Na Record" in html and 'data-region="cn"' in html
    assert 'data-status="ai_interview_done"' in html
    assert 'id="integrity-badge" data-ok="1"' in html
    assert "8.2 / 10" in html and "80%" in html and "customer complaint" in html
    assert "answer-1.webm" in html and "Interview #42" in html


def test_record_views_are_audited(client, session, org, person):
    login(client, org.users["recruiter"])
    assert client.get(f"/records/{person.id}").status_code == 200
    viewed = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "record.viewed", AuditEntry.target_id == str(person.id)
        )
    ).all()
    assert viewed and viewed[-1].actor_id == org.users["recruiter"].id


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("hr_admin", 200),
        ("recruiter", 200),
        ("hiring_manager", 200),
        ("interviewer", 200),
        ("it_auditor", 403),
        ("candidate", 403),
        ("employee", 403),
    ],
)
def test_who_may_open_a_record(client, org, person, role, expected):
    login(client, org.users[role])
    response = client.get(f"/records/{person.id}")
    assert response.status_code == expected
    if expected != 200:
        assert "Li Na Record" not in response.text and "customer complaint" not in response.text


def test_it_auditor_sees_integrity_but_no_personal_data(client, org, person):
    login(client, org.users["it_auditor"])
    assert client.get("/records").status_code == 403
    page = client.get("/records/integrity")
    assert page.status_code == 200
    run = client.post("/records/integrity", follow_redirects=True)
    assert run.status_code == 200 and "intact" in run.text
    assert "Li Na Record" not in run.text and "complaint" not in run.text


def test_search_by_keyword_inside_encrypted_entries_and_filters(client, session, org, person):
    other = make_person(session, org, name="Wang Wei Record")
    service.append_entry(
        session, principal_for(org.users["hr_admin"]), other.id, "note", {"text": "擅长数据分析"}
    )
    headers = bearer(client, org.users["hr_admin"])
    found = client.get("/api/v1/records", params={"q": "complaint"}, headers=headers).json()
    assert [r["person_id"] for r in found] == [person.id]
    found = client.get("/api/v1/records", params={"q": "数据分析"}, headers=headers).json()
    assert [r["person_id"] for r in found] == [other.id]
    found = client.get(
        "/api/v1/records",
        params={"dimension": "communication", "min_score": 8},
        headers=headers,
    ).json()
    assert [r["person_id"] for r in found] == [person.id]
    found = client.get(
        "/api/v1/records", params={"dimension": "communication", "min_score": 9}, headers=headers
    ).json()
    assert found == []
    found = client.get(
        "/api/v1/records", params={"status": "ai_interview_done"}, headers=headers
    ).json()
    assert [r["person_id"] for r in found] == [person.id]
    # the interviewer of another panel finds nothing of it
    outsider = make_person(session, org, opening=make_opening(session, org, 3, members=False))
    service.append_entry(
        session, principal_for(org.users["hr_admin"]), outsider.id, "note", {"text": "complaint"}
    )
    interviewer = bearer(client, org.users["interviewer"])
    found = client.get("/api/v1/records", params={"q": "complaint"}, headers=interviewer).json()
    assert [r["person_id"] for r in found] == [person.id]
    login(client, org.users["hr_admin"])
    page = client.get("/records", params={"q": "complaint"})
    assert page.status_code == 200 and "Li Na Record" in page.text


def test_api_writes_and_reads(client, session, org, person):
    headers = bearer(client, org.users["recruiter"])
    created = client.post(
        f"/api/v1/records/{person.id}/entries",
        json={"type": "review", "data": {"text": "good"}, "facts": {"rating": 4}},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    status = client.post(
        f"/api/v1/records/{person.id}/status",
        json={"status": "waiting_second_round"},
        headers=headers,
    )
    assert status.status_code == 201
    upload = client.post(
        f"/api/v1/records/{person.id}/attachments",
        files={"file": ("简历.pdf", b"%PDF-1.4 resume", "application/pdf")},
        data={"kind": "resume", "labels": '{"opening_id": null}'},
        headers=headers,
    )
    assert upload.status_code == 201, upload.text
    detail = client.get(f"/api/v1/records/{person.id}", headers=headers).json()
    assert detail["status"] == "waiting_second_round"
    assert detail["integrity"]["ok"] is True
    assert {a["filename"] for a in detail["attachments"]} == {"answer-1.webm", "简历.pdf"}
    content = client.get(
        f"/api/v1/records/attachments/{upload.json()['id']}/content", headers=headers
    )
    assert content.status_code == 200 and content.content == b"%PDF-1.4 resume"
    assert "attachment;" in content.headers["content-disposition"]
    bad = client.post(
        f"/api/v1/records/{person.id}/attachments",
        files={"file": ("x.bin", b"x", "x/y")},
        data={"labels": "not json"},
        headers=headers,
    )
    assert bad.status_code == 422
    residency = client.post(
        f"/api/v1/records/{person.id}/attachments",
        files={"file": ("x.bin", b"x", "x/y")},
        data={"region": "eu"},
        headers=headers,
    )
    assert residency.status_code == 409 and residency.json()["error"]["code"] == "residency"
    verify = client.get(f"/api/v1/records/{person.id}/verify", headers=headers).json()
    assert verify["ok"] is True and verify["rows"] >= 6


def test_upload_limit(client, session, org, person, settings, monkeypatch):
    monkeypatch.setattr(settings, "max_upload_bytes", 1000)
    headers = bearer(client, org.users["hr_admin"])
    response = client.post(
        f"/api/v1/records/{person.id}/attachments",
        files={"file": ("big.bin", os.urandom(5000), "x/y")},
        headers=headers,
    )
    assert response.status_code == 413


def test_pages_write_through_forms(client, session, org, person):
    login(client, org.users["hr_admin"])
    assert (
        client.post(
            f"/records/{person.id}/notes",
            data={"text": "一条备注", "kind": "note"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/records/{person.id}/status", data={"status": "offer"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/records/{person.id}/consents",
            data={
                "purpose": "recording",
                "notice_version": "2026-01",
                "granted": "yes",
                "method": "paper",
            },
            follow_redirects=False,
        ).status_code
        == 303
    )
    upload = client.post(
        f"/records/{person.id}/attachments",
        files={"file": ("offer.pdf", b"%PDF offer", "application/pdf")},
        data={"kind": "offer_letter"},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    bad = client.post(f"/records/{person.id}/notes", data={"text": ""})
    assert bad.status_code == 422 and "5000" in bad.text
    page = client.get(f"/records/{person.id}")
    assert (
        "一条备注" in page.text and 'data-status="offer"' in page.text and "offer.pdf" in page.text
    )
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.status == "offer"
    # erasure needs the typed confirmation, then works and shows on the page
    refused = client.post(f"/records/{person.id}/erase", data={"reason": "subject_request"})
    assert refused.status_code == 422
    client.post(f"/records/{person.id}/hold", data={"action": "place", "reason": "Dispute 9"})
    held = client.post(
        f"/records/{person.id}/erase", data={"reason": "subject_request", "confirm": "ERASE"}
    )
    assert held.status_code == 409 and "Dispute 9" in held.text
    client.post(f"/records/{person.id}/hold", data={"action": "lift"})
    done = client.post(
        f"/records/{person.id}/erase",
        data={"reason": "subject_request", "confirm": "ERASE"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and 'id="erased-badge"' in done.text
    assert "customer complaint" not in done.text and 'data-ok="1"' in done.text


def test_export_download(client, org, person):
    login(client, org.users["hr_admin"])
    response = client.get(f"/records/{person.id}/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "timeline.json" in archive.namelist()
    login(client, org.users["recruiter"])
    assert client.get(f"/records/{person.id}/export").status_code == 403


def test_policy_and_retention_rules_pages(client, session, org):
    login(client, org.users["hr_admin"])
    assert client.get("/records/policy").status_code == 200
    client.post("/records/policy", data={"require_download_code": "on"})
    assert record_policy.get_policy(session, org.tenant.id).require_download_code
    added = client.post(
        "/records/policy/rules", data={"status": "rejected", "months": "6"}, follow_redirects=True
    )
    assert added.status_code == 200 and "6 months" in added.text
    bad = client.post("/records/policy/rules", data={"status": "rejected", "months": "0"})
    assert bad.status_code == 422
    login(client, org.users["recruiter"])
    assert client.get("/records/policy").status_code == 403


@pytest.fixture
def smtp(settings, monkeypatch):
    controller, inbox, port = smtp_server.start("plain")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    monkeypatch.setattr(settings, "smtp_security", "none")
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    try:
        yield inbox
    finally:
        celery_app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])
        controller.stop()


def _code_from(inbox, address: str) -> str:
    _sender, recipients, raw = inbox.messages[-1]
    assert recipients == [address]
    message = email.message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_one_time_code_by_email_before_a_recording_opens(client, session, org, person, smtp):
    record_policy.update_policy(
        session, principal_for(org.users["hr_admin"]), require_download_code=True
    )
    attachment = session.scalars(select(Attachment).where(Attachment.person_id == person.id)).one()
    user = org.users["interviewer"]
    login(client, user)
    gate = client.get(f"/records/attachments/{attachment.id}")
    assert gate.status_code == 200 and 'id="form-code"' in gate.text
    headers = bearer(client, user)
    refused = client.get(f"/api/v1/records/attachments/{attachment.id}/content", headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "code_required"

    assert client.post(f"/records/attachments/{attachment.id}/code").status_code in (200, 303)
    code = _code_from(smtp, user.email)
    wrong = client.post(
        f"/records/attachments/{attachment.id}",
        data={"code": "000000" if code != "000000" else "111111"},
    )
    assert wrong.status_code == 403
    opened = client.post(f"/records/attachments/{attachment.id}", data={"code": code})
    assert opened.status_code == 200 and opened.content == b"webm" * 500
    again = client.post(f"/records/attachments/{attachment.id}", data={"code": code})
    assert again.status_code == 403  # one use only

    # through the API: request, receive, open with the header
    assert (
        client.post(
            f"/api/v1/records/attachments/{attachment.id}/code", headers=headers
        ).status_code
        == 202
    )
    code = _code_from(smtp, user.email)
    ok = client.get(
        f"/api/v1/records/attachments/{attachment.id}/content",
        headers={**headers, "X-Download-Code": code},
    )
    assert ok.status_code == 200 and ok.content == b"webm" * 500
    views = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "attachment.viewed", AuditEntry.target_id == str(attachment.id)
        )
    ).all()
    assert len(views) == 2 and all(v.new_values["with_code"] for v in views)
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.action == "attachment.code_failed")
    ).all()
    # the code itself is never kept in the clear
    from hireflow.records.models import DownloadCode

    for row in session.scalars(select(DownloadCode)):
        assert row.code_token is None and code not in row.code_hash


def test_codes_expire_and_attempts_are_limited(
    client, session, org, person, smtp, settings, monkeypatch
):
    record_policy.update_policy(
        session, principal_for(org.users["hr_admin"]), require_download_code=True
    )
    attachment = session.scalars(select(Attachment).where(Attachment.person_id == person.id)).one()
    user = org.users["hr_admin"]
    headers = bearer(client, user)
    client.post(f"/api/v1/records/attachments/{attachment.id}/code", headers=headers)
    code = _code_from(smtp, user.email)
    for _ in range(download_codes.CODE_ATTEMPTS):
        assert (
            client.get(
                f"/api/v1/records/attachments/{attachment.id}/content",
                headers={**headers, "X-Download-Code": "999999" if code != "999999" else "888888"},
            ).status_code
            == 403
        )
    locked = client.get(
        f"/api/v1/records/attachments/{attachment.id}/content",
        headers={**headers, "X-Download-Code": code},
    )
    assert locked.status_code == 403  # the right code no longer helps after five wrong ones
    monkeypatch.setattr(settings, "download_code_minutes", -5)
    client.post(f"/api/v1/records/attachments/{attachment.id}/code", headers=headers)
    assert not smtp.messages[-1][2].count(b"expired")
    late = client.get(
        f"/api/v1/records/attachments/{attachment.id}/content",
        headers={**headers, "X-Download-Code": "123456"},
    )
    assert late.status_code == 403


def test_the_record_page_links_to_a_verification_that_works(client, session, org, person):
    login(client, org.users["hr_admin"])
    page = client.get(f"/records/{person.id}").text
    assert f'href="/records/{person.id}/verify"' in page
    check = client.get(f"/records/{person.id}/verify")
    assert check.status_code == 200
    assert 'id="verify-result" data-ok="1"' in check.text and "Li Na Record" in check.text
    # out of scope or another tenant: the same 404 as for the record itself
    login(client, org.users["it_auditor"])
    assert client.get(f"/records/{person.id}/verify").status_code == 403
    # a changed entry shows up as a failed verification with the entry's position
    from hireflow.records.models import RecordEntry

    entry = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).first()
    entry.facts = {**entry.facts, "status": "hired"}
    session.commit()
    login(client, org.users["hr_admin"])
    tampered = client.get(f"/records/{person.id}/verify")
    assert 'id="verify-result" data-ok="0"' in tampered.text


def test_regions_are_named_not_coded(client, org, person):
    login(client, org.users["hr_admin"])
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get(f"/records/{person.id}").text
    assert "中国大陆 (CN)" in page
    search = client.get("/records").text
    assert ">中国大陆 (CN)</option>" in search and ">CN</option>" not in search
