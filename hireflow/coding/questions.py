"""Coding questions: the bank format, loading and validation (pure: no I/O beyond reading YAML).

A question is a YAML document (see ``bank/*.yaml`` and docs/coding.md)::

    id: count-inversions            # stable key
    version: 1                      # bump when tests change (caches key on it)
    title: {zh: 逆序对计数, en: Count inversions, ja: 転倒数の数え上げ}
    statement: {zh: ..., en: ..., ja: ...}   # Markdown; ja optional, the bank has it
    limits: {time_s: 2, memory_mb: 256}
    starter: {python: ..., javascript: ..., cpp: ..., java: ..., go: ...}
    examples: [{input: ..., output: ..., note: {zh: ..., en: ..., ja: ...}}]  # candidate sees
    tests: [{input: ..., output: ...}]                                # hidden
    reference: {python: ..., javascript: ..., cpp: ..., java: ..., go: ...}
    efficiency:                     # optional: separates O(n log n) from O(n^2)
      sizes: [1000, 4000, 16000]   # the smallest that tell n log n from n^2 (tests/coding)
      generator: |                  # Python: def generate(n, rng) -> str (rng: random.Random)
        ...
    checker: tokens                 # tokens (default) | exact | float

Programs read standard input and write standard output, in every language. A question needs
starter code and a reference solution for every language it offers (the offered languages are
the keys of ``reference``); a test in tests/coding checks each reference passes its own tests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hireflow.coding.languages import LANGUAGE_KEYS

BANK_DIR = Path(__file__).with_name("bank")
CHECKERS = ("tokens", "exact", "float")
# Languages a question's texts come in: zh and en always, ja where written (the bank's are).
TEXT_LANGUAGES = ("zh", "en", "ja")
MAX_TIME_S = 10.0
MAX_MEMORY_MB = 1024


class QuestionError(ValueError):
    """A question document is malformed; the message names the question and the field."""


@dataclass(frozen=True)
class Case:
    """One input with its expected output (``note`` explains an example to the candidate)."""

    input: str
    output: str
    note: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Efficiency:
    """Input sizes and a generator for measuring run time growth against the reference."""

    sizes: tuple[int, ...]
    generator: str
    seed: int = 20261


@dataclass(frozen=True)
class Question:
    """A coding question of the bank (immutable; ``fingerprint`` keys every cache)."""

    id: str
    version: int
    title: dict[str, str]
    statement: dict[str, str]
    time_s: float
    memory_mb: int
    starter: dict[str, str]
    examples: tuple[Case, ...]
    tests: tuple[Case, ...]
    reference: dict[str, str]
    efficiency: Efficiency | None = None
    checker: str = "tokens"
    difficulty: str = "medium"

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(key for key in LANGUAGE_KEYS if key in self.reference)

    @property
    def fingerprint(self) -> str:
        """A hash of everything that changes a verdict (tests, references, generator, limits)."""
        body = {
            "id": self.id,
            "version": self.version,
            "limits": [self.time_s, self.memory_mb],
            "cases": [[c.input, c.output] for c in (*self.examples, *self.tests)],
            "reference": self.reference,
            "efficiency": None
            if self.efficiency is None
            else [list(self.efficiency.sizes), self.efficiency.generator, self.efficiency.seed],
            "checker": self.checker,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def public(self, language: str = "en") -> dict[str, Any]:
        """What a candidate may see: statement, starter code, examples; never hidden tests."""
        lang = text_key(language)
        return {
            "id": self.id,
            "title": self.title.get(lang) or self.title["en"],
            "statement": self.statement.get(lang) or self.statement["en"],
            "time_s": self.time_s,
            "memory_mb": self.memory_mb,
            "languages": list(self.languages),
            "starter": {key: self.starter[key] for key in self.languages},
            "examples": [
                {
                    "input": c.input,
                    "output": c.output,
                    "note": c.note.get(lang) or c.note.get("en") or "",
                }
                for c in self.examples
            ],
        }


def text_key(language: str) -> str:
    """The key of a question's texts ("zh", "en", "ja") for a UI language ("zh-CN", "ja")."""
    base = language.lower()[:2]
    return base if base in TEXT_LANGUAGES else "en"


def _texts(doc: dict[str, Any], key: str, where: str) -> dict[str, str]:
    value = doc.get(key)
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("zh", "en")):
        raise QuestionError(f"{where}: {key} needs text in both zh and en")
    if "ja" in value and not (isinstance(value["ja"], str) and value["ja"].strip()):
        raise QuestionError(f"{where}: {key}.ja must be a text")
    return {k: value[k].strip() for k in TEXT_LANGUAGES if k in value}


