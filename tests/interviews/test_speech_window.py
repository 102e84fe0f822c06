"""The live rooms' transcriber: Whisper on a window fitted to the utterance (SPEC E2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hireflow.interviews.media import MediaLimits, decode_audio
from hireflow.interviews.speech_window import MAX_FITTED_S, window_frames
from tests.interviews.conftest import SPEECH_EXTRA


@pytest.fixture(scope="module")
def windowed(models_dir: Path):
    pytest.importorskip("faster_whisper", reason=SPEECH_EXTRA)
    from hireflow.interviews.speech_window import WindowedWhisperTranscriber

    return WindowedWhisperTranscriber(models_dir, beam_size=1)


def test_the_window_is_twice_the_speech_within_whispers_bounds() -> None:
    assert window_frames(150) == 1000  # at least 10 s
    assert window_frames(700) == 1400
    assert window_frames(2900) == 3000  # never past Whisper's 30 s


@pytest.mark.slow
def test_an_english_utterance(windowed, data_dir: Path) -> None:
    transcript = windowed.transcribe(data_dir / "en_answer.webm", "en")
    text = transcript.text.lower()
    for word in ("project", "team", "five", "engineers", "deployment", "time"):
        assert word in text, text
    assert transcript.language == "en"
    (segment,) = transcript.segments  # no timestamp tokens: the speech is one segment
    assert 0 <= segment.start < segment.end <= 7.2
    assert segment.avg_logprob is not None and -1 < segment.avg_logprob < 0


@pytest.mark.slow
def test_a_chinese_utterance_in_simplified_characters(windowed, data_dir: Path) -> None:
    transcript = windowed.transcribe((data_dir / "zh_answer.wav").read_bytes(), "zh-CN")
    for word in ("负责", "数据平台", "团队", "一半"):
        assert word in transcript.text, transcript.text
    assert not set("項負責數據團隊時間") & set(transcript.text), transcript.text
    assert transcript.language == "zh"


@pytest.mark.slow
def test_an_answer_in_another_language_than_the_rooms(windowed, data_dir: Path) -> None:
    english = windowed.transcribe(data_dir / "en_answer.wav", "zh")
    assert english.language == "en"
    assert "engineers" in english.text.lower() and not re.search(r"[\u4e00-\u9fff]", english.text)
    chinese = windowed.transcribe(data_dir / "zh_answer.wav", "en")
    assert chinese.language == "zh" and "数据平台" in chinese.text, chinese.text


@pytest.mark.slow
def test_silence_has_no_words(windowed, data_dir: Path) -> None:
    assert windowed.transcribe(data_dir / "silent.wav", "en").text == ""


@pytest.mark.slow
def test_a_long_recording_goes_the_usual_way(windowed, data_dir: Path) -> None:
    decoded = decode_audio((data_dir / "zh_paragraph.ogg").read_bytes(), None, MediaLimits())
    assert decoded.duration > MAX_FITTED_S
    transcript = windowed.transcribe(decoded, "zh")
    # faster-whisper's own 30-second pass writes timestamped phrases, not one segment
    assert len(transcript.segments) > 1 and "团队" in transcript.text, transcript.text
