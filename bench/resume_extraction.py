"""Resume extraction quality: field-level precision/recall on the labelled set, entity F1 on
ResumeNER dev.

    python bench/resume_extraction.py [--set tests/data/resumes] [--ner-dev PATH] [--verbose]

Field metrics: a field counts as predicted when the parser returns a value, as expected when
the label has one, and as correct when both agree after light normalisation (case, spaces,
full-width brackets). Education and work entries are paired greedily by how many fields agree
before their fields are counted; skills and languages are compared as sets.

Entity F1 is exact span + label, computed with
:func:`hireflow.candidates.extraction.extract_entities` over each dev sentence (the public
function, rules included, not the bare CRF).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hireflow.candidates.extraction import extract_entities, tags_to_entities  # noqa: E402
from hireflow.candidates.parsing import extract_text, parse_resume  # noqa: E402
from scripts.train_ner import entity_scores, read_bmes  # noqa: E402

DEFAULT_DEV = Path("/work/shared/data/resumener/dev.char.bmes")


def norm(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip().casefold()
    text = text.replace("（", "(").replace("）", ")")
    text = re.sub(r"\s+", " ", text).rstrip(".")
    return text or None


class Counter:
    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.pred: dict[str, int] = defaultdict(int)
        self.gold: dict[str, int] = defaultdict(int)
        self.misses: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, predicted: object, expected: object, where: str = "") -> None:
        p, g = norm(predicted), norm(expected)
        if p is not None:
            self.pred[field] += 1
        if g is not None:
            self.gold[field] += 1
        if p is not None and p == g:
            self.tp[field] += 1
        elif p != g:
            self.misses[field].append(f"{where}: got {predicted!r}, want {expected!r}")

    def add_set(self, field: str, predicted: set, expected: set, where: str = "") -> None:
        self.pred[field] += len(predicted)
        self.gold[field] += len(expected)
        self.tp[field] += len(predicted & expected)
        if predicted != expected:
            self.misses[field].append(
                f"{where}: extra {sorted(predicted - expected)}, "
                f"missing {sorted(expected - predicted)}"
            )


def _pair(
    pred: list[dict], gold: list[dict], fields: list[str]
) -> list[tuple[dict | None, dict | None]]:
    """Greedy pairing of entries by the number of agreeing fields."""
    pairs: list[tuple[dict | None, dict | None]] = []
    used: set[int] = set()
    for g in gold:
        best, best_score = None, 0
        for i, p in enumerate(pred):
            if i in used:
                continue
            score = sum(
                1 for f in fields if norm(p.get(f)) is not None and norm(p.get(f)) == norm(g.get(f))
            )
            if score > best_score:
                best, best_score = i, score
        if best is None:
            pairs.append((None, g))
        else:
            used.add(best)
            pairs.append((pred[best], g))
    pairs.extend((p, None) for i, p in enumerate(pred) if i not in used)
    return pairs


def evaluate_set(folder: Path, verbose: bool) -> Counter:
    counter = Counter()
    labels = sorted(folder.glob("*.json"))
    for label_path in labels:
        truth = json.loads(label_path.read_text("utf-8"))
        data = (folder / truth["file"]).read_bytes()
        text = extract_text(data, truth["file"])
        profile = parse_resume(text, today=date.fromisoformat(truth["today"])).to_dict()
        where = truth["file"]
        for field in ("name", "email", "phone", "location", "highest_degree"):
            counter.add(field, profile.get(field), truth.get(field), where)
        years_ok = abs(profile["years_experience"] - truth["years_experience"]) <= 0.1
        counter.add(
            "years_experience",
            truth["years_experience"] if years_ok else profile["years_experience"],
            truth["years_experience"],
            where,
        )
        edu_fields = ["school", "degree", "major", "start", "end"]
        for p, g in _pair(profile["education"], truth["education"], edu_fields):
            for f in edu_fields:
                counter.add(
                    f"education.{f}", p.get(f) if p else None, g.get(f) if g else None, where
                )
        work_fields = ["company", "title", "start", "end", "industry"]
        for p, g in _pair(profile["work"], truth["work"], work_fields):
            for f in work_fields:
                pv = p.get(f) if p else None
                gv = g.get(f) if g else None
                if f == "end":
                    pv = "present" if p and p.get("is_current") else pv
                    gv = "present" if g and g.get("is_current") else gv
                counter.add(f"work.{f}", pv, gv, where)
        got_ind = {(k, round(v, 1)) for k, v in profile["years_by_industry"].items()}
        want_ind = {(k, round(v, 1)) for k, v in truth["years_by_industry"].items()}
        counter.add_set("years_by_industry", got_ind, want_ind, where)
        counter.add_set(
            "skills",
            {norm(s) for s in profile["skills"]},
            {norm(s) for s in truth["skills"]},
            where,
        )
        counter.add_set(
            "languages",
            {(x["language"], norm(x["level"])) for x in profile["languages"]},
            {(x["language"], norm(x["level"])) for x in truth["languages"]},
            where,
        )
    print(f"Labelled set: {len(labels)} resumes in {folder}")
    print(f"{'field':24} {'precision':>9} {'recall':>7} {'pred':>5} {'gold':>5}")
    total_tp = total_pred = total_gold = 0
    fields = sorted(counter.gold.keys() | counter.pred.keys(), key=_field_order)
    for field in fields:
        tp, pred, gold = counter.tp[field], counter.pred[field], counter.gold[field]
        total_tp, total_pred, total_gold = total_tp + tp, total_pred + pred, total_gold + gold
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        print(f"{field:24} {precision:9.3f} {recall:7.3f} {pred:5d} {gold:5d}")
    print(
        f"{'ALL (micro)':24} {total_tp / max(total_pred, 1):9.3f} "
        f"{total_tp / max(total_gold, 1):7.3f} "
        f"{total_pred:5d} {total_gold:5d}"
    )
    if verbose:
        for field in fields:
            for miss in counter.misses[field][:12]:
                print(f"  [{field}] {miss}")
    return counter


_ORDER = ["name", "email", "phone", "location", "highest_degree", "years_experience"]


def _field_order(field: str) -> tuple[int, str]:
    return (_ORDER.index(field), field) if field in _ORDER else (len(_ORDER), field)


def evaluate_ner(dev: Path) -> None:
    sentences = read_bmes(dev)
    gold = [tags_to_entities(text, tags) for text, tags in sentences]
    extract_entities("王芳，本科学历")  # load jieba's dictionary and the model before timing
    started = time.perf_counter()
    pred = [extract_entities(text) for text, _ in sentences]
    elapsed = time.perf_counter() - started
    scores = entity_scores(gold, pred)
    chars = sum(len(t) for t, _ in sentences)
    print(
        f"\nResumeNER dev: {len(sentences)} sentences, {chars} characters "
        f"({chars / elapsed:,.0f} chars/s)"
    )
    print(f"{'label':8} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    for label in ("NAME", "EDU", "ORG", "TITLE", "PRO", "LOC", "CONT", "RACE", "ALL"):
        s = scores[label]
        print(f"{label:8} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f} {int(s['support']):5d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default=str(ROOT / "tests/data/resumes"))
    parser.add_argument("--ner-dev", default=str(DEFAULT_DEV))
    parser.add_argument("--verbose", action="store_true", help="list the misses per field")
    args = parser.parse_args()
    evaluate_set(Path(args.set), args.verbose)
    if Path(args.ner_dev).exists():
        evaluate_ner(Path(args.ner_dev))
    else:
        print(f"\nResumeNER dev not found at {args.ner_dev}; entity F1 skipped")


if __name__ == "__main__":
    main()
