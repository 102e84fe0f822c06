"""Entity extraction: the public API contract, the Chinese CRF and the English rules."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from hireflow.candidates import extraction
from hireflow.candidates.extraction import LABELS, Entity, extract_entities, tags_to_entities


def _spans(text: str) -> set[tuple[str, str]]:
    return {(e.label, e.text) for e in extract_entities(text)}


def _check_offsets(text: str) -> list[Entity]:
    entities = extract_entities(text)
    for e in entities:
        assert e.label in LABELS
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text
    starts = [(e.start, e.end) for e in entities]
    assert starts == sorted(starts)
    for (_, end), (start, _) in itertools.pairwise(starts):
        assert end <= start, "entities must not overlap"
    return entities


def test_entity_is_a_frozen_dataclass() -> None:
    entity = Entity("NAME", 0, 2, "张三")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entity.label = "ORG"  # type: ignore[misc]
    assert entity.to_dict() == {"label": "NAME", "start": 0, "end": 2, "text": "张三"}


def test_empty_and_blank_text() -> None:
    assert extract_entities("") == []
    assert extract_entities("\n  \n\t") == []


def test_chinese_biography_sentence() -> None:
    # Written for this test in the style of resume biographies, not taken from any corpus.
    text = "李明远先生：中国国籍，无境外永久居留权，1972年出生，硕士研究生学历，高级工程师，现任华东重工机械股份有限公司董事长。"
    spans = _spans(text)
    assert ("NAME", "李明远") in spans
    assert ("CONT", "中国国籍") in spans
    assert ("EDU", "硕士研究生学历") in spans
    assert ("TITLE", "高级工程师") in spans
    assert ("ORG", "华东重工机械股份有限公司") in spans
    assert ("TITLE", "董事长") in spans
    _check_offsets(text)


def test_offsets_refer_to_the_whole_multiline_text() -> None:
    text = "个人简历\n\n张伟\n2015.09-2019.06  浙江大学  本科\r\n2019.07-至今  腾讯科技（深圳）有限公司  高级工程师\n"
    entities = _check_offsets(text)
    labels = {(e.label, e.text) for e in entities}
    assert ("ORG", "浙江大学") in labels or ("EDU", "本科") in labels
    assert any(e.label == "ORG" and "腾讯" in e.text for e in entities)


def test_english_rules() -> None:
    text = (
        "Olivia Müller\n"
        "olivia@example.com | +44 7911 123456\n"
        "Senior Software Engineer at Acme Robotics Ltd.\n"
        "Master of Science in Computer Science, University of Manchester\n"
        "Nationality: German; based in Berlin\n"
    )
    spans = _spans(text)
    assert ("NAME", "Olivia Müller") in spans
    assert ("TITLE", "Senior Software Engineer") in spans
    assert ("ORG", "Acme Robotics Ltd.") in spans
    assert ("EDU", "Master of Science") in spans
    assert ("PRO", "Computer Science") in spans
    assert ("ORG", "University of Manchester") in spans
    assert ("CONT", "German") in spans
    assert ("LOC", "Berlin") in spans
    # contact details belong to the profile parser, never to entities
    assert not any("@" in t or "7911" in t for _, t in spans)
    _check_offsets(text)


def test_english_names_only_near_the_top() -> None:
    lines = [
        "Curriculum Vitae",
        "Work Experience",
        "Software Engineer",
        "Data Scientist",
        "Jane Doe",
    ]
    spans = _spans("\n".join(lines))
    assert ("NAME", "Jane Doe") not in spans
    assert ("NAME", "Curriculum Vitae") not in spans
    assert ("NAME", "Jane Doe") in _spans("Name: Jane Doe\nSoftware Engineer")


def test_mixed_line_uses_rules_for_latin_runs() -> None:
    text = "2018.07-至今 Google LLC Staff Engineer"
    spans = _spans(text)
    assert ("ORG", "Google LLC") in spans
    _check_offsets(text)


def test_tags_to_entities() -> None:
    text = "张三任北京大学教授"
    tags = ["B-NAME", "E-NAME", "O", "B-ORG", "M-ORG", "M-ORG", "E-ORG", "B-TITLE", "E-TITLE"]
    assert tags_to_entities(text, tags) == [
        Entity("NAME", 0, 2, "张三"),
        Entity("ORG", 3, 7, "北京大学"),
        Entity("TITLE", 7, 9, "教授"),
    ]
    # an ill-formed run still yields its span; single-character entities use S
    assert tags_to_entities("王某", ["S-NAME", "M-ORG"], offset=10) == [
        Entity("NAME", 10, 11, "王"),
        Entity("ORG", 11, 12, "某"),
    ]


def test_model_is_loaded_once() -> None:
    extract_entities("王芳，本科学历")
    first = extraction._tagger()
    extract_entities("李雷，硕士")
    assert extraction._tagger() is first


def test_features_fold_full_width_characters() -> None:
    half = extraction.char_features("ABC(1)")
    full = extraction.char_features("ＡＢＣ（１）")
    assert half == full
