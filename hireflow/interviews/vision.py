"""Proctoring observations from a video answer: is there a face, is there more than one.

These are **observations for HR, not scores**. Inferring emotions from faces to assess
candidates is prohibited in the EU (AI Act, Art. 5(1)(f)) and unreliable anywhere, so this
module only reports what a human reviewer could check on the recording: how much of the
answer had no face in view, when a second face appeared, with timestamps to jump to
("no face for 8 s at 00:12"). Nothing here feeds the scoring engine.

Frames are sampled at a fixed rate (2 per second by default, bounded in number), faces are
found with OpenCV's Haar cascade for frontal faces (the ``vision`` extra,
``opencv-python-headless>=4.11,<5``; OpenCV 5 dropped the cascades), and the video is decoded
with PyAV like the audio (:mod:`hireflow.interviews.media`). The same file always gives the
same observations. A face turned well away from the camera is not "frontal" and counts as no
face: the flag says what the camera saw, and HR watches the moment before concluding.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from hireflow.interviews.media import (
    DEFAULT_LIMITS,
    MediaError,
    MediaLimits,
    MediaProcessingError,
    MediaSource,
    format_timestamp,
    import_av,
    is_cut_short,
    open_media,
    probe,
)


class VisionUnavailable(MediaProcessingError):
    """OpenCV (with its Haar cascades) or PyAV is missing; the video is kept for later."""

    retryable = True

    def __init__(self) -> None:
        super().__init__("vision_unavailable")


FACE_CASCADE = "haarcascade_frontalface_default.xml"


@lru_cache(maxsize=1)
def vision_available() -> bool:
    """Whether OpenCV with the Haar face cascade and PyAV are installed."""
    if importlib.util.find_spec("cv2") is None or importlib.util.find_spec("av") is None:
        return False
    try:  # OpenCV is the vision extra, loaded only where video is observed
        import cv2
    except ImportError:
        return False
    data = getattr(cv2, "data", None)
    if not hasattr(cv2, "CascadeClassifier") or data is None:
        return False
    return (Path(data.haarcascades) / FACE_CASCADE).is_file()


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detected face in the coordinates of the frame that was passed in."""

    x: int
    y: int
    width: int
    height: int


@runtime_checkable
class FaceAnalyzer(Protocol):
    """Finds faces in one BGR ``uint8`` frame (height x width x 3)."""

    def detect(self, frame: np.ndarray) -> list[FaceBox]: ...


