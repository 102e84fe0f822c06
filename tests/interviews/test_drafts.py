"""The autosave as one UPDATE of one answer row (``interviews/drafts.py``): what it writes,
what it does not touch, and that every refusal of the full path still applies to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from hireflow.core.db import utcnow
from hireflow.core.settings import get_settings
from hireflow.interviews import drafts, links, schemas
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.scheduling.models import Invitation
from tests.conftest import bearer, make_org
from tests.interviews.factories import (  # noqa: F401 - fixtures
    OTHER_TAB,
    TAB,
    make_setup,
    queue_fixture,
    started,
)


@pytest.fixture(autouse=True)
def _fresh_targets() -> Iterator[None]:
    drafts.targets.clear()
    yield
    drafts.targets.clear()


@contextmanager
def _statements(engine) -> Iterator[list[str]]:
    """The SQL statements run meanwhile (first word and table), e.g. 'UPDATE interview_answers'."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _opened(client, session, org):
    """A candidate who consented and opened the first question through the API (so this
    process resolved the link once): (setup, base url, question id)."""
    setup = make_setup(session, org)
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    qid = client.get(base, headers=setup.headers).json()["questions"][0]["id"]
    opened = client.post(f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB})
    assert opened.status_code == 200
    return setup, base, qid


def _draft(client, setup, base, qid, text="草稿", tab=TAB):
    return client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": tab, "text": text, "final": False},
    )


def _stored(session, interview_id: int, qid: str) -> InterviewAnswer:
    session.expire_all()
    return session.scalars(
        select(InterviewAnswer).where(
            InterviewAnswer.interview_id == interview_id, InterviewAnswer.question_id == qid
        )
    ).one()


def _interview(session, setup) -> InterviewSession:
    session.expire_all()
    return session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == setup.invitation.id)
    ).one()


def test_a_draft_is_one_update_of_its_answer_row(client, session, org, engine):
    setup, base, qid = _opened(client, session, org)
    interview = _interview(session, setup)
    updated_before = interview.updated_at
    with _statements(engine) as seen:
        saved = _draft(client, setup, base, qid, "第一段草稿")
    assert saved.status_code == 200, saved.text
    assert saved.json() | {"warning": "", "warning_message": ""} == {
        "question_id": qid,
        "status": "draft",
        "mode": "text",
        "media_status": "",
        "warning": "",
        "warning_message": "",
        "next_question_id": None,
    }
    writes = [s for s in seen if not s.upper().startswith(("SELECT", "BEGIN", "SAVEPOINT"))]
    writes = [s for s in writes if not s.upper().startswith(("RELEASE", "COMMIT", "ROLLBACK"))]
    assert len(writes) == 1 and writes[0].startswith("UPDATE interview_answers"), seen
    # nothing else read or written: no answer rows loaded, no audit, no event, no outbox
    assert not [s for s in seen if re.search(r"FROM interview_answers", s.split(" WHERE")[0])]
    assert not [s for s in seen if "audit" in s or "interview_events" in s or "outbox" in s]
    answer = _stored(session, interview.id, qid)
    assert (answer.status, answer.mode, answer.text) == ("draft", "text", "第一段草稿")
    assert _interview(session, setup).updated_at == updated_before
    # the next draft replaces it, the final answer goes the full way
    assert _draft(client, setup, base, qid, "第二段草稿").status_code == 200
    assert _stored(session, interview.id, qid).text == "第二段草稿"
    final = client.put(
        f"{base}/questions/{qid}/text",
        headers=setup.headers,
        json={"tab": TAB, "text": "最终答案", "final": True},
    )
    assert final.status_code == 200 and final.json()["status"] == "answered"
    assert final.json()["next_question_id"]
    refused = _draft(client, setup, base, qid, "太晚了")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "question_done"
    assert _stored(session, interview.id, qid).text == "最终答案"


def test_a_withdrawn_invitation_refuses_the_next_draft(client, session, org):
    setup, base, qid = _opened(client, session, org)
    assert _draft(client, setup, base, qid).status_code == 200
    hr = bearer(client, org.users["recruiter"])
    cancelled = client.post(f"/api/v1/invitations/{setup.invitation.id}/cancel", headers=hr)
    assert cancelled.status_code == 200
    refused = _draft(client, setup, base, qid, "撤回后")
    assert refused.status_code == 410 and refused.json()["error"]["code"] == "link_expired"
    assert _stored(session, _interview(session, setup).id, qid).text == "草稿"


