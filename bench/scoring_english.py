"""English technical answers: agreement with human grades on the UNT short-answer data set.

The data set (Mohler, Bunescu and Mihalcea, ACL 2011, "UNT Computer Science Short Answer
Dataset" v2.0: 80 questions of an introductory data-structures course, instructor answers,
2,273 student answers, the average of two graders on 0-5) is NOT committed: its README asks
for a citation but states no licence, so it cannot be redistributed with the product. Point
this bench at a local copy of the archive's ``data`` folder (``docs/files``, ``raw/``,
``scores/``). Nothing in the engine was fitted on it: the reference scorer's weights come
from the Chinese ADS set (bench/ads.py), so every figure here is a held-out measurement.

Prints, over the answers of the questions the README marks as short-answer style (lines of
docs/files without '#'):
* Pearson and Spearman of the human grade with
  - the engine's technical-answer score (score_interview, question kind "technical" with the
    instructor answer as reference; engine 1.0 and engine 1.1 are run and compared: both
    score technical answers with the reference scorer),
  - a plain baseline: cosine of the answer's and the instructor answer's sentence vectors
    (the same encoder, multilingual USE v3);
* the reference scorer alone (score_reference_answer, before the report's rules such as the
  no-evidence cap);
* the mean per-question Pearson (questions with at least 10 answers and some spread).

Usage: .venv/bin/python bench/scoring_english.py DATA_DIR [--limit N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr, spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.scoring.embedding import get_embedder  # noqa: E402
from hireflow.scoring.engine import score_interview  # noqa: E402
from hireflow.scoring.interview import Answer, InterviewInput  # noqa: E402
from hireflow.scoring.models import load_model, question_from_dict  # noqa: E402
from hireflow.scoring.reference import score_reference_answer  # noqa: E402

MODEL = {
    "id": "unt-cs",
    "name": {"en": "Data structures", "zh": "数据结构"},
    "version": "1",
    "dimensions": [
        {
            "id": "technical_depth",
            "name": {"en": "Technical knowledge", "zh": "专业知识"},
            "weight": 1,
            "required_level": 3,
            "description": {"en": "Knows the subject", "zh": "掌握专业知识"},
            "indicators": [
                {
                    "id": "td.correct",
                    "text": {"en": "Explains the concept correctly", "zh": "正确解释概念"},
                }
            ],
            "anchors": [
                {"level": lv, "text": {"en": text, "zh": text}}
                for lv, text in (
                    (1, "wrong or no answer"),
                    (2, "mostly wrong"),
                    (3, "partly right"),
                    (4, "right with gaps"),
                    (5, "fully right"),
                )
            ],
        }
    ],
}


def _by_id(path: Path) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        qid, _, text = line.partition(" ")
        if qid and text.strip():
            rows[qid] = _clean(text)
    return rows


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<=[.;!?])\s+", text) if p.strip()]
    return parts or [text]


def _clean(text: str) -> str:
    return " ".join(text.replace("<br>", " ").split())


def load(data: Path) -> list[dict]:
    """Rows: question id, question, reference, student answer, average grade (0-5)."""
    files = [
        line.strip()
        for line in (data / "docs" / "files").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    questions = _by_id(data / "raw" / "questions")
    references = _by_id(data / "raw" / "answers")
    rows = []
    for qid in files:
        answers = [
            _clean(line.partition(" ")[2])
            for line in (data / "raw" / qid)
            .read_text(encoding="utf-8", errors="replace")
            .splitlines()
            if line.strip()
        ]
        grades = [
            float(v)
            for v in (data / "scores" / qid / "ave").read_text(encoding="utf-8").split()
            if v.strip()
        ]
        if len(answers) != len(grades):
            print(f"  {qid}: {len(answers)} answers but {len(grades)} grades; skipped")
            continue
        for answer, grade in zip(answers, grades, strict=True):
            rows.append(
                {
                    "qid": qid,
                    "question": questions[qid],
                    "reference": references[qid],
                    "answer": answer,
                    "grade": grade,
                }
            )
    return rows


def engine_score(model, row: dict, engine: str) -> float:
    question = question_from_dict(
        {
            "id": "q",
            "kind": "technical",
            "dimensions": ["technical_depth"],
            "text": {"en": row["question"]},
            "reference_answers": {"en": [row["reference"]]},
            # The product asks HR for key points; the instructor answer's sentences are them.
            "key_points": {"en": _sentences(row["reference"])},
            "time_limit_s": 180,
        }
    )
    interview = InterviewInput(
        language="en", model=model, questions=(question,), answers=(Answer("q", row["answer"]),)
    )
    report = score_interview(interview, engine=engine)
    # An empty answer scores 0; one the engine cannot read (another language) is not
    # assessed, and counts as 0 here so that every graded answer stays in the figure.
    return float(report.dimension("technical_depth").score or 0.0)


def report_line(name: str, grades: list[float], scores: list[float], qids: list[str]) -> None:
    r = pearsonr(scores, grades)[0]
    rho = spearmanr(scores, grades)[0]
    per_q: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for g, s, q in zip(grades, scores, qids, strict=True):
        per_q[q].append((g, s))
    within = [
        pearsonr([s for _, s in v], [g for g, _ in v])[0]
        for v in per_q.values()
        if len(v) >= 10 and len({g for g, _ in v}) > 1 and len({s for _, s in v}) > 1
    ]
    print(
        f"  {name:<44} Pearson {r:6.3f}  Spearman {rho:6.3f}  "
        f"mean per-question Pearson {np.mean(within):6.3f} ({len(within)} questions)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path, help="the archive's data folder")
    parser.add_argument("--limit", type=int, default=0, help="first N answers only (a quick run)")
    args = parser.parse_args()
    rows = load(args.data)
    if args.limit:
        rows = rows[: args.limit]
    print(
        f"UNT short-answer set: {len(rows)} answers to {len({r['qid'] for r in rows})} questions "
        "(grade = mean of two graders, 0-5); nothing fitted on it"
    )
    model = load_model(MODEL)
    grades = [r["grade"] for r in rows]
    qids = [r["qid"] for r in rows]
    started = time.perf_counter()
    scores = {e: [engine_score(model, r, e) for r in rows] for e in ("1.0", "1.1")}
    elapsed = time.perf_counter() - started
    same = sum(a == b for a, b in zip(scores["1.0"], scores["1.1"], strict=True))
    print(f"  engine runs took {elapsed:.0f} s; engine 1.0 = engine 1.1 on {same}/{len(rows)}")
    embedder = get_embedder()
    answers = embedder.embed([r["answer"] or " " for r in rows]).astype(np.float64)
    refs = embedder.embed([r["reference"] for r in rows]).astype(np.float64)
    cosine = np.sum(answers * refs, axis=1) / (
        np.linalg.norm(answers, axis=1) * np.linalg.norm(refs, axis=1) + 1e-12
    )
    raw = [score_reference_answer(r["question"], r["answer"], [r["reference"]]) for r in rows]
    capped = sum(s == 4.0 and r > 4.0 for s, r in zip(scores["1.0"], raw, strict=True))
    print(f"  engine 1.0 score capped at 4.0 (no quotable sentence) on {capped} answers")
    report_line("reference scorer alone (no report rules)", grades, raw, qids)
    report_line("engine 1.0 (reference scorer)", grades, scores["1.0"], qids)
    report_line("engine 1.1 (reference scorer)", grades, scores["1.1"], qids)
    report_line("baseline: cosine(answer, instructor answer)", grades, list(cosine), qids)


if __name__ == "__main__":
    main()
