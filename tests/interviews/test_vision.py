"""Proctoring observations from video answers (hireflow.interviews.vision).

The face fixture is a crop of NASA's public-domain portrait of astronaut Eileen Collins (see
tests/data/interviews/README.md): a real photograph, so the Haar cascade's detections here
are genuine. The video shows that face, then nobody, then the face twice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hireflow.interviews import vision
from hireflow.interviews.media import MediaError
from hireflow.interviews.vision import observe, plan_sampling
from tests.interviews.conftest import SPEECH_EXTRA, VISION_EXTRA


@pytest.fixture(scope="module")
def cv2():
    module = pytest.importorskip("cv2", reason=VISION_EXTRA)
    pytest.importorskip("av", reason=SPEECH_EXTRA)
    if not vision.vision_available():
        pytest.skip(VISION_EXTRA + " (OpenCV without Haar cascades)")
    return module


@pytest.fixture(scope="module")
def face(cv2, data_dir: Path) -> np.ndarray:
    image = cv2.imread(str(data_dir / "face.jpg"))
    assert image is not None
    return image


@pytest.fixture(scope="module")
def analyzer(cv2) -> vision.HaarFaceAnalyzer:
    return vision.HaarFaceAnalyzer()


def backdrop(width: int = 320, height: int = 240) -> np.ndarray:
    y = np.linspace(90, 170, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 30, width, dtype=np.float32)[None, :]
    base = y + x
    return np.dstack([base, base * 0.95, base * 0.9]).astype(np.uint8)


# --- detection on single frames ----------------------------------------------------------


def test_detects_the_real_face(analyzer, face) -> None:
    boxes = analyzer.detect(face)
    assert len(boxes) == 1
    box = boxes[0]
    # The face sits in the upper middle of the head-and-shoulders crop.
    assert 30 <= box.x <= 80 and 20 <= box.y <= 60 and 70 <= box.width <= 120


def test_no_face_on_an_empty_backdrop(analyzer) -> None:
    assert analyzer.detect(backdrop()) == []
    assert analyzer.detect(np.zeros((480, 640, 3), np.uint8)) == []


def test_two_faces(analyzer, face, cv2) -> None:
    frame = backdrop()
    small = cv2.resize(face, None, fx=0.7, fy=0.7)
    height, width = small.shape[:2]
    frame[40 : 40 + height, 10 : 10 + width] = small
    frame[40 : 40 + height, 310 - width : 310] = small
    assert len(analyzer.detect(frame)) == 2


def test_boxes_are_in_the_coordinates_of_a_large_frame(analyzer, face, cv2) -> None:
    frame = cv2.resize(backdrop(), (1280, 960))
    big = cv2.resize(face, None, fx=3, fy=3)
    frame[200 : 200 + big.shape[0], 400 : 400 + big.shape[1]] = big
    (box,) = analyzer.detect(frame)  # detected on a 480-pixel copy, reported full size
    assert 400 + 90 <= box.x <= 400 + 240 and 200 + 60 <= box.y <= 200 + 180
    assert 210 <= box.width <= 360


def test_refuses_frames_that_are_not_bgr(analyzer) -> None:
    with pytest.raises(ValueError):
        analyzer.detect(np.zeros((240, 320), np.uint8))
    with pytest.raises(ValueError):
        analyzer.detect(np.zeros((240, 320, 3), np.float32))


def test_analyzer_satisfies_the_protocol(analyzer) -> None:
    assert isinstance(analyzer, vision.FaceAnalyzer)


# --- whole video answers -------------------------------------------------------------------


def test_video_answer_observations(cv2, data_dir: Path) -> None:
    seen = vision.analyse_video(data_dir / "video_answer.webm")
    assert seen.frames_sampled == 24 and seen.sample_interval == 0.5
    assert seen.duration == pytest.approx(12.0, abs=0.02)
    assert [n for _, n in seen.timeline] == [1] * 6 + [0] * 12 + [2] * 6
    assert seen.no_face_share == 0.5 and seen.multiple_faces_share == 0.25
    assert (seen.longest_no_face, seen.longest_no_face_start) == (6.0, 3.0)
    assert not seen.partial
    flags = [f.to_dict() for f in seen.flags]
    assert [(f["kind"], f["at"], f["duration"], f["faces"]) for f in flags] == [
        ("no_face", "00:03", 6.0, 0),
        ("multiple_faces", "00:09", 3.0, 2),
    ]
    assert flags[0]["message"] == {
        "en": "No face for 6 s at 00:03",
        "zh": "00:03 起 6 秒未检测到人脸",
    }
    assert flags[1]["message"] == {
        "en": "Two faces for 3 s at 00:09",
        "zh": "00:09 起 3 秒内检测到 2 张人脸",
    }


def test_same_video_same_observations(cv2, data_dir: Path) -> None:
    path = data_dir / "video_answer.webm"
    assert vision.analyse_video(path) == vision.analyse_video(path.read_bytes())


def test_frame_budget_spreads_samples_over_the_video(cv2, data_dir: Path) -> None:
    seen = vision.analyse_video(data_dir / "video_answer.webm", max_frames=5)
    assert seen.frames_sampled == 5
    times = [t for t, _ in seen.timeline]
    assert times[0] == 0.0 and times[-1] > 9.0
    assert seen.sample_interval == pytest.approx(2.4, abs=0.01)


def test_cut_video_is_observed_up_to_the_break(cv2, data_dir: Path) -> None:
    content = (data_dir / "video_answer.webm").read_bytes()
    seen = vision.analyse_video(content[: len(content) // 2])
    assert seen.partial
    assert 4 <= seen.frames_sampled < 24
    assert seen.timeline[0][1] == 1


def test_audio_only_answer_has_no_video(cv2, data_dir: Path) -> None:
    with pytest.raises(MediaError) as caught:
        vision.analyse_video(data_dir / "en_answer.webm")
    assert caught.value.code == "no_video"
    assert caught.value.message["zh"] == "该录音没有视频画面。"


def test_non_media_is_refused(cv2) -> None:
    with pytest.raises(MediaError) as caught:
        vision.analyse_video(b"GIF89a" + bytes(100))
    assert caught.value.code == "not_media"


# --- the pure part: from face counts to observations ---------------------------------------


def test_observe_short_absences_are_not_flagged() -> None:
    timeline = [(i * 0.5, 0 if 4 <= i < 12 else 1) for i in range(40)]  # 4 s without a face
    seen = observe(timeline, 0.5, 20.0)
    assert seen.flags == ()
    assert seen.longest_no_face == 4.0 and seen.longest_no_face_start == 2.0
    assert seen.no_face_share == 0.2
    flagged = observe(timeline, 0.5, 20.0, min_no_face=3.0)
    assert [f.kind for f in flagged.flags] == ["no_face"]


def test_observe_single_false_second_face_is_ignored() -> None:
    timeline = [(i * 0.5, 2 if i == 7 else 1) for i in range(20)]
    seen = observe(timeline, 0.5, 10.0)
    assert seen.flags == ()
    assert seen.multiple_faces_share == 0.05


def test_observe_absence_until_the_end_is_clipped_to_the_video() -> None:
    timeline = [(i * 0.5, 1 if i < 4 else 0) for i in range(24)]
    seen = observe(timeline, 0.5, 11.8)
    (flag,) = seen.flags
    assert (flag.start, flag.end) == (2.0, 11.8)
    assert flag.message["en"] == "No face for 9.8 s at 00:02"


def test_observe_messages_for_long_absences_and_crowds() -> None:
    timeline = [(float(i), 0 if i < 75 else 3) for i in range(80)]
    seen = observe(timeline, 1.0, 80.0)
    assert [f.message["en"] for f in seen.flags] == [
        "No face for 75 s at 00:00",
        "Three faces for 5 s at 01:15",
    ]
    assert seen.flags[1].message["zh"] == "01:15 起 5 秒内检测到 3 张人脸"


def test_observe_empty_and_bad_input() -> None:
    seen = observe([], 0.5)
    assert (seen.frames_sampled, seen.no_face_share, seen.flags) == (0, 0.0, ())
    with pytest.raises(ValueError):
        observe([(0.0, 1)], 0)


def test_plan_sampling_bounds_the_number_of_frames() -> None:
    assert plan_sampling(12.0, 2.0, 600).interval == 0.5
    assert plan_sampling(3600.0, 2.0, 600).interval == 6.0
    assert plan_sampling(None, 4.0, 10).interval == 0.25
    with pytest.raises(ValueError):
        plan_sampling(10.0, 0, 10)


def test_vision_unavailable_message() -> None:
    error = vision.VisionUnavailable()
    assert error.retryable and error.code == "vision_unavailable"
    assert "hireflow[vision]" in error.message["en"] and "hireflow[vision]" in error.message["zh"]


def test_without_the_extra_video_is_kept_for_later(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setattr(vision, "vision_available", lambda: False)
    with pytest.raises(vision.VisionUnavailable):
        vision.analyse_video(data_dir / "video_answer.webm")
    with pytest.raises(vision.VisionUnavailable):
        vision.HaarFaceAnalyzer()
