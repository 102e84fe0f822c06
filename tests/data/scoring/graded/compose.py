"""Build answers.jsonl from the hand-written parts, with the grade each variant gets.

The grading protocol (README.md) assigns a grade to each *way of putting parts together*,
read against the anchors of the question's competency; the parts themselves were written to
fit that protocol. Re-running this script reproduces answers.jsonl byte for byte.

Usage: python tests/data/scoring/graded/compose.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
COMPETENCIES = [
    "communication",
    "problem_solving",
    "teamwork",
    "customer_orientation",
    "learning_ability",
    "stress_tolerance",
    "leadership",
    "results_orientation",
    "integrity",
    "planning_execution",
]
# The questions a story is asked again under (right story, wrong question): competencies the
# story does not show. Chosen by the author when writing the stories.
WRONG = {
    "communication": ["integrity", "planning_execution"],
    "problem_solving": ["teamwork", "integrity"],
    "teamwork": ["customer_orientation", "learning_ability"],
    "customer_orientation": ["leadership", "learning_ability"],
    "learning_ability": ["customer_orientation", "leadership"],
    "stress_tolerance": ["integrity", "learning_ability"],
    "leadership": ["customer_orientation", "learning_ability"],
    "results_orientation": ["teamwork", "integrity"],
    "integrity": ["learning_ability", "teamwork"],
    "planning_execution": ["integrity", "customer_orientation"],
}
# Items of these competencies' single answers (vague, negative, ...) are frozen as test.
TEST_COMPETENCIES = {"customer_orientation", "leadership", "planning_execution"}
FILLERS = {
    "en": ["um", "uh", "you know", "like", "so"],
    "zh": ["嗯", "那个", "就是", "然后呢", "呃"],
}
HOMOPHONES = {
    "en": [
        ("their", "there"),
        ("two ", "to "),
        ("would", "wood"),
        ("week", "weak"),
        ("new", "knew"),
    ],
    "zh": [("的", "得"), ("在", "再"), ("已经", "以经"), ("经理", "经历"), ("原因", "员因")],
}


def join(parts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(p.strip() for p in parts if p and p.strip())


def asr(text: str, lang: str, seed: int) -> str:
    """A speech-recogniser-like transcript: no punctuation, fillers, homophone errors."""
    for wrong_from, wrong_to in HOMOPHONES[lang][seed % 2 :: 2]:
        text = text.replace(wrong_from, wrong_to, 1)
    if lang == "en":
        words = re.sub(r"[.,;:!?\"]", "", text).lower().split()
        out = []
        for i, w in enumerate(words):
            if i and i % 9 == seed % 9:
                out.append(FILLERS["en"][(i + seed) % len(FILLERS["en"])])
            out.append(w)
        return " ".join(out)
    clauses = [c for c in re.split(r"[，。；！？、,.;!?]", text) if c]
    out = []
    for i, c in enumerate(clauses):
        if i % 2 == seed % 2:
            out.append(FILLERS["zh"][(i + seed) % len(FILLERS["zh"])])
        out.append(c)
    return " ".join(out)


def main() -> None:
    other = yaml.safe_load((HERE / "other.yaml").read_text(encoding="utf-8"))
    items: list[dict] = []

    def add(**item: object) -> None:
        items.append(item)

    for lang in ("en", "zh"):
        stories = yaml.safe_load((HERE / f"stories_{lang}.yaml").read_text(encoding="utf-8"))
        for ci, comp in enumerate(COMPETENCIES):
            for si, st in enumerate(stories[comp]):
                split = "test" if si == 2 else "dev"
                sid = f"{comp}-{lang}-{si + 1}"
                vague = [s for s in re.split(r"(?<=[.。])\s*", other["vague"][lang][comp]) if s]
                base = {"language": lang, "split": split, "story": sid, "family": st["family"]}
                full = join([st["s"], st["t"], *st["a"], st["rn"]], lang)
                plain = join([st["s"], st["t"], *st["a"], st["rp"]], lang)
                add(
                    id=f"{sid}-full",
                    question=comp,
                    style="complete_measured",
                    grade=5,
                    answer=full,
                    **base,
                )
                add(
                    id=f"{sid}-plain",
                    question=comp,
                    style="complete_unmeasured",
                    grade=4,
                    answer=plain,
                    **base,
                )
                add(
                    id=f"{sid}-short",
                    question=comp,
                    style="short_concrete",
                    grade=4,
                    answer=join([st["s"], st["a"][0], st["rn"]], lang),
                    **base,
                )
                add(
                    id=f"{sid}-noresult",
                    question=comp,
                    style="partial_no_result",
                    grade=3,
                    answer=join([st["s"], st["t"], *st["a"]], lang),
                    **base,
                )
                add(
                    id=f"{sid}-situation",
                    question=comp,
                    style="situation_then_claims",
                    grade=2,
                    answer=join([st["s"], st["t"], *vague[:2]], lang),
                    **base,
                )
                add(
                    id=f"{sid}-padded",
                    question=comp,
                    style="padded_boilerplate",
                    grade=5,
                    answer=join([other["boilerplate"][lang][si % 2], full], lang),
                    **base,
                )
                add(
                    id=f"{sid}-asr",
                    question=comp,
                    style="asr_transcript",
                    grade=4,
                    answer=asr(plain, lang, ci + si),
                    **base,
                )
                for wrong in WRONG[comp]:
                    add(
                        id=f"{sid}-as-{wrong}",
                        question=wrong,
                        style="right_story_wrong_question",
                        grade=1,
                        answer=full,
                        pair=f"{sid}-full",
                        **base,
                    )
            split = "test" if comp in TEST_COMPETENCIES else "dev"
            base = {"language": lang, "split": split, "story": None, "family": None}
            vague = other["vague"][lang][comp]
            add(
                id=f"{comp}-{lang}-vague",
                question=comp,
                style="vague_claims",
                grade=2,
                answer=vague,
                **base,
            )
            injection = other["injection"][lang][ci % 2]
            add(
                id=f"{comp}-{lang}-injected",
                question=comp,
                style="injected_instruction",
                grade=2,
                answer=join([vague, injection], lang),
                **base,
            )
            add(
                id=f"{comp}-{lang}-negative",
                question=comp,
                style="negative_behaviour",
                grade=1,
                answer=other["negative"][lang][comp],
                **base,
            )
            add(
                id=f"{comp}-{lang}-dismissive",
                question=comp,
                style="dismissive",
                grade=1,
                answer=other["dismissive"][lang][ci % 3],
                **{**base, "split": "test" if ci % 3 == 2 else "dev"},
            )
            add(
                id=f"{comp}-{lang}-boilerplate",
                question=comp,
                style="boilerplate_only",
                grade=1,
                answer=other["boilerplate"][lang][ci % 2],
                **{**base, "split": "test" if ci % 2 == 1 else "dev"},
            )
            for fi, fab in enumerate(other["fabricated"][lang]):
                add(
                    id=f"{comp}-{lang}-fabricated-{fi + 1}",
                    question=comp,
                    style="fabricated_off_topic",
                    grade=1,
                    answer=fab,
                    **{**base, "split": "test" if fi == 1 else "dev"},
                )
    with (HERE / "answers.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    print(len(items), "answers")


if __name__ == "__main__":
    main()
