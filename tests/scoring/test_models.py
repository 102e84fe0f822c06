"""Tests for the competency-model and question schema and its validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hireflow.scoring.models import (
    CompetencyModel,
    FieldError,
    ModelError,
    load_model,
    localised,
    model_from_dict,
    model_to_dict,
    question_from_dict,
    question_to_dict,
)


def _anchors() -> list[dict[str, Any]]:
    return [
        {"level": level, "text": {"zh": f"第{level}级行为", "en": f"Level {level} behaviour"}}
        for level in range(1, 6)
    ]


def _dimension(ident: str, weight: float = 1.0) -> dict[str, Any]:
    return {
        "id": ident,
        "name": {"zh": f"维度{ident}", "en": f"Dimension {ident}"},
        "weight": weight,
        "required_level": 6,
        "description": {"zh": "说明", "en": "Description"},
        "indicators": [{"id": f"{ident}.1", "text": {"zh": "指标", "en": "Indicator"}}],
        "anchors": _anchors(),
    }


def _model() -> dict[str, Any]:
    return {
        "id": "acme-sales",
        "name": {"zh": "销售模型", "en": "Sales model"},
        "industry": "retail",
        "version": "3",
        "dimensions": [_dimension("communication", 2), _dimension("drive", 1)],
    }


def _errors(data: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ModelError) as info:
        model_from_dict(data, **kwargs)
    return [str(e) for e in info.value.errors]


def test_localised_fallbacks() -> None:
    assert localised({"zh": "你好", "en": "hello"}, "en") == "hello"
    assert localised({"en": "hello"}, "zh") == "hello"
    assert localised({"zh": "你好"}, "en") == "你好"
    assert localised({"ja": "こんにちは"}, "en") == "こんにちは"
    assert localised({"zh": "", "en": "x"}, "zh") == "x"
    assert localised({}, "zh") == ""
    assert localised(None, "zh") == ""


def test_valid_model_loads_and_normalises_weights() -> None:
    model = model_from_dict(_model())
    assert isinstance(model, CompetencyModel)
    assert model.dimension_ids == ("communication", "drive")
    weights = model.normalised_weights()
    assert weights == pytest.approx({"communication": 2 / 3, "drive": 1 / 3})
    assert sum(weights.values()) == pytest.approx(1.0)
    assert model.dimension("drive").anchor(5).text["en"] == "Level 5 behaviour"
    assert model.warnings == ()


def test_dimension_lookup_raises_key_error() -> None:
    model = model_from_dict(_model())
    with pytest.raises(KeyError):
        model.dimension("leadership")
    with pytest.raises(KeyError):
        model.dimension("drive").anchor(6)


def test_round_trip_through_dict_and_json(tmp_path: Path) -> None:
    model = model_from_dict(_model())
    data = model_to_dict(model)
    assert model_from_dict(data) == model
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_model(path) == model
    assert load_model(str(path)) == model


def test_yaml_file_with_anchor_mapping_and_text_indicators(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(
        """
id: plant
name: {zh: 车间模型, en: Plant model}
dimensions:
  - id: safety
    name: {zh: 安全意识, en: Safety}
    weight: 3
    indicators:
      - {zh: 按规程作业, en: Works to procedure}
      - 主动报告隐患
    anchors:
      1: {zh: 忽视规程, en: Ignores procedures}
      2: {zh: 提醒后遵守, en: Complies when reminded}
      3: {zh: 始终遵守, en: Always complies}
      4: {zh: 纠正他人, en: Corrects others}
      5: {zh: 改进制度, en: Improves the rules}
