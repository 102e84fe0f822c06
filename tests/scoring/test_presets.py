"""Tests for the built-in competency presets and job-type templates."""

from __future__ import annotations

import pytest

from hireflow.scoring.models import (
    ModelError,
    list_job_types,
    list_presets,
    load_preset,
    model_from_dict,
    model_to_dict,
)
from hireflow.scoring.presets import (
    JOB_TYPES,
    competency_aliases,
    normalise_industry,
    preset_competency,
)

REQUIRED = {
    "communication",
    "problem_solving",
    "teamwork",
    "customer_orientation",
    "learning_agility",
    "stress_tolerance",
    "leadership",
    "planning_execution",
    "innovation",
    "integrity",
    "coding",
    "technical_depth",
}
ALL_IDS = sorted(entry["id"] for entry in list_presets())


def test_all_required_competencies_exist() -> None:
    assert set(ALL_IDS) >= REQUIRED


@pytest.mark.parametrize("ident", ALL_IDS)
@pytest.mark.parametrize("industry", [None, "manufacturing", "internet", "retail", "services"])
def test_every_preset_is_a_valid_bilingual_bars_scale(ident: str, industry: str | None) -> None:
    model = load_preset([ident], industry=industry)  # validates with require_bilingual
    dim = model.dimension(ident)
    assert 4 <= len(dim.indicators) <= 6
    assert [a.level for a in dim.anchors] == [1, 2, 3, 4, 5]
    for lang in ("zh", "en"):
        texts = [a.text[lang] for a in dim.anchors]
        assert len(set(texts)) == 5
        # Behavioural anchors describe what people do, not "good" / "very good".
        minimum = 25 if lang == "zh" else 60
        assert all(len(t) >= minimum for t in texts), texts
        assert dim.description[lang]
        assert all(i.text[lang] for i in dim.indicators)


def test_indicator_ids_are_unique_across_presets() -> None:
    seen: set[str] = set()
    for ident in ALL_IDS:
        for industry in (None, "manufacturing", "internet", "retail"):
            for indicator in preset_competency(ident, industry)["indicators"]:
                if indicator["id"] in seen:
                    continue
                assert indicator["id"].startswith(ident + ".")
                seen.add(indicator["id"])
    assert len(seen) > 60


def test_communication_differs_by_industry() -> None:
    general = load_preset(["communication"]).dimension("communication")
    factory = load_preset(["communication"], industry="manufacturing").dimension("communication")
    web = load_preset(["communication"], industry="internet").dimension("communication")
    assert general.indicators != factory.indicators != web.indicators
    factory_text = " ".join(i.text["en"] for i in factory.indicators).lower()
    web_text = " ".join(i.text["en"] for i in web.indicators).lower()
    assert "hand" in factory_text and "safety" in factory_text and "read-back" in factory_text
    assert (
        "proactively" in web_text
        and "across" in " ".join(a.text["en"] for a in web.anchors).lower()
    )
    assert "交接班" in factory.description["zh"]
    assert "跨团队" in web.description["zh"]


def test_customer_orientation_retail_and_services_variant() -> None:
    general = load_preset(["customer_orientation"]).dimension("customer_orientation")
    retail = load_preset(["customer_orientation"], industry="retail").dimension(
        "customer_orientation"
    )
    services = load_preset(["customer_orientation"], industry="服务业").dimension(
        "customer_orientation"
    )
    assert retail.indicators == services.indicators
    assert retail.indicators != general.indicators
    assert "门店" in retail.description["zh"]


def test_industry_without_a_variant_uses_the_general_definition() -> None:
    general = load_preset(["teamwork"]).dimension("teamwork")
    assert load_preset(["teamwork"], industry="internet").dimension("teamwork") == general
    model = load_preset(["teamwork"], industry="aerospace")
    assert model.industry == "aerospace"
    assert model.dimension("teamwork") == general


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("制造业", "manufacturing"),
        ("Manufacturing", "manufacturing"),
        ("互联网", "internet"),
        ("tech", "internet"),
        ("零售", "retail"),
        ("Hospitality", "services"),
        (" ", None),
        (None, None),
        ("Aerospace", "aerospace"),
    ],
)
def test_normalise_industry(given: str | None, expected: str | None) -> None:
    assert normalise_industry(given) == expected


