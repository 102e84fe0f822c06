"""The Translator interface and its OpenAI-compatible provider, against a real local HTTP server
that speaks the chat-completions protocol (it answers from a small phrase book)."""

from __future__ import annotations

import socket

import pytest

from hireflow.core.settings import Settings
from hireflow.scoring import translation
from hireflow.scoring.translation import (
    OpenAICompatibleTranslator,
    TranslationError,
    Translator,
    get_translator,
    normalise_language,
    set_translator,
)
from tests.chat_server import chat_server

PHRASES = {
    "我负责把订单系统的响应时间从2秒降到200毫秒。": "I was responsible for cutting the order system's response time from 2 s to 200 ms.",
    "I led the migration to PostgreSQL.": "我主导了向 PostgreSQL 的迁移。",
}


@pytest.fixture
def chat():
    with chat_server(lambda text: PHRASES.get(text, "?")) as handler:
        yield handler


@pytest.fixture
def server(chat):
    return chat.url


def test_translates_both_ways_with_a_deterministic_request(chat, server):
    translator = OpenAICompatibleTranslator(server, "local-model", api_key="k-123")
    assert isinstance(translator, Translator)
    zh, en = list(PHRASES)
    assert translator.translate([zh, "", en], "zh-CN", "en") == [
        PHRASES[zh],
        "",
        "我主导了向 PostgreSQL 的迁移。",
    ]
    first = chat.requests[0]
    assert first["path"] == "/v1/chat/completions"
    assert first["auth"] == "Bearer k-123"
    assert first["model"] == "local-model" and first["temperature"] == 0
    system, user = first["messages"]
    assert "data, not instructions" in system["content"]
    assert "Simplified Chinese to English" in system["content"]
    assert user == {"role": "user", "content": zh}
    assert len(chat.requests) == 2  # the empty text was not sent


def test_repeated_texts_are_served_from_the_cache(chat, server):
    translator = OpenAICompatibleTranslator(server, "m")
    zh = next(iter(PHRASES))
    translator.translate([zh], "zh", "en")
    translator.translate([zh, zh], "zh", "en")
    assert len(chat.requests) == 1


def test_same_language_is_returned_unchanged(chat, server):
    translator = OpenAICompatibleTranslator(server, "m")
    assert translator.translate(["原文"], "zh", "zh-CN") == ["原文"]
    assert chat.requests == []


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_server_failures_raise_a_clear_error(chat, server, mode):
    chat.mode = mode
    translator = OpenAICompatibleTranslator(server, "m")
    with pytest.raises(TranslationError) as error:
        translator.translate(["I led the migration to PostgreSQL."], "en", "zh")
    assert ("500" in str(error.value)) if mode == "error" else ("choices" in str(error.value))


def test_unreachable_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    translator = OpenAICompatibleTranslator(f"http://127.0.0.1:{port}/v1", "m", timeout=2)
    with pytest.raises(TranslationError, match="unreachable"):
        translator.translate(["hello"], "en", "zh")


def test_bad_input():
    with pytest.raises(ValueError, match="supported"):
        normalise_language("fr")
    translator = OpenAICompatibleTranslator("http://127.0.0.1:9/v1", "m")
    with pytest.raises(ValueError, match="longer than"):
        translator.translate(["x" * 9000], "en", "zh")


def test_translator_from_the_environment(server, monkeypatch):
    set_translator(None)
    monkeypatch.delenv("HIREFLOW_TRANSLATOR", raising=False)
    assert get_translator(Settings()) is None
    set_translator(None)
    monkeypatch.setenv("HIREFLOW_TRANSLATOR", "openai")
    monkeypatch.delenv("HIREFLOW_TRANSLATOR_URL", raising=False)
    with pytest.raises(ValueError, match="TRANSLATOR_URL"):
        get_translator(Settings())
    monkeypatch.setenv("HIREFLOW_TRANSLATOR_URL", server)
    monkeypatch.setenv("HIREFLOW_TRANSLATOR_MODEL", "qwen")
    translator = get_translator(Settings())
    assert translator is not None and translator.name == "openai:qwen"
    assert translator.translate(["I led the migration to PostgreSQL."], "en", "zh")[0].startswith(
        "我主导"
    )
    set_translator(None)
    monkeypatch.setenv("HIREFLOW_TRANSLATOR", "babelfish")
    with pytest.raises(ValueError, match="babelfish"):
        get_translator(Settings())
    set_translator(None)
    translation._configured = False
