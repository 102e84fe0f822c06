"""Every setting is read through ``Settings`` (environment and ``.env`` alike)."""

from __future__ import annotations

import re
from pathlib import Path

import hireflow
from hireflow.core.settings import Settings
from hireflow.scoring.judge import EmbeddedJudge, judge_from_env

PACKAGE = Path(hireflow.__file__).resolve().parent
SETTINGS_MODULE = PACKAGE / "core" / "settings.py"
ENVIRONMENT_ACCESS = re.compile(r"\bos\.(environ|getenv|putenv|unsetenv)\b|\bgetenv\(")


def test_no_module_but_settings_touches_the_environment():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == SETTINGS_MODULE:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ENVIRONMENT_ACCESS.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert offenders == []


def test_model_endpoints_come_from_the_env_file(tmp_path, monkeypatch):
    for name in ("HIREFLOW_JUDGE_URL", "HIREFLOW_JUDGE_MODEL", "HIREFLOW_EMBEDDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert isinstance(judge_from_env(Settings()), EmbeddedJudge)
    (tmp_path / ".env").write_text(
        "HIREFLOW_JUDGE_URL=http://127.0.0.1:9/v1\nHIREFLOW_JUDGE_MODEL=qwen\n"
        "HIREFLOW_EMBEDDER=openai\nHIREFLOW_EMBEDDER_URL=http://127.0.0.1:9/v1\n"
    )
    assert judge_from_env(Settings()).name == "openai:qwen"


def test_the_embedder_and_translator_follow_the_env_file(tmp_path, monkeypatch):
    from hireflow.scoring import embedding, translation

    for name in ("HIREFLOW_EMBEDDER", "HIREFLOW_EMBEDDER_URL", "HIREFLOW_TRANSLATOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "HIREFLOW_EMBEDDER=openai\nHIREFLOW_EMBEDDER_URL=http://127.0.0.1:9/v1\n"
        "HIREFLOW_EMBEDDER_MODEL=bge-m3\n"
        "HIREFLOW_TRANSLATOR=openai\nHIREFLOW_TRANSLATOR_URL=http://127.0.0.1:9/v1\n"
        "HIREFLOW_TRANSLATOR_MODEL=qwen\n"
    )
    saved = embedding._default
    embedding.set_embedder(None)
    translation.set_translator(None)
    try:
        from hireflow.core.settings import Settings

        # The scoring library reads no settings; the platform passes them in.
        config = embedding.EmbedderConfig.from_settings(Settings())
        assert "bge-m3" in embedding.get_embedder(config).name
        translator = translation.get_translator(Settings())
        assert translator is not None and translator.name == "openai:qwen"
    finally:
        embedding.set_embedder(saved)
        translation.set_translator(None)
        translation._configured = False
