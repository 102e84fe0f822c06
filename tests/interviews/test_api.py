"""The interview API: the candidate's personal-link API (X-Link-Access) and HR's endpoints."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hireflow.core.db import utcnow
from hireflow.interviews import candidate, pipeline
from tests.conftest import bearer
from tests.interviews.conftest import DATA
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_EN,
    TAB,
    make_setup,
    queue_fixture,
    storage_fixture,
)


def test_the_candidate_takes_the_interview_through_the_api(
    client, session, db, org, queue, storage
):
    setup = make_setup(session, org, language="en")
    base = f"/api/v1/links/{setup.token}/interview"
    # without the identity check's access value nothing is shown
    denied = client.get(base)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "identity_required"
    wrong = client.get(base, headers={"X-Link-Access": "forged"})
    assert wrong.status_code == 403
    headers = setup.headers
    state = client.get(base, headers=headers).json()
    assert state["status"] == "verified" and state["consent_needed"]
    state = client.post(
        f"{base}/consent",
        headers=headers,
        json={
            "tab": TAB,
            "recording": True,
            "ai_assessment": True,
            "notice_version": state["notice_version"],
        },
    ).json()
    questions = state["questions"]
    # question 1 by voice: a resumable upload in two chunks
    first = questions[0]["id"]
    assert (
        client.post(
            f"{base}/questions/{first}/open", headers=headers, json={"tab": TAB}
        ).status_code
        == 200
    )
    data = (DATA / "en_answer.mp4").read_bytes()
    upload = client.post(
        f"{base}/questions/{first}/uploads",
        headers=headers,
        json={"tab": TAB, "mode": "voice", "content_type": "audio/mp4", "size": len(data)},
    ).json()
    token = upload["upload_token"]
    half = len(data) // 2
    assert (
        client.put(f"{base}/uploads/{token}?offset=0", headers=headers, content=data[:half]).json()[
            "received"
        ]
        == half
    )
    assert client.get(f"{base}/uploads/{token}", headers=headers).json()["received"] == half
    client.put(f"{base}/uploads/{token}?offset={half}", headers=headers, content=data[half:])
    done = client.post(f"{base}/uploads/{token}/complete", headers=headers).json()
    assert done["status"] == "answered" and done["mode"] == "voice"
    # the rest by text
    for question in questions[1:]:
        client.post(f"{base}/questions/{question['id']}/open", headers=headers, json={"tab": TAB})
        saved = client.put(
            f"{base}/questions/{question['id']}/text",
            headers=headers,
            json={"tab": TAB, "text": ANSWERS_EN, "final": True},
        )
        assert saved.status_code == 200, saved.text
    event = client.post(f"{base}/events", headers=headers, json={"tab": TAB, "kind": "tab_hidden"})
    assert event.status_code == 204
    asked = client.post(f"{base}/ask", headers=headers, json={"question": "Where is the office?"})
    assert asked.status_code == 201
    submitted = client.post(f"{base}/submit", headers=headers, json={"tab": TAB}).json()
    assert submitted["status"] == "submitted" and submitted["answered"] == len(questions)
    # after submission nothing changes any more
    late = client.put(
        f"{base}/questions/{first}/text", headers=headers, json={"tab": TAB, "text": "x"}
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "interview_closed"


def test_an_expired_link_is_refused_clearly(client, session, org):
    setup = make_setup(session, org, deadline=utcnow() + timedelta(minutes=1))
    setup.invitation.deadline = utcnow() - timedelta(hours=1)
    session.commit()
    from hireflow.core.settings import get_settings
    from hireflow.scheduling.links import make_link_token

    expired = make_link_token(
        get_settings().secret_key,
        str(setup.candidate.id),
        str(setup.invitation.id),
        utcnow() + timedelta(seconds=1),
    )
    import time

    time.sleep(1.2)
    response = client.post(
        f"/api/v1/links/{expired}/interview/consent",
        headers=setup.headers,
        json={"tab": TAB, "recording": True, "ai_assessment": True, "notice_version": "x"},
    )
    assert response.status_code == 410 and response.json()["error"]["code"] == "link_expired"
    # shortly after the deadline the page can still read its state (to say so, and to finish
    # an upload begun in time), but it shows the deadline has passed
    state = client.get(f"/api/v1/links/{expired}/interview", headers=setup.headers).json()
    assert state["now"] > state["deadline"]


def test_hr_api_list_report_push_adjust_conclude_faq(client, session, db, org, queue, storage):
    from tests.interviews.factories import ANSWERS_ZH, answer_all, started

    setup = make_setup(session, org)
    interview = started(session, setup)
    headers = bearer(client, org.users["recruiter"])
    live = client.get("/api/v1/interviews/live", headers=headers).json()
    assert [row["id"] for row in live] == [interview.id]
    pushed = client.post(
        f"/api/v1/interviews/{interview.id}/questions",
        headers=headers,
        json={"text": "Please describe one more example.", "dimension_id": "communication"},
    )
    assert pushed.status_code == 201 and pushed.json()["dimensions"] == ["communication"]
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    pipeline.score(db, interview.id)
    listed = client.get("/api/v1/interviews?status=scored", headers=headers).json()
    assert interview.id in [row["id"] for row in listed]
    report = client.get(f"/api/v1/interviews/{interview.id}", headers=headers).json()
    assert report["report"]["job_match"] == report["interview"]["job_match"]
    assert report["report_sha256"] and report["record_entry_id"]
    dim = next(d["id"] for d in report["report"]["dimensions"] if d["assessed"])
    adjusted = client.post(
        f"/api/v1/interviews/{interview.id}/adjustments",
        headers=headers,
        json={"dimension_id": dim, "score": 6.5, "reason": "clear structure"},
    )
    assert adjusted.status_code == 201 and adjusted.json()["hr_score"] == 6.5
    report = client.get(f"/api/v1/interviews/{interview.id}", headers=headers).json()
    assert report["effective_scores"][dim] == 6.5
    ai = next(d for d in report["report"]["dimensions"] if d["id"] == dim)
    assert ai["score"] != 6.5 or ai["raw_score"] == 6.5  # the AI's own score is still there
    concluded = client.post(
        f"/api/v1/interviews/{interview.id}/conclusion",
        headers=headers,
        json={"conclusion": "Second round", "decision": "advance"},
    )
    assert concluded.status_code == 200 and concluded.json()["status"] == "reviewed"
    hr = bearer(client, org.users["hr_admin"])
    faq = client.post(
        "/api/v1/interview-faqs",
        headers=hr,
        json={"question": "Hours?", "answer": "9 to 6, Monday to Friday.", "language": "en"},
    )
    assert faq.status_code == 201
    faq_id = faq.json()["id"]
    assert (
        client.put(
            f"/api/v1/interview-faqs/{faq_id}",
            headers=hr,
            json={"question": "Hours?", "answer": "9:30 to 6:30.", "language": "en"},
        ).json()["answer"]
        == "9:30 to 6:30."
    )
    assert client.delete(f"/api/v1/interview-faqs/{faq_id}", headers=hr).status_code == 204
    # the hiring manager reads the report but may not adjust it
    manager = bearer(client, org.users["hiring_manager"])
    assert client.get(f"/api/v1/interviews/{interview.id}", headers=manager).status_code == 200
    refused = client.post(
        f"/api/v1/interviews/{interview.id}/adjustments",
        headers=manager,
        json={"dimension_id": dim, "score": 9, "reason": "I like them"},
    )
    assert refused.status_code == 403


def test_candidate_questions_are_answered_from_the_opening_or_forwarded(
    client, session, org, queue
):
    """E6 through the API: the opening's own text answers, pay nobody published goes to HR
    (not to the FAQ on probation pay), and the owner recruiter is told."""
    from hireflow.interviews.models import CandidateQuestion, CompanyFaq

    session.add(
        CompanyFaq(
            tenant_id=org.tenant.id,
            question="试用期多久？",
            answer="试用期3个月，工资为转正工资的80%。",
        )
    )
    session.commit()
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    headers = setup.headers
    notice = client.get(base, headers=headers).json()["notice_version"]
    consent = {"tab": TAB, "recording": True, "ai_assessment": True, "notice_version": notice}
    assert client.post(f"{base}/consent", headers=headers, json=consent).status_code == 200
    where = client.post(f"{base}/ask", headers=headers, json={"question": "工作地点在哪里？"})
    assert where.status_code == 201, where.text
    assert where.json()["status"] == "answered" and "上海" in where.json()["quote"]
    assert where.json()["source"] == "opening"
    pay = client.post(f"{base}/ask", headers=headers, json={"question": "工资是多少？"}).json()
    assert pay["status"] == "forwarded" and pay["quote"] == ""
    probation = client.post(f"{base}/ask", headers=headers, json={"question": "试用期多长时间"})
    assert probation.json()["status"] == "answered" and probation.json()["source"] == "faq"
    stored = session.scalars(
        select(CandidateQuestion).where(CandidateQuestion.opening_id == setup.opening.id)
    ).all()
    assert [q.status for q in stored] == ["answered", "forwarded", "answered"]
    for bad in ({"question": ""}, {"question": "x" * 5000}, {}):
        assert client.post(f"{base}/ask", headers=headers, json=bad).status_code in (400, 422)
    assert client.post(f"{base}/ask", json={"question": "工资是多少？"}).status_code == 403