def _cases(doc: dict[str, Any], key: str, where: str, required: bool) -> tuple[Case, ...]:
    raw = doc.get(key) or []
    if not isinstance(raw, list) or (required and not raw):
        raise QuestionError(f"{where}: {key} must be a non-empty list of input/output pairs")
    cases = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("input"), str):
            raise QuestionError(f"{where}: {key}[{index}] needs an input text")
        if not isinstance(item.get("output"), str):
            raise QuestionError(f"{where}: {key}[{index}] needs an output text")
        note = item.get("note") or {}
        cases.append(Case(item["input"], item["output"], dict(note)))
    return tuple(cases)


def _per_language(doc: dict[str, Any], key: str, where: str) -> dict[str, str]:
    value = doc.get(key)
    if not isinstance(value, dict) or not value:
        raise QuestionError(f"{where}: {key} must map languages to code")
    unknown = sorted(set(value) - set(LANGUAGE_KEYS))
    if unknown:
        raise QuestionError(f"{where}: {key} has unknown languages {unknown}")
    if not all(isinstance(code, str) and code.strip() for code in value.values()):
        raise QuestionError(f"{where}: {key} has empty code")
    return dict(value)


def parse_question(doc: Any, where: str = "question") -> Question:
    """Validate one YAML document and build the :class:`Question`."""
    if not isinstance(doc, dict):
        raise QuestionError(f"{where}: a question must be a mapping")
    qid = doc.get("id")
    if not isinstance(qid, str) or not qid.replace("-", "").isalnum():
        raise QuestionError(f"{where}: id must be letters, digits and dashes")
    where = f"{where} ({qid})"
    limits = doc.get("limits") or {}
    try:
        time_s = float(limits.get("time_s", 2))
        memory_mb = int(limits.get("memory_mb", 256))
    except (TypeError, ValueError) as exc:
        raise QuestionError(f"{where}: limits must be numbers") from exc
    if not 0 < time_s <= MAX_TIME_S or not 16 <= memory_mb <= MAX_MEMORY_MB:
        raise QuestionError(
            f"{where}: limits out of range (time 0-{MAX_TIME_S} s, memory 16-{MAX_MEMORY_MB} MiB)"
        )
    reference = _per_language(doc, "reference", where)
    starter = _per_language(doc, "starter", where)
    missing = sorted(set(reference) - set(starter))
    if missing:
        raise QuestionError(f"{where}: starter code missing for {missing}")
    efficiency = None
    if doc.get("efficiency") is not None:
        eff = doc["efficiency"]
        sizes = eff.get("sizes") if isinstance(eff, dict) else None
        if (
            not isinstance(sizes, list)
            or len(sizes) < 2
            or not all(isinstance(n, int) and n > 0 for n in sizes)
            or sorted(sizes) != sizes
        ):
            raise QuestionError(f"{where}: efficiency.sizes must be 2+ increasing integers")
        generator = eff.get("generator")
        if not isinstance(generator, str) or "def generate" not in generator:
            raise QuestionError(f"{where}: efficiency.generator must define generate(n, rng)")
        efficiency = Efficiency(tuple(sizes), generator, int(eff.get("seed", 20261)))
    checker = doc.get("checker", "tokens")
    if checker not in CHECKERS:
        raise QuestionError(f"{where}: checker must be one of {', '.join(CHECKERS)}")
    return Question(
        id=qid,
        version=int(doc.get("version", 1)),
        title=_texts(doc, "title", where),
        statement=_texts(doc, "statement", where),
        time_s=time_s,
        memory_mb=memory_mb,
        starter=starter,
        examples=_cases(doc, "examples", where, required=True),
        tests=_cases(doc, "tests", where, required=True),
        reference=reference,
        efficiency=efficiency,
        checker=checker,
        difficulty=str(doc.get("difficulty", "medium")),
    )


def load_question_file(path: Path) -> Question:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuestionError(f"{path.name}: not valid YAML: {exc}") from exc
    return parse_question(doc, path.name)


@cache
def bank() -> dict[str, Question]:
    """The questions shipped with Hireflow, by id."""
    questions = {}
    for path in sorted(BANK_DIR.glob("*.yaml")):
        question = load_question_file(path)
        if question.id in questions:
            raise QuestionError(f"{path.name}: duplicate question id {question.id}")
        questions[question.id] = question
    return questions


def get_question(question_id: str) -> Question:
    try:
        return bank()[question_id]
    except KeyError:
        raise LookupError(f"no coding question {question_id!r}") from None
