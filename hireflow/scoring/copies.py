"""Copies and near-copies of the same text across one interview's answers (SPEC F2).

An answer pasted into several questions must not earn credit on each of them: one complaint
story pasted into all ten answers of an interview would otherwise score on integrity,
planning and teamwork alike. Each answer is compared with the answers already credited:

* text is reduced to lower-case letters and digits (punctuation, spaces and line breaks
  do not hide a copy) and cut into overlapping 5-character shingles, which works the same
  for Chinese and English;
* an answer is a copy when at least ``COPY_SHARE`` of its shingles occur in the answers
  already credited (a near-copy: a few words changed, a sentence added or removed, the
  same paragraphs stitched together) and it has at least ``MIN_SHINGLES`` of them (a
  short "no idea" twice is not a copy);
* answers are credited in the order of their own best score, so a copied text is credited
  once, to the question it answers best, and scores 0 on every other question it was
  pasted into. Answers that merely share a sentence or two stay distinct.

Pure and deterministic: ties are broken by the questions' order in the interview.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "COPY_SHARE",
    "MIN_SHINGLES",
    "Copy",
    "copy_note_text",
    "credit_copies",
    "describe",
    "find_copies",
    "shingles",
]

SHINGLE = 5
COPY_SHARE = 0.6
MIN_SHINGLES = 20


@dataclass(frozen=True)
class Copy:
    """``question_id``'s answer repeats the answer credited to ``original_id``."""

    question_id: str
    original_id: str
    share: float


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def shingles(text: str) -> frozenset[str]:
    """The overlapping 5-character pieces of ``text`` reduced to letters and digits."""
    squashed = _squash(text)
    if len(squashed) < SHINGLE:
        return frozenset((squashed,)) if squashed else frozenset()
    return frozenset(squashed[i : i + SHINGLE] for i in range(len(squashed) - SHINGLE + 1))


def find_copies(
    texts: Sequence[tuple[str, str]], credit: Mapping[str, float] | None = None
) -> tuple[Copy, ...]:
    """The copies among ``texts`` (``(question_id, answer_text)`` in interview order).

    ``credit`` ranks the answers (each answer's best score; higher is credited first); an
    answer missing from it counts 0. Returns the copies in interview order.
    """
    credit = credit or {}
    order = {qid: i for i, (qid, _) in enumerate(texts)}
    pieces = {qid: shingles(text) for qid, text in texts}
    ranked = sorted(order, key=lambda qid: (-float(credit.get(qid, 0.0)), order[qid]))
    credited: list[str] = []
    found: list[Copy] = []
    for qid in ranked:
        mine = pieces[qid]
        if len(mine) < MIN_SHINGLES:
            credited.append(qid)
            continue
        seen: set[str] = set()
        best, best_overlap = "", 0
        for other in credited:
            overlap = mine & pieces[other]
            seen |= overlap
            if len(overlap) > best_overlap:
                best, best_overlap = other, len(overlap)
        share = len(seen) / len(mine)
        if best and share >= COPY_SHARE:
            found.append(Copy(qid, best, round(share, 4) + 0.0))
        else:
            credited.append(qid)
    found.sort(key=lambda c: order[c.question_id])
    return tuple(found)


def copy_note_text(copy: Copy, numbers: Mapping[str, int]) -> dict[str, str]:
    """The flag HR reads, in Chinese and English (questions by their number)."""
    mine = numbers.get(copy.question_id, copy.question_id)
    original = numbers.get(copy.original_id, copy.original_id)
    percent = round(copy.share * 100)
    return {
        "zh": f"第 {mine} 题的回答与第 {original} 题的回答基本相同（{percent}% 的内容重复），"
        f"只在第 {original} 题计分一次，本题计 0 分。请核实候选人是否粘贴了同一段文字。",
        "en": f"The answer to question {mine} repeats the answer to question {original} "
        f"({percent}% of its text); it is credited once, to question {original}, and scores "
        "0 here. Check whether the candidate pasted the same text.",
        "ja": f"質問 {mine} の回答は質問 {original} の回答とほぼ同じです（{percent}% が重複）。"
        f"質問 {original} でのみ一度採点し、この質問は 0 点としました。"
        "候補者が同じ文章を貼り付けていないか確認してください。",
    }


def describe(copies: Sequence[Copy]) -> list[dict[str, Any]]:
    """Plain data for the report's ``extra["copies"]``."""
    return [
        {"question_id": c.question_id, "original_id": c.original_id, "share": c.share}
        for c in copies
    ]


def credit_copies(
    texts: Mapping[str, str],
    statuses: Mapping[str, str],
    per_answer: dict[str, dict[str, Any]],
    relevance: Mapping[str, float] | None = None,
) -> tuple[Copy, ...]:
    """Find the copies among the scored answers and take their credit away.

    ``texts``: each question's answer text in interview order; ``statuses``: the analysis
    status of each (only "ok" answers take part); ``per_answer``: question id -> dimension
    id -> the engine's per-answer score (a dataclass with ``score``, ``level`` and a
    ``verdict``); ``relevance``: how closely each answer addresses its own question (0..1).
    The text is credited where it scores best, which is the question it answers as far as
    the per-answer scores can tell (then: the question it addresses most closely). A copy's
    scores are replaced by 0 in place, with the reason in the verdict.
    """
    relevance = relevance or {}
    scored = [(qid, text) for qid, text in texts.items() if statuses.get(qid) == "ok"]
    credit = {
        qid: round(
            max((float(item.score) for item in per_answer.get(qid, {}).values()), default=0.0),
            2,
        )
        + float(relevance.get(qid, 0.0)) / 1000.0
        for qid, _ in scored
    }
    copies = find_copies(scored, credit)
    for copy in copies:
        for dim_id, item in list(per_answer.get(copy.question_id, {}).items()):
            verdict = replace(
                item.verdict,
                score=0.0,
                level=0.0,
                evidence=(),
                rationale=f"copy of the answer to {copy.original_id}",
            )
            per_answer[copy.question_id][dim_id] = replace(
                item, score=0.0, level=0.0, verdict=verdict
            )
    return copies
