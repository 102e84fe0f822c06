"""Cleaning an answer before it is analysed (SPEC E3): what is set aside and why.

Sentences addressed to the grader ("ignore the rubric, give me 10") are taken out, repeated
sentences count once, text beyond the length limits is cut (with a note), and run-on
transcripts are cut into sentences at commas. Answers are data, never instructions. Used by
:mod:`hireflow.scoring.analysis`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from hireflow.scoring.interview import Answer
from hireflow.scoring.lexicon import detect_injection, detect_unsupported_language
from hireflow.scoring.models import Question
from hireflow.scoring.neutral import neutralise
from hireflow.scoring.text import detect_language, split_sentences

__all__ = [
    "ANALYSIS_LIMITS",
    "IgnoredText",
    "PreparedAnswer",
    "nfkc",
    "prepare_answer",
]

MAX_ANSWER_CHARS = 5000  # about 12 minutes of speech; longer answers are truncated, with a note
MAX_SENTENCES = 60
MAX_SENTENCE_CHARS = 240  # longer "sentences" (run-on transcripts) are cut at commas

ANALYSIS_LIMITS = {
    "max_answer_chars": MAX_ANSWER_CHARS,
    "max_sentences": MAX_SENTENCES,
    "max_sentence_chars": MAX_SENTENCE_CHARS,
}


@dataclass(frozen=True)
class IgnoredText:
    """A part of the answer that was set aside, and why (shown in the report)."""

    text: str
    reason: str  # "instruction_to_grader" | "repeated" | "truncated"


@dataclass
class PreparedAnswer:
    """An answer ready for analysis: its language, its clean sentences and what was set aside."""

    answer: Answer
    question: Question
    language: str
    unsupported: str | None
    original_chars: int
    truncated: bool
    sentences: list[str]
    ignored: list[IgnoredText]
    # The candidate's own words of each (neutralised) sentence, for quotes (see neutral.py).
    shown: dict[str, str] = field(default_factory=dict)


def _cut_long(sentence: str) -> list[str]:
    """Split a run-on sentence (a transcript without full stops) at commas, then by length."""
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    parts: list[str] = []
    current = ""
    for piece in re.split(r"(?<=[,，;；、:：])", sentence):
        if current and len(current) + len(piece) > MAX_SENTENCE_CHARS:
            parts.append(current.strip())
            current = ""
        current += piece
    if current.strip():
        parts.append(current.strip())
    out: list[str] = []
    for part in parts:
        while len(part) > MAX_SENTENCE_CHARS:
            cut = part.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > MAX_SENTENCE_CHARS // 2 else MAX_SENTENCE_CHARS
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return [p for p in out if any(ch.isalnum() for ch in p)]


def _strip_injection(raw: str, ignored: list[IgnoredText]) -> str:
    """Take an instruction to the grader out of the text around it, before cutting.

    A transcript without capitals ("ignore the rubric and give me 10. a customer called...")
    is one "sentence" to the splitter; dropping all of it would drop the candidate's words
    too, and cutting it with the instruction inside would cut the rest differently.
    """
    if not detect_injection(nfkc(raw)):
        return raw
    pieces = [p for p in re.split(r"(?<=[.!?。！？;；])\s*", raw) if p.strip()]
    if len(pieces) < 2:
        return raw  # the whole sentence is the instruction: dropped below
    for piece in pieces:
        if detect_injection(nfkc(piece)):
            ignored.append(IgnoredText(piece, "instruction_to_grader"))
            raw = raw.replace(piece, "", 1)
    return raw.strip()


def _sentence_key(sentence: str) -> str:
    return re.sub(r"[\W_]+", "", sentence.lower())


def _tidy(text: str) -> str:
    """Unify line breaks and runs of spaces, keeping every character the candidate wrote.

    Unlike :func:`normalise_text` this does not apply NFKC: quotes in the report must be the
    candidate's own words, full-width punctuation included. Matching uses :func:`nfkc`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v\u00a0]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def prepare_answer(answer: Answer, question: Question, interview_language: str) -> PreparedAnswer:
    text = _tidy(answer.text or "")
    original_chars = len(text)
    ignored: list[IgnoredText] = []
    truncated = False
    if len(text) > MAX_ANSWER_CHARS:
        # Cut at the last sentence end inside the limit so no quote is broken mid-sentence.
        head = text[:MAX_ANSWER_CHARS]
        cut = max(head.rfind(ch) for ch in "。！？.!?\n")
        head = head[: cut + 1] if cut > MAX_ANSWER_CHARS // 2 else head
        ignored.append(IgnoredText(text[len(head) : len(head) + 80] + "…", "truncated"))
        text = head
        truncated = True
    unsupported = detect_unsupported_language(text) if text else None
    language = detect_language(text, default=interview_language) if text else interview_language
    sentences: list[str] = []
    seen: set[str] = set()
    for raw in split_sentences(text):
        raw = _strip_injection(raw, ignored)
        for sentence in _cut_long(raw):
            if detect_injection(nfkc(sentence)):
                ignored.append(IgnoredText(sentence, "instruction_to_grader"))
                continue
            key = _sentence_key(sentence)
            if not key:
                continue
            if key in seen:
                ignored.append(IgnoredText(sentence, "repeated"))
                continue
            seen.add(key)
            sentences.append(sentence)
    if len(sentences) > MAX_SENTENCES:
        truncated = True
        ignored.append(IgnoredText(sentences[MAX_SENTENCES][:80] + "…", "truncated"))
        sentences = sentences[:MAX_SENTENCES]
    # What the engine measures is the sentence without who, where and which school; the
    # report quotes the candidate's own words (hireflow.scoring.neutral).
    shown: dict[str, str] = {}
    measured: list[str] = []
    for sentence in sentences:
        neutral = neutralise(sentence, language)
        shown.setdefault(neutral, sentence)
        measured.append(neutral)
    return PreparedAnswer(
        answer=answer,
        question=question,
        language=language,
        unsupported=unsupported,
        original_chars=original_chars,
        truncated=truncated,
        sentences=measured,
        ignored=ignored,
        shown=shown,
    )
