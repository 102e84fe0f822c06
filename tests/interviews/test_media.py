"""Checking and decoding browser recordings (hireflow.interviews.media)."""

from __future__ import annotations

import io
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from hireflow.interviews import media
from hireflow.interviews.media import MediaError, MediaLimits
from tests.interviews.conftest import SPEECH_EXTRA

RECORDINGS = {
    "en_answer.wav": ("wav", "pcm_s16le"),
    "en_answer.webm": ("webm", "opus"),
    "en_answer.ogg": ("ogg", "opus"),
    "en_answer.mp4": ("mp4", "aac"),
}
EN_SECONDS = 7.124


@pytest.fixture(scope="module")
def av():
    return pytest.importorskip("av", reason=SPEECH_EXTRA)


# --- checks that read only the first bytes (no decoder needed) -------------------------------


@pytest.mark.parametrize(("name", "kind"), [(n, k) for n, (k, _) in RECORDINGS.items()])
def test_sniffs_each_browser_container(data_dir: Path, name: str, kind: str) -> None:
    assert media.check_upload(data_dir / name) == kind
    assert media.check_upload((data_dir / name).read_bytes()) == kind


def test_video_answer_is_webm(data_dir: Path) -> None:
    assert (
        media.check_upload(data_dir / "video_answer.webm", "video/webm;codecs=vp8,opus") == "webm"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj << >> endobj\n",
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"hello, this is just text pretending to be audio",
        b"PK\x03\x04" + bytes(60),
        b"RIFF\x24\x00\x00\x00AVI LIST",
    ],
)
def test_refuses_non_media(content: bytes) -> None:
    with pytest.raises(MediaError) as caught:
        media.check_upload(content, "audio/webm")
    assert caught.value.code == "not_media"
    assert "WebM" in caught.value.message["en"]
    assert "格式" in caught.value.message["zh"]


def test_refuses_empty_upload() -> None:
    with pytest.raises(MediaError) as caught:
        media.check_upload(b"")
    assert caught.value.code == "empty"


def test_refuses_oversized_upload_with_sizes_in_both_languages(data_dir: Path) -> None:
    limits = MediaLimits(max_bytes=10 * 1024)
    with pytest.raises(MediaError) as caught:
        media.check_upload(data_dir / "en_answer.webm", limits=limits)
    error = caught.value
    assert error.code == "too_large"
    assert error.params == {"size_mb": "0.03", "limit_mb": "0.01"}
    big = MediaLimits(max_bytes=1024 * 1024)
    with pytest.raises(MediaError) as caught:
        media.check_upload(b"OggS" + bytes(3 * 1024 * 1024), limits=big)
    assert caught.value.message["en"] == "The recording is too large (3 MB; the limit is 1 MB)."
    assert caught.value.message["zh"] == "录音文件过大（3 MB，上限为 1 MB）。"


def test_declared_type_must_not_contradict_content(data_dir: Path) -> None:
    webm = data_dir / "en_answer.webm"
    with pytest.raises(MediaError) as caught:
        media.check_upload(webm, "audio/mp4")
    assert caught.value.code == "type_mismatch"
    assert "audio/mp4" in caught.value.message["en"]
    with pytest.raises(MediaError) as caught:
        media.check_upload(webm, "text/html")
    assert caught.value.code == "not_media"
    # What browsers actually send, and types that say nothing, are accepted.
    for declared in ("audio/webm;codecs=opus", "VIDEO/WEBM", "application/octet-stream", None):
        assert media.check_upload(webm, declared) == "webm"
    assert media.check_upload(data_dir / "en_answer.mp4", "audio/x-m4a") == "mp4"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        media.check_upload(tmp_path / "gone.webm")
    assert caught.value.code == "missing"
    assert "gone.webm" in caught.value.message["zh"]


def test_error_codes_are_known() -> None:
    with pytest.raises(KeyError):
        MediaError("no_such_code")
    assert not MediaError("damaged").retryable
    assert media.DecoderUnavailable("decoder_unavailable").retryable


