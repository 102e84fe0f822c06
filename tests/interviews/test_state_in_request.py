"""The candidate requests that answer with the page state (the first load, consent, submission)
read it in their own transaction, before its commit, instead of in a second one after it; the
final answer finds the next question from the statuses it read with the answer; the link's
first view reads the company and the opening in one query. What each answers, and what each
refuses, is what it was (``tests/interviews`` checks the rest of the behaviour)."""

from __future__ import annotations

from sqlalchemy import func, select

from hireflow.core.audit import AuditEntry
from hireflow.interviews.candidate import NOTICE_VERSION
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.records.integrity import VerificationReport, verify_audit
from tests.interviews.factories import (  # noqa: F401 - fixtures
    TAB,
    make_setup,
    queue_fixture,
    started,
)
from tests.interviews.test_drafts import _draft
from tests.interviews.test_request_cost import (
    COMMIT,
    _after_commit,
    _state,
    _statements,
    page_headers,
)

CONSENT = {"tab": TAB, "recording": True, "ai_assessment": True, "notice_version": NOTICE_VERSION}


def _one_transaction(seen: list[str]) -> None:
    """Every statement came before the request's first commit (nothing read after it)."""
    assert COMMIT in seen, seen
    assert _after_commit(seen) == [], seen


def _answer(client, setup, base, qid, text):
    """The candidate's final answer to a question."""
    return client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": text, "final": True},
    )


def _same_state(given: dict, read: dict) -> None:
    """The state a request answered with is the state a read after its commit finds (the
    clocks aside: they move with ``now``)."""
    clock = ("now", "remaining_s")

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in clock}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(given) == strip(read)


def test_the_first_load_creates_the_interview_and_reads_its_state_in_one_transaction(
    client, session, org, engine
):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    with _statements(engine) as seen:
        loaded = client.get(base, headers=setup.headers)
    assert loaded.status_code == 200, loaded.text
    _one_transaction(seen)
    assert any(s.startswith("INSERT INTO interview_sessions") for s in seen), seen
    body = loaded.json()
    assert body["status"] == "verified" and body["consent_needed"] and body["total"] >= 1
    _same_state(body, client.get(base, headers=setup.headers).json())
    # the interview (and its audit rows, chained) committed with it
    interview = session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == setup.invitation.id)
    ).one()
    assert interview.id == body["interview_id"] and interview.model  # the model is stored
    report = VerificationReport()
    verify_audit(session, report, tenant_id=org.tenant.id)
    assert report.ok, report.problems


def test_consent_answers_with_the_state_of_its_own_transaction(client, session, org, engine):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    assert client.get(base, headers=setup.headers).status_code == 200
    with _statements(engine) as seen:
        given = client.post(f"{base}/consent", headers=setup.headers, json=CONSENT)
    assert given.status_code == 200, given.text
    _one_transaction(seen)
    body = given.json()
    assert body["status"] == "in_progress" and not body["consent_needed"]
    assert body["active_tab"] == TAB
    _same_state(body, client.get(base, headers=setup.headers).json())
    # a double click: the same state, nothing written
    with _statements(engine) as seen:
        again = client.post(f"{base}/consent", headers=setup.headers, json=CONSENT)
    assert again.status_code == 200
    _same_state(again.json(), body)
    assert not [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))], seen


