"""Browser recordings in, checked and decoded media out.

Candidates answer with whatever their browser's ``MediaRecorder`` produces: WebM with Opus
(and VP8/VP9) from Chrome, Edge and Firefox, MP4 with AAC (and H.264) from Safari, Ogg/Opus
from older Firefox, and WAV from uploads or tests. This module is the one place that reads
those files:

* :func:`check_upload` refuses empty, oversized and non-media files by their content (magic
  bytes), never by the file name or the declared type alone;
* :func:`probe` reports container, streams and duration. Chrome's WebM files carry no
  duration in their header, so the duration is measured from packet timestamps when needed;
* :func:`decode_audio` decodes the sound track to 16 kHz mono ``float32`` PCM, the input of
  the transcriber and of the speech features. A recording cut short by a dropped connection
  is decoded up to the break and marked ``truncated`` rather than thrown away.

Decoding uses PyAV (FFmpeg), which ``faster-whisper`` depends on, so it is present whenever
the ``speech`` extra is installed. The container format is always forced from the sniffed
magic bytes, so FFmpeg's other demuxers (playlists, ``concat``, images) are never reached by
an uploaded file, and the decoded length is bounded by :class:`MediaLimits`.

Errors carry a stable ``code`` and a message in Chinese and English (``error.message``).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import math
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    import av.container

#: What callers may hand in: a file on disk or the uploaded bytes.
MediaSource = Path | bytes | bytearray | memoryview

log = logging.getLogger(__name__)

TARGET_SAMPLE_RATE = 16_000

#: Sniffed container -> (FFmpeg demuxer forced on open, MIME types browsers declare for it).
CONTAINERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "webm": ("matroska", ("video/webm", "audio/webm", "video/x-matroska", "audio/x-matroska")),
    "ogg": ("ogg", ("audio/ogg", "video/ogg", "application/ogg", "audio/opus")),
    "mp4": ("mov", ("video/mp4", "audio/mp4", "audio/x-m4a", "audio/m4a", "video/quicktime")),
    "wav": ("wav", ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave")),
}

# Declared types that say nothing about the content; they are never held against a file.
_UNINFORMATIVE_TYPES = ("", "application/octet-stream", "binary/octet-stream")

_MESSAGES: dict[str, tuple[str, str]] = {
    # code: (English, Chinese)
    "empty": ("The recording is empty.", "录音文件是空的。"),
    "too_large": (
        "The recording is too large ({size_mb} MB; the limit is {limit_mb} MB).",
        "录音文件过大（{size_mb} MB，上限为 {limit_mb} MB）。",
    ),
    "not_media": (
        "This file is not a supported recording (WebM, Ogg, MP4 or WAV).",
        "该文件不是支持的录音格式（WebM、Ogg、MP4 或 WAV）。",
    ),
    "type_mismatch": (
        "The file was sent as {declared} but its content is {detected}.",
        "文件声明的类型为 {declared}，但实际内容为 {detected}。",
    ),
    "damaged": (
        "The recording could not be read: it is damaged or incomplete. Please upload it again.",
        "无法读取该录音：文件已损坏或不完整，请重新上传。",
    ),
    "truncated": (
        "The recording was cut short during upload. Please upload it again.",
        "录音在上传过程中被截断，请重新上传。",
    ),
    "no_audio": ("The recording has no sound track.", "该录音没有声音轨道。"),
    "no_video": ("The recording has no video track.", "该录音没有视频画面。"),
    "too_long": (
        "The recording is too long (more than {limit_s} seconds).",
        "录音过长（超过 {limit_s} 秒）。",
    ),
    "missing": ("The recording file {name} does not exist.", "录音文件 {name} 不存在。"),
    "decoder_unavailable": (
        "Recordings cannot be decoded on this server: PyAV is missing. Reinstall Hireflow "
        "(pip install hireflow installs it) and restart the worker.",
        "服务器无法解码录音：缺少 PyAV。请重新安装 Hireflow"
        "（pip install hireflow 会一并安装）并重启任务进程。",
    ),
    "speech_unavailable": (
        "Speech recognition is not installed on this server. Answers are kept and will be "
        "transcribed once it is: reinstall Hireflow (pip install hireflow installs it) and "
        "restart the worker.",
        "服务器未安装语音识别组件。回答已保存，安装后将自动转写：请重新安装 Hireflow"
        "（pip install hireflow 会一并安装）并重启任务进程。",
    ),
    "vision_unavailable": (
        "Video analysis is not installed on this server: pip install 'hireflow[vision]' "
        "(and 'av', which the speech extra brings).",
        "服务器未安装视频分析组件：pip install 'hireflow[vision]'（以及语音组件带来的 av）。",
    ),
    "model_checksum": (
        "The speech model file {name} does not match its pinned checksum; it was not loaded.",
        "语音模型文件 {name} 与固定的校验和不符，已拒绝加载。",
    ),
    "model_missing": (
        "The speech model file {name} is missing from the installed weight packages.",
        "已安装的模型包中缺少语音模型文件 {name}。",
    ),
    "transcription_failed": (
        "The speech recognition service failed ({detail}). The answer is kept; try again later.",
        "语音识别服务出错（{detail}）。回答已保存，请稍后重试。",
    ),
}


class MediaProcessingError(ValueError):
    """A recording or a model that cannot be processed.

    ``code`` is stable (API clients and the interview domain branch on it); ``message`` maps
    ``"zh"`` and ``"en"`` to text for the candidate or HR; ``retryable`` says whether the same
    input may succeed later (a missing model or a failing endpoint) as opposed to a bad file.
    """

    retryable: ClassVar[bool] = False

    def __init__(self, code: str, **params: Any) -> None:
        if code not in _MESSAGES:
            raise KeyError(f"unknown media error code {code!r}")
        en, zh = _MESSAGES[code]
        self.code = code
        self.params = params
        self.message = {"zh": zh.format(**params), "en": en.format(**params)}
        super().__init__(f"{code}: {self.message['en']}")


class MediaError(MediaProcessingError):
    """The uploaded file itself is refused (type, size, damage, missing track)."""


class DecoderUnavailable(MediaProcessingError):
    """PyAV is not installed, so no recording can be decoded here."""

    retryable = True


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Bounds on what one recording may cost to read.

    The defaults fit a long interview answer recorded in a browser (a 15-minute 720p WebM is
    about 100 MB) with room to spare, and stop a hostile file from making decoding run for
    hours or fill memory (20 minutes of 16 kHz float32 audio is 77 MB).
    """

    max_bytes: int = 200 * 1024 * 1024
    max_seconds: float = 20 * 60.0


