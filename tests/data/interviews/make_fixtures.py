"""Rebuild the committed interview media fixtures (see README.md in this folder).

Run from the repository root with the project's virtualenv (PyAV and OpenCV installed, and
``espeak-ng`` on the PATH):

    .venv/bin/python tests/data/interviews/make_fixtures.py [--astronaut PATH]

``--astronaut`` is the public-domain NASA photograph of Eileen Collins that scikit-image ships
as ``skimage/data/astronaut.png``; it is only needed to recreate ``face.jpg``. The Chinese
recording is made separately by ``make_zh_fixture.py`` (it needs TensorFlow).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import wave
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
RATE = 16_000
EN_SENTENCE = (
    "In my last project I led a team of five engineers, "
    "and we reduced the deployment time by forty percent."
)
VIDEO_SIZE = (320, 240)
VIDEO_FPS = 10
# (start, end, faces) of the proctoring video: one face, nobody, then two faces.
VIDEO_SCRIPT = ((0.0, 3.0, 1), (3.0, 9.0, 0), (9.0, 12.0, 2))


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        assert handle.getnchannels() == 1 and handle.getsampwidth() == 2
        rate = handle.getframerate()
        data = np.frombuffer(handle.readframes(handle.getnframes()), "<i2")
    samples = data.astype(np.float32) / 32768.0
    if rate != RATE:
        samples = resample(samples, rate, RATE)
    return samples


def resample(samples: np.ndarray, src: int, dst: int) -> np.ndarray:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = src
    frame.pts = 0
    frame.time_base = Fraction(1, src)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out)


def write_wav(path: Path, samples: np.ndarray) -> None:
    ints = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(ints.tobytes())


def make_english() -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "en.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), EN_SENTENCE], check=True
        )
        samples = read_wav(raw)
    write_wav(HERE / "en_answer.wav", samples)
    return samples


def make_silent() -> None:
    # A muted microphone still records a faint noise floor, around -80 dBFS.
    noise = np.random.default_rng(7).normal(0.0, 1e-4, 3 * RATE).astype(np.float32)
    write_wav(HERE / "silent.wav", noise)


def encode_audio(samples: np.ndarray, path: Path, fmt: str, codec: str, **options: str) -> None:
    """Encode mono PCM the way a browser's MediaRecorder would package it."""
    codec_rate = 48_000 if "opus" in codec else 44_100
    pcm = resample(samples, RATE, codec_rate)
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream(codec, rate=codec_rate, layout="mono")
        stream.bit_rate = 32_000
        write_audio(out, stream, pcm, codec_rate)


def write_audio(
    out: av.container.OutputContainer, stream: av.AudioStream, pcm: np.ndarray, rate: int
) -> None:
    chunk = 960
    for start in range(0, len(pcm), chunk):
        part = pcm[start : start + chunk].astype(np.float32)
        frame = av.AudioFrame.from_ndarray(part.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def make_face(astronaut: Path) -> None:
    photo = cv2.imread(str(astronaut))
    if photo is None:
        raise SystemExit(f"cannot read {astronaut}")
    crop = photo[30:230, 130:320]  # head and shoulders around the face
    cv2.imwrite(str(HERE / "face.jpg"), crop, [cv2.IMWRITE_JPEG_QUALITY, 90])


def background(t: float) -> np.ndarray:
    width, height = VIDEO_SIZE
    y = np.linspace(90, 170, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 30, width, dtype=np.float32)[None, :] + 5 * np.sin(t)
    base = y + x
    return np.dstack([base, base * 0.95, base * 0.9]).clip(0, 255).astype(np.uint8)


def paste(frame: np.ndarray, face: np.ndarray, x: int, y: int) -> None:
    height, width = face.shape[:2]
    frame[y : y + height, x : x + width] = face


def video_frame(face: np.ndarray, t: float) -> np.ndarray:
    frame = background(t)
    faces = next(n for start, end, n in VIDEO_SCRIPT if start <= t < end)
    sway = round(6 * np.sin(2 * t))  # a person on camera is never perfectly still
    width, height = VIDEO_SIZE
    if faces == 1:
        small = cv2.resize(face, None, fx=0.9, fy=0.9)
        paste(frame, small, (width - small.shape[1]) // 2 + sway, (height - small.shape[0]) // 2)
    elif faces == 2:
        small = cv2.resize(face, None, fx=0.7, fy=0.7)
        top = (height - small.shape[0]) // 2
        paste(frame, small, 10 + sway, top)
        paste(frame, small, width - 10 - small.shape[1] - sway, top)
    return frame


def make_video(speech: np.ndarray) -> None:
    face = cv2.imread(str(HERE / "face.jpg"))
    total = VIDEO_SCRIPT[-1][1]
    audio_rate = 48_000
    pcm = np.zeros(int(total * audio_rate), dtype=np.float32)
    voiced = resample(speech, RATE, audio_rate)[: len(pcm)]
    pcm[: len(voiced)] = voiced
    with av.open(str(HERE / "video_answer.webm"), "w", format="webm", options={"live": "1"}) as out:
        vstream = out.add_stream("libvpx", rate=VIDEO_FPS)
        vstream.width, vstream.height = VIDEO_SIZE
        vstream.pix_fmt = "yuv420p"
        vstream.bit_rate = 150_000
        astream = out.add_stream("libopus", rate=audio_rate, layout="mono")
        astream.bit_rate = 24_000
        for index in range(int(total * VIDEO_FPS)):
            image = video_frame(face, index / VIDEO_FPS)
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            frame.pts = index
            frame.time_base = Fraction(1, VIDEO_FPS)
            for packet in vstream.encode(frame):
                out.mux(packet)
        for packet in vstream.encode(None):
            out.mux(packet)
        write_audio(out, astream, pcm, audio_rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--astronaut", type=Path, help="skimage/data/astronaut.png")
    args = parser.parse_args()
    speech = make_english()
    make_silent()
    # Chrome and Firefox: WebM/Opus without a duration in the header (a live recording);
    # older Firefox: Ogg/Opus; Safari: MP4/AAC.
    encode_audio(speech, HERE / "en_answer.webm", "webm", "libopus", live="1")
    encode_audio(speech, HERE / "en_answer.ogg", "ogg", "libopus")
    encode_audio(speech, HERE / "en_answer.mp4", "mp4", "aac")
    paragraph = HERE / "zh_paragraph.wav"
    if paragraph.exists():  # written by make_zh_fixture.py; kept small as Opus
        encode_audio(read_wav(paragraph), HERE / "zh_paragraph.ogg", "ogg", "libopus")
        paragraph.unlink()
    if args.astronaut:
        make_face(args.astronaut)
    make_video(speech)
    for path in sorted(HERE.iterdir()):
        if path.suffix in {".wav", ".webm", ".ogg", ".mp4", ".jpg"}:
            print(f"{path.name:20} {path.stat().st_size:>8} bytes")


if __name__ == "__main__":
    main()
