"""Live rooms end to end in the service layer and over the API, on a real database, with the
embedded Whisper model and speech synthesised by espeak-ng."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, NotFound
from hireflow.core.settings import get_settings
from hireflow.live import audio, ending, service
from hireflow.live.errors import ConsentRequired, RoomEnded
from hireflow.live.models import LiveHint, LiveSignal, LiveUtterance
from hireflow.org.auth import principal_for
from hireflow.records import service as records
from hireflow.records.models import RecordEntry
from hireflow.records.payloads import decrypt_payload
from hireflow.workflow import scorecards
from tests.conftest import bearer, make_org
from tests.live.factories import everyone_in, make_room, say, token_of

ANSWER_WE = (
    "We worked on the project together as a team. We talked about it a lot and we "
    "thought it went well in the end."
)


def _actions(session, room_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.target_type == "live_room", AuditEntry.target_id == str(room_id)
        )
    )
    return list(rows)


def test_a_room_carries_the_openings_plan_and_a_candidate_link(session, org):
    room = make_room(session, org)
    questions = room.plan["questions"]
    assert len(questions) >= 3 and room.plan["model"]["dimensions"]
    assert service.room_by_link(session, get_settings(), token_of(room)).id == room.id
    state = audio.room_state(session, room)
    assert any(q["required"] for q in state["checklist"]["questions"])
    assert state["recording"] is False and state["checklist"]["competencies"]
    assert "live.room_opened" in _actions(session, room.id)


def test_only_the_openings_people_reach_the_room(session, org):
    room = make_room(session, org)
    interviewer = principal_for(org.users["interviewer"])
    assert service.visible_room(session, interviewer, room.id).id == room.id
    with pytest.raises(Forbidden):  # joining is allowed, opening or ending is not
        service.open_room(session, interviewer, room.application_id)
    with pytest.raises(Forbidden):
        ending.end_room(session, get_settings(), interviewer, room.id)
    other = make_org(session)
    for role in ("hr_admin", "recruiter", "interviewer"):
        with pytest.raises(NotFound):
            service.visible_room(session, principal_for(other.users[role]), room.id)
    with pytest.raises(NotFound):
        service.open_room(session, principal_for(other.users["hr_admin"]), room.application_id)
    with pytest.raises(Forbidden):
        service.visible_room(session, principal_for(org.users["it_auditor"]), room.id)


def test_a_changed_or_foreign_link_opens_nothing(session, org):
    room = make_room(session, org)
    token = token_of(room)
    for bad in ("", "x" * 600, token[:-2] + "AA", token.replace(".", "-", 1)):
        with pytest.raises(NotFound):
            service.room_by_link(session, get_settings(), bad)
    room.link_generation += 1
    session.commit()
    with pytest.raises(NotFound):
        service.room_by_link(session, get_settings(), token)


def test_no_audio_before_everyone_consented_and_the_refusal_is_audited(
    session, org, speak, transcriber
):
    room = make_room(session, org)
    hr = principal_for(org.users["hr_admin"])
    staff = service.join_staff(session, hr, room.id)
    candidate = service.join_candidate(session, get_settings(), token_of(room))
    chunk = speak("Hello, thank you for joining.")
    with pytest.raises(ConsentRequired):
        audio.receive_chunk(session, get_settings(), room, staff, hr, chunk, "audio/wav")
    service.give_consent(session, room, staff, hr)
    with pytest.raises(ConsentRequired):  # the candidate has not agreed yet
        audio.receive_chunk(session, get_settings(), room, candidate, None, chunk, "audio/wav")
    assert session.scalars(select(LiveUtterance)).first() is None
    assert _actions(session, room.id).count("live.audio_refused") == 2
    service.give_consent(session, room, candidate, None)
    assert room.started_at is not None
    result = say(session, staff, hr, chunk)
    assert result.utterance is not None and "thank you" in result.utterance.text.lower()
    assert result.utterance.speaker == "interviewer"


def test_an_answer_without_own_action_or_result_gets_a_follow_up_hint(
    session, org, speak, transcriber
):
    room = make_room(session, org)
    hr, _staff, candidate = everyone_in(session, org, room)
    behavioural = next(
        q
        for q in audio.checklist(room)["questions"]
        if q["required"] and q["kind"] == "behavioural"
    )
    audio.set_current_question(session, hr, room.id, behavioural["id"])
    result = say(session, candidate, None, speak(ANSWER_WE))
    assert result.utterance.speaker == "candidate"
    assert result.utterance.question_id == behavioural["id"]
    kinds = {(h.kind, h.key.rsplit(":", 1)[-1]) for h in result.hints}
    assert ("follow_up", "we_only") in kinds or ("follow_up", "no_result") in kinds, kinds
    text = json.loads(result.hints[0].text)
    assert text["zh"] and text["en"]
    state = audio.room_state(session, room)
    assert [u["text"] for u in state["utterances"]] == [result.utterance.text]
    item = next(q for q in state["checklist"]["questions"] if q["id"] == behavioural["id"])
    assert item["asked"] and item["status"] is not None


def test_moving_on_from_an_unanswered_question_is_a_hint(session, org):
    room = make_room(session, org)
    hr = principal_for(org.users["hr_admin"])
    first, second = (q["id"] for q in room.plan["questions"][:2])
    assert audio.set_current_question(session, hr, room.id, first) == []
    hints = audio.set_current_question(session, hr, room.id, second)
    assert [h.kind for h in hints] == ["not_answered"]
    assert "did not answer" in json.loads(hints[0].text)["en"]
    # Shown once: going back and forth does not repeat it.
    audio.set_current_question(session, hr, room.id, first)
    assert audio.set_current_question(session, hr, room.id, second) == []


def test_bad_chunks_are_refused(session, org, client, speak, transcriber):
    room = make_room(session, org)
    everyone_in(session, org, room)
    headers = bearer(client, org.users["hr_admin"])
    url = f"/api/v1/live/rooms/{room.id}/audio"
    big = b"RIFF" + b"\0" * (get_settings().live_chunk_max_bytes + 10)
    for data, kind, status in (
        (big, "audio/wav", 413),
        (b"just some text, not audio", "text/plain", 415),
        (b"%PDF-1.4 not audio at all", "audio/webm", 415),
        (b"", "audio/wav", 422),
    ):
        response = client.post(url, files={"file": ("a.bin", data, kind)}, headers=headers)
        assert response.status_code == status, (kind, response.text)
    response = client.post(
        url,
        files={"file": ("a.wav", speak("One more sentence."), "audio/wav")},
        data={"source": "call"},
        headers=headers,
    )
    assert response.status_code == 422  # call audio only in capture mode
    assert session.scalars(select(LiveUtterance)).first() is None


def test_signalling_reaches_only_the_addressed_peer(session, org, client):
    room = make_room(session, org)
    headers = bearer(client, org.users["hr_admin"])
    staff = client.post(f"/api/v1/live/rooms/{room.id}/join", headers=headers).json()
    token = token_of(room)
    candidate = client.post(f"/api/v1/live-links/{token}/join").json()
    assert [p["peer"] for p in candidate["peers"]] == [staff["peer"]]
    offer = {"to": candidate["peer"], "kind": "offer", "payload": {"type": "offer", "sdp": "v=0"}}
    assert (
        client.post(
            f"/api/v1/live/rooms/{room.id}/signals", json=offer, headers=headers
        ).status_code
        == 201
    )
    got = client.get(f"/api/v1/live-links/{token}/signals").json()
    assert [(s["from"], s["kind"]) for s in got["signals"]] == [(staff["peer"], "offer")]
    assert (
        client.get(f"/api/v1/live/rooms/{room.id}/signals", headers=headers).json()["signals"] == []
    )
    stranger = {**offer, "to": "ab" * 12}
    assert (
        client.post(
            f"/api/v1/live/rooms/{room.id}/signals", json=stranger, headers=headers
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/live-links/{token}x/signals", json=offer).status_code == 404


def test_another_tenant_gets_404_everywhere(session, org, client):
    room = make_room(session, org)
    other = make_org(session)
    headers = bearer(client, other.users["hr_admin"])
    for method, path, body in (
        ("GET", f"/api/v1/live/rooms/{room.id}", None),
        ("POST", f"/api/v1/live/rooms/{room.id}/join", None),
        ("POST", f"/api/v1/live/rooms/{room.id}/end", None),
        ("PUT", f"/api/v1/live/rooms/{room.id}/notes", {"notes": "x"}),
        ("POST", "/api/v1/live/rooms", {"application_id": room.application_id}),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (path, response.text)


def test_ending_puts_transcript_hints_notes_and_scores_into_the_record(
    session, org, speak, transcriber
):
    room = make_room(session, org)
    hr, _staff, candidate = everyone_in(session, org, room)
    question = next(q for q in audio.checklist(room)["questions"] if q["kind"] == "behavioural")
    audio.set_current_question(session, hr, room.id, question["id"])
    answer = (
        "Last year I led the migration of our billing service to Python. I wrote the plan, "
        "I moved twelve jobs myself and cut the monthly cost by thirty percent."
    )
    say(session, candidate, None, speak(answer))
    service.save_notes(session, hr, room.id, "Strong ownership; ask about testing next round.")
    ended = ending.end_room(session, get_settings(), hr, room.id)
    assert ended.status == "ended" and ended.scores and ended.job_match is not None
    entry = session.get(RecordEntry, ended.transcript_entry_id)
    data = decrypt_payload(entry)
    assert entry.source == "live_interview" and data["kind"] == "live_transcript"
    assert (
        data["turns"][0]["speaker"] == "candidate"
        and "migration" in data["turns"][0]["text"].lower()
    )
    assert data["notes"].startswith("Strong ownership")
    assert session.get(RecordEntry, ended.result_entry_id).facts
    assert session.scalars(select(LiveSignal).where(LiveSignal.room_id == room.id)).first() is None
    # A complete answer (own action, numbers, result) leaves nothing to follow up.
    assert session.scalars(select(LiveHint).where(LiveHint.room_id == room.id)).first() is None
    assert data["hints"] == []
    with pytest.raises(RoomEnded):
        audio.receive_chunk(
            session, get_settings(), room, candidate, None, speak("Hi"), "audio/wav"
        )
    # The interviewers' scorecards meet the live round's scores on the merged report.
    merged = scorecards.merged(session, hr, room.application_id)
    assert merged.ai_available
    scored = {c.id: c.ai_score for c in merged.competencies if c.ai_score is not None}
    assert scored and all(ended.scores[k] == v for k, v in scored.items())


def test_capture_mode_takes_the_call_audio_as_the_candidates_side(session, org, speak, transcriber):
    room = make_room(session, org, mode="capture")
    hr = principal_for(org.users["hr_admin"])
    staff = service.join_staff(session, hr, room.id)
    service.give_consent(session, room, staff, hr)
    chunk = speak("I organised the trade fair and we signed three new clients.")
    with pytest.raises(ConsentRequired):  # HR has not confirmed the other side agreed
        audio.receive_chunk(session, get_settings(), room, staff, hr, chunk, "audio/wav", "call")
    service.give_consent(session, room, staff, hr, for_others=True)
    result = say(session, staff, hr, chunk, "call")
    assert result.utterance.speaker == "candidate" and "fair" in result.utterance.text.lower()


def test_erasing_the_person_removes_what_was_said_in_their_rooms(session, org, speak, transcriber):
    room = make_room(session, org)
    hr, _staff, candidate = everyone_in(session, org, room)
    audio.set_current_question(session, hr, room.id, room.plan["questions"][0]["id"])
    say(session, candidate, None, speak(ANSWER_WE))
    service.save_notes(session, hr, room.id, "Private remark about the person.")
    records.erase_person(session, hr, room.candidate_id)
    session.expire_all()
    texts = [u.text for u in session.scalars(select(LiveUtterance))]
    assert texts == ["[erased]"]
    assert session.scalars(select(LiveHint)).first() is None
    assert session.get(type(room), room.id).notes == ""
