"""What a candidate's everyday request costs in statements: opening a question and saving the
final answer, through the API and the page's routes, read the link's rows once and write each
row once, in one transaction; the answers are what they were (``tests/interviews`` checks the
refusals)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.engine.default import CACHE_HIT
from sqlalchemy.orm import Session

from hireflow.interviews.candidate import NOTICE_VERSION
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.records.integrity import verify_person
from hireflow.records.models import PendingEntry
from hireflow.records.timeline import settle_pending
from tests.interviews.factories import (  # noqa: F401 - fixtures
    TAB,
    make_setup,
    queue_fixture,
    started,
)

COMMIT = "-- commit"


@contextmanager
def _statements(engine) -> Iterator[list[str]]:
    """The statements run meanwhile, with a marker where a session committed."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    def committed(_session) -> None:
        seen.append(COMMIT)

    event.listen(engine, "before_cursor_execute", record)
    event.listen(Session, "after_commit", committed)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(Session, "after_commit", committed)


def _count(seen: list[str], start: str) -> int:
    return sum(1 for s in seen if s.startswith(start))


def _after_commit(seen: list[str]) -> list[str]:
    """The statements after the request's first commit (a second transaction)."""
    if COMMIT not in seen:
        return []
    ends = (COMMIT, "COMMIT", "RELEASE SAVEPOINT")  # the commit itself (tests nest in one)
    return [s for s in seen[seen.index(COMMIT) + 1 :] if not s.startswith(ends)]


def _state(client, session, org):
    setup = make_setup(session, org)
    started(session, setup)
    base = f"/api/v1/links/{setup.token}/interview"
    return setup, base, client.get(base, headers=setup.headers).json()


def test_opening_a_question_reads_the_link_once_and_writes_each_row_once(
    client, session, org, engine
):
    setup, base, state = _state(client, session, org)
    qid = state["questions"][0]["id"]
    with _statements(engine) as seen:
        opened = client.post(
            f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB}
        )
    assert opened.status_code == 200
    body = opened.json()
    assert body["id"] == qid and body["started"] and body["remaining_s"] > 0
    # the invitation and its interview in one query (the link's check and the shown language
    # read them from the session); the interview written once; the answer row inserted with
    # its clock running, not inserted then updated, in one statement; nothing after the commit
    assert _count(seen, "SELECT invitations") == 1, seen
    assert _count(seen, "UPDATE interview_sessions") == 1, seen
    assert _count(seen, "INSERT INTO interview_answers") == 1, seen
    assert _count(seen, "UPDATE interview_answers") == 0, seen
    assert _after_commit(seen) == [], seen
    # created by one INSERT ... ON CONFLICT DO NOTHING, not in a savepoint of its own (the
    # one savepoint is the test's transaction the request's session joins)
    assert _count(seen, "SAVEPOINT") == 1, seen
    session.expire_all()
    answer = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.question_id == qid)
    ).one()
    interview = session.get(InterviewSession, answer.interview_id)
    assert answer.started_at is not None and answer.status == "open"
    assert interview is not None and interview.current_question == qid


def test_the_final_answer_finds_the_next_question_in_its_own_transaction(
    client, session, org, engine
):
    setup, base, state = _state(client, session, org)
    first, second = state["questions"][0]["id"], state["questions"][1]["id"]
    client.post(f"{base}/questions/{first}/open", headers=setup.headers, json={"tab": TAB})
    with _statements(engine) as seen:
        saved = client.put(
            f"{base}/questions/{first}/text",
            headers=setup.headers,
            json={"tab": TAB, "text": "My answer.", "final": True},
        )
    assert saved.status_code == 200
    assert saved.json()["status"] == "answered"
    assert saved.json()["next_question_id"] == second
    assert _count(seen, "SELECT invitations") == 1, seen
    assert _count(seen, "UPDATE interview_sessions") <= 1, seen
    assert _after_commit(seen) == [], seen
    # the page state agrees with what the answer said
    after = client.get(base, headers=setup.headers).json()
    assert after["current_question_id"] == second


def page_headers(client, setup) -> dict[str, str]:
    """What the candidate's page sends with its requests: the link's cookie (set on the
    client) and the page's CSRF token."""
    name, value = setup.cookie
    client.cookies.set(name, value)
    page = client.get(f"/i/{setup.token}/interview")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token is not None
    return {"X-CSRF-Token": token.group(1), "Accept": "application/json"}


def test_the_pages_routes_read_the_link_once_too(client, session, org, engine):
    """The candidate's page (``/i/{token}/interview/...``, access in the link's cookie)."""
    setup, _base, state = _state(client, session, org)
    qid = state["questions"][0]["id"]
    headers = page_headers(client, setup)
    path = f"/i/{setup.token}/interview/questions/{qid}/open"
    with _statements(engine) as seen:
        opened = client.post(path, headers=headers, json={"tab": TAB})
    assert opened.status_code == 200, opened.text
    assert _count(seen, "SELECT invitations") == 1, seen
    assert _count(seen, "UPDATE interview_answers") == 0, seen
    assert _after_commit(seen) == [], seen


