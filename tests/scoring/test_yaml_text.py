"""Rubric texts YAML splits into keys (an unquoted ', ' inside {...}, or ': ') are refused,
naming the file and the field; every YAML file the product and the benches read is clean."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hireflow.scoring.dictionary import import_dictionary
from hireflow.scoring.models import ModelError, load_model, model_from_dict, read_yaml
from hireflow.scoring.questions import load_questions
from hireflow.scoring.yaml_text import split_texts

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted(
    path
    for folder in (ROOT / "hireflow", ROOT / "tests" / "data")
    for pattern in ("*.yaml", "*.yml")
    for path in folder.rglob(pattern)
)

ANCHORS = """\
id: m
name: {zh: "模型", en: "Model"}
dimensions:
  - id: communication
    name: {zh: 沟通, en: Communication}
    weight: 1
    indicators:
      - id: c.1
        text: {zh: "倾听", en: "Listens, then checks: did they understand?"}
    anchors:
      - {level: 1, text: {zh: 一, en: One}}
      - {level: 2, text: {zh: 二, en: Two}}
      - {level: 3, text: {zh: 三, en: Three}}
      - level: 4
        text: {zh: 四, en: Describes situation, task, own actions and result}
      - {level: 5, text: {zh: 五, en: Five}}
"""

QUOTED = ANCHORS.replace(
    "en: Describes situation, task, own actions and result}",
    'en: "Describes situation, task, own actions and result"}',
)


def _model_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(call, *args) -> list[str]:
    with pytest.raises(ModelError) as info:
        call(*args)
    return [str(error) for error in info.value.errors]


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_data_file_has_whole_texts(path: Path) -> None:
    read_yaml(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("folder", ["eval", "graded"])
def test_graded_models_load_with_whole_english_anchors(folder: str) -> None:
    model = load_model(ROOT / "tests" / "data" / "scoring" / folder / "model.yaml")
    communication = model.dimension("communication")
    assert communication.anchor(4).text["en"] == (
        "Describes situation, task, own actions and result completely and adapts the way "
        "of communicating to the audience"
    )
    assert communication.indicators[2].text == {
        "zh": "表达有条理，先讲结论再讲理由",
        "en": "Structures information clearly, conclusion first and then the reasons",
    }
    for dimension in model.dimensions:
        for text in [i.text for i in dimension.indicators] + [a.text for a in dimension.anchors]:
            assert set(text) == {"zh", "en"}


def test_quoted_commas_and_colons_load(tmp_path: Path) -> None:
    model = load_model(_model_file(tmp_path, QUOTED))
    assert model.dimension("communication").anchor(4).text["en"] == (
        "Describes situation, task, own actions and result"
    )
    assert model.dimension("communication").indicators[0].text["en"] == (
        "Listens, then checks: did they understand?"
    )


def test_a_text_split_at_a_comma_names_file_line_and_field(tmp_path: Path) -> None:
    path = _model_file(tmp_path, ANCHORS)
    errors = _errors(load_model, path)
    assert errors == [
        f"{path}, line 15, dimensions[0].anchors[3].text: '{fragment}' looks like part of a "
        "sentence that YAML split at an unquoted ', ' (inside {...}) or ': '; put the whole "
        "text in quotes"
        for fragment in ("own actions and result", "task")
    ]


def test_a_split_text_written_back_in_block_style_is_refused(tmp_path: Path) -> None:
    # What yaml.safe_dump made of the file above: the fragments became keys with null.
    written_back = ANCHORS.replace(
        "        text: {zh: 四, en: Describes situation, task, own actions and result}",
        "        text:\n          zh: 四\n          en: Describes situation\n"
        "          task: null\n          own actions and result: null",
    )
    path = _model_file(tmp_path, written_back)
    errors = _errors(load_model, path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}, line 19, dimensions[0].anchors[3].text: ")
    # The single word has no space to tell it from a key; the model's validator refuses it
    # as a language, once the file's own check has passed (here: given as data).
    data = read_yaml(written_back.replace("own actions and result: null", ""), "x")
    errors = _errors(model_from_dict, data)
    assert errors == [
        "dimensions[0].anchors[3].text: language key 'task' must be a language code such "
        "as 'zh' (a text looks like part of a sentence that YAML split at an unquoted ', ' "
        "(inside {...}) or ': '; put the whole text in quotes)"
    ]


def test_split_texts_given_as_data_are_refused_with_the_field() -> None:
    data = read_yaml(QUOTED, "x")
    data["dimensions"][0]["anchors"][3]["text"] = {
        "zh": "四",
        "en": "Describes situation",
        "own actions and result": None,
    }
    assert _errors(model_from_dict, data) == [
        "dimensions[0].anchors[3].text: 'own actions and result' is not a language code: it "
        "looks like part of a sentence that YAML split at an unquoted ', ' (inside {...}) or "
        "': '; put the whole text in quotes"
    ]


def test_a_follow_up_split_at_a_colon_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(
        "- id: q1\n  kind: behavioural\n  dimensions: [communication]\n  time_limit_s: 120\n"
        "  text: {zh: 讲一次经历, en: Tell me about a time}\n"
        "  follow_ups:\n    en:\n      - Tip: what did you say first?\n",
        encoding="utf-8",
    )
    errors = _errors(load_questions, path)
    assert errors == [
        "questions[0].follow_ups.en[0]: must be a text, not a mapping: the text looks like "
        "part of a sentence that YAML split at an unquoted ', ' (inside {...}) or ': '; put "
        "the whole text in quotes"
    ]
    with pytest.raises(ModelError, match=f"question set {path}"):
        load_questions(path)


def test_dictionary_rows_with_a_split_cell_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.yaml"
    path.write_text(
        "- id: drive\n  name_en: Drive\n  indicator_en: Sets goals\n"
        "  level_1_en: {Gives up: after one rejection}\n",
        encoding="utf-8",
    )
    assert _errors(import_dictionary, path) == [
        "row 1, column level_1_en: must be a text, not a mapping: it looks like part of a "
        "sentence that YAML split at an unquoted ', ' (inside {...}) or ': '; put the whole "
        "text in quotes"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "volumes:\n  data:\n  redis: null\n",  # plain keys without values are not sentences
        "name: {zh: 沟通能力, en: Communication}\n",
        "aliases: {en: [communication skills, verbal communication]}\n",
        'text: {en: "a, b: c", zh-CN: 甲}\n',
    ],
)
def test_ordinary_yaml_is_not_taken_for_a_split_sentence(text: str) -> None:
    assert split_texts(yaml.compose(text)) == []
    read_yaml(text, "x")
