"""How much of the graded sets' rubric texts an older revision's files gave the engine.

Before 2026-12 the English indicators and anchors of tests/data/scoring/{eval,graded}/model.yaml
were unquoted inside {...}, and YAML cut each at its first comma (docs/scoring.md, "Rubric
texts YAML had cut"). This reads both files at REVISION the way the loader did then (plain
PyYAML, keys without a value dropped) and compares every indicator and anchor text with the
working tree's: how many were cut, at which anchor level, and the share of words kept.

    .venv/bin/python bench/scoring_rubric_texts.py [REVISION]   # default: 7f0e581
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.scoring.models import load_model  # noqa: E402

FILES = ("tests/data/scoring/eval/model.yaml", "tests/data/scoring/graded/model.yaml")


def _old_texts(revision: str, path: str) -> dict[tuple[str, str, object], dict[str, str]]:
    raw = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    texts = {}
    for dim in yaml.safe_load(raw)["dimensions"]:
        for kind, key in (("indicators", "id"), ("anchors", "level")):
            for item in dim[kind]:
                kept = {k: v for k, v in item["text"].items() if v is not None}
                texts[(dim["id"], kind, item[key])] = kept
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", nargs="?", default="7f0e581")
    args = parser.parse_args()
    for path in FILES:
        old = _old_texts(args.revision, path)
        cut: dict[str, int] = {"indicators": 0, "anchors": 0}
        levels: dict[int, int] = {}
        shares: list[float] = []
        total = zh_changed = 0
        for dim in load_model(ROOT / path).dimensions:
            items = [("indicators", i.id, i.text) for i in dim.indicators]
            items += [("anchors", a.level, a.text) for a in dim.anchors]
            for kind, key, text in items:
                before = old[(dim.id, kind, key)]
                total += 1
                zh_changed += before.get("zh") != text["zh"]
                if before.get("en") != text["en"]:
                    cut[kind] += 1
                    if kind == "anchors":
                        levels[int(key)] = levels.get(int(key), 0) + 1
                    shares.append(len(before["en"].split()) / len(text["en"].split()))
        print(f"{path} at {args.revision}: {total} indicator and anchor texts")
        by_level = ", ".join(f"level {k}: {v}" for k, v in sorted(levels.items()))
        print(f"  English cut: {sum(cut.values())} ({cut['indicators']} indicators,")
        print(f"    {cut['anchors']} anchors; {by_level})")
        if shares:
            print(f"  mean share of words kept: {sum(shares) / len(shares):.2f}")
        print(f"  Chinese texts changed: {zh_changed}")


if __name__ == "__main__":
    main()