def test_an_identity_reset_refuses_the_next_draft(client, session, org):
    setup, base, qid = _opened(client, session, org)
    assert _draft(client, setup, base, qid).status_code == 200
    hr = bearer(client, org.users["recruiter"])
    unlocked = client.post(f"/api/v1/invitations/{setup.invitation.id}/unlock", headers=hr)
    assert unlocked.status_code == 200
    refused = _draft(client, setup, base, qid, "重置后")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "identity_required"


def test_a_submitted_interview_refuses_the_next_draft(client, session, org):
    setup, base, qid = _opened(client, session, org)
    assert _draft(client, setup, base, qid).status_code == 200
    submitted = client.post(f"{base}/submit", headers=setup.headers, json={"tab": TAB})
    assert submitted.status_code == 200
    refused = _draft(client, setup, base, qid, "提交后")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "interview_closed"


def test_another_tab_time_up_and_deadline_take_the_full_path(client, session, org):
    setup, base, qid = _opened(client, session, org)
    assert _draft(client, setup, base, qid).status_code == 200
    other = _draft(client, setup, base, qid, "另一个标签页", tab=OTHER_TAB)
    assert other.status_code == 409 and other.json()["error"]["code"] == "tab_superseded"
    interview = _interview(session, setup)
    session.execute(
        update(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview.id, InterviewAnswer.question_id == qid)
        .values(started_at=utcnow() - timedelta(hours=1))
    )
    session.commit()
    late = _draft(client, setup, base, qid, "超时")
    assert late.status_code == 409 and late.json()["error"]["code"] == "time_up"
    past = utcnow() - timedelta(minutes=1)
    session.execute(
        update(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview.id, InterviewAnswer.question_id == qid)
        .values(started_at=utcnow())
    )
    session.execute(
        update(InterviewSession).where(InterviewSession.id == interview.id).values(deadline=past)
    )
    session.execute(
        update(Invitation).where(Invitation.id == setup.invitation.id).values(deadline=past)
    )
    session.commit()
    gone = _draft(client, setup, base, qid, "过期")
    assert gone.status_code in (409, 410) and gone.json()["error"]["code"] == "deadline_passed"
    assert _stored(session, interview.id, qid).text == "草稿"


def test_one_candidates_access_value_never_saves_into_anothers_interview(client, session, org):
    mine, base, qid = _opened(client, session, org)
    theirs, _their_base, _ = _opened(client, session, org)
    forged = client.put(
        f"{base}/questions/{qid}/text",
        headers={"X-Link-Access": theirs.access},
        json={"tab": TAB, "text": "别人的", "final": False},
    )
    assert forged.status_code == 403
    assert _stored(session, _interview(session, mine).id, qid).text == ""


def test_the_pages_autosave_takes_the_same_path(client, session, org, engine):
    setup = make_setup(session, org)
    started(session, setup)
    name, value = setup.cookie
    client.cookies.set(name, value)
    page = client.get(f"/i/{setup.token}/interview")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    client.headers.update({"X-CSRF-Token": token, "Accept": "application/json"})
    base = f"/i/{setup.token}/interview"
    qid = client.post(f"{base}/claim", json={"tab": TAB}).json()["questions"][0]["id"]
    assert client.post(f"{base}/questions/{qid}/open", json={"tab": TAB}).status_code == 200
    with _statements(engine) as seen:
        saved = client.post(f"{base}/questions/{qid}/text", json={"tab": TAB, "text": "页面草稿"})
    assert saved.status_code == 200 and saved.json()["status"] == "draft", saved.text
    assert [s for s in seen if s.startswith("UPDATE")] == [
        s for s in seen if s.startswith("UPDATE interview_answers")
    ]
    assert _stored(session, _interview(session, setup).id, qid).text == "页面草稿"
    # a malformed body is answered by the full path, in the candidate's language
    bad = client.post(f"{base}/questions/{qid}/text", json={"tab": "x", "text": 1})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


# --------------------------------------------------------------------------- one definition


def _name(condition: links.Condition) -> str:
    return f"{condition.column.class_.__tablename__}.{condition.column.key}"


def _set(session, model, row_id: int, **values) -> None:
    session.execute(update(model).where(model.id == row_id).values(**values))


def _answer_id(session, interview_id: int, qid: str) -> int:
    return _stored(session, interview_id, qid).id


