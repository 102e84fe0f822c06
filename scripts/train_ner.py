"""Train the character CRF behind :func:`hireflow.candidates.extraction.extract_entities`.

Usage::

    python scripts/train_ner.py --train PATH/train.char.bmes [--holdout 0.1]

The training file is in BMES format (one ``char tag`` per line, a blank line between
sentences), as in the ResumeNER corpus. With ``--holdout`` the last part of the training file
is kept aside to choose the L1/L2 penalties from a small grid, then the final model is trained
on all of it. Evaluation sets (the dev split) are never used here; ``bench/resume_extraction.py``
measures them.

How the shipped model was chosen, by F1 on the held-out last tenth of train:
``--grid "0.02,0.01;0.05,0.01;0.1,0.01;0.05,0.05;0.2,0.02"`` picked c1=0.05, c2=0.05 (0.929);
adding ±3 characters, two more trigrams and the first/last character of the jieba word gave
0.931 and was kept; gazetteer features (``--folds 5``, entity strings of the other folds)
gave 0.926 and 400 iterations 0.925, so neither is used. The shipped model is
``python scripts/train_ner.py --train train.char.bmes``: all 3,821 training
sentences, c1=0.05, c2=0.05, 250 L-BFGS iterations, a few minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

from hireflow.candidates.extraction import (
    GAZETTEER_FILE,
    LABELS,
    MODEL_FILE,
    Entity,
    char_features,
    normalise_char,
    tags_to_entities,
)

Sentence = tuple[str, list[str]]


def read_bmes(path: str | Path) -> list[Sentence]:
    """Read a BMES file into (text, tags) sentences."""
    sentences: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []
    for line in Path(path).read_text("utf-8").splitlines():
        parts = line.split()
        if not parts:
            if chars:
                sentences.append(("".join(chars), tags))
                chars, tags = [], []
            continue
        if len(parts) == 1:
            # A bare tag means the character was a space that split() swallowed.
            chars.append(" ")
            tags.append(parts[0])
            continue
        chars.append(parts[0])
        tags.append(parts[1])
    if chars:
        sentences.append(("".join(chars), tags))
    return sentences


def entity_scores(
    gold: Iterable[Sequence[Entity]], pred: Iterable[Sequence[Entity]]
) -> dict[str, dict[str, float]]:
    """Entity-level precision, recall and F1 (exact span and label), per label and overall.

    Each pair of sequences describes one sentence; the result maps a label (and "ALL") to
    ``{"p", "r", "f1", "support", "predicted"}``.
    """
    tp: dict[str, int] = {}
    n_gold: dict[str, int] = {}
    n_pred: dict[str, int] = {}
    for g, p in zip(gold, pred, strict=True):
        gs = {(e.label, e.start, e.end) for e in g}
        ps = {(e.label, e.start, e.end) for e in p}
        for label, *_ in gs:
            n_gold[label] = n_gold.get(label, 0) + 1
        for label, *_ in ps:
            n_pred[label] = n_pred.get(label, 0) + 1
        for label, *_ in gs & ps:
            tp[label] = tp.get(label, 0) + 1
    result: dict[str, dict[str, float]] = {}
    for label in [*LABELS, "ALL"]:
        if label == "ALL":
            t, g, p = sum(tp.values()), sum(n_gold.values()), sum(n_pred.values())
        else:
            t, g, p = tp.get(label, 0), n_gold.get(label, 0), n_pred.get(label, 0)
        precision = t / p if p else 0.0
        recall = t / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"p": precision, "r": recall, "f1": f1, "support": g, "predicted": p}
    return result


GAZETTEER_LABELS = ("ORG", "TITLE", "EDU", "PRO", "LOC", "CONT", "RACE")


def build_gazetteer(sentences: Sequence[Sentence]) -> dict[str, str]:
    """Entity strings of ``sentences`` (normalised like the features) with their most frequent
    label. Names are left out: a person's name says nothing about the next resume."""
    counts: dict[str, dict[str, int]] = {}
    for text, tags in sentences:
        for entity in tags_to_entities(text, tags):
            if entity.label not in GAZETTEER_LABELS or len(entity.text) < 2:
                continue
            key = "".join(normalise_char(c) for c in entity.text)
            counts.setdefault(key, {}).setdefault(entity.label, 0)
            counts[key][entity.label] += 1
    return {k: max(v, key=lambda label: v[label]) for k, v in sorted(counts.items())}


