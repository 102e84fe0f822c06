"""The question bank format: loading, validation and what a candidate may see (pure)."""

from __future__ import annotations

import copy

import pytest
import yaml

from hireflow.coding.languages import LANGUAGE_KEYS
from hireflow.coding.questions import (
    BANK_DIR,
    QuestionError,
    bank,
    get_question,
    parse_question,
)


@pytest.fixture
def doc() -> dict:
    return yaml.safe_load((BANK_DIR / "pair-sum.yaml").read_text(encoding="utf-8"))


def test_bank_has_real_questions_in_every_language():
    questions = bank()
    assert len(questions) >= 4
    for question in questions.values():
        assert question.languages == LANGUAGE_KEYS
        assert question.examples and len(question.tests) >= 8
        assert question.efficiency is not None and len(question.efficiency.sizes) >= 3
        assert question.title["zh"] and question.title["en"]
        assert "O(n" in question.statement["en"]


def test_public_view_hides_hidden_tests_and_references():
    question = get_question("count-inversions")
    public = question.public("zh-CN")
    text = repr(public)
    assert public["title"] == "逆序对计数"
    assert set(public["starter"]) == set(LANGUAGE_KEYS)
    assert "reference" not in public and "tests" not in public
    for case in question.tests:
        assert case.input not in [e["input"] for e in public["examples"]]
    assert question.reference["python"] not in text
    assert public["examples"][0]["note"]
    assert get_question("count-inversions").public("en")["title"] == "Count inversions"
    japanese = get_question("count-inversions").public("ja-JP")
    assert japanese["title"] == "転倒数の数え上げ" and "**入力**" in japanese["statement"]
    assert japanese["examples"][0]["note"].startswith("転倒は")


def test_fingerprint_follows_tests_and_references(doc):
    base = parse_question(doc)
    changed = copy.deepcopy(doc)
    changed["tests"][0]["output"] = "999\n"
    assert parse_question(changed).fingerprint != base.fingerprint
    changed = copy.deepcopy(doc)
    changed["reference"]["python"] += "\n# edited\n"
    assert parse_question(changed).fingerprint != base.fingerprint
    assert parse_question(copy.deepcopy(doc)).fingerprint == base.fingerprint


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("tests"), "tests must be a non-empty list"),
        (lambda d: d["title"].pop("zh"), "title needs text in both zh and en"),
        (lambda d: d["statement"].update(ja=" "), "statement.ja must be a text"),
        (lambda d: d.update(limits={"time_s": 99}), "limits out of range"),
        (lambda d: d.update(limits={"time_s": "fast"}), "limits must be numbers"),
        (lambda d: d["reference"].update(cobol="DISPLAY 1."), "unknown languages ['cobol']"),
        (lambda d: d["starter"].pop("java"), "starter code missing for ['java']"),
        (lambda d: d["efficiency"].update(sizes=[100]), "efficiency.sizes"),
        (lambda d: d["efficiency"].update(sizes=[400, 100]), "efficiency.sizes"),
        (lambda d: d["efficiency"].update(generator="print(1)"), "generate(n, rng)"),
        (lambda d: d.update(checker="fuzzy"), "checker must be one of"),
        (lambda d: d.update(id="bad id!"), "id must be letters"),
        (lambda d: d["examples"][0].pop("output"), "examples[0] needs an output"),
        (lambda d: d["reference"].update(python="  "), "empty code"),
    ],
)
def test_malformed_questions_are_refused_with_the_field(doc, edit, message):
    edit(doc)
    with pytest.raises(QuestionError) as error:
        parse_question(doc, "q.yaml")
    assert message in str(error.value)
    assert "q.yaml" in str(error.value)


def test_not_a_mapping_and_unknown_ids():
    with pytest.raises(QuestionError):
        parse_question(["a", "list"])
    with pytest.raises(LookupError):
        get_question("no-such-question")