DEFAULT_LIMITS = MediaLimits()


@dataclass(frozen=True, slots=True)
class AudioStreamInfo:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True, slots=True)
class VideoStreamInfo:
    codec: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What :func:`probe` learned about a recording without decoding it."""

    container: str
    size: int
    duration: float | None
    duration_source: str  # "header", "packets" or "unknown"
    audio: AudioStreamInfo | None
    video: VideoStreamInfo | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "size": self.size,
            "duration": self.duration,
            "duration_source": self.duration_source,
            "audio": None
            if self.audio is None
            else {
                "codec": self.audio.codec,
                "sample_rate": self.audio.sample_rate,
                "channels": self.audio.channels,
            },
            "video": None
            if self.video is None
            else {
                "codec": self.video.codec,
                "width": self.video.width,
                "height": self.video.height,
            },
        }


@dataclass(frozen=True, slots=True, eq=False)
class DecodedAudio:
    """Mono PCM in ``[-1, 1]`` at ``sample_rate``.

    ``truncated`` is true when the file ended or broke before its declared end, e.g. an
    upload cut short: the audio up to the break is here, and the caller decides whether to
    ask for the rest.
    """

    samples: np.ndarray
    sample_rate: int
    container: str
    truncated: bool = False

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0


def decoder_available() -> bool:
    """Whether PyAV can be imported (it comes with the ``speech`` extra)."""
    return importlib.util.find_spec("av") is not None


def import_av() -> Any:
    """The ``av`` module, or :class:`DecoderUnavailable` when PyAV is not installed."""
    try:  # PyAV is part of an extra; without it recordings are kept unchecked
        import av
    except ImportError as exc:
        raise DecoderUnavailable("decoder_unavailable") from exc
    return av


def _size_of(source: MediaSource) -> int:
    if isinstance(source, Path):
        try:
            return source.stat().st_size
        except FileNotFoundError as exc:
            raise MediaError("missing", name=source.name) from exc
    return len(source)


def _head(source: MediaSource, count: int = 64) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(count)
    return bytes(source[:count])


def sniff_container(head: bytes) -> str | None:
    """The container of a file from its first bytes, or None when it is not one we accept."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"  # EBML: WebM and Matroska
    if head.startswith(b"OggS"):
        return "ogg"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    return None


