"""Personal data at rest: the parsed resume, the profile, the e-mail address and the messages
about a person are ciphertext in the database; lookups still find them (SPEC G2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from hireflow.candidates.models import Candidate, CandidateResume
from hireflow.core import pii
from hireflow.notifications.models import OutboxMessage
from tests.conftest import bearer
from tests.openings.factories import make_opening, txt_resume

PHONE = "+86 13700137000"
EMAIL = "li.ming.private@example.cn"


def _upload(client, headers, opening_id, data: bytes, name: str = "li.txt"):
    response = client.post(
        f"/api/v1/openings/{opening_id}/resumes",
        files=[("files", (name, data, "text/plain"))],
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def _raw(session, sql: str, **params) -> str:
    return "\n".join(repr(tuple(row)) for row in session.execute(text(sql), params))


def test_parsed_resume_profile_and_contacts_are_ciphertext(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    result = _upload(client, headers, opening.id, txt_resume(name="李明", email=EMAIL, phone=PHONE))
    candidate = session.get(Candidate, result["candidate_id"])
    session.refresh(candidate)
    # the application sees clear values...
    assert candidate.email == EMAIL and candidate.phone == "+8613700137000"
    assert candidate.profile["phone"] and candidate.profile_parsed["email"] == EMAIL
    resume = session.scalars(
        select(CandidateResume).where(CandidateResume.candidate_id == candidate.id)
    ).one()
    assert resume.parsed["email"] == EMAIL
    # ...the database holds none of them (the reproduction: json_extract of the phone)
    stored = _raw(
        session,
        "SELECT email, phone, profile, profile_parsed, corrections FROM candidates WHERE id = :id",
        id=candidate.id,
    ) + _raw(
        session,
        "SELECT parsed, text FROM candidate_resumes WHERE candidate_id = :id",
        id=candidate.id,
    )
    for secret in (EMAIL, "13700137000", "浙江大学", "苏州精密机械"):
        assert secret not in stored, secret
    # the blind index still finds the person by e-mail and a second resume merges
    found = session.scalars(
        select(Candidate.id).where(
            Candidate.email_index.in_(
                pii.blind_index_values(EMAIL.upper(), "email", tenant_id=org.tenant.id)
            )
        )
    ).all()
    assert found == [candidate.id]
    again = _upload(
        client,
        headers,
        opening.id,
        txt_resume(name="李明", email=EMAIL, phone=PHONE, title="高级机械工程师"),
        "li-2.txt",
    )
    assert again["candidate_id"] == candidate.id and again["merged"]


def test_corrections_keep_the_email_unique_through_the_blind_index(client, session, org, regional):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    first = _upload(client, headers, opening.id, txt_resume(name="甲", email="a@example.cn"))
    second = _upload(
        client,
        headers,
        opening.id,
        txt_resume(name="乙", email="b@example.cn", phone="13911112222", school="复旦大学"),
        "b.txt",
    )
    assert first["candidate_id"] != second["candidate_id"]
    hr = bearer(client, org.users["hr_admin"])
    response = client.patch(
        f"/api/v1/candidates/{second['candidate_id']}/profile",
        json={"email": "A@Example.cn"},
        headers=hr,
    )
    assert response.status_code == 409, response.text


@pytest.mark.parametrize("column", ["recipient", "recipient_label", "subject", "body_text"])
def test_outbox_columns_are_encrypted(session, org, column):
    message = OutboxMessage(
        tenant_id=org.tenant.id,
        channel="email",
        recipient=EMAIL,
        recipient_label="李明",
        subject="面试邀请 李明",
        body_text="李明，您好：请于周一面试。",
        dedupe_key=f"test:{column}",
    )
    session.add(message)
    session.flush()
    raw = _raw(session, f"SELECT {column} FROM notification_outbox WHERE id = :id", id=message.id)
    assert "李明" not in raw and EMAIL not in raw
    session.expire_all()
    assert session.get(OutboxMessage, message.id).recipient == EMAIL
    assert message.recipient_index in pii.blind_index_values(EMAIL, "text", tenant_id=org.tenant.id)