@pytest.mark.parametrize("job_type", JOB_TYPES)
def test_job_type_templates(job_type: str) -> None:
    model = load_preset(job_type=job_type)
    weights = model.normalised_weights()
    assert sum(weights.values()) == pytest.approx(1.0)
    assert 5 <= len(weights) <= 8
    assert all(0 <= d.required_level <= 10 for d in model.dimensions)
    # Round trip: a preset is a plain model that can be stored and reloaded.
    assert model_from_dict(model_to_dict(model), require_bilingual=True) == model


def test_templates_choose_what_the_job_needs() -> None:
    technical = load_preset(job_type="technical")
    assert technical.dimension_ids[:3] == ("technical_depth", "coding", "problem_solving")
    production = load_preset(job_type="production")
    assert production.industry == "manufacturing"
    assert production.dimension("safety_awareness").required_level == 8
    # Production defaults to the manufacturing reading of communication.
    assert production.dimension("communication").indicators[0].id.startswith("communication.mfg.")
    sales = load_preset(job_type="sales")
    assert "customer_orientation" in sales.dimension_ids
    assert "leadership" in load_preset(job_type="management").dimension_ids


def test_explicit_industry_overrides_template_default() -> None:
    model = load_preset(job_type="production", industry="retail")
    assert model.industry == "retail"
    assert model.dimension("communication").indicators[0].id == "communication.structure"


def test_ids_with_job_type_take_template_weights_where_given() -> None:
    model = load_preset(["coding", "integrity"], job_type="technical")
    assert model.dimension("coding").weight == 20
    assert model.dimension("integrity").weight == 10  # the competency's default
    assert model.id == "preset-technical-internet"


def test_default_preset_is_the_general_template() -> None:
    model = load_preset()
    assert model.id == "preset-other"
    assert model.dimension_ids == tuple(
        e["id"] for e in next(t for t in list_job_types() if t["id"] == "other")["competencies"]
    )


def test_custom_selection_uses_default_weights() -> None:
    model = load_preset(["leadership", "innovation"])
    assert model.id == "preset-custom"
    assert model.dimension("leadership").weight == 15
    assert model.dimension("leadership").required_level == 7
    assert model.normalised_weights()["leadership"] == pytest.approx(15 / 23)


def test_bad_selection_reports_every_problem() -> None:
    with pytest.raises(ModelError) as info:
        load_preset(["nope", "teamwork", "teamwork"], job_type="pilot")
    locations = [e.location for e in info.value.errors]
    assert locations == ["job_type", "competency_ids[0]", "competency_ids[2]"]


def test_empty_selection_is_an_error() -> None:
    with pytest.raises(ModelError):
        load_preset([])


def test_list_presets_and_job_types() -> None:
    entries = {e["id"]: e for e in list_presets()}
    assert entries["communication"]["industries"] == ["internet", "manufacturing"]
    assert entries["customer_orientation"]["industries"] == ["retail", "services"]
    assert entries["communication"]["name"] == {
        "zh": "沟通表达",
        "en": "Communication",
        "ja": "コミュニケーション",
    }
    job_types = list_job_types()
    assert [t["id"] for t in job_types] == list(JOB_TYPES)
    for template in job_types:
        assert sum(c["weight"] for c in template["competencies"]) == 100


def test_aliases_recognise_company_names() -> None:
    aliases = competency_aliases()
    assert "沟通能力" in aliases["communication"]
    assert "团队合作" in aliases["teamwork"]
    assert "customer focus" in aliases["customer_orientation"]
    # No name may point at two competencies.
    owners: dict[str, str] = {}
    for ident, names in aliases.items():
        for name in names:
            assert owners.setdefault(name, ident) == ident, name