def test_a_refused_consent_writes_nothing_and_says_why(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    assert client.get(base, headers=setup.headers).status_code == 200
    stale = client.post(
        f"{base}/consent", headers=setup.headers, json=CONSENT | {"notice_version": "x"}
    )
    assert stale.status_code == 409
    partial = client.post(
        f"{base}/consent", headers=setup.headers, json=CONSENT | {"recording": False}
    )
    assert partial.status_code == 422 and partial.json()["error"]["fields"] == {
        "consent": "required"
    }
    nobody = client.post(f"{base}/consent", json=CONSENT)  # no access value
    assert nobody.status_code == 403
    state = client.get(base, headers=setup.headers).json()
    assert state["status"] == "verified" and state["consent_needed"]
    interview = session.get(InterviewSession, state["interview_id"])
    session.refresh(interview)
    assert interview.consent_at is None


def test_submission_answers_with_its_state_and_queues_scoring_once(
    client, session, org, engine, queue
):
    setup, base, state = _state(client, session, org)
    first = state["questions"][0]["id"]
    client.post(f"{base}/questions/{first}/open", headers=setup.headers, json={"tab": TAB})
    assert _draft(client, setup, base, first, "草稿还没写完").status_code == 200
    with _statements(engine) as seen:
        submitted = client.post(f"{base}/submit", headers=setup.headers, json={"tab": TAB})
    assert submitted.status_code == 200, submitted.text
    _one_transaction(seen)
    body = submitted.json()
    assert body["status"] == "submitted"
    statuses = [q["status"] for q in body["questions"]]
    assert statuses[0] == "answered" and set(statuses[1:]) == {"skipped"}
    assert body["questions"][0]["draft"] == "草稿还没写完"  # the saved text, shown
    assert body["answered"] == 1 and body["last_event_id"] > 0
    _same_state(body, client.get(base, headers=setup.headers).json())
    interview_id = body["interview_id"]
    scoring = [m for m in queue.sent if m == ("interviews.score_interview", (interview_id,))]
    assert len(scoring) == 1, queue.sent
    rows = session.scalar(
        select(func.count())
        .select_from(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview_id)
    )
    assert rows == len(body["questions"])  # one row per question, none twice
    # submitting again: the same state, no second message
    again = client.post(f"{base}/submit", headers=setup.headers, json={"tab": TAB})
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    assert len([m for m in queue.sent if m[0] == "interviews.score_interview"]) == 1
    # another tab may not submit for the holder; a bad body is refused
    other = make_setup(session, org)
    started(session, other)
    other_base = f"/api/v1/links/{other.token}/interview"
    taken = client.post(f"{other_base}/submit", headers=other.headers, json={"tab": "tab-99999"})
    assert taken.status_code == 409
    assert client.post(f"{other_base}/submit", headers=other.headers, json={}).status_code == 422


def test_the_pages_consent_and_submission_answer_the_same(client, session, org):
    setup = make_setup(session, org)
    headers = page_headers(client, setup)
    base = f"/i/{setup.token}/interview"
    given = client.post(f"{base}/consent", headers=headers, json=CONSENT)
    assert given.status_code == 200, given.text
    assert given.json()["status"] == "in_progress"
    submitted = client.post(f"{base}/submit", headers=headers, json={"tab": TAB})
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    _same_state(body, client.get(f"{base}/state").json())


def test_a_question_skipped_on_the_way_is_not_the_next_one(client, session, org, engine):
    setup, base, state = _state(client, session, org)
    ids = [q["id"] for q in state["questions"]]
    assert len(ids) >= 3
    # the second opened straight away (the first never shown: it has no answer row)
    client.post(f"{base}/questions/{ids[1]}/open", headers=setup.headers, json={"tab": TAB})
    with _statements(engine) as seen:
        saved = _answer(client, setup, base, ids[1], "第二题的回答")
    assert saved.status_code == 200, saved.text
    # the first question, never answered nor skipped, comes next: what the page state says
    assert saved.json()["next_question_id"] == ids[0]
    reads = [s for s in seen if s.startswith("SELECT") and "FROM interview_answers" in s]
    assert len(reads) == 1, reads
    assert "interview_answers.text" not in reads[0].split(" FROM ")[0]  # written, not read
    state = client.get(base, headers=setup.headers).json()
    assert [q["status"] for q in state["questions"][:2]] == ["open", "answered"]
    assert state["current_question_id"] == ids[0]
    # a draft (not final) names no next question; a question outside the interview is 404
    draft = _draft(client, setup, base, ids[2])
    assert draft.status_code == 200 and draft.json()["next_question_id"] is None
    missing = _answer(client, setup, base, "no-such-question", "x")
    assert missing.status_code == 404


def test_the_final_answer_names_the_next_open_question(client, session, org, engine):
    setup, base, state = _state(client, session, org)
    ids = [q["id"] for q in state["questions"]]
    for position, qid in enumerate(ids):
        client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
        with _statements(engine) as seen:
            saved = _answer(client, setup, base, qid, f"回答 {position}")
        assert saved.status_code == 200, saved.text
        following = ids[position + 1] if position + 1 < len(ids) else None
        assert saved.json()["next_question_id"] == following
        reads = [s for s in seen if s.startswith("SELECT") and "FROM interview_answers" in s]
        assert len(reads) == 1, reads
    # an answered question refuses more writes
    done = _answer(client, setup, base, ids[0], "再改一次")
    assert done.status_code == 409
    texts = session.scalars(
        select(InterviewAnswer.text)
        .join(InterviewSession, InterviewSession.id == InterviewAnswer.interview_id)
        .where(InterviewSession.invitation_id == setup.invitation.id)
        .order_by(InterviewAnswer.position)
    ).all()
    assert texts == [f"回答 {n}" for n in range(len(ids))]


def test_the_links_first_view_reads_company_and_opening_in_one_query(client, session, org, engine):
    setup = make_setup(session, org, verified=False)
    with _statements(engine) as seen:
        opened = client.get(f"/api/v1/links/{setup.token}")
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["company"] == org.tenant.name and body["job_title"] == setup.opening.title
    assert body["verified"] is False and body["candidate_name"] == "" and body["booking"] is None
    assert not [s for s in seen if s.startswith("SELECT bookings")], seen
    names = [s for s in seen if s.startswith(("SELECT tenants", "SELECT openings"))]
    assert names == [names[0]] and names[0].startswith("SELECT tenants.name, openings.title"), seen
    verified = client.post(f"/api/v1/links/{setup.token}/verify", json={"answer": "123x"})
    assert verified.status_code == 200, verified.text
    access = {"X-Link-Access": verified.json()["access"]}
    again = client.get(f"/api/v1/links/{setup.token}", headers=access).json()
    assert again["verified"] is True and again["candidate_name"] == setup.candidate.name
    assert again["company"] == org.tenant.name and again["booking"] is None
    # a link that is not signed, or names another invitation, is not found
    assert client.get(f"/api/v1/links/{setup.token}x").status_code == 404
    # the identity check's audit rows are chained as before
    actions = session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.target_type == "invitation", AuditEntry.target_id == str(setup.invitation.id)
        )
        .order_by(AuditEntry.id)
    ).all()
    assert "invitation.identity_verified" in actions
