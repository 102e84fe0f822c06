"""The speech queue of live rooms: a posted utterance is stored and queued (the request never
runs the model), the task transcribes it and HR's page receives the line by server-sent
events; Mandarin lines keep their characters and join without spaces; bad audio, a room that
ended meanwhile and a redelivered task leave no stray line."""

from __future__ import annotations

import io
import itertools
import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.core.tasks import SPEECH_QUEUE, celery_app, configure_celery
from hireflow.interviews.transcript import CJK
from hireflow.live import audio, ending, push
from hireflow.live.models import LiveChunk, LiveUtterance
from tests.conftest import bearer, make_org
from tests.live.factories import everyone_in, make_room, say, token_of

ANSWER_WE = (
    "We worked on the project together as a team. We talked about it a lot and we "
    "thought it went well in the end."
)
ZH_ANSWER = Path(__file__).resolve().parent.parent / "data" / "interviews" / "zh_answer.wav"
# zh_answer.wav: "我在上一个项目中负责数据平台，带领五个人的团队，把报表时间缩短了一半。";
# the speaker pauses at 2.5-2.9 s and 4.45-4.75 s, where a page would cut the utterances.
ZH_CUTS = (2.7, 4.6)


def _wav(samples: np.ndarray, rate: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(samples.astype("<i2").tobytes())
    return out.getvalue()


def zh_chunks() -> list[bytes]:
    """The Mandarin answer cut at its pauses into three utterances, as the page posts them."""
    with wave.open(str(ZH_ANSWER)) as source:
        rate = source.getframerate()
        samples = np.frombuffer(source.readframes(-1), dtype="<i2")
    bounds = [0, *(round(c * rate) for c in ZH_CUTS), len(samples)]
    return [_wav(samples[a:b], rate) for a, b in itertools.pairwise(bounds)]


@pytest.fixture
def eager() -> Iterator[None]:
    """Queued tasks run at once in this process (the test plays the speech worker)."""
    import hireflow.live.tasks  # noqa: F401 - registers the task

    saved = {key: celery_app.conf.get(key) for key in ("task_always_eager",)}
    configure_celery(task_always_eager=True)
    yield
    configure_celery(**saved)


def test_the_task_is_routed_to_the_speech_queue():
    import hireflow.live.tasks  # noqa: F401 - registers the route

    assert celery_app.amqp.router.route({}, audio.TASK)["queue"].name == SPEECH_QUEUE == "speech"


def test_a_posted_chunk_is_queued_not_transcribed_in_the_request(session, org, client, speak):
    room = make_room(session, org)
    everyone_in(session, org, room)
    headers = bearer(client, org.users["hr_admin"])
    response = client.post(
        f"/api/v1/live/rooms/{room.id}/audio",
        files={"file": ("a.wav", speak("Tell me about your last project."), "audio/wav")},
        headers=headers,
    )
    assert response.status_code == 202 and response.json()["queued"] is True
    chunk = session.get(LiveChunk, response.json()["chunk"])
    assert chunk.status == "queued" and chunk.speaker == "interviewer"
    # Stored encrypted: the column holds a token, not the base64 of the WAV.
    raw = session.execute(
        text("SELECT audio FROM live_chunks WHERE id = :id"), {"id": chunk.id}
    ).scalar_one()
    assert raw and "UklGR" not in raw  # base64 of "RIFF"
    assert session.scalars(select(LiveUtterance)).first() is None


def test_mandarin_through_the_rooms_path_joins_without_spaces(
    session, org, client, transcriber, eager
):
    room = make_room(session, org, language="zh")
    hr, _staff, _candidate = everyone_in(session, org, room)
    question = next(q for q in audio.checklist(room)["questions"] if q["kind"] == "behavioural")
    audio.set_current_question(session, hr, room.id, question["id"])
    token = token_of(room)
    for chunk in zh_chunks():
        response = client.post(
            f"/api/v1/live-links/{token}/audio",
            files={"file": ("utterance.wav", chunk, "audio/wav")},
        )
        assert response.status_code == 202, response.text
    session.expire_all()
    lines = list(
        session.scalars(
            select(LiveUtterance).where(LiveUtterance.room_id == room.id).order_by(LiveUtterance.id)
        )
    )
    assert [u.speaker for u in lines] == ["candidate"] * 3
    assert all(u.language == "zh" and u.question_id == question["id"] for u in lines)
    for line in lines:
        han = sum(1 for ch in line.text if CJK.match(ch))
        assert han >= 0.8 * len(line.text.replace(" ", "")), line.text
        assert not any(
            CJK.match(a) and b == " " and CJK.match(c)
            for a, b, c in zip(line.text, line.text[1:], line.text[2:], strict=False)
        ), line.text
    answer = audio.answer_so_far(session, room.id, question["id"])
    assert answer == "".join(u.text for u in lines) and " " not in answer
    assert "数据" in answer and "团队" in answer and "一半" in answer
    assert session.scalars(select(LiveChunk).where(LiveChunk.room_id == room.id)).first() is None
    # The record's transcript keeps the three turns and the answer scored is the joined one.
    ended = ending.end_room(session, get_settings(), hr, room.id)
    assert ended.scores


def test_hrs_page_receives_lines_and_hints_by_server_sent_events(
    session, org, client, speak, transcriber
):
    room = make_room(session, org)
    hr, _staff, candidate = everyone_in(session, org, room)
    first = next(q for q in audio.checklist(room)["questions"] if q["kind"] == "behavioural")["id"]
    audio.set_current_question(session, hr, room.id, first)
    result = say(session, candidate, None, speak(ANSWER_WE))
    assert result.utterance is not None and result.hints
    headers = bearer(client, org.users["hr_admin"])
    url = f"/api/v1/live/rooms/{room.id}/stream"
    with client.stream("GET", url, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event_id, state = _first_state(response.iter_lines())
    assert [u["id"] for u in state["utterances"]] == [result.utterance.id]
    assert {h["utterance_id"] for h in state["hints"]} == {result.utterance.id}
    assert state["recording"] is True and state["checklist"]["current"] == first
    assert push.split_cursor(event_id) == (result.utterance.id, max(h.id for h in result.hints))
    # Resuming after that event (Last-Event-ID) repeats nothing.
    with client.stream("GET", url, headers={**headers, "Last-Event-ID": str(event_id)}) as again:
        _, state = _first_state(again.iter_lines())
    assert state["utterances"] == [] and state["hints"] == []


def _first_state(lines: Iterator[str]) -> tuple[int, dict]:
    event_id = None
    for line in lines:
        if line.startswith("id: "):
            event_id = int(line[4:])
        if line.startswith("data: "):
            return event_id or 0, json.loads(line[6:])
    raise AssertionError("the stream ended without an event")


def test_another_tenant_or_a_stranger_reaches_neither_audio_nor_stream(session, org, client, speak):
    room = make_room(session, org)
    everyone_in(session, org, room)
    chunk = speak("Hello there.")
    other = make_org(session)
    for headers, room_id in (
        (bearer(client, other.users["hr_admin"]), room.id),  # another company's HR
        (bearer(client, org.users["hr_admin"]), room.id + 1000),  # no such room
    ):
        for method, path in (("POST", "audio"), ("GET", "stream")):
            files = {"file": ("a.wav", chunk, "audio/wav")} if method == "POST" else None
            response = client.request(
                method, f"/api/v1/live/rooms/{room_id}/{path}", files=files, headers=headers
            )
            assert response.status_code == 404, (path, response.text)
    assert client.get(f"/api/v1/live/rooms/{room.id}/stream").status_code == 401
    forged = token_of(room)[:-3] + "AAA"
    response = client.post(
        f"/api/v1/live-links/{forged}/audio", files={"file": ("a.wav", chunk, "audio/wav")}
    )
    assert response.status_code == 404
    assert session.scalars(select(LiveChunk)).first() is None


def test_unusable_audio_is_refused_by_the_worker_and_dropped(session, org, transcriber):
    room = make_room(session, org)
    hr, staff, _candidate = everyone_in(session, org, room)
    # A WebM header (the request's sniffing accepts it) over bytes no decoder can read.
    broken = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"garbage!" * 200
    chunk = audio.receive_chunk(session, get_settings(), room, staff, hr, broken, "audio/webm")
    result = audio.transcribe_chunk(get_database(), chunk.id)
    assert result.outcome == "refused" and result.utterance is None
    session.expire_all()
    stored = session.scalars(select(LiveChunk).where(LiveChunk.id == chunk.id)).one()
    assert stored.status == "refused" and stored.audio == "" and stored.error == "truncated"
    assert session.scalars(select(LiveUtterance)).first() is None
    # A task run again on it does nothing more.
    assert audio.transcribe_chunk(get_database(), chunk.id).outcome == "gone"


def test_a_redelivered_task_or_an_ended_room_adds_no_line(session, org, speak, transcriber):
    room = make_room(session, org)
    hr, staff, candidate = everyone_in(session, org, room)
    first = say(session, staff, hr, speak("Thank you for coming today."))
    assert first.utterance is not None
    again = audio.transcribe_chunk(get_database(), first.utterance.id + 10_000)
    assert again.outcome == "gone"
    chunk = audio.receive_chunk(
        session, get_settings(), room, candidate, None, speak("Happy to be here."), "audio/wav"
    )
    ending.end_room(session, get_settings(), hr, room.id)
    assert audio.transcribe_chunk(get_database(), chunk.id).outcome == "ended"
    assert audio.transcribe_chunk(get_database(), chunk.id).outcome == "gone"
    session.expire_all()
    assert session.scalars(select(LiveChunk)).first() is None
    assert len(list(session.scalars(select(LiveUtterance)))) == 1


def test_the_speech_worker_consumes_only_the_speech_queue():
    from hireflow.live.cli import speech_worker_command

    command = speech_worker_command(2)
    assert command[command.index("-Q") + 1] == "speech"
    assert "--concurrency=2" in command and "--pool=solo" not in command
    assert "--pool=solo" in speech_worker_command(1)


def test_the_live_transcriber_fits_the_window_unless_told_otherwise(tmp_path):
    from hireflow.core.settings import Settings
    from hireflow.interviews.speech_window import WindowedWhisperTranscriber
    from hireflow.live.audio import live_transcriber

    fitted = live_transcriber(Settings(data_dir=tmp_path))
    assert isinstance(fitted, WindowedWhisperTranscriber) and fitted.beam_size == 1
    full = live_transcriber(Settings(data_dir=tmp_path, live_asr_window="30s"))
    assert not isinstance(full, WindowedWhisperTranscriber) and full.beam_size == 1
