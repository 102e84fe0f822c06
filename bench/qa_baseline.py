"""The previous E6 method, frozen as the baseline of bench/candidate_questions.py.

Answers to the candidate's questions about the job, by retrieval (SPEC E6).

Pure apart from the embedder it is given: the passages are the opening's description (cut
into sentences, and pairs of neighbouring sentences so an answer spanning two is found whole)
and the company's FAQ entries (question and answer embedded together, and the FAQ's question
alone; the answer is what is quoted). The candidate's question and every passage are embedded
in one batch; a passage is ranked by its best cosine similarity plus a bonus for content words
they share (jieba for Chinese), so "晋升" finds the FAQ that says "晋升" even when the
sentence vectors are close to several.

Nothing is generated: the answer *is* the quoted passage with its source, or, when no passage
is close enough, an honest "HR will answer", and the question goes to HR. The threshold was
set on a small hand-labelled set of Chinese and English questions
(``tests/interviews/test_qa.py``): below it, the nearest passage was usually about something
else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hireflow.scoring.embedding import Embedder, cosine_matrix
from hireflow.scoring.text import content_words, split_sentences

__all__ = ["MIN_SCORE", "Passage", "QaResult", "answer_question", "passages_for"]

# Combined score a passage needs to be given as the answer (cosine + keyword bonus).
MIN_SCORE = 0.45
KEYWORD_BONUS = 0.08  # per shared content word
MAX_KEYWORD_BONUS = 0.24
MAX_QUESTION_CHARS = 500
MAX_PASSAGE_CHARS = 600


@dataclass(frozen=True)
class Passage:
    """A piece of text that may answer a question, and what to quote from it."""

    source: str  # "opening" | "faq"
    text: str  # what is embedded
    quote: str  # what the candidate is shown
    faq_id: int | None = None
    question: str = ""  # an FAQ's own question: a candidate's question is often close to it


@dataclass(frozen=True)
class QaResult:
    """The outcome: ``answered`` with the passage, or ``forwarded`` to HR."""

    status: str
    passage: Passage | None
    score: float
    similarity: float


_CLAUSE = re.compile(r"[，,；;：:]")


def passages_for(description: str, faqs: Sequence[tuple[int, str, str]]) -> list[Passage]:
    """The passages of one opening: its description's sentences, neighbouring pairs and the
    clauses of long sentences (a Chinese sentence often strings several facts together with
    commas; the clause is matched, the whole sentence quoted), then the FAQ entries
    ``(id, question, answer)``."""
    out: list[Passage] = []
    sentences = [s.strip() for s in split_sentences(description or "") if s.strip()]
    for i, sentence in enumerate(sentences):
        text = sentence[:MAX_PASSAGE_CHARS]
        out.append(Passage("opening", text, text))
        clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= 4]
        if len(clauses) > 1:
            out.extend(Passage("opening", clause, text) for clause in clauses)
        if i + 1 < len(sentences):
            # Chinese sentences follow each other without a space; keep the quote verbatim.
            glue = "" if sentence[-1] in "。！？…；」』”）" else " "
            pair = f"{sentence}{glue}{sentences[i + 1]}"[:MAX_PASSAGE_CHARS]
            out.append(Passage("opening", pair, pair))
    for faq_id, question, answer in faqs:
        question, answer = (question or "").strip(), (answer or "").strip()
        if not answer:
            continue
        text = f"{question} {answer}"[: 2 * MAX_PASSAGE_CHARS]
        out.append(Passage("faq", text, answer, faq_id, question[:MAX_PASSAGE_CHARS]))
    return out


def _keyword_bonus(question_words: set[str], passage: Passage) -> float:
    shared = question_words & set(content_words(passage.text))
    return min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * len(shared))


def answer_question(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    min_score: float = MIN_SCORE,
) -> QaResult:
    """The best passage for ``question`` if it scores at least ``min_score``, else forwarded.

    Ties are broken by source order (the description before the FAQ) so the result is
    deterministic.
    """
    text = (question or "").strip()[:MAX_QUESTION_CHARS]
    if not text or not passages:
        return QaResult("forwarded", None, 0.0, 0.0)
    alternates = [p.question for p in passages if p.question]
    vectors = embedder.embed([text, *[p.text for p in passages], *alternates])
    everything = cosine_matrix(vectors[:1], vectors[1:])[0]
    similarities = everything[: len(passages)].copy()
    extra = iter(everything[len(passages) :])
    for i, passage in enumerate(passages):
        if passage.question:
            similarities[i] = max(similarities[i], next(extra))
    words = set(content_words(text))
    scores = np.array(
        [float(similarities[i]) + _keyword_bonus(words, p) for i, p in enumerate(passages)]
    )
    best = int(np.argmax(scores))
    score, similarity = round(float(scores[best]), 4), round(float(similarities[best]), 4)
    if score < min_score:
        return QaResult("forwarded", None, score, similarity)
    return QaResult("answered", passages[best], score, similarity)
