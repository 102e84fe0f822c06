"""What a question is about when no word list says: the topic of the nearest typical question
(``qa_intents.yaml``), by the sentence vectors of the embedder the answering already uses.

The word lists of :mod:`hireflow.interviews.qa_topics` recognise the words they were written
with; a paraphrase ("一个月能拿多少钱", "What is the monthly pay?", "Which software should I
know?") names none of them. Such a question takes the topic of the prototype question its
vector is nearest to, when that is at least ``MIN_SIMILARITY`` and leads every other topic's
nearest prototype by ``MIN_MARGIN``; otherwise it stays without a topic (and the stricter bar of
an unplaced question applies). Deterministic: one vector per text, whatever else is embedded.
"""

from __future__ import annotations

import threading
from importlib import resources

import numpy as np

from hireflow.scoring.embedding import Embedder, cosine_matrix
from hireflow.scoring.models import read_yaml

MIN_SIMILARITY = 0.65


MIN_MARGIN = 0.05


def _load() -> tuple[tuple[str, str], ...]:
    raw = resources.files("hireflow.interviews").joinpath("qa_intents.yaml").read_text("utf-8")
    data = read_yaml(raw, "interviews/qa_intents.yaml", "candidate question intents")
    pairs = tuple((topic, text) for topic, texts in data.items() for text in texts)
    for topic, text in pairs:
        if not isinstance(text, str):  # "- Where: Munich?" is a mapping, not the question
            raise ValueError(f"qa_intents.yaml, {topic}: {text!r} is not a text: quote it")
    return pairs


PROTOTYPES = _load()


_vectors: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def _prototype_vectors(embedder: Embedder) -> np.ndarray:
    key = f"{getattr(embedder, 'name', type(embedder).__name__)}:{id(embedder)}"
    with _lock:
        found = _vectors.get(key)
    if found is None:
        found = np.asarray(embedder.embed([text for _topic, text in PROTOTYPES]))
        with _lock:
            _vectors[key] = found
    return found


def inferred_topics(question: str, embedder: Embedder) -> frozenset[str]:
    """The topic of the typical question nearest to ``question``, or none when no topic's
    prototype is near enough and clearly nearest."""
    text = (question or "").strip()
    if not text:
        return frozenset()
    similarities = cosine_matrix(embedder.embed([text]), _prototype_vectors(embedder))[0]
    best: dict[str, float] = {}
    for (topic, _text), value in zip(PROTOTYPES, similarities, strict=True):
        best[topic] = max(best.get(topic, -1.0), float(value))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    top, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
    if score < MIN_SIMILARITY or score - runner_up < MIN_MARGIN:
        return frozenset()
    return frozenset({top})