@pytest.mark.parametrize("name", [*RECORDINGS, "video_answer.webm", "silent.wav", "zh_answer.wav"])
def test_complete_recordings_are_not_cut_short(data_dir: Path, name: str) -> None:
    assert not media.is_cut_short(data_dir / name)


@pytest.mark.parametrize("name", [*RECORDINGS, "video_answer.webm"])
def test_structure_shows_a_cut_upload(data_dir: Path, name: str) -> None:
    content = (data_dir / name).read_bytes()
    for keep in (len(content) // 2, len(content) - 5, 40):
        assert media.is_cut_short(content[:keep]), keep


def test_format_timestamp() -> None:
    assert media.format_timestamp(0) == "00:00"
    assert media.format_timestamp(12.9) == "00:12"
    assert media.format_timestamp(754) == "12:34"
    assert media.format_timestamp(3 * 3600 + 62) == "3:01:02"
    assert media.format_timestamp(-3) == "00:00"


# --- probing and decoding (PyAV) -------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), list(RECORDINGS.items()))
def test_probe_reports_container_codec_and_duration(
    av, data_dir: Path, name: str, expected: tuple[str, str]
) -> None:
    info = media.probe(data_dir / name)
    assert (info.container, info.audio.codec) == expected
    assert info.video is None
    assert info.duration == pytest.approx(EN_SECONDS, abs=0.05)
    assert info.size == (data_dir / name).stat().st_size


def test_probe_measures_live_webm_without_header_duration(av, data_dir: Path) -> None:
    # MediaRecorder in Chrome writes no duration: it has to come from packet timestamps.
    info = media.probe(data_dir / "video_answer.webm")
    assert info.duration_source == "packets"
    assert info.duration == pytest.approx(12.0, abs=0.05)
    assert (info.video.codec, info.video.width, info.video.height) == ("vp8", 320, 240)
    assert info.audio.codec == "opus"
    assert info.to_dict()["video"] == {"codec": "vp8", "width": 320, "height": 240}


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_decodes_to_16k_mono_float(av, data_dir: Path, name: str) -> None:
    decoded = media.decode_audio(data_dir / name)
    assert decoded.sample_rate == 16_000
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    assert decoded.duration == pytest.approx(EN_SECONDS, abs=0.05)
    assert not decoded.truncated
    assert float(np.max(np.abs(decoded.samples))) <= 1.0


def test_lossy_formats_carry_the_same_speech(av, data_dir: Path) -> None:
    reference = media.decode_audio(data_dir / "en_answer.wav").samples
    level = np.sqrt(np.mean(reference**2))
    for name in ("en_answer.webm", "en_answer.ogg", "en_answer.mp4"):
        samples = media.decode_audio((data_dir / name).read_bytes()).samples
        assert np.sqrt(np.mean(samples**2)) == pytest.approx(level, rel=0.12), name


def test_decodes_sound_of_a_video_answer(av, data_dir: Path) -> None:
    decoded = media.decode_audio(data_dir / "video_answer.webm", "video/webm")
    assert decoded.duration == pytest.approx(12.0, abs=0.05)
    assert decoded.container == "webm"


def test_cut_upload_keeps_the_audio_before_the_break(av, data_dir: Path) -> None:
    for name in RECORDINGS:
        content = (data_dir / name).read_bytes()
        if name.endswith(".mp4"):
            continue  # MP4 indexes at the end: half a file has nothing playable (below)
        decoded = media.decode_audio(content[: len(content) // 2])
        assert decoded.truncated, name
        assert 2.5 < decoded.duration < 4.5, name


@pytest.mark.parametrize("name", list(RECORDINGS))
def test_upload_cut_in_the_header_says_truncated(av, data_dir: Path, name: str) -> None:
    content = (data_dir / name).read_bytes()
    keep = 100 if not name.endswith(".mp4") else len(content) // 2
    if name.endswith(".wav"):
        keep = 40  # a WAV header is 44 bytes
    with pytest.raises(MediaError) as caught:
        media.decode_audio(content[:keep])
    assert caught.value.code == "truncated"
    assert "重新上传" in caught.value.message["zh"]


def test_every_cut_of_a_webm_either_decodes_or_fails_cleanly(av, data_dir: Path) -> None:
    content = (data_dir / "en_answer.webm").read_bytes()
    previous = 0.0
    for keep in range(60, len(content), 1500):
        try:
            decoded = media.decode_audio(content[:keep])
        except MediaError as error:
            assert error.code in {"truncated", "damaged"}
            continue
        assert decoded.truncated
        assert decoded.duration >= previous - 0.05
        previous = decoded.duration


def test_magic_bytes_followed_by_garbage(av) -> None:
    rng = np.random.default_rng(3)
    for magic in (b"\x1a\x45\xdf\xa3", b"OggS", b"\x00\x00\x00\x18ftypmp42"):
        content = magic + rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
        with pytest.raises(MediaError) as caught:
            media.decode_audio(content)
        assert caught.value.code in {"truncated", "damaged"}


def test_too_long_recording_is_refused(av, data_dir: Path) -> None:
    with pytest.raises(MediaError) as caught:
        media.decode_audio(data_dir / "en_answer.webm", limits=MediaLimits(max_seconds=3))
    assert caught.value.code == "too_long"
    assert caught.value.message["en"] == "The recording is too long (more than 3 seconds)."


def test_video_without_sound_is_refused_for_audio(av) -> None:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as out:
        stream = out.add_stream("libvpx", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 90, np.uint8), format="bgr24")
            frame.pts, frame.time_base = index, Fraction(1, 5)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    with pytest.raises(MediaError) as caught:
        media.decode_audio(buffer.getvalue())
    assert caught.value.code == "no_audio"


def test_wav_without_samples_is_empty(av) -> None:
    with pytest.raises(MediaError) as caught:
        media.decode_audio(media.encode_wav(np.zeros(0, np.float32)))
    assert caught.value.code == "empty"


def test_encode_wav_round_trip(av) -> None:
    t = np.arange(16_000) / 16_000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    decoded = media.decode_audio(media.encode_wav(tone))
    assert decoded.duration == pytest.approx(1.0)
    assert np.max(np.abs(decoded.samples - tone)) < 1e-3


def test_resamples_other_rates(av) -> None:
    t = np.arange(44_100) / 44_100
    tone = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    decoded = media.decode_audio(media.encode_wav(tone, 44_100))
    assert decoded.sample_rate == 16_000
    assert decoded.duration == pytest.approx(1.0, abs=0.01)
    assert np.sqrt(np.mean(decoded.samples**2)) == pytest.approx(0.3 / np.sqrt(2), rel=0.02)


def test_without_pyav_decoding_is_retryable_later(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    assert not media.decoder_available()
    with pytest.raises(media.DecoderUnavailable) as caught:
        media.decode_audio(data_dir / "en_answer.wav")
    assert caught.value.retryable and caught.value.code == "decoder_unavailable"
    assert "pip install hireflow" in caught.value.message["zh"]
    # Checks that need no decoder still work.
    assert media.check_upload(data_dir / "en_answer.wav") == "wav"
    assert not media.is_cut_short(data_dir / "en_answer.wav")


def test_a_live_stream_webm_is_rewritten_with_its_duration(data_dir: Path) -> None:
    """MediaRecorder's WebM has no duration (players show "Infinity"); the same packets are
    written again with it, sound and picture unchanged; other files are left alone."""
    pytest.importorskip("av", reason=SPEECH_EXTRA)
    for name, length in (("en_answer.webm", 7.1), ("video_answer.webm", 12.0)):
        original = (data_dir / name).read_bytes()
        assert media.probe(original).duration_source == "packets"
        fixed = media.with_duration(original)
        assert fixed is not None
        info = media.probe(fixed)
        assert info.duration_source == "header" and info.duration == pytest.approx(length, abs=0.1)
        assert (info.audio is None) == (media.probe(original).audio is None)
        assert (info.video is None) == (media.probe(original).video is None)
        before = media.decode_audio(original)
        after = media.decode_audio(fixed)
        assert abs(len(before.samples) - len(after.samples)) < before.sample_rate // 50
        assert media.with_duration(fixed) is None  # already has one
    for name in ("en_answer.ogg", "en_answer.mp4", "en_answer.wav"):
        assert media.with_duration((data_dir / name).read_bytes()) is None
