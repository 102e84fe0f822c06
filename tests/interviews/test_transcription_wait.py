"""A report held back by speech recognition: HR sees "waiting for transcription" (both
languages), IT sees the speech queue's lag on the system page and in /metrics."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from hireflow.core.db import utcnow
from hireflow.interviews import candidate
from hireflow.interviews.health import untranscribed, waiting_transcriptions
from hireflow.interviews.models import InterviewAnswer
from hireflow.interviews.progress import WORKER_SILENT_AFTER, waiting_for_report
from tests.conftest import login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_EN,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)
from tests.interviews.test_progress import NOW, _row


def test_recordings_waiting_for_recognition_are_their_own_state():
    waiting = waiting_for_report(_row(), NOW, untranscribed=2)
    assert waiting is not None and waiting.state == "transcription"
    assert waiting.params == {"count": 2} and waiting.refresh and not waiting.can_retry
    assert "2 recorded answers" in waiting.reason % waiting.params
    # nothing waiting: queued as before; a worker silent for minutes is still the news
    assert waiting_for_report(_row(), NOW).state == "queued"
    silent = _row(submitted_at=NOW - WORKER_SILENT_AFTER)
    assert waiting_for_report(silent, NOW, untranscribed=2).state == "worker_idle"
    live = _row(scoring_attempts=1, scoring_lease_until=NOW + timedelta(minutes=3))
    assert waiting_for_report(live, NOW, untranscribed=2).state == "scoring"


def test_hr_and_it_see_the_wait_for_transcription(client, session, db, org, queue, storage):
    setup = make_setup(session, org, language="en")
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_EN)
    candidate.submit(session, interview, TAB)
    before, _oldest = waiting_transcriptions(session)
    # one answer arrived as a recording that the speech queue has not reached yet
    first = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    ).first()
    session.execute(
        update(InterviewAnswer)
        .where(InterviewAnswer.id == first.id)
        .values(media_status="stored", mode="voice", answered_at=utcnow() - timedelta(minutes=3))
    )
    session.commit()
    assert untranscribed(session, interview.id) == 1
    count, oldest = waiting_transcriptions(session)
    assert count == before + 1 and oldest is not None

    recruiter = org.users["recruiter"]
    for language, label in (("en", "waiting for transcription"), ("zh-CN", "等待语音转写")):
        recruiter.language = language
        session.commit()
        login(client, recruiter)
        page = client.get(f"/interviews/{interview.id}")
        assert 'data-state="transcription"' in page.text, page.text[:2000]
        assert label in page.text and 'data-refresh="5"' in page.text

    login(client, org.users["it_auditor"])
    page = client.get("/system")
    assert page.status_code == 200 and 'id="speech-lag"' in page.text
    waiting = int(page.text.split('data-waiting="', 1)[1].split('"', 1)[0])
    lag = int(page.text.split('data-lag="', 1)[1].split('"', 1)[0])
    assert waiting >= 1 and lag >= 170  # the oldest recording waits three minutes
    metrics = client.get("/metrics").text
    assert 'hireflow_backlog_items{kind="transcriptions"}' in metrics
    line = next(x for x in metrics.splitlines() if x.startswith("hireflow_asr_lag_seconds "))
    assert float(line.split()[1]) >= 170
