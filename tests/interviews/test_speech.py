"""Speech to text and speech features (hireflow.interviews.speech).

The feature functions are pure and tested on synthetic signals and transcripts. The Whisper
tests load the real model from the weight packages and transcribe the committed recordings;
they are marked slow and skipped only when the speech extra is not installed.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from hireflow.interviews import speech, speech_features, transcript
from hireflow.interviews.speech import ModelIntegrityError, SpeechUnavailable, TranscriptionFailed
from hireflow.interviews.transcript import Segment, Transcript
from tests.interviews.conftest import SPEECH_EXTRA

RATE = 16_000


def tone(seconds: float, level: float = 0.3, freq: float = 220.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def quiet(seconds: float, level: float = 1e-4, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0, level, round(seconds * RATE)).astype(np.float32)


# --- languages and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("Chinese", "zh"),
        ("english", "en"),
        ("en-US", "en"),
        (" EN ", "en"),
        (None, None),
        ("", None),
    ],
)
def test_normalise_language(given: str | None, expected: str | None) -> None:
    assert transcript.normalise_language(given) == expected


def test_normalise_language_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        transcript.normalise_language("12; drop")


def test_count_units_per_language() -> None:
    assert speech_features.count_units("我负责数据平台。", "zh") == (7, "chars")
    assert speech_features.count_units("我用 Python 和 SQL 做报表", "zh-CN") == (8, "chars")
    assert speech_features.count_units("I led a team of five, and we didn't stop.", "en") == (
        10,
        "words",
    )
    assert speech_features.count_units("", "en") == (0, "words")


def test_chinese_fillers_count_only_hesitations() -> None:
    text = "嗯，那个，我们做了那个项目，就是说，效果很好。这个这个方案呃也不错。"
    assert speech_features.count_fillers(text, "zh") == {
        "嗯": 1,
        "那个": 1,
        "就是说": 1,
        "这个": 1,
        "呃": 1,
    }
    # Used as words, not as hesitations: nothing counts.
    assert speech_features.count_fillers("那个项目就是我们的核心产品，然后上线了。", "zh") == {}
    assert speech_features.count_fillers("金额额外增加了。", "zh") == {}


def test_english_fillers_count_only_hesitations() -> None:
    text = "Um, I think, like, we did it. You know, it was, uh, hard, you know. Well, yes."
    assert speech_features.count_fillers(text, "en") == {
        "you know": 2,
        "um": 1,
        "uh": 1,
        "like": 1,
        "well": 1,
    }
    assert (
        speech_features.count_fillers("I like Python and I did it well. Umbrella, human.", "en")
        == {}
    )


def test_transcript_text_and_round_trip() -> None:
    zh = Transcript(
        (Segment(0.0, 1.5, "我负责数据平台", -0.2), Segment(2.0, 3.0, "带领团队", None)),
        "zh",
        3.2,
        0.97,
    )
    assert zh.text == "我负责数据平台带领团队"
    assert Transcript.from_dict(json.loads(json.dumps(zh.to_dict()))) == zh
    en = Transcript((Segment(0.0, 1.0, "Hello."), Segment(1.2, 2.0, "World.")), "en", 2.0)
    assert en.text == "Hello. World."


def test_to_simplified() -> None:
    pytest.importorskip("opencc", reason=SPEECH_EXTRA)
    assert speech.to_simplified("我在上一個項目中負責數據平台") == "我在上一个项目中负责数据平台"
    assert speech.to_simplified("") == ""


# --- levels, voice activity, pauses ----------------------------------------------------------


def test_rms_dbfs() -> None:
    assert speech_features.rms_dbfs(tone(1.0, level=0.5)) == pytest.approx(-9.03, abs=0.05)
    assert speech_features.rms_dbfs(np.zeros(100, np.float32)) == -200.0
    assert speech_features.rms_dbfs(np.zeros(0, np.float32)) == -200.0


def test_voiced_regions_find_bursts_in_noise() -> None:
    signal = np.concatenate([quiet(0.5), tone(1.0), quiet(1.2, seed=1), tone(0.6), quiet(0.4)])
    regions = speech_features.voiced_regions(signal, RATE)
    assert len(regions) == 2
    (a0, a1), (b0, b1) = regions
    assert a0 == pytest.approx(0.5, abs=0.04) and a1 == pytest.approx(1.5, abs=0.04)
    assert b0 == pytest.approx(2.7, abs=0.04) and b1 == pytest.approx(3.3, abs=0.04)


def test_steady_hum_is_not_speech() -> None:
    hum = tone(3.0, level=0.05, freq=50.0) + quiet(3.0, level=1e-3)
    assert speech_features.voiced_regions(hum, RATE) == []
    assert speech_features.is_silent(hum, RATE)


def test_silence_detection() -> None:
    assert speech_features.is_silent(quiet(3.0), RATE)
    assert speech_features.is_silent(np.zeros(RATE, np.float32), RATE)
    assert not speech_features.is_silent(np.concatenate([quiet(1.0), tone(1.0)]), RATE)
    # A click is not an answer.
    assert speech_features.is_silent(np.concatenate([quiet(1.0), tone(0.1), quiet(1.0)]), RATE)


def test_pauses_between_spans() -> None:
    stats = speech_features.pauses_between(
        [(4.0, 5.0), (0.0, 1.0), (1.2, 2.0), (2.0, 2.5), (0.5, 1.1)]
    )
    assert stats.count == 1
    assert stats.pauses == ((2.5, 4.0),)
    assert (stats.total, stats.longest) == (1.5, 1.5)
    many = speech_features.pauses_between([(0, 1), (2, 3), (3.6, 4), (7, 8)], min_pause=0.5)
    assert many.count == 3 and many.total == pytest.approx(4.6) and many.longest == 3.0
    assert speech_features.pauses_between([]).count == 0


# --- features ------------------------------------------------------------------------------


def test_features_from_segments_only() -> None:
    transcript = Transcript(
        (
            Segment(0.5, 3.5, "one two three four five"),
            Segment(5.0, 6.5, "um, six seven eight nine"),
        ),
        "en",
        7.0,
    )
    features = speech_features.speech_features(transcript)
    assert features.pause_source == "segments"
    assert features.units == 10 and features.rate_unit == "words/min"
    assert features.speaking_time == 6.0
    assert features.speech_rate == 100.0
    assert (features.pauses.count, features.pauses.longest) == (1, 1.5)
    assert features.fillers == {"um": 1} and features.fillers_per_100_units == 10.0
    assert not features.silent and features.flags == ()
    json.dumps(features.to_dict())


def test_features_from_audio_in_chinese() -> None:
    signal = np.concatenate([quiet(1.0), tone(2.0), quiet(1.5, seed=2), tone(1.0), quiet(0.5)])
    transcript = Transcript(
        (Segment(1.0, 3.0, "嗯，我负责数据平台"), Segment(4.5, 5.5, "带领团队")), "zh", 6.0
    )
    features = speech_features.speech_features(transcript, signal, RATE)
    assert features.pause_source == "audio"
    assert features.rate_unit == "chars/min" and features.units == 12
    assert features.speaking_time == pytest.approx(4.5, abs=0.06)
    assert features.speech_rate == pytest.approx(12 / 4.5 * 60, rel=0.02)
    assert features.pauses.count == 1
    assert features.pauses.longest == pytest.approx(1.5, abs=0.06)
    assert features.voiced_time == pytest.approx(3.0, abs=0.06)
    assert features.fillers == {"嗯": 1}
    assert features.level_dbfs is not None and features.level_dbfs > -30


def test_features_flag_a_silent_recording_in_both_languages() -> None:
    features = speech_features.speech_features(Transcript((), "", 3.0), quiet(3.0), RATE)
    assert features.silent
    assert features.speech_rate is None
    assert features.pauses.count == 0
    assert features.flags == (
        {
            "code": "silent",
            "en": "Silent recording: no speech was heard.",
            "zh": "录音无声：没有检测到说话声。",
        },
    )
    as_json = json.loads(json.dumps(features.to_dict()))
    assert as_json["silent"] is True and as_json["level_dbfs"] < -70


def test_features_flag_sound_without_words() -> None:
    signal = np.concatenate([quiet(0.5), tone(2.0), quiet(0.5)])
    features = speech_features.speech_features(Transcript((), "en", 3.0), signal, RATE)
    assert not features.silent
    assert [f["code"] for f in features.flags] == ["no_words"]


# --- availability --------------------------------------------------------------------------


def test_speech_unavailable_explains_how_to_install() -> None:
    error = SpeechUnavailable()
    assert error.code == "speech_unavailable" and error.retryable
    assert "pip install hireflow" in error.message["en"]
    assert "pip install hireflow" in error.message["zh"]
    assert "已保存" in error.message["zh"]


def test_speech_available_matches_installed_modules() -> None:
    import importlib.util

    expected = all(
        importlib.util.find_spec(name) is not None
        for name in ("faster_whisper", "ctranslate2", "av", "opencc", *speech.WEIGHT_PACKAGES)
    )
    assert speech.speech_available() is expected


def test_without_the_extra_the_transcriber_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speech, "speech_available", lambda: False)
    with pytest.raises(SpeechUnavailable):
        speech.WhisperTranscriber().transcribe(b"OggS")
    with pytest.raises(SpeechUnavailable):
        speech.ensure_whisper_model(Path("/nonexistent"))


# --- model files -----------------------------------------------------------------------------


def test_model_is_assembled_once_and_verified(models_dir: Path) -> None:
    pytest.importorskip("faster_whisper", reason=SPEECH_EXTRA)
    path = speech.ensure_whisper_model(models_dir)
    assert sorted(p.name for p in path.iterdir()) == sorted(speech.WHISPER_FILES)
    model_bin = path / "model.bin"
    assert model_bin.stat().st_size == 145_217_607
    stamp = model_bin.stat().st_mtime_ns
    assert speech.ensure_whisper_model(models_dir) == path
    assert model_bin.stat().st_mtime_ns == stamp  # verified, not rewritten


def test_damaged_cached_file_is_rebuilt(models_dir: Path) -> None:
    pytest.importorskip("faster_whisper", reason=SPEECH_EXTRA)
    path = speech.ensure_whisper_model(models_dir)
    config = path / "config.json"
    original = config.read_bytes()
    config.write_bytes(original.replace(b"alignment_heads", b"alignment_hacks"))
    speech.ensure_whisper_model(models_dir)
    assert config.read_bytes() == original


def test_checksum_mismatch_refuses_the_model(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("faster_whisper", reason=SPEECH_EXTRA)
    path = speech.ensure_whisper_model(models_dir)
    (path / "vocabulary.json").unlink()
    wrong = dict(speech.WHISPER_FILES, **{"vocabulary.json": "0" * 64})
    monkeypatch.setattr(speech, "WHISPER_FILES", wrong)
    with pytest.raises(ModelIntegrityError) as caught:
        speech.ensure_whisper_model(models_dir)
    assert caught.value.code == "model_checksum"
    assert "vocabulary.json" in caught.value.message["zh"]
    # Nothing half-written is left behind, and nothing wrong was put in place.
    assert not (path / "vocabulary.json").exists()
    assert not [p for p in os.listdir(path) if p.startswith(".")]
    monkeypatch.undo()
    speech.ensure_whisper_model(models_dir)
    assert (path / "vocabulary.json").exists()


# --- Whisper on real recordings --------------------------------------------------------------


@pytest.mark.slow
def test_model_loads_once_across_threads(whisper, models_dir: Path) -> None:
    loaded: list[object] = []
    threads = [
        threading.Thread(target=lambda: loaded.append(speech.load_whisper_model(models_dir)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loaded) == 4 and all(model is loaded[0] for model in loaded)
    assert whisper.model() is loaded[0]


@pytest.mark.slow
def test_transcribes_english_webm(whisper, data_dir: Path) -> None:
    transcript = whisper.transcribe(data_dir / "en_answer.webm", "en")
    text = transcript.text.lower()
    for word in ("project", "team", "five", "engineers", "deployment", "time"):
        assert word in text, text
    assert transcript.language == "en"
    assert transcript.duration == pytest.approx(7.12, abs=0.05)
    assert all(0 <= s.start < s.end <= 7.2 for s in transcript.segments)
    assert all(s.avg_logprob is not None and s.avg_logprob < 0 for s in transcript.segments)


@pytest.mark.slow
def test_transcribes_chinese_in_simplified_characters(whisper, data_dir: Path) -> None:
    transcript = whisper.transcribe((data_dir / "zh_answer.wav").read_bytes(), "zh-CN")
    text = transcript.text
    for word in ("项目", "负责", "数据平台", "团队", "一半"):
        assert word in text, text
    assert not set("項負責數據團隊時間") & set(text), text
    assert transcript.language == "zh"


@pytest.mark.slow
def test_detects_chinese_and_still_simplifies(whisper, data_dir: Path) -> None:
    transcript = whisper.transcribe(data_dir / "zh_answer.wav")
    assert transcript.language == "zh"
    assert transcript.language_probability is not None and transcript.language_probability > 0.5
    assert "项目" in transcript.text and "項目" not in transcript.text


@pytest.mark.slow
def test_same_recording_same_transcript(whisper, data_dir: Path) -> None:
    first = whisper.transcribe(data_dir / "en_answer.mp4", "en")
    second = whisper.transcribe(data_dir / "en_answer.mp4", "en")
    assert first == second


def test_a_transcript_in_another_language_than_the_hint_is_doubted() -> None:
    def made(text: str, logprob: float = -0.3) -> Transcript:
        return Transcript((Segment(0.0, 4.0, text, logprob),), "zh", 4.0, None)

    english = made("In my last project I led a team of five engineers.")
    chinese = made("我在上一个项目中用 Kubernetes 和 ClickHouse 搭建了数据平台。")
    assert speech._doubtful(english, "zh") and not speech._doubtful(english, "en")
    assert speech._doubtful(chinese, "en") and not speech._doubtful(chinese, "zh")
    # the script fits but the model was unsure of every word (Chinese decoded as English)
    invented = made("I am on a stage where five of the members represent the half.", -1.35)
    assert speech._doubtful(invented, "en")
    assert not speech._doubtful(Transcript((), "en", 3.0, None), "en")
    assert not speech._doubtful(made("", -2.0), "zh")


@pytest.mark.slow
def test_an_english_answer_in_a_chinese_interview_is_transcribed_in_english(
    whisper, data_dir: Path
) -> None:
    transcript = whisper.transcribe(data_dir / "en_answer.wav", "zh")
    assert transcript.language == "en"
    assert transcript.language_probability is not None and transcript.language_probability >= 0.7
    text = transcript.text.lower()
    for word in ("project", "team", "engineers", "deployment"):
        assert word in text, text
    assert not re.search(r"[\u4e00-\u9fff]", text), text


@pytest.mark.slow
def test_a_chinese_answer_in_an_english_interview_is_transcribed_in_chinese(
    whisper, data_dir: Path
) -> None:
    transcript = whisper.transcribe(data_dir / "zh_answer.wav", "en")
    assert transcript.language == "zh"
    assert "项目" in transcript.text and "項目" not in transcript.text


@pytest.mark.slow
def test_the_hint_is_kept_when_asked_not_to_detect(models_dir: Path, data_dir: Path) -> None:
    pytest.importorskip("faster_whisper", reason=SPEECH_EXTRA)
    forced = speech.WhisperTranscriber(models_dir, detect_each_answer=False)
    transcript = forced.transcribe(data_dir / "en_answer.wav", "zh")
    assert transcript.language == "zh"


@pytest.mark.slow
def test_vocabulary_fits_the_token_budget(whisper) -> None:
    tokenizer = whisper.model().hf_tokenizer
    terms = ["Kubernetes", "", "  ", "ClickHouse", "Argo CD", "PostgreSQL"] + [
        f"Product{i}Name" for i in range(60)
    ]
    chosen = speech.budget_terms(terms, tokenizer, 20)
    assert chosen[:4] == ["Kubernetes", "ClickHouse", "Argo CD", "PostgreSQL"]
    used = sum(len(tokenizer.encode(" " + t, add_special_tokens=False).ids) + 1 for t in chosen)
    assert used <= 20
    assert speech.budget_terms([], tokenizer) == []
    assert speech.budget_terms(["Kubernetes"], tokenizer, 0) == []
    # a term longer than what is left is skipped, the next one that fits is kept
    assert speech.budget_terms(["A" * 300, "Istio"], tokenizer, 10) == ["Istio"]


@pytest.mark.slow
def test_vocabulary_steers_the_job_terms(whisper, data_dir: Path) -> None:
    vocabulary = ["Kubernetes", "Istio", "ClickHouse"] + [f"Tool{i}" for i in range(80)]
    transcript = whisper.transcribe(data_dir / "en_answer.wav", "en", vocabulary=vocabulary)
    assert "engineers" in transcript.text.lower()
    assert transcript.language == "en"


def test_silent_recording_gives_an_empty_transcript(whisper, data_dir: Path) -> None:
    transcript = whisper.transcribe(data_dir / "silent.wav", "en")
    assert transcript.segments == () and transcript.text == ""
    assert transcript.duration == pytest.approx(3.0)


@pytest.mark.slow
def test_analyse_answer_end_to_end(whisper, data_dir: Path) -> None:
    transcript, features = speech.analyse_answer(data_dir / "en_answer.ogg", whisper, "en")
    assert "engineers" in transcript.text
    assert features.rate_unit == "words/min"
    # espeak-ng was asked for 150 words per minute; the span excludes the trailing silence.
    assert 130 <= features.speech_rate <= 200
    assert not features.silent and features.filler_count == 0


# --- OpenAI-compatible endpoint (a real HTTP server on localhost) ----------------------------


class _Endpoint(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []
    reply: ClassVar[tuple[int, bytes]] = (200, b"{}")

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
        )
        status, body = type(self).reply
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, type[_Endpoint]]]:
    handler = type("Handler", (_Endpoint,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_openai_endpoint_transcribes_and_simplifies(endpoint, data_dir: Path) -> None:
    pytest.importorskip("opencc", reason=SPEECH_EXTRA)
    url, handler = endpoint
    handler.reply = (
        200,
        json.dumps(
            {
                "text": "我負責數據平台，帶領團隊",
                "language": "chinese",
                "duration": 6.7,
                "segments": [
                    {"start": 0.0, "end": 3.1, "text": "我負責數據平台，", "avg_logprob": -0.3},
                    {"start": 3.4, "end": 6.5, "text": "帶領團隊", "avg_logprob": -0.25},
                ],
            },
            ensure_ascii=False,
        ).encode(),
    )
    upload = (data_dir / "en_answer.webm").read_bytes()
    transcriber = speech.OpenAICompatibleTranscriber(url + "/v1/", api_key="sk-test", model="m1")
    transcript = transcriber.transcribe(upload, "zh-CN")
    assert transcript.language == "zh"
    assert transcript.text == "我负责数据平台，带领团队"
    assert transcript.segments[0] == Segment(0.0, 3.1, "我负责数据平台，", -0.3)
    assert transcript.duration == 6.7
    request = handler.requests[0]
    assert request["path"] == "/v1/audio/transcriptions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert upload in body
    assert b'filename="answer.webm"' in body and b"Content-Type: audio/webm" in body
    for field, value in (("model", "m1"), ("language", "zh"), ("response_format", "verbose_json")):
        assert f'name="{field}"\r\n\r\n{value}\r\n'.encode() in body


def test_openai_endpoint_plain_text_answer(endpoint, data_dir: Path) -> None:
    pytest.importorskip("av", reason=SPEECH_EXTRA)
    url, handler = endpoint
    handler.reply = (200, b'{"text": " In my last project I led a team. "}')
    from hireflow.interviews.media import decode_audio

    decoded = decode_audio(data_dir / "en_answer.wav")
    transcript = speech.OpenAICompatibleTranscriber(url).transcribe(decoded, "en")
    assert transcript.segments == (
        Segment(0.0, decoded.duration, "In my last project I led a team."),
    )
    assert transcript.language == "en"
    body = handler.requests[0]["body"]
    assert b'filename="answer.wav"' in body and b"RIFF" in body
    assert b"Authorization" not in handler.requests[0]["headers"]


@pytest.mark.parametrize(
    ("status", "body", "detail"),
    [(500, b'{"error": "boom"}', "HTTP 500"), (200, b"<html>", "not JSON"), (200, b"[1]", None)],
)
def test_openai_endpoint_failures_are_retryable(
    endpoint, data_dir: Path, status: int, body: bytes, detail: str | None
) -> None:
    url, handler = endpoint
    handler.reply = (status, body)
    transcriber = speech.OpenAICompatibleTranscriber(url, api_key="sk-secret-value")
    with pytest.raises(TranscriptionFailed) as caught:
        transcriber.transcribe(data_dir / "en_answer.webm", "en")
    assert caught.value.retryable
    assert "sk-secret-value" not in str(caught.value)
    if detail:
        assert detail in caught.value.message["en"] and detail in caught.value.message["zh"]


def test_openai_endpoint_unreachable(data_dir: Path) -> None:
    transcriber = speech.OpenAICompatibleTranscriber("http://127.0.0.1:9", timeout=2)
    with pytest.raises(TranscriptionFailed) as caught:
        transcriber.transcribe(data_dir / "en_answer.webm")
    assert caught.value.code == "transcription_failed"


def test_openai_endpoint_refuses_non_media_before_sending(endpoint) -> None:
    url, handler = endpoint
    from hireflow.interviews.media import MediaError

    with pytest.raises(MediaError):
        speech.OpenAICompatibleTranscriber(url).transcribe(b"%PDF-1.4 not audio")
    assert handler.requests == []


def test_transcribers_satisfy_the_protocol() -> None:
    assert isinstance(speech.OpenAICompatibleTranscriber("http://x"), speech.Transcriber)
    assert isinstance(speech.WhisperTranscriber(), speech.Transcriber)


def test_openai_endpoint_receives_the_vocabulary_prompt(endpoint, data_dir: Path) -> None:
    url, handler = endpoint
    handler.reply = (200, json.dumps({"text": "ok", "language": "english"}).encode())
    transcriber = speech.OpenAICompatibleTranscriber(url)
    upload = (data_dir / "en_answer.webm").read_bytes()
    transcriber.transcribe(upload, "en", vocabulary=["Kubernetes", "Istio"])
    transcriber.transcribe(upload, "zh", vocabulary=["Kubernetes"])
    transcriber.transcribe(upload, "en")
    english, chinese, plain = (r["body"] for r in handler.requests)
    assert b'name="prompt"\r\n\r\nKubernetes, Istio.\r\n' in english
    assert "以下是普通话的句子。可能提到：Kubernetes。".encode() in chinese
    assert b'name="prompt"' not in plain


def test_a_decoding_loop_is_doubted_whatever_its_likelihood() -> None:
    loop = "I am on the stage" + " of a recording" * 40
    assert speech._doubtful(Transcript((Segment(0, 6, loop, -0.1),), "en", 6.0), "en")
    plain = "I led the data platform project and halved the reporting time for five teams."
    assert not speech._doubtful(Transcript((Segment(0, 6, plain, -0.2),), "en", 6.0), "en")