def _base_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def check_upload(
    source: MediaSource,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> str:
    """Refuse an empty, oversized, non-media or mislabelled recording; return its container.

    ``content_type`` is what the browser declared (``video/webm;codecs=vp8,opus``); a known
    media type that contradicts the content is refused, a missing or generic one is ignored.
    Only the first bytes are read, so this is cheap enough to run before storing the file.
    """
    size = _size_of(source)
    if size == 0:
        raise MediaError("empty")
    if size > limits.max_bytes:
        raise MediaError(
            "too_large",
            size_mb=_megabytes(size),
            limit_mb=_megabytes(limits.max_bytes),
        )
    container = sniff_container(_head(source))
    if container is None:
        raise MediaError("not_media")
    declared = _base_type(content_type)
    if declared not in _UNINFORMATIVE_TYPES:
        known = {t: name for name, (_, types) in CONTAINERS.items() for t in types}
        if declared in known and known[declared] != container:
            raise MediaError("type_mismatch", declared=declared, detected=container)
        if declared not in known and not declared.startswith(("audio/", "video/")):
            raise MediaError("not_media")
    return container


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.1f}" if value >= 0.1 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@contextmanager
def open_media(
    source: MediaSource,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> Iterator[tuple[av.container.InputContainer, str]]:
    """Open a checked recording with PyAV, forcing the demuxer of its sniffed container.

    Yields ``(container, kind)``; an FFmpeg error while opening becomes ``MediaError("damaged")``.
    """
    av = import_av()
    kind = check_upload(source, content_type, limits)
    demuxer = CONTAINERS[kind][0]
    # FFmpeg gets a Python file object, never a name: a name would be parsed for protocols
    # ("concat:", "http:") that read other files or the network.
    handle: Any = source.open("rb") if isinstance(source, Path) else io.BytesIO(bytes(source))
    try:
        try:
            container = av.open(handle, "r", demuxer)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise MediaError("damaged") from exc
        try:
            yield container, kind
        finally:
            container.close()
    finally:
        handle.close()


class _Bytes:
    """Random access to a recording on disk or in memory, without loading a file whole."""

    def __init__(self, source: MediaSource) -> None:
        self._data = None if isinstance(source, Path) else memoryview(source).cast("B")
        self._handle = source.open("rb") if isinstance(source, Path) else None
        self.size = _size_of(source)

    def read(self, offset: int, count: int) -> bytes:
        if self._data is not None:
            return bytes(self._data[offset : offset + count])
        assert self._handle is not None
        self._handle.seek(offset)
        return self._handle.read(count)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


_EBML_DESCEND = {0x18538067, 0x1F43B675}  # Segment, Cluster: walk into them
_MAX_ELEMENTS = 2_000_000  # a 20-minute 1080p WebM has well under 200,000 blocks


def _ebml_vint(head: bytes, keep_marker: bool) -> tuple[int, int, bool] | None:
    """(value, length, all-ones) of the EBML variable-size integer at the start of ``head``."""
    if not head or head[0] == 0:
        return None
    length = 8 - head[0].bit_length() + 1
    if len(head) < length:
        return None
    value = int.from_bytes(head[:length], "big")
    data_bits = 7 * length
    payload = value & ((1 << data_bits) - 1)
    return (value if keep_marker else payload), length, payload == (1 << data_bits) - 1


def _webm_cut(reader: _Bytes) -> bool:
    """True when the file ends inside an EBML element (a WebM upload cut mid-way)."""
    position = 0
    for _ in range(_MAX_ELEMENTS):
        if position >= reader.size:
            return False
        head = reader.read(position, 12)
        element = _ebml_vint(head, keep_marker=True)
        if element is None:
            return True
        element_id, id_length, _ = element
        size = _ebml_vint(head[id_length:], keep_marker=False)
        if size is None:
            return True
        length, size_length, unknown = size
        body = position + id_length + size_length
        if element_id in _EBML_DESCEND:
            # Live recordings leave Segment and Cluster sizes unknown: read their children.
            if not unknown and body + length > reader.size:
                return True
            position = body
            continue
        if unknown or body + length > reader.size:
            return True
        position = body + length
    return False


def _mp4_cut(reader: _Bytes) -> bool:
    """True when the last top-level box runs past the end of the file."""
    position = 0
    for _ in range(_MAX_ELEMENTS):
        if position >= reader.size:
            return False
        head = reader.read(position, 16)
        if len(head) < 8:
            return True
        size = int.from_bytes(head[:4], "big")
        if size == 1:
            if len(head) < 16:
                return True
            size = int.from_bytes(head[8:16], "big")
        elif size == 0:
            return False  # "to the end of the file"
        if size < 8 or position + size > reader.size:
            return True
        position += size
    return False


def _ogg_cut(reader: _Bytes) -> bool:
    """True when the last page is incomplete or no page ends the stream (EOS flag)."""
    position = 0
    ended = False
    for _ in range(_MAX_ELEMENTS):
        if position >= reader.size:
            return not ended
        head = reader.read(position, 27)
        if len(head) < 27 or not head.startswith(b"OggS"):
            return True
        ended = bool(head[5] & 0x04)
        lacing = reader.read(position + 27, head[26])
        if len(lacing) < head[26]:
            return True
        position += 27 + head[26] + sum(lacing)
        if position > reader.size:
            return True
    return False


def _wav_cut(reader: _Bytes) -> bool:
    """True when the ``data`` chunk declares more bytes than the file holds."""
    position = 12
    while position + 8 <= reader.size:
        head = reader.read(position, 8)
        size = int.from_bytes(head[4:8], "little")
        if head[:4] == b"data":
            # Streaming writers put 0 or 0xFFFFFFFF when they never came back to fill it in.
            return size not in (0, 0xFFFFFFFF) and position + 8 + size > reader.size
        position += 8 + size + (size & 1)
    return True


_CUT_CHECKS = {"webm": _webm_cut, "mp4": _mp4_cut, "ogg": _ogg_cut, "wav": _wav_cut}


def is_cut_short(source: MediaSource) -> bool:
    """Whether a recording's own structure shows that its end is missing.

    Reads only element and box headers (no decoding). A file that stops exactly between two
    elements is indistinguishable from a shorter recording; the upload layer's byte count is
    the check for that.
    """
    kind = sniff_container(_head(source))
    if kind is None:
        return False
    reader = _Bytes(source)
    try:
        return _CUT_CHECKS[kind](reader)
    finally:
        reader.close()


def _stream_duration(container: Any) -> tuple[float | None, str]:
    if container.duration is not None and container.duration > 0:
        return container.duration / 1_000_000, "header"
    return None, "unknown"


def _packet_duration(container: Any, limits: MediaLimits) -> float | None:
    """The span of packet timestamps, read without decoding (WebM from Chrome needs this)."""
    av = import_av()
    start: float | None = None
    end: float | None = None
    try:
        for packet in container.demux():
            if packet.pts is None or packet.time_base is None:
                continue
            begin = float(packet.pts * packet.time_base)
            finish = begin + float((packet.duration or 0) * packet.time_base)
            start = begin if start is None else min(start, begin)
            end = finish if end is None else max(end, finish)
            if end - start > limits.max_seconds:
                break
    except av.error.FFmpegError:
        pass  # a truncated file: the span up to the break is the best answer
    if start is None or end is None:
        return None
    return max(0.0, end - start)


def probe(
    source: MediaSource,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> MediaInfo:
    """Container, streams and duration of a recording (seconds, or None if undeterminable)."""
    with open_media(source, content_type, limits) as (container, kind):
        audio = video = None
        if container.streams.audio:
            stream = container.streams.audio[0]
            audio = AudioStreamInfo(
                codec=stream.codec_context.name,
                sample_rate=int(stream.codec_context.sample_rate or 0),
                channels=int(stream.codec_context.channels or 0),
            )
        if container.streams.video:
            vstream = container.streams.video[0]
            video = VideoStreamInfo(
                codec=vstream.codec_context.name,
                width=int(vstream.codec_context.width or 0),
                height=int(vstream.codec_context.height or 0),
            )
        duration, how = _stream_duration(container)
        if duration is None:
            duration = _packet_duration(container, limits)
            how = "packets" if duration is not None else "unknown"
        return MediaInfo(
            container=kind,
            size=_size_of(source),
            duration=duration,
            duration_source=how,
            audio=audio,
            video=video,
        )


def with_duration(
    source: MediaSource,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> bytes | None:
    """A WebM recorded as a live stream, rewritten so that players know its length.

    Chrome's and Firefox's ``MediaRecorder`` write WebM without a duration (and without cues),
    so a player shows "Infinity" and cannot seek until it has read the whole file. Remuxing
    the same packets (no re-encoding, so nothing is lost and it takes milliseconds) into a
    seekable file lets FFmpeg's muxer write the duration and the cues. Returns the new bytes,
    or ``None`` when the recording already has a duration, is not WebM/Matroska, or cannot be
    rewritten (the original is then kept as it is).
    """
    av = import_av()
    with open_media(source, content_type, limits) as (container, kind):
        if kind != "webm" or _stream_duration(container)[0] is not None:
            return None
        output = io.BytesIO()
        try:
            with av.open(output, "w", format="webm") as target:
                streams = {}
                for stream in container.streams:
                    if stream.type in ("audio", "video"):
                        streams[stream.index] = target.add_stream_from_template(stream)
                for packet in container.demux(*[container.streams[i] for i in streams]):
                    if packet.dts is None:
                        continue  # the flush packet at the end of each stream
                    packet.stream = streams[packet.stream.index]
                    target.mux(packet)
        except (av.error.FFmpegError, ValueError) as exc:
            log.warning("recording kept without duration: %s", type(exc).__name__)
            return None
    return output.getvalue()


def decode_audio(
    source: MediaSource,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
    sample_rate: int = TARGET_SAMPLE_RATE,
) -> DecodedAudio:
    """Decode the first sound track to mono ``float32`` at ``sample_rate``.

    Raises :class:`MediaError` with ``no_audio``, ``too_long``, ``truncated`` (cut short with
    nothing decodable) or ``damaged``; a file that breaks off after some audio is returned
    with ``truncated=True``.
    """
    check_upload(source, content_type, limits)
    cut = is_cut_short(source)
    try:
        with open_media(source, content_type, limits) as (container, kind):
            return _decode_track(container, kind, limits, sample_rate, cut)
    except MediaError as exc:
        if exc.code == "damaged" and cut:
            raise MediaError("truncated") from exc
        raise


def _decode_track(
    container: Any, kind: str, limits: MediaLimits, sample_rate: int, cut: bool
) -> DecodedAudio:
    av = import_av()
    if not container.streams.audio:
        raise MediaError("no_audio")
    stream = container.streams.audio[0]
    declared, _ = _stream_duration(container)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
    chunks: list[np.ndarray] = []
    total = 0
    limit = int(limits.max_seconds * sample_rate)

    def take(frames: list[Any]) -> None:
        nonlocal total
        for out in frames:
            array = out.to_ndarray().reshape(-1)
            chunks.append(array)
            total += len(array)
        if total > limit:
            raise MediaError("too_long", limit_s=_whole(limits.max_seconds))

    broken = False
    try:
        for frame in container.decode(stream):
            take(resampler.resample(frame))
    except av.error.FFmpegError:
        broken = True
    take(resampler.resample(None))
    if total == 0:
        raise MediaError("damaged" if broken else "empty")
    samples = np.concatenate(chunks).astype(np.float32, copy=False)
    np.clip(samples, -1.0, 1.0, out=samples)
    # A header that promises clearly more than the file holds also means the upload was cut.
    short = declared is not None and declared - total / sample_rate > 0.5
    return DecodedAudio(samples, sample_rate, kind, truncated=broken or short or cut)


def _whole(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:.1f}"


def encode_wav(samples: np.ndarray, sample_rate: int = TARGET_SAMPLE_RATE) -> bytes:
    """16-bit PCM mono WAV bytes of float samples in ``[-1, 1]`` (for HTTP transcribers)."""
    pcm = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    ints = np.round(pcm * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(ints.tobytes())
    return buffer.getvalue()


def format_timestamp(seconds: float) -> str:
    """``mm:ss`` (or ``h:mm:ss``) for flags shown to HR, rounded down to the second."""
    whole = max(0, math.floor(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