class HaarFaceAnalyzer:
    """OpenCV's Viola-Jones frontal-face cascade.

    Frames are shrunk so that their longer side is at most ``max_side`` pixels (detection
    cost grows with area, and a face at interview distance stays large), converted to grey
    and histogram-equalised so that dim webcams work. Faces smaller than ``min_face_fraction``
    of the shorter side are ignored: at interview distance the candidate's face fills a good
    part of the frame, while tiny detections are mostly patterns in the background.
    """

    def __init__(
        self,
        *,
        max_side: int = 480,
        min_face_fraction: float = 0.12,
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
    ) -> None:
        if not vision_available():
            raise VisionUnavailable()
        self.max_side = max_side
        self.min_face_fraction = min_face_fraction
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors
        # A CascadeClassifier keeps scratch buffers: one per thread is the safe way to share.
        self._local = threading.local()

    def _cascade(self) -> Any:
        cascade = getattr(self._local, "cascade", None)
        if cascade is None:
            import cv2

            cascade = cv2.CascadeClassifier(str(cv2.data.haarcascades + FACE_CASCADE))
            if cascade.empty():
                raise VisionUnavailable()
            self._local.cascade = cascade
        return cascade

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        import cv2

        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError("expected a BGR uint8 frame of shape (height, width, 3)")
        height, width = frame.shape[:2]
        scale = min(1.0, self.max_side / max(height, width))
        if scale < 1.0:
            frame = cv2.resize(
                frame, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
            )
        grey = cv2.equalizeHist(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        smallest = max(20, round(min(grey.shape) * self.min_face_fraction))
        found = self._cascade().detectMultiScale(
            grey,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(smallest, smallest),
        )
        return [
            FaceBox(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            for x, y, w, h in (found if len(found) else [])
        ]


@dataclass(frozen=True, slots=True)
class SampledFrame:
    time: float
    image: np.ndarray


@dataclass(frozen=True, slots=True)
class FrameSampling:
    """Which frames were looked at: every ``interval`` seconds, at most ``max_frames``."""

    interval: float
    duration: float | None


def plan_sampling(duration: float | None, fps: float, max_frames: int) -> FrameSampling:
    """Sample at ``fps``, or more sparsely when a long video would exceed ``max_frames``."""
    if fps <= 0 or max_frames <= 0:
        raise ValueError("fps and max_frames must be positive")
    interval = 1.0 / fps
    if duration is not None and duration / interval > max_frames:
        interval = duration / max_frames
    return FrameSampling(interval=interval, duration=duration)


def sample_frames(
    source: MediaSource,
    *,
    fps: float = 2.0,
    max_frames: int = 600,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> tuple[FrameSampling, Iterator[SampledFrame], list[bool]]:
    """Decode a video and yield one BGR frame every sampling interval.

    Returns the sampling plan, the frame iterator, and a one-element list that becomes
    ``[True]`` if decoding stopped early on a damaged or cut-off file (so the caller can say
    the observations cover only part of the answer).
    """
    info = probe(source, content_type, limits)
    if info.video is None:
        raise MediaError("no_video")
    if info.duration is not None and info.duration > limits.max_seconds:
        raise MediaError("too_long", limit_s=int(limits.max_seconds))
    plan = plan_sampling(info.duration, fps, max_frames)
    broken = [False]

    def frames() -> Iterator[SampledFrame]:
        av = import_av()
        with open_media(source, content_type, limits) as (container, _):
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            origin: float | None = None
            next_time = 0.0
            taken = 0
            try:
                for frame in container.decode(stream):
                    if frame.time is None:
                        continue
                    origin = frame.time if origin is None else origin
                    at = frame.time - origin
                    if at > limits.max_seconds:
                        break
                    if at + 1e-6 < next_time:
                        continue
                    yield SampledFrame(round(at, 3), frame.to_ndarray(format="bgr24"))
                    taken += 1
                    if taken >= max_frames:
                        break
                    while next_time <= at + 1e-6:
                        next_time += plan.interval
            except av.error.FFmpegError:
                broken[0] = True

    return plan, frames(), broken


@dataclass(frozen=True, slots=True)
class ProctoringFlag:
    """A moment for HR to look at, with its message in Chinese and English."""

    kind: str  # "no_face" or "multiple_faces"
    start: float
    end: float
    faces: int
    message: dict[str, str]

    @property
    def duration(self) -> float:
        return round(self.end - self.start, 3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "duration": self.duration,
            "faces": self.faces,
            "at": format_timestamp(self.start),
            "message": dict(self.message),
        }


@dataclass(frozen=True, slots=True)
class VisionObservations:
    """What the camera showed during one answer. Observations, never a score."""

    duration: float
    sample_interval: float
    frames_sampled: int
    no_face_share: float
    multiple_faces_share: float
    longest_no_face: float
    longest_no_face_start: float | None
    flags: tuple[ProctoringFlag, ...]
    timeline: tuple[tuple[float, int], ...]  # (seconds, faces) per sampled frame
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration": self.duration,
            "sample_interval": self.sample_interval,
            "frames_sampled": self.frames_sampled,
            "no_face_share": self.no_face_share,
            "multiple_faces_share": self.multiple_faces_share,
            "longest_no_face": self.longest_no_face,
            "longest_no_face_start": self.longest_no_face_start,
            "flags": [f.to_dict() for f in self.flags],
            "timeline": [list(point) for point in self.timeline],
            "partial": self.partial,
        }


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _no_face_message(start: float, length: float) -> dict[str, str]:
    at = format_timestamp(start)
    return {
        "en": f"No face for {_seconds(length)} s at {at}",
        "zh": f"{at} 起 {_seconds(length)} 秒未检测到人脸",
    }


def _multiple_faces_message(start: float, length: float, faces: int) -> dict[str, str]:
    at = format_timestamp(start)
    words = {2: "Two", 3: "Three", 4: "Four"}
    count = words.get(faces, str(faces))
    return {
        "en": f"{count} faces for {_seconds(length)} s at {at}",
        "zh": f"{at} 起 {_seconds(length)} 秒内检测到 {faces} 张人脸",
    }


def _runs(values: Sequence[bool]) -> list[tuple[int, int]]:
    """Index ranges ``[first, last]`` of consecutive True values."""
    runs: list[tuple[int, int]] = []
    first: int | None = None
    for index, value in enumerate(values):
        if value and first is None:
            first = index
        elif not value and first is not None:
            runs.append((first, index - 1))
            first = None
    if first is not None:
        runs.append((first, len(values) - 1))
    return runs


def observe(
    timeline: Sequence[tuple[float, int]],
    interval: float,
    duration: float | None = None,
    *,
    min_no_face: float = 5.0,
    min_multiple_faces: float = 1.0,
    partial: bool = False,
) -> VisionObservations:
    """Shares, the longest face-less stretch and the flags, from face counts per sample.

    Each sample stands for the ``interval`` seconds after it (clipped at the end of the
    video). A stretch without a face becomes a flag from ``min_no_face`` seconds (glancing
    at notes is normal); several faces from ``min_multiple_faces`` (two samples at 2 fps),
    so that a single false detection in the background does not accuse anyone.
    """
    if interval <= 0:
        raise ValueError("interval must be positive")
    points = sorted((float(t), int(n)) for t, n in timeline)
    end_of_video = (
        duration if duration is not None else (points[-1][0] + interval if points else 0.0)
    )

    def span(first: int, last: int) -> tuple[float, float]:
        start = points[first][0]
        stop = min(points[last][0] + interval, max(end_of_video, points[last][0]))
        if last + 1 < len(points):
            stop = min(stop, points[last + 1][0])
        return round(start, 3), round(stop, 3)

    flags: list[ProctoringFlag] = []
    longest, longest_start = 0.0, None
    for first, last in _runs([n == 0 for _, n in points]):
        start, stop = span(first, last)
        if stop - start > longest:
            longest, longest_start = round(stop - start, 3), start
        if stop - start >= min_no_face:
            flags.append(
                ProctoringFlag("no_face", start, stop, 0, _no_face_message(start, stop - start))
            )
    for first, last in _runs([n > 1 for _, n in points]):
        start, stop = span(first, last)
        if stop - start >= min_multiple_faces:
            faces = max(n for _, n in points[first : last + 1])
            flags.append(
                ProctoringFlag(
                    "multiple_faces",
                    start,
                    stop,
                    faces,
                    _multiple_faces_message(start, stop - start, faces),
                )
            )
    flags.sort(key=lambda f: (f.start, f.kind))
    count = len(points)
    return VisionObservations(
        duration=round(end_of_video, 3),
        sample_interval=round(interval, 3),
        frames_sampled=count,
        no_face_share=round(sum(1 for _, n in points if n == 0) / count, 3) if count else 0.0,
        multiple_faces_share=round(sum(1 for _, n in points if n > 1) / count, 3) if count else 0.0,
        longest_no_face=longest,
        longest_no_face_start=longest_start,
        flags=tuple(flags),
        timeline=tuple(points),
        partial=partial,
    )


def analyse_video(
    source: MediaSource,
    analyzer: FaceAnalyzer | None = None,
    *,
    fps: float = 2.0,
    max_frames: int = 600,
    min_no_face: float = 5.0,
    min_multiple_faces: float = 1.0,
    content_type: str | None = None,
    limits: MediaLimits = DEFAULT_LIMITS,
) -> VisionObservations:
    """Observations of a recorded video answer: what the interview task calls."""
    if not vision_available():
        raise VisionUnavailable()
    detector = analyzer or HaarFaceAnalyzer()
    plan, frames, broken = sample_frames(
        source, fps=fps, max_frames=max_frames, content_type=content_type, limits=limits
    )
    timeline = [(frame.time, len(detector.detect(frame.image))) for frame in frames]
    cut = broken[0] or is_cut_short(source)
    if not timeline:
        raise MediaError("truncated" if cut else "damaged")
    return observe(
        timeline,
        plan.interval,
        plan.duration,
        min_no_face=min_no_face,
        min_multiple_faces=min_multiple_faces,
        partial=cut,
    )