def _past_deadline(session, setup, interview_id: int) -> None:
    """HR moved the deadline into the past (the interview follows its invitation's)."""
    past = utcnow() - timedelta(minutes=1)
    _set(session, InterviewSession, interview_id, deadline=past)
    _set(session, Invitation, setup.invitation.id, deadline=past)


# How to break each condition of ``links.CONDITIONS`` in the database, as HR, the sweep, the
# clock or another request would: (session, setup, interview id, question id) -> None.
BREAKERS = {
    "invitations.status": lambda s, setup, i, q: _set(
        s, Invitation, setup.invitation.id, status="cancelled"
    ),
    "invitations.verified_at": lambda s, setup, i, q: _set(
        s, Invitation, setup.invitation.id, verified_at=None
    ),
    "invitations.identity_generation": lambda s, setup, i, q: _set(
        s, Invitation, setup.invitation.id, identity_generation=Invitation.identity_generation + 1
    ),
    "interview_sessions.status": lambda s, setup, i, q: _set(
        s, InterviewSession, i, status="submitted"
    ),
    "interview_sessions.deadline": lambda s, setup, i, q: _past_deadline(s, setup, i),
    "interview_answers.status": lambda s, setup, i, q: _set(
        s, InterviewAnswer, _answer_id(s, i, q), status="answered"
    ),
    "interview_answers.started_at": lambda s, setup, i, q: _set(
        s, InterviewAnswer, _answer_id(s, i, q), started_at=utcnow() - timedelta(hours=1)
    ),
}


def test_every_condition_of_a_write_has_a_case_here():
    assert sorted(BREAKERS) == sorted(_name(c) for c in links.CONDITIONS)
    # the draft's statement has each of them (and the full path's run_clock the answer's)
    compiled = str(drafts._DRAFT_UPDATE.compile())
    for condition in links.CONDITIONS:
        assert condition.column.key in compiled


@pytest.mark.parametrize("condition", links.CONDITIONS, ids=_name)
def test_each_condition_refuses_the_draft_and_the_full_path_alike(client, session, org, condition):
    setup, base, qid = _opened(client, session, org)
    assert _draft(client, setup, base, qid).status_code == 200
    interview = _interview(session, setup)
    generation = setup.invitation.identity_generation  # the access value's
    BREAKERS[_name(condition)](session, setup, interview.id, qid)
    session.commit()
    session.expire_all()
    model = condition.column.class_
    row_id = {
        Invitation: setup.invitation.id,
        InterviewSession: interview.id,
        InterviewAnswer: _answer_id(session, interview.id, qid),
    }[model]
    now = utcnow()
    facts = {
        "now": now,
        "generation": generation,
        "earliest_start": links.earliest_start(180, now),
    }
    # the two forms agree: the loaded row fails it, and so does the row in SQL
    assert not condition.holds(session.get(model, row_id), facts)
    params = (
        {f"b_{condition.value}": facts[condition.value]} if condition.test in ("==", ">=") else {}
    )
    matched = session.scalar(
        select(func.count()).select_from(model).where(model.id == row_id, condition.clause()),
        params,
    )
    assert matched == 0
    refused = _draft(client, setup, base, qid, "不该写入")
    assert refused.status_code in (403, 409, 410), refused.text
    assert refused.json()["error"]["code"] == condition.refusal
    assert _stored(session, interview.id, qid).text == "草稿"


def test_a_wrong_token_an_expired_link_and_another_tenants_access_are_refused(client, session, org):
    setup, base, qid = _opened(client, session, org)
    # a token whose signature fails: no target, the full path answers 404
    forged = _draft(client, setup, f"/api/v1/links/{setup.token}x/interview", qid, "伪造")
    assert forged.status_code == 404
    # past the link's own expiry the draft does not write (the full path answers 410)
    target = drafts.known_target(get_settings(), setup.token)
    assert target is not None
    late = drafts.save_draft(
        session,
        get_settings(),
        setup.token,
        setup.access,
        qid,
        schemas.TextAnswerIn(tab=TAB, text="过期", final=False),
        now=target.expires_at + timedelta(seconds=1),
    )
    assert late is None
    # a candidate of another company: their access value opens nothing here
    other = make_org(session)
    theirs, _their_base, _ = _opened(client, session, other)
    crossed = _draft(client, theirs, base, qid, "别家的")  # their access value, my link
    assert crossed.status_code == 403
    assert _stored(session, _interview(session, setup).id, qid).text == ""
