"""Why engine 1.1 and engine 1.0 disagree: per-answer and per-feature figures on DEV splits.

Scores the dev split of the older evaluation set (tests/data/scoring/eval, 80 answers) and
the dev split of the graded set (tests/data/scoring/graded, 446 answers) with engine 1.0 and
engine 1.1 and prints
* Spearman / QWK of each engine per set, language and kind;
* how often the relevance gate caps an answer, by language and human grade;
* each level feature's mean by language for grade >= 4 answers and its Spearman with the grade;
* the answers where engine 1.1 is furthest below the human grade, with their features.
The frozen test split of the graded set is never read. ``--json FILE`` also writes the rows.

Usage: .venv/bin/python bench/scoring_diagnose.py [--worst 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scoring_quality import agreement, load_graded, load_items  # noqa: E402

from hireflow.scoring import learned  # noqa: E402
from hireflow.scoring.analysis import analyse_interview  # noqa: E402
from hireflow.scoring.engine import score_interview  # noqa: E402
from hireflow.scoring.interview import Answer, InterviewInput  # noqa: E402


def score(model, question, item: dict, engine: str):
    interview = InterviewInput(
        language=item["language"],
        model=model,
        questions=(question,),
        answers=(Answer(question.id, item["answer"]),),
    )
    report = score_interview(interview, engine=engine)
    return report, report.dimension(item["dimension"])


def rows_for(name: str, model, questions, items: list[dict]) -> list[dict]:
    rows = []
    for item in items:
        if item["split"] != "dev":
            continue
        question = questions[item["question"]]
        row = {
            "set": name,
            "id": item.get("id") or f"{item['question']}-{item['language']}-{len(rows)}",
            "language": item["language"],
            "grade": int(item["grade"]),
            "style": item.get("style") if isinstance(item.get("style"), str) else "eval",
            "kind": question.kind,
            "answer": item["answer"],
        }
        for engine in ("1.0", "1.1"):
            _, dim = score(model, question, item, engine)
            row[f"score_{engine}"] = dim.score
            if engine == "1.1":
                comps = dict(dim.components)
                row["components"] = comps
                prob = comps.get("gate_probability")
                row["capped"] = prob is not None and prob < learned.GATE_THRESHOLD
                interview = InterviewInput(
                    language=item["language"],
                    model=model,
                    questions=(question,),
                    answers=(Answer(question.id, item["answer"]),),
                )
                analysis = analyse_interview(interview, use_learned=True)[0]
                row["sentences"] = [
                    {
                        "text": s.text,
                        "roles": s.roles,
                        "on_topic": s.on_topic,
                        "own": s.own_experience,
                        "relevance": s.relevance,
                    }
                    for s in analysis.sentences
                ]
                row["features"] = analysis.features
        rows.append(row)
    return rows


def print_agreement(rows: list[dict]) -> None:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        for key in ("all", row["language"], row["kind"], f"{row['language']} {row['kind']}"):
            groups[f"{row['set']} {key}"].append(row)
    print(f"{'group':<30}{'n':>5}{'rho 1.0':>9}{'rho 1.1':>9}{'qwk 1.0':>9}{'qwk 1.1':>9}")
    for key in sorted(groups):
        g = groups[key]
        grades = [r["grade"] for r in g]
        a = agreement(grades, [r["score_1.0"] for r in g])
        b = agreement(grades, [r["score_1.1"] for r in g])
        print(f"{key:<30}{len(g):>5}{a[0]:>9.3f}{b[0]:>9.3f}{a[1]:>9.3f}{b[1]:>9.3f}")


def print_gate(rows: list[dict]) -> None:
    print("\nGate caps (engine 1.1) by set, language and grade: capped / n")
    table: dict[tuple, list[bool]] = defaultdict(list)
    for r in rows:
        if r["style"] in ("right_story_wrong_question", "fabricated_off_topic"):
            continue
        table[(r["set"], r["language"], r["grade"])].append(r["capped"])
    for key in sorted(table):
        caps = table[key]
        print(f"  {key[0]:<7}{key[1]:<4}grade {key[2]}: {sum(caps):3d} / {len(caps):3d}")


def print_features(rows: list[dict]) -> None:
    names = [f"feature_{n}" for n in learned.LEVEL_FEATURES] + [
        "gate_probability",
        *learned.GATE_FEATURES,
    ]
    print("\nFeature means for grade >= 4 answers that address their question, and Spearman")
    print("with the grade over all such answers (per set and language)")
    keys = sorted({(r["set"], r["language"]) for r in rows})
    header = "".join(f"{s[:5] + ' ' + lang:>12}" for s, lang in keys)
    print(f"{'feature':<28}{header}   | rho {header}")
    for name in names:
        means, rhos = [], []
        for key in keys:
            sel = [
                r
                for r in rows
                if (r["set"], r["language"]) == key
                and r["style"] not in ("right_story_wrong_question", "fabricated_off_topic")
                and name in r["components"]
            ]
            hi = [r["components"][name] for r in sel if r["grade"] >= 4]
            means.append(np.mean(hi) if hi else float("nan"))
            vals = [r["components"][name] for r in sel]
            grades = [r["grade"] for r in sel]
            rho = spearmanr(vals, grades)[0] if len(set(vals)) > 1 else float("nan")
            rhos.append(rho)
        m = "".join(f"{v:>12.3f}" for v in means)
        c = "".join(f"{v:>12.3f}" for v in rhos)
        print(f"{name:<28}{m}   |     {c}")


def print_worst(rows: list[dict], count: int) -> None:
    print(f"\nThe {count} answers engine 1.1 scores furthest below the human grade (level units)")
    worst = sorted(rows, key=lambda r: r["score_1.1"] / 2 - r["grade"])[:count]
    for r in worst:
        c = r["components"]
        feats = {
            n: c[f"contribution_{n}"] for n in learned.LEVEL_FEATURES if c.get(f"contribution_{n}")
        }
        print(
            f"- {r['set']} {r['id']} {r['language']} {r['kind']} grade {r['grade']}: "
            f"1.0 {r['score_1.0']:.2f}  1.1 {r['score_1.1']:.2f}  capped {r['capped']}  "
            f"gate {c.get('gate_probability')}"
        )
        print(f"    contributions {feats}")
        print(f"    gate {[(n, c.get(n)) for n in learned.GATE_FEATURES]}")
        print(f"    {r['answer'][:160]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    model, questions, items = load_items()
    rows = rows_for("eval", model, questions, items)
    model, questions, items = load_graded()
    rows += rows_for("graded", model, questions, items)
    print("Dev splits only (eval: older 128-answer set; graded: 680-answer set)")
    print_agreement(rows)
    print_gate(rows)
    print_features(rows)
    print_worst(rows, args.worst)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
