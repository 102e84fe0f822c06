"""HIREFLOW_ASR_DEVICE / HIREFLOW_ASR_COMPUTE_TYPE reach faster-whisper's own options."""

from __future__ import annotations

import pytest

from hireflow.core.settings import Settings
from hireflow.interviews import speech


def test_the_device_and_compute_type_come_from_the_settings(tmp_path, monkeypatch):
    faster_whisper = pytest.importorskip("faster_whisper")
    built: list[dict] = []

    class Model:
        def __init__(self, path: str, **options: object) -> None:
            built.append({"path": path, **options})

    monkeypatch.setattr(faster_whisper, "WhisperModel", Model)
    monkeypatch.setattr(speech, "ensure_whisper_model", lambda _dir=None: tmp_path)
    monkeypatch.setattr(speech, "_MODELS", {})
    settings = Settings(
        data_dir=tmp_path, asr_device="cuda", asr_compute_type="float16", asr_cpu_threads=4
    )
    transcriber = speech.configured_whisper(settings, beam_size=1)
    assert transcriber.beam_size == 1
    assert isinstance(transcriber.model(), Model)
    assert built == [
        {"path": str(tmp_path), "device": "cuda", "compute_type": "float16", "cpu_threads": 4}
    ]
    # the default stays on the CPU, int8, and is a model of its own
    speech.configured_whisper(Settings(data_dir=tmp_path)).model()
    assert built[1]["device"] == "cpu" and built[1]["compute_type"] == "int8"


def test_an_unknown_device_is_a_configuration_error(tmp_path):
    with pytest.raises(ValueError, match="asr_device"):
        Settings(data_dir=tmp_path, asr_device="tpu")
