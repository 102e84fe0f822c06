"""Why engine 1.1 and engine 1.0 disagree: per-answer and per-feature figures on DEV splits.

Scores the dev split of the older evaluation set (tests/data/scoring/eval, 80 answers) and
the dev split of the graded set (tests/data/scoring/graded, 446 answers) with engine 1.0 and
engine 1.1 and prints
* Spearman / QWK of each engine per set, language and kind;
* how often the relevance gate caps an answer, by language and human grade;
* each level feature's mean by language for grade >= 4 answers and its Spearman with the grade;
* the answers where engine 1.1 is furthest below the human grade, with their features.
* how many scores are exactly 4.0 (the report's cap for a dimension with no quoted sentence);
* engine 1.1's level model without the gate cap, per set and language;
* the gate at other thresholds, and refitted on the dev rows without single features or with
  features standardised per language (what each variant caps and catches);
* cliffs: every answer scored again with the on-topic threshold (``TOPIC_CORE``; since the
  on-topic weight, both ends of its ramp ``TOPIC_LOW``/``TOPIC_HIGH``) moved by +-0.01, i.e.
  every sentence 0.01 less or more on topic; how many scores move and by how much at most.
* with ``--gate-shift``: the same for engine 1.1's relevance gate, its threshold
  (``GATE_THRESHOLD``, a hard cap) or both ends of its ramp (``GATE_LOW``/``GATE_HIGH``)
  moved by +-0.01, i.e. every answer 0.01 less or more likely to address its question.
The frozen test split of the graded set is never read. ``--json FILE`` also writes the rows.
Runs on older checkouts too (before ``score_interview(engine=...)`` existed, the setting
``HIREFLOW_SCORING_LEARNED`` chose the engine), to print the figures before a change.

Usage: .venv/bin/python bench/scoring_diagnose.py [--worst 15] [--json FILE] [--embedder e5]
       [--no-shift] [--gate-shift]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scoring_quality import agreement, bench_embedder, load_graded, load_items  # noqa: E402

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
    try:
        report = score_interview(interview, engine=engine)
    except TypeError:  # an older checkout: the setting chose the engine
        os.environ["HIREFLOW_SCORING_LEARNED"] = "1" if engine == "1.1" else "0"
        learned.enabled.cache_clear()  # type: ignore[attr-defined]
        report = score_interview(interview)
    return report, report.dimension(item["dimension"])


def analyse_learned(interview: InterviewInput):
    try:
        return analyse_interview(interview, use_learned=True)[0]
    except TypeError:  # an older checkout
        os.environ["HIREFLOW_SCORING_LEARNED"] = "1"
        learned.enabled.cache_clear()  # type: ignore[attr-defined]
        return analyse_interview(interview)[0]


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
                analysis = analyse_learned(interview)
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


OFF = {"right_story_wrong_question", "fabricated_off_topic"}


def print_caps(rows: list[dict]) -> None:
    print("\nScores of exactly 4.0 (the no-evidence cap; 'g5' = of them grade 5)")
    for name in ("eval", "graded"):
        sel = [r for r in rows if r["set"] == name]
        for engine in ("1.0", "1.1"):
            at = [r for r in sel if abs(r[f"score_{engine}"] - 4.0) < 1e-9]
            g5 = sum(r["grade"] == 5 for r in at)
            print(f"  {name:<7} engine {engine}: {len(at):3d} of {len(sel)}  (g5 {g5})")


def print_ungated(rows: list[dict]) -> None:
    fitted = learned.learned_model()["level"]
    print("\nEngine 1.1 level model with and without the gate cap (Spearman with the grade)")
    for name in ("eval", "graded"):
        for lang in ("en", "zh"):
            sel = [r for r in rows if r["set"] == name and r["language"] == lang]
            ungated = []
            for r in sel:
                parts = [v for k, v in r["components"].items() if k.startswith("contribution_")]
                raw = fitted["intercept"] + sum(parts) if parts else r["score_1.1"] / 2
                ungated.append(min(5.0, max(1.0, raw)))
            grades = [r["grade"] for r in sel]
            print(
                f"  {name:<7}{lang}: without gate {spearmanr(ungated, grades)[0]:.3f}  "
                f"engine 1.1 {spearmanr([r['score_1.1'] for r in sel], grades)[0]:.3f}"
            )


GATE_GROUPS = {
    "older zh g>=4 capped": lambda r: (
        r["set"] == "eval" and r["language"] == "zh" and r["grade"] >= 4
    ),
    "graded g>=4 capped": lambda r: (
        r["set"] == "graded" and r["style"] not in OFF and r["grade"] >= 4
    ),
    "wrong-question caught": lambda r: r["style"] == "right_story_wrong_question",
    "fabricated caught": lambda r: r["style"] == "fabricated_off_topic",
}


def _gate_rates(rows: list[dict], prob: list[float], threshold: float) -> str:
    parts = []
    for label, select in GATE_GROUPS.items():
        idx = [i for i, r in enumerate(rows) if select(r)]
        rate = float(np.mean([prob[i] < threshold for i in idx])) if idx else float("nan")
        parts.append(f"{label} {rate:.2f}")
    return "  ".join(parts)


def print_gate_variants(rows: list[dict]) -> None:
    from sklearn.linear_model import LogisticRegression

    print("\nThe gate on the dev rows: shipped at other thresholds, and refitted variants")
    shipped = [r["components"].get("gate_probability", 1.0) for r in rows]
    for threshold in (0.5, 0.4, 0.3):
        print(f"  shipped, threshold {threshold}: {_gate_rates(rows, shipped, threshold)}")
    fit_rows = [r for r in rows if r["set"] == "graded" or r["grade"] >= 2]
    target = np.array(
        [0 if r["style"] in OFF | {"boilerplate_only", "dismissive"} else 1 for r in fit_rows]
    )
    names = list(learned.GATE_FEATURES)
    variants = {
        "refit, all features": (names, False),
        "refit, without gate_words": ([n for n in names if n != "gate_words"], False),
        "refit, without gate_rank": ([n for n in names if n != "gate_rank"], False),
        "refit, standardised per language": (names, True),
    }
    for label, (feats, per_language) in variants.items():
        x = np.array([[r["components"][f] for f in feats] for r in fit_rows])
        z = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)
        if per_language:
            for lang in ("en", "zh"):
                idx = [i for i, r in enumerate(fit_rows) if r["language"] == lang]
                z[idx] = (x[idx] - x[idx].mean(axis=0)) / (x[idx].std(axis=0) + 1e-9)
        prob = LogisticRegression(max_iter=2000).fit(z, target).predict_proba(z)[:, 1]
        print(f"  {label:<34} {_gate_rates(fit_rows, list(prob), 0.5)}")


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


@contextmanager
def _moved(module: object, names: list[str], delta: float) -> Iterator[None]:
    """Module constants ``names`` moved by ``delta`` for the duration of the block."""
    saved = {n: getattr(module, n) for n in names}
    for n in names:
        setattr(module, n, saved[n] + delta)
    try:
        yield
    finally:
        for n in names:
            setattr(module, n, saved[n])


def _print_moved(label: str, deltas: list[float]) -> None:
    arr = np.array(deltas)
    print(
        f"  {label}: {arr.size} answers, moved > 0.1: "
        f"{int((arr > 0.1).sum())}, > 1: {int((arr > 1).sum())}, max {arr.max():.2f}"
    )


def _dev_pairs(sets: list[tuple[str, object, dict, list[dict]]], rows: list[dict]):
    """(set name, model, question, item, row) for every dev item, with its first scores."""
    for name, model, questions, items in sets:
        dev = [item for item in items if item["split"] == "dev"]
        # rows_for kept the dev items of each set in this order
        same = [r for r in rows if r["set"] == name]
        for item, row in zip(dev, same, strict=True):
            yield name, model, questions[item["question"]], item, row


def print_topic_shift(sets: list[tuple[str, object, dict, list[dict]]], rows: list[dict]) -> None:
    from hireflow.scoring import answer_features

    names = [n for n in ("TOPIC_CORE", "TOPIC_LOW", "TOPIC_HIGH") if hasattr(answer_features, n)]
    print(f"\nOn-topic threshold moved by +-0.01 ({', '.join(names)}): answers whose score moves")
    for delta in (0.01, -0.01):
        moved: dict[str, list[float]] = defaultdict(list)
        with _moved(answer_features, names, delta):
            for _, model, question, item, row in _dev_pairs(sets, rows):
                for engine in ("1.0", "1.1"):
                    _, dim = score(model, question, item, engine)
                    moved[engine].append(abs(dim.score - row[f"score_{engine}"]))
        for engine, deltas in moved.items():
            _print_moved(f"{delta:+.2f} engine {engine}", deltas)


def print_gate_shift(sets: list[tuple[str, object, dict, list[dict]]], rows: list[dict]) -> None:
    # The cap reads the gate's ramp where there is one, else the hard threshold.
    names = [n for n in ("GATE_LOW", "GATE_HIGH") if hasattr(learned, n)] or ["GATE_THRESHOLD"]
    print(f"\nGate moved by +-0.01 ({', '.join(names)}): engine 1.1 answers whose score moves")
    for delta in (0.01, -0.01):
        moved: dict[str, list[float]] = defaultdict(list)
        with _moved(learned, names, delta):
            for name, model, question, item, row in _dev_pairs(sets, rows):
                _, dim = score(model, question, item, "1.1")
                moved[name].append(abs(dim.score - row["score_1.1"]))
        for name, deltas in moved.items():
            _print_moved(f"{delta:+.2f} {name:<7}", deltas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-shift", action="store_true", help="skip the +-0.01 cliff check")
    parser.add_argument(
        "--gate-shift", action="store_true", help="also move engine 1.1's gate by +-0.01"
    )
    parser.add_argument("--embedder", choices=["use", "e5"], help="default: HIREFLOW_EMBEDDER")
    args = parser.parse_args()
    print(f"Embedder {bench_embedder(args.embedder).name}")
    sets = [("eval", *load_items()), ("graded", *load_graded())]
    rows = []
    for name, model, questions, items in sets:
        rows += rows_for(name, model, questions, items)
    print("Dev splits only (eval: older 128-answer set; graded: 680-answer set)")
    print_agreement(rows)
    print_gate(rows)
    print_features(rows)
    print_caps(rows)
    print_ungated(rows)
    print_gate_variants(rows)
    print_worst(rows, args.worst)
    if not args.no_shift:
        print_topic_shift(sets, rows)
    if args.gate_shift:
        print_gate_shift(sets, rows)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
