"""Pasted answers: one answer copied into every question scores no higher than alone (SPEC F2).

For every graded answer of grade >= 4 to a behavioural question of the evaluation rubric
(tests/data/scoring/eval, dev split; nothing here is fitted), in Chinese and English:

* alone:  the interview of the eight behavioural questions with only this answer, given to
          the question it was written for (the other seven asked and left unanswered);
* alone where credited: the same, with the answer given to the question the pasted
          interview credits it to;
* pasted: the same answer pasted into all eight questions;
* edited: pasted with small edits per copy (a word changed, a sentence added, one dropped);
* distinct: one strong answer per question (a real, complete interview) for comparison.

Prints job match for each, how many pasted interviews exceed the answer alone, how many
copies were flagged, and false flags among the distinct interviews.

    python bench/scoring_copies.py [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.scoring.engine import score_interview  # noqa: E402
from hireflow.scoring.models import read_structured_file  # noqa: E402
from tests.scoring.engine_helpers import EVAL_DIR, interview  # noqa: E402

QUESTIONS = ("comm_b", "ps_b", "tw_b", "co_b", "la_b", "st_b", "ld_b", "ro_b")
EDITS = {
    "en": ("Honestly, ", " I would do the same again.", ("I ", "I then ")),
    "zh": ("说实话，", "如果再来一次我也会这样做。", ("我", "我随后")),
}


def strong_answers(language: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {q: [] for q in QUESTIONS}
    for path in sorted((EVAL_DIR / "items").glob("*.yaml")):
        for item in read_structured_file(path, "data file"):
            if (
                item["language"] == language
                and item["question"] in out
                and item.get("split") == "dev"
                and item["grade"] >= 4
            ):
                out[item["question"]].append(item["answer"].strip())
    return out


def edited(text: str, language: str, n: int) -> str:
    prefix, suffix, (old, new) = EDITS[language]
    sentences = [s for s in text.replace("。", "。\n").replace(". ", ".\n").split("\n") if s]
    if len(sentences) > 3 and n % 2:
        sentences.pop(1 + n % (len(sentences) - 2))
    body = (" " if language == "en" else "").join(s.strip() for s in sentences)
    if n % 3 == 1:
        body = body.replace(old, new, 1)
    return (prefix if n % 2 == 0 else "") + body + (suffix if n % 3 == 2 else "")


def flagged(report: object) -> int:
    return sum(n.code == "copied_answer" for n in report.notes)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="answers per language (0 = all)")
    args = parser.parse_args()
    started = time.perf_counter()
    for language in ("en", "zh"):
        answers = strong_answers(language)
        cases = [(q, a) for q in QUESTIONS for a in answers[q]]
        if args.limit:
            cases = cases[: args.limit]
        worse = worse_edited = flags = flags_edited = same_credited = own_credited = 0
        sums = {"alone": 0.0, "pasted": 0.0, "edited": 0.0}
        gap = -100.0
        for own, text in cases:
            alone = score_interview(
                interview({q: (text if q == own else "") for q in QUESTIONS}, language)
            )
            pasted = score_interview(interview(dict.fromkeys(QUESTIONS, text), language))
            near = score_interview(
                interview({q: edited(text, language, i) for i, q in enumerate(QUESTIONS)}, language)
            )
            credited = [a.question_id for a in pasted.answers if any(a.dimension_scores.values())]
            there = score_interview(
                interview({q: (text if q in credited else "") for q in QUESTIONS}, language)
            )
            own_credited += credited == [own]
            same_credited += abs((there.job_match or 0.0) - (pasted.job_match or 0.0)) < 0.01
            assert alone.job_match is not None and pasted.job_match is not None
            assert near.job_match is not None
            sums["alone"] += alone.job_match
            sums["pasted"] += pasted.job_match
            sums["edited"] += near.job_match
            gap = max(gap, pasted.job_match - alone.job_match, near.job_match - alone.job_match)
            worse += pasted.job_match > alone.job_match + 1e-9
            worse_edited += near.job_match > alone.job_match + 1e-9
            flags += flagged(pasted) == len(QUESTIONS) - 1
            flags_edited += flagged(near) == len(QUESTIONS) - 1
        # Complete interviews of distinct strong answers: the i-th answer of each question.
        depth = min(len(v) for v in answers.values())
        distinct = [
            score_interview(interview({q: answers[q][i] for q in QUESTIONS}, language))
            for i in range(depth)
        ]
        false_flags = sum(flagged(r) for r in distinct)
        n = max(1, len(cases))
        print(f"[{language}] {len(cases)} graded answers (grade >= 4, dev split), 8 questions")
        print(
            f"  job match mean: alone {sums['alone'] / n:.1f}%  pasted into all 8 "
            f"{sums['pasted'] / n:.1f}%  pasted with edits {sums['edited'] / n:.1f}%"
        )
        print(
            f"  pasted > alone: {worse}/{len(cases)}   edited > alone: {worse_edited}/"
            f"{len(cases)}   largest excess: {gap:+.2f} points"
        )
        print(
            f"  credited to the question it was written for: {own_credited}/{len(cases)}; "
            f"pasted = alone at the question it is credited to: {same_credited}/{len(cases)}"
        )
        print(
            f"  all 7 copies flagged: pasted {flags}/{len(cases)}, edited "
            f"{flags_edited}/{len(cases)}"
        )
        if distinct:
            mean = sum(r.job_match or 0.0 for r in distinct) / len(distinct)
            print(
                f"  {len(distinct)} interviews of 8 distinct strong answers: job match mean "
                f"{mean:.1f}%, copies flagged {false_flags}"
            )
    # One of four equally weighted competencies answered, three asked and left unanswered.
    four = ("comm_b", "tw_b", "ps_b", "co_b")
    for language in ("en", "zh"):
        answers = strong_answers(language)
        own = next(q for q in four if answers[q])
        report = score_interview(
            interview({q: (answers[own][0] if q == own else "") for q in four}, language)
        )
        d = next(d for d in report.dimensions if d.questions and own in d.questions)
        mean_over_answered = 100.0 * min(1.0, (d.score or 0.0) / d.required_level)
        print(
            f"[{language}] 1 of 4 competencies answered ({own}, scored {d.score:.1f}), 3 "
            f"unanswered: job match {report.job_match:.1f}% (a mean over the answered "
            f"competency alone: {mean_over_answered:.0f}%)"
        )
    print(f"({time.perf_counter() - started:.1f} s, default embedder, engine on this machine)")


if __name__ == "__main__":
    main()
