"""A submitted interview is never stuck without HR being told why and what to do."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from hireflow.core.db import utcnow
from hireflow.interviews import candidate
from hireflow.interviews.progress import WORKER_SILENT_AFTER, waiting_for_report
from tests.conftest import login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)

NOW = utcnow()


def _row(**values):
    defaults = {
        "status": "submitted",
        "submitted_at": NOW - timedelta(seconds=10),
        "scoring_attempts": 0,
        "scoring_lease_until": None,
        "scoring_error": "",
        "speech_pending": False,
    }
    return SimpleNamespace(**{**defaults, **values})


@pytest.mark.parametrize(
    ("values", "expected", "retry"),
    [
        ({}, "queued", False),
        ({"submitted_at": NOW - WORKER_SILENT_AFTER}, "worker_idle", True),
        (
            {"scoring_attempts": 1, "scoring_lease_until": NOW + timedelta(minutes=4)},
            "scoring",
            False,
        ),
        ({"speech_pending": True, "scoring_attempts": 1}, "speech_unavailable", True),
        (
            {"scoring_error": "speech_unavailable", "scoring_attempts": 2},
            "speech_unavailable",
            True,
        ),
        ({"scoring_attempts": 2, "scoring_error": "failed: ValueError"}, "retrying", True),
        (
            {"scoring_attempts": 1, "scoring_lease_until": NOW - timedelta(seconds=1)},
            "retrying",
            True,
        ),
    ],
)
def test_every_wait_has_a_state_a_reason_and_an_action(values, expected, retry):
    waiting = waiting_for_report(_row(**values), NOW)
    assert waiting is not None and waiting.state == expected
    assert waiting.can_retry is retry
    assert waiting.reason and waiting.action and waiting.label
    assert "%(" not in (waiting.reason % waiting.params if waiting.params else waiting.reason)


@pytest.mark.parametrize("status", ["invited", "verified", "in_progress", "scored", "reviewed"])
def test_only_submitted_interviews_wait_for_a_report(status):
    assert waiting_for_report(_row(status=status), NOW) is None


def test_hr_sees_why_and_retries(client, session, db, org, queue, storage, monkeypatch):
    """Speech recognition missing on the worker: the list and the report say so, the report
    says what to do, and "Retry now" queues the scoring again (not while a run is live)."""
    from hireflow.interviews import speech

    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    monkeypatch.setattr(speech, "speech_available", lambda: False)
    interview.speech_pending = True
    interview.scoring_error = "speech_unavailable"
    interview.scoring_attempts = 1
    session.commit()

    login(client, org.users["recruiter"])
    listing = client.get("/interviews")
    assert 'data-waiting="speech_unavailable"' in listing.text
    page = client.get(f"/interviews/{interview.id}")
    assert 'id="report-waiting"' in page.text and 'data-state="speech_unavailable"' in page.text
    assert "speech recognition is not installed" in page.text
    assert "restart it" in page.text  # what to do
    assert 'id="retry-scoring"' in page.text
    assert "in a few seconds" not in page.text

    queued = len(queue.sent)
    response = client.post(
        f"/interviews/{interview.id}/retry-scoring",
        data={"csrf_token": client.headers["X-CSRF-Token"]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert ("interviews.score_interview", (interview.id,)) in queue.sent[queued:]
    session.expire_all()
    assert not session.get(type(interview), interview.id).speech_pending

    # a live scoring run is not interrupted
    interview = session.get(type(interview), interview.id)
    interview.scoring_lease_until = utcnow() + timedelta(minutes=3)
    session.commit()
    refused = client.post(
        f"/api/v1/interviews/{interview.id}/retry-scoring",
        headers={"X-CSRF-Token": client.headers["X-CSRF-Token"]},
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "scoring_in_progress"
    page = client.get(f"/interviews/{interview.id}")
    assert 'data-state="scoring"' in page.text and 'data-refresh="5"' in page.text
    assert 'id="retry-scoring"' not in page.text


def test_interviewers_cannot_retry(client, session, db, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    login(client, org.users["interviewer"])
    response = client.post(
        f"/api/v1/interviews/{interview.id}/retry-scoring",
        headers={"X-CSRF-Token": client.headers["X-CSRF-Token"]},
    )
    assert response.status_code in (403, 404)