def train(
    sentences: Sequence[Sentence],
    model_path: str | Path,
    c1: float = 0.05,
    c2: float = 0.01,
    max_iterations: int = 250,
    folds: int = 0,
) -> dict[str, str]:
    """Train a CRF on ``sentences``, write it to ``model_path`` and return the gazetteer to
    ship with it.

    Gazetteer features are computed fold by fold: a sentence sees a gazetteer built from the
    other folds only, as unseen resumes will. ``folds=0`` trains without a gazetteer.
    """
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    if folds > 1:
        for fold in range(folds):
            others = [s for i, s in enumerate(sentences) if i % folds != fold]
            gazetteer = build_gazetteer(others)
            for i, (text, tags) in enumerate(sentences):
                if i % folds == fold:
                    trainer.append(char_features(text, gazetteer), tags)
        full = build_gazetteer(sentences)
    else:
        full = {}
        for text, tags in sentences:
            trainer.append(char_features(text, {}), tags)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": max_iterations,
            "feature.possible_transitions": True,
            "feature.minfreq": 1,
        }
    )
    trainer.train(str(model_path))
    return full


def evaluate_model(
    model_path: str | Path, sentences: Sequence[Sentence], gazetteer: dict[str, str]
) -> dict:
    """Entity scores of the CRF at ``model_path`` (with ``gazetteer``) on ``sentences``."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    gold, pred = [], []
    for text, tags in sentences:
        gold.append(tags_to_entities(text, tags))
        pred.append(tags_to_entities(text, tagger.tag(char_features(text, gazetteer))))
    return entity_scores(gold, pred)


def default_model_path() -> Path:
    return Path(str(resources.files("hireflow.candidates").joinpath("data/" + MODEL_FILE)))


def _grid(text: str) -> list[tuple[float, float]]:
    pairs = []
    for item in text.split(";"):
        c1, c2 = item.split(",")
        pairs.append((float(c1), float(c2)))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", required=True, help="BMES training file")
    parser.add_argument("--out", default=str(default_model_path()))
    parser.add_argument("--holdout", type=float, default=0.0, help="fraction kept for tuning")
    parser.add_argument(
        "--grid", default="0.05,0.05", help='c1,c2 pairs to try: "0.05,0.01;0.1,0.05"'
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="gazetteer features built over this many folds (0, the shipped model: none)",
    )
    parser.add_argument("--iterations", type=int, default=250)
    args = parser.parse_args(argv)

    sentences = read_bmes(args.train)
    grid = _grid(args.grid)
    c1, c2 = grid[0]
    if args.holdout > 0:
        cut = int(len(sentences) * (1 - args.holdout))
        fit, held = sentences[:cut], sentences[cut:]
        best = (-1.0, c1, c2)
        for gc1, gc2 in grid:
            tmp = Path(args.out).with_suffix(".tuning")
            gazetteer = train(fit, tmp, gc1, gc2, args.iterations, args.folds)
            f1 = evaluate_model(tmp, held, gazetteer)["ALL"]["f1"]
            tmp.unlink()
            sys.stderr.write(f"c1={gc1} c2={gc2} folds={args.folds}: held-out F1 {f1:.4f}\n")
            if f1 > best[0]:
                best = (f1, gc1, gc2)
        _, c1, c2 = best
    started = time.perf_counter()
    gazetteer = train(sentences, args.out, c1, c2, args.iterations, args.folds)
    gazetteer_path = Path(args.out).with_name(GAZETTEER_FILE)
    if gazetteer:
        gazetteer_path.write_text(json.dumps(gazetteer, ensure_ascii=False) + "\n", "utf-8")
    elif gazetteer_path.exists():
        # A stale gazetteer would feed features the new model never saw.
        gazetteer_path.unlink()
    sys.stderr.write(
        f"trained on {len(sentences)} sentences (c1={c1}, c2={c2}, folds={args.folds}) in "
        f"{time.perf_counter() - started:.0f}s -> {args.out}, {len(gazetteer)} gazetteer entries\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
