"""The candidate's side of the interview (hireflow.interviews.service) on the real database.

Sessions created from the opening's plan, consent landing in the record, answers saved after
every step, clocks, deadlines, two tabs, resumable uploads of real recordings and the bad
inputs the issue lists: expired links, late answers, oversized and non-media uploads, silent
recordings, disconnects mid-upload.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.core.errors import AppError
from hireflow.interviews import (
    candidate,
    errors,
    pipeline,
    recordings,
    schemas,
    sessions,
    state,
    uploads,
)
from hireflow.interviews.media import probe
from hireflow.interviews.models import (
    InterviewAnswer,
    InterviewEvent,
    InterviewSession,
    InterviewUpload,
)
from hireflow.records.integrity import verify_person
from hireflow.records.models import RecordEntry
from hireflow.records.timeline import settle_all
from tests.interviews.conftest import DATA
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    OTHER_TAB,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)


def _actions(session, interview_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == "interview", AuditEntry.target_id == str(interview_id))
            .order_by(AuditEntry.id)
        )
    )


def test_session_is_created_from_the_opening_plan_on_first_verified_access(session, org):
    setup = make_setup(session, org)
    interview = sessions.ensure_session(session, setup.invitation)
    assert interview.status == "verified"
    assert interview.plan_source == "opening"
    ids = [q["question"]["id"] for q in setup.opening.interview_plan["items"]]
    assert [q["id"] for q in interview.questions] == ids
    assert interview.model["id"] == setup.opening.competency_model["id"]
    assert interview.deadline == setup.invitation.deadline
    # the same invitation never gets a second interview
    assert sessions.ensure_session(session, setup.invitation).id == interview.id
    assert _actions(session, interview.id) == ["interview.created", "interview.verify"]


def test_without_a_plan_one_is_generated_from_presets(session, org):
    setup = make_setup(session, org, with_plan=False)
    interview = sessions.ensure_session(session, setup.invitation)
    assert interview.plan_source == "preset"
    assert interview.questions and all(q["time_limit_s"] > 0 for q in interview.questions)
    assert {d["id"] for d in interview.model["dimensions"]} >= {"customer_orientation"}


def test_hook_for_the_scheduling_domain(session, org):
    setup = make_setup(session, org, verified=False)
    interview = sessions.create_for_invitation(session, setup.invitation.id)
    assert interview is not None and interview.status == "invited"
    assert sessions.create_for_invitation(session, 10**9) is None


def test_consent_is_recorded_and_starts_the_interview(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = sessions.ensure_session(session, setup.invitation)
    with pytest.raises(errors.InterviewNotStarted):
        candidate.open_question(session, interview, interview.questions[0]["id"], TAB)
    with pytest.raises(AppError):
        candidate.give_consent(
            session,
            interview,
            schemas.ConsentIn(
                tab=TAB,
                recording=True,
                ai_assessment=False,
                notice_version=candidate.NOTICE_VERSION,
            ),
        )
    with pytest.raises(AppError):  # an outdated notice must be read again
        candidate.give_consent(
            session,
            interview,
            schemas.ConsentIn(tab=TAB, recording=True, ai_assessment=True, notice_version="old"),
        )
    interview = started(session, setup)
    assert interview.status == "in_progress" and interview.consent_version

    def consents():
        return session.scalars(
            select(RecordEntry).where(
                RecordEntry.person_id == setup.candidate.id, RecordEntry.type == "consent"
            )
        ).all()

    # committed to the outbox with the request, appended to the chain after it
    assert consents() == []
    assert settle_all(session).appended == 2
    assert verify_person(session, setup.candidate.id).ok
    purposes = {e.facts["purpose"] for e in consents()}
    assert purposes == {"recording", "ai_assessment"}
    assert all(e.facts["granted"] is True for e in consents())
    assert "interview.start" in _actions(session, interview.id)


def test_asking_for_a_person_instead(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = sessions.ensure_session(session, setup.invitation)
    candidate.request_human_review(session, interview)
    assert interview.human_review_requested_at is not None
    refused = session.scalars(
        select(RecordEntry).where(
            RecordEntry.person_id == setup.candidate.id, RecordEntry.type == "consent"
        )
    ).one()
    assert refused.facts == {
        "purpose": "ai_assessment",
        "notice_version": candidate.NOTICE_VERSION,
        "granted": False,
        "method": "web",
    }
    assert "notifications.deliver_messages" in queue.names()  # the recruiter is told


def test_text_answers_are_saved_after_every_step_and_resume(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    first = interview.questions[0]["id"]
    view = candidate.open_question(session, interview, first, TAB)
    assert view.started and view.remaining_s == view.time_limit_s
    candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=TAB, text="半句", final=False)
    )
    # the tab closes; a new page load shows the draft and the question still running
    now = utcnow() + timedelta(seconds=20)
    state_out = candidate.candidate_state(session, interview, now)
    q = state_out.questions[0]
    assert (q.status, q.draft, q.started) == ("draft", "半句", True)
    assert q.remaining_s == pytest.approx(q.time_limit_s - 20, abs=2)
    assert state_out.current_question_id == first
    out = candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=TAB, text=ANSWERS_ZH, final=True)
    )
    assert out.status == "answered" and out.next_question_id == interview.questions[1]["id"]
    with pytest.raises(errors.QuestionDone):
        candidate.save_text(
            session, interview, first, schemas.TextAnswerIn(tab=TAB, text="改", final=True)
        )


def test_blank_final_text_skips_the_question(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    first = interview.questions[0]["id"]
    candidate.open_question(session, interview, first, TAB)
    out = candidate.save_text(session, interview, first, schemas.TextAnswerIn(tab=TAB, final=True))
    assert out.status == "skipped"


def test_time_limits_restarts_and_skips(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    first = interview.questions[0]["id"]
    t0 = utcnow()
    candidate.open_question(session, interview, first, TAB, t0)
    late = t0 + timedelta(seconds=interview.questions[0]["time_limit_s"]) + state.ANSWER_GRACE * 2
    with pytest.raises(errors.TimeUp):
        candidate.save_text(
            session, interview, first, schemas.TextAnswerIn(tab=TAB, text="x", final=True), late
        )
    # the candidate was away (closed the tab): the question starts again, and HR sees it
    view = candidate.open_question(session, interview, first, TAB, late)
    assert view.remaining_s == view.time_limit_s
    flags = session.scalars(
        select(InterviewEvent.kind).where(
            InterviewEvent.interview_id == interview.id, InterviewEvent.is_flag.is_(True)
        )
    ).all()
    assert flags == ["question_restarted"]
    later = late
    for _ in range(state.MAX_RESTARTS):
        later = later + timedelta(hours=1)
        candidate.open_question(session, interview, first, TAB, later)
    answer = session.scalars(
        select(InterviewAnswer).where(
            InterviewAnswer.interview_id == interview.id, InterviewAnswer.question_id == first
        )
    ).one()
    assert answer.status == "skipped" and answer.restarts == state.MAX_RESTARTS


def test_answers_after_the_deadline_are_refused_clearly(session, org, queue):
    setup = make_setup(session, org, deadline=utcnow() + timedelta(hours=1))
    interview = started(session, setup)
    first = interview.questions[0]["id"]
    candidate.open_question(session, interview, first, TAB)
    after = interview.deadline + timedelta(minutes=1)
    with pytest.raises(errors.DeadlinePassed) as caught:
        candidate.save_text(
            session, interview, first, schemas.TextAnswerIn(tab=TAB, text="x", final=True), after
        )
    assert caught.value.status == 410 and "deadline" in str(caught.value)


def test_two_tabs_newest_wins_and_nothing_is_overwritten(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup, tab=TAB)
    first = interview.questions[0]["id"]
    candidate.open_question(session, interview, first, TAB)
    candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=TAB, text="第一", final=False)
    )
    # the candidate opens the interview in a second tab: it claims the interview
    candidate.claim_tab(session, interview, OTHER_TAB)
    with pytest.raises(errors.TabSuperseded):
        candidate.save_text(
            session, interview, first, schemas.TextAnswerIn(tab=TAB, text="旧", final=True)
        )
    events = session.scalars(
        select(InterviewEvent).where(
            InterviewEvent.interview_id == interview.id, InterviewEvent.kind == "tab_claimed"
        )
    ).all()
    assert [e.data for e in events] == [{"tab": OTHER_TAB, "superseded": TAB}]
    # the draft typed in the first tab is there in the second
    assert candidate.candidate_state(session, interview).questions[0].draft == "第一"
    candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=OTHER_TAB, text="新", final=True)
    )


def test_page_visibility_is_a_flag_never_a_score(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    for kind in ("tab_hidden", "tab_visible"):
        candidate.client_event(
            session,
            interview,
            schemas.ClientEventIn(tab=TAB, kind=kind, question_id="q", seconds=12.3),
        )
    rows = session.scalars(
        select(InterviewEvent).where(InterviewEvent.interview_id == interview.id)
    ).all()
    assert [(r.kind, r.is_flag) for r in rows if r.kind.startswith("tab_")] == [
        ("tab_hidden", True),
        ("tab_visible", False),
    ]
    assert interview.flag_count == 1


def _upload(session, interview, qid, data: bytes, content_type: str, mode="voice", chunk=4096):
    out = uploads.start_upload(
        session,
        interview,
        qid,
        schemas.UploadStartIn(tab=TAB, mode=mode, content_type=content_type, size=len(data)),
    )
    offset = 0
    while offset < len(data):
        piece = data[offset : offset + chunk]
        offset = uploads.put_chunk(session, interview, out.upload_token, offset, piece).received
    return out.upload_token, uploads.complete_upload(session, interview, out.upload_token)


def test_a_recording_arrives_in_chunks_and_is_queued_for_transcription(
    session, org, queue, storage
):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    data = (DATA / "en_answer.webm").read_bytes()
    token, out = _upload(session, interview, qid, data, "audio/webm;codecs=opus")
    assert (out.status, out.mode, out.media_status, out.warning) == (
        "answered",
        "voice",
        "stored",
        "",
    )
    answer = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    ).one()
    assert answer.media_duration == pytest.approx(7.1, abs=0.3)
    # Chrome writes WebM without a duration ("Infinity" in a player): the stored file is the
    # same packets with the duration in its header
    stored = recordings.read_media(answer)
    assert answer.media_size == len(stored) and abs(len(stored) - len(data)) < 1024
    info = probe(stored)
    assert probe(data).duration_source == "packets" and info.duration_source == "header"
    assert info.duration == pytest.approx(answer.media_duration, abs=0.05)
    assert queue.args_of("interviews.process_answer") == [(answer.id,)]
    # the stored object is ciphertext, and the chunks are gone
    keys = list(storage.list_keys(answer.media_region))
    assert keys == [answer.media_key]
    assert data[:64] not in storage.get_bytes(answer.media_region, answer.media_key)
    # completing twice is harmless
    again = uploads.complete_upload(session, interview, token)
    assert again.status == "answered"


def test_a_dropped_connection_resumes_at_the_servers_offset(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    data = (DATA / "en_answer.ogg").read_bytes()
    out = uploads.start_upload(
        session,
        interview,
        qid,
        schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/ogg", size=len(data)),
    )
    token = out.upload_token
    uploads.put_chunk(session, interview, token, 0, data[:10_000])
    # the reply was lost: the client sends the same chunk again
    with pytest.raises(errors.UploadOffset) as caught:
        uploads.put_chunk(session, interview, token, 0, data[:10_000])
    assert caught.value.received == 10_000 and caught.value.fields == {"received": "10000"}
    # completing early is refused with where to resume
    with pytest.raises(errors.UploadOffset):
        uploads.complete_upload(session, interview, token)
    assert uploads.upload_status(session, interview, token).received == 10_000
    uploads.put_chunk(session, interview, token, 10_000, data[10_000:])
    assert uploads.complete_upload(session, interview, token).status == "answered"


def test_non_media_and_oversized_uploads_are_refused_and_cost_no_rerecord(
    session, org, queue, storage
):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    out = uploads.start_upload(
        session,
        interview,
        qid,
        schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/webm"),
    )
    with pytest.raises(errors.MediaRefused) as caught:
        uploads.put_chunk(session, interview, out.upload_token, 0, b"%PDF-1.7 not a recording")
    assert caught.value.code == "media_not_media"
    assert session.scalars(select(InterviewUpload)).all()[-1].status == "failed"
    with pytest.raises(errors.MediaRefused) as caught:
        uploads.start_upload(
            session,
            interview,
            qid,
            schemas.UploadStartIn(
                tab=TAB,
                mode="voice",
                content_type="audio/webm",
                size=recordings.RECORDING_MAX_BYTES + 1,
            ),
        )
    assert caught.value.code == "media_too_large"
    answer = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    ).one()
    assert answer.attempts == 0 and answer.status != "answered"


def test_a_silent_recording_is_kept_with_a_warning(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    _token, out = _upload(session, interview, qid, (DATA / "silent.wav").read_bytes(), "audio/wav")
    assert out.warning == "silent" and out.status == "answered"
    kinds = session.scalars(
        select(InterviewEvent.kind).where(InterviewEvent.interview_id == interview.id)
    ).all()
    assert "silent_recording" in kinds


def test_a_truncated_recording_with_nothing_playable_is_refused(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    data = (DATA / "en_answer.webm").read_bytes()[:300]
    with pytest.raises(errors.MediaRefused) as caught:
        _upload(session, interview, qid, data, "audio/webm")
    assert caught.value.code in ("media_truncated", "media_damaged", "media_no_audio")


def test_video_without_a_picture_is_refused(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    with pytest.raises(errors.MediaRefused) as caught:
        _upload(
            session, interview, qid, (DATA / "en_answer.webm").read_bytes(), "video/webm", "video"
        )
    assert caught.value.code == "media_no_video"


def test_rerecords_are_limited(session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    data = (DATA / "en_answer.wav").read_bytes()
    _upload(session, interview, qid, data, "audio/wav", chunk=64 * 1024)
    first_key = session.scalars(select(InterviewAnswer.media_key)).all()[-1]
    _upload(session, interview, qid, data, "audio/wav", chunk=64 * 1024)  # the one re-record
    answer = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    ).one()
    assert answer.attempts == 2 and answer.media_key != first_key
    assert list(storage.list_keys(answer.media_region)) == [answer.media_key]  # old one deleted
    with pytest.raises(errors.NoRerecords):
        _upload(session, interview, qid, data, "audio/wav")


def test_submission_completes_the_invitation_and_queues_scoring(session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    with pytest.raises(errors.InterviewNotStarted):
        candidate.submit(
            session, sessions.ensure_session(session, make_setup(session, org).invitation), TAB
        )
    first = interview.questions[0]["id"]
    candidate.open_question(session, interview, first, TAB)
    candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=TAB, text=ANSWERS_ZH, final=False)
    )
    candidate.submit(session, interview, TAB)
    assert interview.status == "submitted"
    statuses = dict(
        session.execute(
            select(InterviewAnswer.question_id, InterviewAnswer.status).where(
                InterviewAnswer.interview_id == interview.id
            )
        ).all()
    )
    assert statuses[first] == "answered"  # the draft counts
    assert set(statuses.values()) == {"answered", "skipped"}
    assert setup.invitation.status == "completed" and setup.invitation.completed_at
    assert queue.args_of("interviews.score_interview") == [(interview.id,)]
    # submitting twice is harmless; answering afterwards is refused
    candidate.submit(session, interview, TAB)
    assert queue.args_of("interviews.score_interview") == [(interview.id,)]
    with pytest.raises(errors.InterviewClosed):
        candidate.open_question(session, interview, first, TAB)


def test_overdue_interviews_are_submitted_not_voided(session, db, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    interview.status = "in_progress"  # as if the candidate never pressed submit
    session.commit()
    later = interview.deadline + state.UPLOAD_GRACE + timedelta(minutes=1)
    counts = pipeline.recover(db, later)
    session.expire_all()
    assert counts["auto_submitted"] >= 1
    assert session.get(InterviewSession, interview.id).status == "submitted"


def test_the_recorded_path_is_a_real_fixture():
    assert Path(DATA / "en_answer.webm").stat().st_size > 10_000