""",
        encoding="utf-8",
    )
    model = load_model(path)
    dim = model.dimension("safety")
    assert [a.level for a in dim.anchors] == [1, 2, 3, 4, 5]
    assert [i.id for i in dim.indicators] == ["safety.1", "safety.2"]
    assert dim.required_level == 6.0  # the documented default
    assert model.version == "1"
    # The Chinese-only indicator is allowed for a company model but reported.
    assert [str(w) for w in model.warnings] == ["dimensions[0].indicators[1]: missing en text"]


def test_all_errors_are_collected_and_name_their_field() -> None:
    data = _model()
    data["dimensions"].append(_dimension("third"))
    data["dimensions"][2]["anchors"][0]["level"] = 7
    data["dimensions"][1]["weight"] = -1
    data["dimensions"][0]["required_level"] = 11
    data["dimensions"][1]["id"] = "communication"
    errors = _errors(data)
    assert "dimensions[2].anchors[0].level: must be 1..5" in errors
    assert "dimensions[2].anchors: missing level 1 (anchors must be exactly 1..5)" in errors
    assert "dimensions[1].weight: must be greater than 0 (got -1)" in errors
    assert "dimensions[0].required_level: must be at most 10 (got 11)" in errors
    assert "dimensions[1].id: 'communication' is already used by dimensions[0]" in errors
    assert len(errors) == 5


def test_weight_must_be_positive_number() -> None:
    data = _model()
    data["dimensions"][0]["weight"] = 0
    data["dimensions"][1]["weight"] = "abc"
    errors = _errors(data)
    assert "dimensions[0].weight: must be greater than 0 (got 0)" in errors
    assert "dimensions[1].weight: 'abc' is not a number" in errors


def test_weight_is_required_and_booleans_are_not_numbers() -> None:
    data = _model()
    del data["dimensions"][0]["weight"]
    data["dimensions"][1]["weight"] = True
    errors = _errors(data)
    assert "dimensions[0].weight: is required (a number)" in errors
    assert "dimensions[1].weight: must be a number, not true/false" in errors


def test_weight_given_as_text_with_percent_sign_is_read() -> None:
    data = _model()
    data["dimensions"][0]["weight"] = "25%"
    assert model_from_dict(data).dimension("communication").weight == 25.0


def test_anchor_levels_duplicate_and_missing() -> None:
    data = _model()
    data["dimensions"][0]["anchors"][4]["level"] = 4
    errors = _errors(data)
    assert (
        "dimensions[0].anchors[4].level: level 4 appears twice (also at dimensions[0]."
        "anchors[3].level)" in errors
    )
    assert "dimensions[0].anchors: missing level 5 (anchors must be exactly 1..5)" in errors


def test_anchors_may_not_have_six_levels() -> None:
    data = _model()
    data["dimensions"][0]["anchors"].append({"level": 6, "text": {"zh": "六", "en": "six"}})
    assert _errors(data) == ["dimensions[0].anchors[5].level: must be 1..5"]


def test_anchor_text_required() -> None:
    data = _model()
    data["dimensions"][0]["anchors"][2]["text"] = {"zh": " ", "en": ""}
    assert _errors(data) == ["dimensions[0].anchors[2].text: is required (all languages are empty)"]


def test_unknown_fields_are_errors() -> None:
    data = _model()
    data["dimensions"][0]["wieght"] = 3
    data["colour"] = "red"
    errors = _errors(data)
    assert any(e.startswith("dimensions[0].wieght: unknown field") for e in errors)
    assert any(e.startswith("colour: unknown field") for e in errors)


def test_missing_top_level_fields() -> None:
    errors = _errors({"dimensions": []})
    assert "id: is required (a non-empty text)" in errors
    assert "name: is required" in errors
    assert "dimensions: must contain at least one dimension" in errors


def test_not_a_mapping() -> None:
    assert _errors(["a"]) == ["a competency model must be a mapping, not a list"]


def test_bad_id_characters() -> None:
    data = _model()
    data["dimensions"][0]["id"] = "has space"
    assert _errors(data) == [
        "dimensions[0].id: 'has space' may contain only letters, digits, '.', '_' and '-'"
    ]


def test_chinese_ids_are_allowed() -> None:
    data = _model()
    data["dimensions"][0]["id"] = "沟通能力"
    assert model_from_dict(data).dimensions[0].id == "沟通能力"


def test_indicator_ids_unique_within_dimension() -> None:
    data = _model()
    data["dimensions"][0]["indicators"].append(
        {"id": "communication.1", "text": {"zh": "重复", "en": "dup"}}
    )
    assert _errors(data) == [
        "dimensions[0].indicators[1].id: 'communication.1' is used twice in this dimension"
    ]


def test_empty_indicators_are_an_error() -> None:
    data = _model()
    data["dimensions"][0]["indicators"] = []
    assert _errors(data) == [
        "dimensions[0].indicators: must list at least one behavioural indicator"
    ]


def test_one_language_is_a_warning_for_companies_and_an_error_for_presets() -> None:
    data = _model()
    data["dimensions"][1]["name"] = {"zh": "驱动力"}
    model = model_from_dict(data)
    assert [str(w) for w in model.warnings] == ["dimensions[1].name: missing en text"]
    assert _errors(data, require_bilingual=True) == ["dimensions[1].name: missing en text"]


def test_plain_string_text_gets_its_language_detected() -> None:
    data = _model()
    data["dimensions"][0]["description"] = "Explains things clearly"
    model = model_from_dict(data)
    assert model.dimension("communication").description == {"en": "Explains things clearly"}
    assert [str(w) for w in model.warnings] == ["dimensions[0].description: missing zh text"]


def test_warnings_do_not_affect_equality() -> None:
    data = _model()
    model = model_from_dict(data)
    other = copy.deepcopy(data)
    assert model_from_dict(other) == model


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_model(path)
    assert info.value.errors[0].location.startswith("line ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        load_model(tmp_path / "absent.yaml")
    assert info.value.errors[0].location == "file"


def test_model_error_message_lists_everything() -> None:
    error = ModelError([FieldError("a", "x"), FieldError("b", "y")])
    assert isinstance(error, ValueError)
    assert str(error) == "invalid competency model (2 errors):\n  - a: x\n  - b: y"


# ------------------------------------------------------------------------- questions


def _question(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "q1",
        "kind": "technical",
        "text": {"zh": "什么是哈希表？", "en": "What is a hash table?"},
        "dimensions": ["technical_depth"],
        "time_limit_s": 180,
        "reference_answers": {"zh": ["用哈希函数映射到桶。"], "en": ["Keys hash to buckets."]},
        "key_points": {"zh": ["哈希函数", "冲突处理"], "en": ["hash function", "collisions"]},
        "rationale": {"zh": "考察基础", "en": "Checks fundamentals"},
        "skills": ["Python"],
        "tags": ["data_structures"],
    }
    data.update(changes)
    return data


def test_question_round_trip() -> None:
    question = question_from_dict(_question(), require_bilingual=True)
    assert question.skills == ("python",)
    assert question.key_points["en"] == ("hash function", "collisions")
    assert question_from_dict(question_to_dict(question)) == question


def test_question_errors_collected() -> None:
    with pytest.raises(ModelError) as info:
        question_from_dict(
            _question(kind="quiz", dimensions=[], time_limit_s=5, key_points=None),
            location="questions[3]",
        )
    errors = [str(e) for e in info.value.errors]
    assert any(e.startswith("questions[3].kind: 'quiz' must be one of") for e in errors)
    assert "questions[3].dimensions: must name at least one dimension" in errors
    assert "questions[3].time_limit_s: must be at least 10 (got 5)" in errors


def test_technical_question_needs_key_points() -> None:
    with pytest.raises(ModelError) as info:
        question_from_dict(_question(key_points={}))
    assert [str(e) for e in info.value.errors] == [
        "key_points: technical questions need key points to score against"
    ]


def test_motivation_question_may_have_no_dimension() -> None:
    question = question_from_dict(
        _question(kind="motivation", dimensions=[], key_points=None, reference_answers=None)
    )
    assert question.dimensions == ()


def test_question_unknown_dimension_when_model_given() -> None:
    with pytest.raises(ModelError) as info:
        question_from_dict(_question(), known_dimensions=["communication"])
    assert [str(e) for e in info.value.errors] == [
        "dimensions[0]: unknown dimension 'technical_depth'"
    ]


def test_question_bilingual_lists_required_for_bank() -> None:
    with pytest.raises(ModelError) as info:
        question_from_dict(_question(key_points={"en": ["a"]}), require_bilingual=True)
    assert [str(e) for e in info.value.errors] == ["key_points: missing zh entries"]
