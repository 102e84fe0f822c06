"""Resolving the personal link on every interview request: signatures are checked once per
process, but whatever can be revoked is read again on every request."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from hireflow.core.settings import get_settings
from hireflow.scheduling import candidate_link
from tests.conftest import bearer
from tests.interviews.factories import (  # noqa: F401 - fixtures
    TAB,
    make_setup,
    queue_fixture,
    started,
)


def _consent(client, session, setup) -> dict:
    """The candidate consented (as the page's consent step does); the page state after it."""
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    return client.get(base, headers=setup.headers).json()


def test_a_withdrawn_invitation_is_refused_at_the_next_request(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    state = _consent(client, session, setup)
    qid = state["questions"][0]["id"]
    opened = client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    assert opened.status_code == 200
    hr = bearer(client, org.users["recruiter"])
    assert (
        client.post(f"/api/v1/invitations/{setup.invitation.id}/cancel", headers=hr).status_code
        == 200
    )
    saved = client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "答案", "final": False},
    )
    assert saved.status_code == 410 and saved.json()["error"]["code"] == "link_expired"
    assert client.get(base, headers=setup.headers).status_code == 410


def test_access_given_before_an_identity_reset_is_refused_at_the_next_request(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    assert client.get(base, headers=setup.headers).status_code == 200
    hr = bearer(client, org.users["recruiter"])
    unlocked = client.post(f"/api/v1/invitations/{setup.invitation.id}/unlock", headers=hr)
    assert unlocked.status_code == 200
    denied = client.get(base, headers=setup.headers)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "identity_required"


def test_a_submitted_interview_is_read_only_at_once(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    state = _consent(client, session, setup)
    qid = state["questions"][0]["id"]
    client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    submitted = client.post(f"{base}/submit", headers=setup.headers, json={"tab": TAB})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    saved = client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "迟到的答案", "final": True},
    )
    assert saved.status_code == 409, saved.text
    opened = client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    assert opened.status_code == 409
    assert client.get(base, headers=setup.headers).json()["status"] == "submitted"


def test_one_candidates_access_never_opens_anothers_interview(client, session, org):
    mine = make_setup(session, org)
    theirs = make_setup(session, org, dept_index=1)
    # both links used (and their signatures remembered) first
    for setup in (mine, theirs):
        url = f"/api/v1/links/{setup.token}/interview"
        assert client.get(url, headers=setup.headers).status_code == 200
    crossed = client.get(f"/api/v1/links/{theirs.token}/interview", headers=mine.headers)
    assert crossed.status_code == 403
    # a token naming someone else's invitation is not a link at all
    settings = get_settings()
    from hireflow.scheduling.links import make_link_token

    forged = make_link_token(
        settings.secret_key,
        str(mine.candidate.id),
        str(theirs.invitation.id),
        theirs.invitation.deadline,
    )
    assert client.get(f"/api/v1/links/{forged}/interview", headers=mine.headers).status_code == 404


def test_an_access_value_older_than_its_lifetime_is_refused(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    settings = get_settings()

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - (candidate_link.ACCESS_HOURS * 3600 + 60)

    raw = f"{setup.invitation.id}:{setup.invitation.identity_generation}"
    serializer = URLSafeTimedSerializer(
        settings.secret_key, salt="invitation-access", signer=SignedLongAgo
    )
    old = serializer.dumps(raw)
    assert client.get(base, headers={"X-Link-Access": old}).status_code == 403
    assert client.get(base, headers=setup.headers).status_code == 200


def test_opening_a_question_returns_what_the_page_state_shows(client, session, org):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    state = _consent(client, session, setup)
    first, second = (q["id"] for q in state["questions"][:2])
    client.post(f"{base}/questions/{first}/open", headers=setup.headers, json={"tab": TAB})
    draft = client.put(
        f"{base}/questions/{first}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "草稿", "final": False},
    )
    assert draft.json()["status"] == "draft"
    view = client.post(
        f"{base}/questions/{second}/open", headers=setup.headers, json={"tab": TAB}
    ).json()
    page = client.get(base, headers=setup.headers).json()
    # moving on closed the draft before it, and the view matches the page's (clock aside)
    assert page["questions"][0]["status"] == "answered" and page["questions"][0]["draft"] == "草稿"
    shown = page["questions"][1]
    assert {k: v for k, v in view.items() if k != "remaining_s"} == {
        k: v for k, v in shown.items() if k != "remaining_s"
    }
    final = client.put(
        f"{base}/questions/{second}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "回答", "final": True},
    )
    assert final.json()["next_question_id"] == page["questions"][2]["id"]


def test_scoring_is_queued_once_when_the_submission_answered(client, session, org, queue):
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    state = _consent(client, session, setup)
    qid = state["questions"][0]["id"]
    client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "回答", "final": True},
    )
    assert "interviews.score_interview" not in queue.names()
    for _ in range(2):  # submitting twice is harmless: one message
        response = client.post(f"{base}/submit", headers=setup.headers, json={"tab": TAB})
        assert response.status_code == 200
    assert queue.args_of("interviews.score_interview") == [(state["interview_id"],)]


def test_the_page_state_reads_the_invitation_once_not_per_question(client, session, org, engine):
    """The invitation is read once per state, not once per question (the shown language needs
    it; the request holds the row it read ahead, so the session has it without a query)."""
    from sqlalchemy import event

    setup = make_setup(session, org)
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        state = client.get(base, headers=setup.headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert state.status_code == 200
    questions = state.json()["questions"]
    assert len(questions) > 1
    invitation_reads = [s for s in seen if s.startswith("SELECT") and "FROM invitations" in s]
    # the link's rows read ahead in one query; the link's check and the shown language find
    # the invitation in the session (the request holds it): one read, whatever the number of
    # questions (before: three, and before that the shown language once per question)
    assert len(questions) >= 3 and len(invitation_reads) == 1, invitation_reads
    # a wrong access value still reads nothing of the interview
    wrong = client.get(base, headers={"X-Link-Access": setup.access[:-2] + "xx"})
    assert wrong.status_code == 403
