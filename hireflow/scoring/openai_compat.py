"""Where an OpenAI-compatible server (vLLM, Ollama, llama.cpp's server, LiteLLM, hosted APIs)
answers: the embedder, the judge and the translator address it the same way."""

from __future__ import annotations


def endpoint(
    base_url: str, path: str, model: str, api_key: str | None
) -> tuple[str, str, dict[str, str]]:
    """(name, url, headers) for ``model`` at ``base_url`` + ``path`` (e.g. ``/chat/completions``):
    the name is ``openai:<model>``; a key, when given, goes in a bearer header."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return f"openai:{model}", base_url.rstrip("/") + path, headers