def test_consent_is_kept_with_the_request_and_chained_after_it(client, session, org, engine):
    """Consent writes two outbox rows in the request's transaction and nothing of the person's
    chain (no head locked, no entry, no record state); the next read of the chain appends
    them, and the chain verifies."""
    setup = make_setup(session, org)
    base = f"/api/v1/links/{setup.token}/interview"
    assert client.get(base, headers=setup.headers).status_code == 200  # the interview exists
    consent = {
        "tab": TAB,
        "recording": True,
        "ai_assessment": True,
        "notice_version": NOTICE_VERSION,
    }
    with _statements(engine) as seen:
        given = client.post(f"{base}/consent", headers=setup.headers, json=consent)
    assert given.status_code == 200, given.text
    assert given.json()["status"] == "in_progress"
    assert _count(seen, "INSERT INTO record_outbox") == 1, seen  # both rows, one statement
    writes = [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    person_chain = [s for s in writes if "record_entries" in s or "records " in s]
    assert person_chain == [], person_chain
    # the audit chain's head, and only it: the person's chain head is not touched
    heads = [s for s in seen if "chain_heads" in s]
    assert len(heads) == 2, heads  # advanced, then its hash set
    pending = session.scalar(
        select(func.count())
        .select_from(PendingEntry)
        .where(PendingEntry.person_id == setup.candidate.id)
    )
    assert pending == 2
    assert settle_pending(session, setup.candidate.id) == 2
    session.commit()
    assert verify_person(session, setup.candidate.id).ok
    # a second consent (another tab, a double click) changes nothing
    again = client.post(f"{base}/consent", headers=setup.headers, json=consent)
    assert again.status_code == 200
    assert session.scalar(select(func.count()).select_from(PendingEntry)) == 0


def test_the_links_first_view_and_check_read_the_id_number_alone(client, session, org, engine):
    """Which identity check applies, and whether the answer is right, come from the one
    column: the candidate's row (every personal column decrypted) is not loaded; a wrong
    answer is still refused and the right one still gives access."""
    setup = make_setup(session, org, verified=False)
    link = f"/api/v1/links/{setup.token}"
    with _statements(engine) as seen:
        shown = client.get(link)
        wrong = client.post(f"{link}/verify", json={"answer": "9999"})
        right = client.post(f"{link}/verify", json={"answer": "123x"})
    assert shown.status_code == 200, shown.text
    assert shown.json()["identity_method"] == "id_last4"
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["error"]["code"] == "identity_wrong"
    assert right.status_code == 200 and right.json()["verified"], right.text
    reads = [s for s in seen if s.startswith("SELECT") and "FROM candidates" in s]
    assert reads, seen
    assert all("candidates.email" not in s and "candidates.profile" not in s for s in reads), reads
    access = {"X-Link-Access": right.json()["access"]}
    assert client.get(f"{link}/interview", headers=access).status_code == 200


def test_a_question_step_compiles_no_statement_again(client, session, org, engine):
    """Once a first question was opened, drafted and answered, the same steps on the next
    question find every statement in SQLAlchemy's compiled cache (a statement that misses it
    is compiled again on every request: a column type without a cache key, a statement
    built with its values inlined)."""
    setup, base, state = _state(client, session, org)
    consent = {"recording": True, "ai_assessment": True, "notice_version": NOTICE_VERSION}
    given = client.post(f"{base}/consent", headers=setup.headers, json={"tab": TAB, **consent})
    assert given.status_code == 200, given.text

    def answer(qid: str) -> None:
        opened = client.post(
            f"{base}/questions/{qid}/open", headers=setup.headers, json={"tab": TAB}
        )
        assert opened.status_code == 200, opened.text
        for text, final in (("My", False), ("My answer.", True)):
            saved = client.put(
                f"{base}/questions/{qid}/text",
                headers=setup.headers,
                json={"tab": TAB, "text": text, "final": final},
            )
            assert saved.status_code == 200, saved.text

    answer(state["questions"][0]["id"])
    compiled: list[str] = []

    def note(_conn, _cursor, statement, _params, context, _many) -> None:
        # the test's savepoints (the request's session joins its transaction) have no key
        raw = context is None or context.compiled is None or "SAVEPOINT" in statement
        if not raw and context.cache_hit is not CACHE_HIT:
            compiled.append(f"{context._get_cache_stats()}: {' '.join(statement.split())}")

    event.listen(engine, "after_cursor_execute", note)
    try:
        answer(state["questions"][1]["id"])
    finally:
        event.remove(engine, "after_cursor_execute", note)
    assert compiled == [], compiled


def test_the_rows_written_without_a_flush_need_nothing_a_flush_adds():
    """``sessions.write_changed`` writes the interview's and an answer's changed columns with
    one UPDATE and skips the unit of work: it must not skip anything the flush would do for
    them (mapper events, a data version's bump, a record seal)."""
    from sqlalchemy import inspect

    from hireflow.core import versions
    from hireflow.interviews.sessions import DIRECT_WRITES
    from hireflow.records.seals import subjects

    for model in DIRECT_WRITES:
        mapper = inspect(model)
        for name in ("before_update", "after_update"):
            assert not list(getattr(mapper.dispatch, name)), (model, name)
        assert model not in versions._VERSIONED, model
        assert model not in subjects(), model
        # its only onupdate is updated_at, which write_changed sets
        assert [c.name for c in mapper.local_table.c if c.onupdate is not None] == ["updated_at"]
