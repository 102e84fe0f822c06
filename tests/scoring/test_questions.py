"""Tests for the built-in question bank and company question sets."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from hireflow.scoring.models import (
    Dimension,
    Indicator,
    ModelError,
    list_presets,
    load_preset,
    question_to_dict,
)
from hireflow.scoring.questions import (
    load_question_bank,
    load_questions,
    match_preset_competency,
    questions_from_indicators,
    questions_to_dicts,
    remap_dimensions,
    section_of,
    skill_tags,
)

BANK = load_question_bank()
PRESET_IDS = sorted(entry["id"] for entry in list_presets())


def test_bank_size_and_kinds() -> None:
    kinds = Counter(q.kind for q in BANK)
    assert kinds["technical"] >= 30
    assert kinds["behavioural"] >= 40
    assert kinds["situational"] >= 25
    assert kinds["motivation"] >= 6
    assert len({q.id for q in BANK}) == len(BANK)


@pytest.mark.parametrize("competency", PRESET_IDS)
def test_at_least_six_questions_per_competency(competency: str) -> None:
    primary = [q for q in BANK if q.dimensions and q.dimensions[0] == competency]
    assert len(primary) >= 6
    kinds = {q.kind for q in primary}
    assert "behavioural" in kinds
    if competency not in {"technical_depth", "coding"}:
        assert "situational" in kinds


def test_every_question_is_bilingual_with_rationale_and_time_limit() -> None:
    for q in BANK:
        assert q.text["zh"] and q.text["en"], q.id
        assert q.rationale["zh"] and q.rationale["en"], q.id
        assert 60 <= q.time_limit_s <= 300, q.id
        for field in (q.key_points, q.reference_answers, q.follow_ups):
            if field:
                assert len(field["zh"]) == len(field["en"]), q.id


def test_technical_questions_have_references_and_key_points() -> None:
    technical = BANK.filter(kind="technical")
    topics = Counter(tag for q in technical for tag in q.skills)
    for topic in ("data_structures", "databases", "networking", "python"):
        assert topics[topic] >= 5, topic
    for q in technical:
        assert q.reference_answers["zh"] and q.reference_answers["en"], q.id
        assert len(q.key_points["zh"]) >= 3, q.id
        assert q.skills, q.id


def test_situational_scenarios_cover_the_required_situations() -> None:
    tags = {t for q in BANK.filter(kind="situational") for t in q.tags}
    for scenario in (
        "customer_complaint",
        "team_conflict",
        "tight_deadline",
        "safety_incident",
        "angry_client",
        "ambiguous_requirement",
    ):
        assert scenario in tags, scenario
    for q in BANK.filter(kind="situational"):
        assert q.key_points, q.id


def test_motivation_questions_warmup_and_closing() -> None:
    assert {q.id for q in BANK.filter(kind="motivation", tag="closing")} >= {
        "motivation.closing_questions"
    }
    warmups = {q.id for q in BANK.filter(kind="motivation", tag="warmup")}
    assert {"motivation.why_us", "motivation.career", "motivation.intro"} <= warmups


def test_industry_specific_questions() -> None:
    safety = BANK.get("safety_awareness.s1")
    assert safety.industries == ("manufacturing",)
    assert "生产线" in safety.text["zh"] or "产线" in safety.text["zh"]
    assert BANK.get("communication.b4").industries == ("manufacturing",)
    assert BANK.get("communication.b5").industries == ("internet",)
    assert "retail" in BANK.get("customer_orientation.s2").industries


def test_bank_lookups() -> None:
    with pytest.raises(KeyError):
        BANK.get("nope")
    db = BANK.filter(skills=["MySQL"])
    assert db and all("sql" in q.skills or "databases" in q.skills for q in db)
    assert all("teamwork" in q.dimensions for q in BANK.filter(dimension="teamwork"))
    assert "leadership" in BANK.dimensions()


def test_skill_tags_map_hr_spelling_to_topics() -> None:
    tags = skill_tags(["Python", " MySQL ", "数据结构", "Go"])
    assert tags["python"] == "Python"
    assert tags["databases"] == "MySQL"
    assert tags["data_structures"] == "数据结构"
    assert tags["go"] == "Go"
    assert skill_tags(["", "  "]) == {}


def test_section_of() -> None:
    assert section_of(BANK.get("motivation.why_us")) == "warmup"
    assert section_of(BANK.get("motivation.closing_questions")) == "closing"
    assert section_of(BANK.get("teamwork.s1")) == "situational"
    assert section_of(BANK.get("tech.py.gil")) == "technical"


def _dimension(ident: str, name: dict[str, str], indicators: list[dict[str, str]]) -> Dimension:
    model = load_preset(["teamwork"])
    anchors = model.dimension("teamwork").anchors
    return Dimension(
        id=ident,
        name=name,
        weight=1,
        required_level=6,
        indicators=tuple(Indicator(f"{ident}.{i}", text) for i, text in enumerate(indicators)),
        anchors=anchors,
        description={},
    )


@pytest.mark.parametrize(
    ("ident", "name", "expected"),
    [
        ("comm", {"zh": "沟通能力"}, "communication"),
        ("d1", {"en": "Communication Skills"}, "communication"),
        ("customer_orientation", {}, "customer_orientation"),
        ("x", {"zh": "团队合作精神"}, "teamwork"),
        ("y", {"zh": "客户服务意识与技巧"}, "customer_orientation"),
        ("z", {"zh": "设备维护保养"}, None),
    ],
)
def test_match_preset_competency(ident: str, name: dict[str, str], expected: str | None) -> None:
    assert match_preset_competency(_dimension(ident, name, [{"zh": "x"}])) == expected


def test_questions_from_indicators() -> None:
    dim = _dimension(
        "equipment",
        {"zh": "设备维护", "en": "Equipment care"},
        [
            {
                "zh": "按计划点检设备",
                "en": "checks equipment on schedule",
                "ja": "計画どおりに点検する",
            },
            {"zh": "记录故障"},
        ],
    )
    generated = questions_from_indicators(dim)
    assert [q.id for q in generated] == ["equipment.gen1", "equipment.gen2"]
    assert "按计划点检设备" in generated[0].text["zh"]
    assert "checks equipment on schedule" in generated[0].text["en"]
    assert "「計画どおりに点検する」" in generated[0].text["ja"]
    assert set(generated[1].text) == {"zh"}
    # The rationale is in the bank's three languages whatever the indicator's; the Japanese
    # one names the dimension in English when the model has no Japanese name.
    assert all(set(q.rationale) == {"zh", "en", "ja"} for q in generated)
    assert "「Equipment care」" in generated[0].rationale["ja"]
    assert all(q.kind == "behavioural" and q.dimensions == ("equipment",) for q in generated)


def test_remap_dimensions() -> None:
    question = BANK.get("communication.b2")  # communication, teamwork
    remapped = remap_dimensions(question, {"communication": ["comm"]}, first="comm")
    assert remapped.dimensions == ("comm",)
    both = remap_dimensions(question, {"communication": ["comm"], "teamwork": ["team"]}, "team")
    assert both.dimensions == ("team", "comm")


def test_company_question_set_round_trip(tmp_path: Path) -> None:
    questions = [BANK.get("teamwork.b1"), BANK.get("tech.db.index")]
    path = tmp_path / "set.yaml"
    path.write_text(
        yaml.safe_dump({"questions": questions_to_dicts(questions)}, allow_unicode=True),
        encoding="utf-8",
    )
    assert load_questions(path) == tuple(questions)


def test_company_question_set_reports_every_error() -> None:
    good = question_to_dict(BANK.get("teamwork.b1"))
    bad = dict(good, kind="chat", time_limit_s="soon")
    with pytest.raises(ModelError) as info:
        load_questions([good, bad, good], known_dimensions=["communication"])
    errors = [str(e) for e in info.value.errors]
    assert "questions[0].dimensions[0]: unknown dimension 'teamwork'" in errors
    assert any(e.startswith("questions[1].kind: 'chat' must be one of") for e in errors)
    assert "questions[1].time_limit_s: 'soon' is not a number" in errors
    assert "questions[2].id: 'teamwork.b1' is already used by questions[0]" in errors


def test_company_question_set_must_be_a_list() -> None:
    with pytest.raises(ModelError):
        load_questions({"questions": "all of them"})
