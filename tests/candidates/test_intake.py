"""Resume intake through the API: parsing, storage, duplicates, bad files, screening."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select, text

from hireflow.candidates.models import Application, Candidate, CandidateResume, CandidateSearch
from hireflow.core.audit import AuditEntry
from hireflow.records.models import Attachment, RecordEntry
from tests.conftest import bearer
from tests.openings.factories import RESUMES, en_resume, make_opening, txt_resume

RULE = {"text": 'education >= "bachelor" and years_in_industry("manufacturing") >= 3'}


def _upload(client, headers, opening_id, files):
    return client.post(
        f"/api/v1/openings/{opening_id}/resumes",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers=headers,
    )


def test_upload_parses_stores_and_screens(client, session, org, regional):
    opening = make_opening(session, org, rules=[RULE])
    headers = bearer(client, org.users["recruiter"])
    response = _upload(client, headers, opening.id, [("wang.txt", txt_resume())])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1 and body["refused"] == 0
    result = body["results"][0]
    assert result["ok"] and result["name"] == "王芳" and not result["merged"]
    assert result["screening_status"] == "passed"

    candidate = session.get(Candidate, result["candidate_id"])
    session.refresh(candidate)
    assert candidate.email == "wang.fang@example.com"
    assert candidate.phone == "+8613812345678"
    assert candidate.highest_degree_rank == 3 and candidate.years_experience >= 8
    assert candidate.profile["education"][0]["school"] == "浙江大学"
    # the phone is encrypted at rest, the blind index finds it
    raw = session.execute(
        text("SELECT phone FROM candidates WHERE id = :id"), {"id": candidate.id}
    ).scalar_one()
    assert "13812345678" not in raw
    assert candidate.phone_index
    # the original file is in the HR record, the text and parse next to it
    resume = session.scalars(
        select(CandidateResume).where(CandidateResume.candidate_id == candidate.id)
    ).one()
    assert resume.kind == "txt" and "浙江大学" in resume.text and resume.parsed["name"] == "王芳"
    attachment = session.get(Attachment, resume.attachment_id)
    assert attachment.kind == "resume" and attachment.person_id == candidate.id
    types = set(
        session.scalars(select(RecordEntry.type).where(RecordEntry.person_id == candidate.id))
    )
    assert {"document", "profile_change", "application"} <= types
    application = session.get(Application, result["application_id"])
    assert application.screening["outcomes"][0]["passed"] is True
    assert "制造" in application.screening["outcomes"][0]["explanation"]["zh"]
    # searchable at once
    assert session.get(CandidateSearch, candidate.id) is not None
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.tenant_id == org.tenant.id))
    )
    assert {"candidate.created", "application.created", "attachment.added"} <= actions


def test_same_person_is_merged_never_duplicated(client, session, org, regional):
    first = make_opening(session, org)
    second = make_opening(session, org)
    headers = bearer(client, org.users["hr_admin"])
    a = _upload(client, headers, first.id, [("a.txt", txt_resume())]).json()["results"][0]
    # same email, different phone and layout, another opening
    b = _upload(
        client,
        headers,
        second.id,
        [("b.txt", txt_resume(phone="13900000000", company="另一家机械有限公司"))],
    ).json()["results"][0]
    assert b["merged"] and b["merged_by"] == "email" and b["candidate_id"] == a["candidate_id"]
    # same phone (written differently), no email
    c = _upload(
        client, headers, second.id, [("c.txt", txt_resume(email=None, phone="138-1234-5678"))]
    ).json()["results"][0]
    assert c["merged_by"] == "phone" and c["candidate_id"] == a["candidate_id"]
    # name + school, no contacts in common
    d = _upload(
        client, headers, first.id, [("d.txt", txt_resume(email="other@example.com", phone=None))]
    ).json()["results"][0]
    assert d["merged_by"] == "name_school" and d["candidate_id"] == a["candidate_id"]
    # the same file again
    e = _upload(client, headers, first.id, [("again.txt", txt_resume())]).json()["results"][0]
    assert e["same_file"] and e["candidate_id"] == a["candidate_id"] and not e["new_application"]
    # a namesake from another school is another person
    f = _upload(
        client,
        headers,
        first.id,
        [("f.txt", txt_resume(email=None, phone=None, school="四川大学", major="会计学"))],
    ).json()["results"][0]
    assert not f["merged"] and f["candidate_id"] != a["candidate_id"]

    candidate = session.get(Candidate, a["candidate_id"])
    session.refresh(candidate)
    assert {app.opening_id for app in candidate.applications} == {first.id, second.id}
    count = session.scalar(
        select(func.count()).select_from(Candidate).where(Candidate.tenant_id == org.tenant.id)
    )
    assert count == 2


def test_name_and_birth_date_merge(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["hr_admin"])
    a = _upload(
        client,
        headers,
        opening.id,
        [("a.txt", txt_resume(email=None, phone=None, birth="1992年5月3日"))],
    ).json()["results"][0]
    b = _upload(
        client,
        headers,
        opening.id,
        [("b.txt", txt_resume(email=None, phone=None, school="四川大学", birth="1992-05-03"))],
    ).json()["results"][0]
    assert b["merged_by"] == "name_birth_date" and b["candidate_id"] == a["candidate_id"]


def test_a_bad_file_never_stops_the_batch(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    pdf = (RESUMES / "001_zh_single.pdf").read_bytes()
    docx = (RESUMES / "002_en_single.docx").read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.txt", b"0" * 15_000_000)
    batch = io.BytesIO()
    with zipfile.ZipFile(batch, "w") as zf:
        zf.writestr("ok.txt", en_resume())
        zf.writestr("../escape.txt", en_resume("Someone Else", "else@example.com"))
        zf.writestr("inner.zip", bomb.getvalue())
    files = [
        ("good.pdf", pdf),
        ("empty.pdf", b""),
        ("corrupt.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50),
        ("photo.docx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("resume.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("notes.pdf", b"plain text pretending"),
        (
            "ru.txt",
            ("Иван Петров\nОпыт работы\n" + "Разработчик программного обеспечения " * 40).encode(),
        ),
        ("bomb.zip", bomb.getvalue()),
        ("batch.zip", batch.getvalue()),
        ("en.docx", docx),
    ]
    response = _upload(client, headers, opening.id, files)
    assert response.status_code == 200, response.text
    results = {r["filename"]: r for r in response.json()["results"]}
    assert results["good.pdf"]["ok"] and results["en.docx"]["ok"]
    assert results["batch.zip/ok.txt"]["ok"]
    codes = {name: r["code"] for name, r in results.items() if not r["ok"]}
    assert codes["empty.pdf"] == "file_empty"
    assert codes["corrupt.pdf"] == "pdf_corrupt"
    assert codes["photo.docx"] == "image_unsupported"
    assert codes["resume.exe"] == "file_type_unsupported"
    assert codes["notes.pdf"] == "extension_mismatch"
    assert codes["ru.txt"] == "language_unsupported"
    assert codes["bomb.zip/huge.txt"] == "zip_bomb"
    assert codes["batch.zip/../escape.txt"] == "zip_path_unsafe"
    assert codes["batch.zip/inner.zip"] == "zip_nested"
    for name, result in results.items():
        if not result["ok"]:
            assert result["message"]["zh"] and result["message"]["en"], name


def test_oversized_file_is_refused_with_its_size(
    client, session, org, regional, settings, monkeypatch
):
    monkeypatch.setattr(settings, "max_upload_bytes", 2048)
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    response = _upload(
        client, headers, opening.id, [("big.txt", b"x" * 5000), ("ok.txt", en_resume())]
    )
    results = {r["filename"]: r for r in response.json()["results"]}
    assert results["big.txt"]["code"] == "file_too_large" and results["big.txt"]["size"] == 5000
    assert results["ok.txt"]["ok"]


def test_not_a_resume_is_reported(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    text = ("The quick brown fox jumps over the lazy dog. " * 5).encode()
    result = _upload(client, headers, opening.id, [("fox.txt", text)]).json()["results"][0]
    assert not result["ok"] and result["code"] == "resume_unrecognised"


def test_who_may_upload(client, session, org, regional):
    mine = make_opening(session, org)
    not_mine = make_opening(session, org, owner=False)
    closed = make_opening(session, org, status="closed")
    files = [("a.txt", txt_resume())]
    recruiter = bearer(client, org.users["recruiter"])
    assert _upload(client, recruiter, not_mine.id, files).status_code == 404
    assert _upload(client, recruiter, closed.id, files).status_code == 409
    for role in ("hiring_manager", "interviewer", "it_auditor", "candidate", "employee"):
        response = _upload(client, bearer(client, org.users[role]), mine.id, files)
        assert response.status_code in (403, 404), role
    assert _upload(client, recruiter, mine.id, []).status_code == 422


def test_internal_candidate_is_recognised(client, session, org, regional):
    opening = make_opening(session, org)
    employee = org.users["employee"]
    headers = bearer(client, org.users["hr_admin"])
    result = _upload(
        client, headers, opening.id, [("e.txt", txt_resume(name="刘洋", email=employee.email))]
    ).json()["results"][0]
    assert session.get(Candidate, result["candidate_id"]).is_internal


def test_an_email_is_never_taken_for_the_name(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    nameless = (
        "sam.park.dev@example.com | (415) 555-0132\n\nEXPERIENCE\n"
        "Software Engineer, Stripe, Inc.   2019 – Present\n"
    ).encode()
    response = _upload(client, headers, opening.id, [("cv.txt", nameless)])
    result = response.json()["results"][0]
    assert result["ok"], result
    candidate = session.get(Candidate, result["candidate_id"])
    assert "@" not in candidate.name and candidate.email == "sam.park.dev@example.com"
