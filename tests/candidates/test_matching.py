"""Matching (SPEC C4) and portraits (SPEC C5): the pure functions and the recommendations."""

from __future__ import annotations

import pytest

from hireflow.candidates import matching, service
from hireflow.candidates.matching import OpeningNeeds
from hireflow.scoring.models import list_job_types
from tests.conftest import bearer
from tests.openings.factories import en_resume, make_opening, txt_resume

PROFILE = {
    "name": "王芳",
    "highest_degree": "bachelor",
    "years_experience": 6.0,
    "years_by_industry": {"manufacturing": 6.0},
    "skills": ["AutoCAD", "PLC"],
    "education": [{"school": "浙江大学", "degree": "bachelor", "major": "机械工程"}],
    "work": [{"company": "苏州精密机械", "title": "机械工程师", "industry": "manufacturing"}],
}


def test_requirement_fit_explains_each_part():
    needs = OpeningNeeds(
        title="机械工程师",
        min_degree="master",
        years=4,
        skills=("PLC", "SolidWorks"),
        majors=("机械工程",),
        industry="manufacturing",
    )
    part = matching.requirement_fit(PROFILE, needs)
    # education one step below (0.5), years met (1), skills half (0.5), major (1), industry (1)
    assert part.score == pytest.approx((0.5 + 1 + 0.5 + 1 + 1) / 5)
    texts = [r["en"] for r in part.reasons]
    assert texts[0] == "education Bachelor (requires Master)" and part.reasons[0]["ok"] is False
    assert "missing SolidWorks" in texts[2]
    assert matching.requirement_fit(PROFILE, OpeningNeeds(title="x")).score is None


def test_combine_leaves_out_parts_without_data():
    needs = OpeningNeeds(title="x", years=3, weights={"communication": 1, "teamwork": 1})
    without = matching.match(1, PROFILE, needs, None, {})
    assert without.percent == 100.0  # only the fit exists
    with_all = matching.match(1, PROFILE, needs, 0.35, {"communication": 6.0, "teamwork": 8.0})
    # 0.5 × 1 + 0.3 × 0.5 + 0.2 × 0.7, over 1.0
    assert with_all.percent == pytest.approx(100 * (0.5 + 0.15 + 0.14), abs=0.1)
    assert any("past interviews" in r["en"] for r in with_all.reasons)
    other_dims = matching.interview_part({"coding": 9}, {"communication": 1})
    assert other_dims.score is None


def test_portrait_strengths_and_roles():
    scores = {
        "customer_orientation": 8.8,
        "communication": 8.1,
        "stress_tolerance": 7.0,
        "coding": 4.0,
    }
    profile = {
        "name": "周静",
        "years_experience": 4,
        "years_by_industry": {"retail": 4},
        "work": [{"title": "客服专员"}],
        "skills": ["CRM"],
    }
    result = matching.portrait(profile, scores, list_job_types())
    assert result.suits[0]["job_type"] == "customer_service"
    assert result.strengths[0]["zh"].startswith("客户导向")
    assert result.development[0]["en"].startswith("Coding")
    assert "周静" in result.summary["zh"]
    empty = matching.portrait({"name": "X"}, {}, list_job_types())
    assert empty.suits == [] and "Not enough" in empty.summary["en"]


@pytest.mark.slow
def test_recommendations_rank_the_pool_with_reasons(client, session, org, regional):
    source = make_opening(session, org)
    importer = service.Importer("tests", org.tenant.id)
    mech = service.intake_file(session, importer, source.id, "a.txt", txt_resume())
    sales = service.intake_file(
        session,
        importer,
        source.id,
        "b.txt",
        txt_resume(
            name="周静",
            email="zhou@example.com",
            phone="13700002222",
            school="四川大学",
            major="市场营销",
            company="成都百货有限公司",
            title="销售代表",
            skills="CRM",
        ),
    )
    engineer = service.intake_file(session, importer, source.id, "c.txt", en_resume())
    target = make_opening(
        session,
        org,
        title="设备工程师",
        description="负责生产线设备的设计、改进和自动化改造，熟悉 PLC 与 AutoCAD。",
        requirements={
            "education": "bachelor",
            "years": 3,
            "skills": ["PLC", "AutoCAD"],
            "industry": "制造业",
        },
    )
    response = client.get(
        f"/api/v1/openings/{target.id}/matches", headers=bearer(client, org.users["recruiter"])
    )
    assert response.status_code == 200, response.text
    rows = response.json()
    assert rows[0]["candidate_id"] == mech.candidate_id
    assert rows[0]["percent"] > max(r["percent"] for r in rows[1:])
    assert rows[0]["semantic"] is not None and rows[0]["fit"] > 0.9
    assert any("PLC" in r["zh"] for r in rows[0]["reasons"])
    assert {r["candidate_id"] for r in rows} >= {sales.candidate_id, engineer.candidate_id} - {None}
    # the pool for an opening a recruiter does not own is not theirs to browse
    foreign = make_opening(session, org, 2, owner=False)
    assert (
        client.get(
            f"/api/v1/openings/{foreign.id}/matches", headers=bearer(client, org.users["recruiter"])
        ).status_code
        == 404
    )


PM_PROFILE = {
    "name": "Alex Chen",
    "as_of": "2025-06-30",
    "years_experience": 8.6,
    "years_by_industry": {"internet": 8.6},
    "work": [
        {"title": "Senior Product Manager", "start": "2019", "is_current": True},
        {"title": "Product Manager", "start": "2016-06", "end": "2018-12"},
    ],
}
GENERAL_SCORES = {"communication": 7.8, "problem_solving": 7.2, "teamwork": 7.0}


@pytest.mark.parametrize("scores", [{}, GENERAL_SCORES])
def test_a_product_manager_is_not_suggested_for_technical_or_people_management(scores):
    result = matching.portrait(PM_PROFILE, scores, list_job_types())
    assert result.suits[0]["job_type"] == "product"
    kinds = {s["job_type"] for s in result.suits}
    assert not kinds & {"technical", "management", "production", "customer_service"}
    assert "产品类" in result.summary["zh"] and "Product Manager" in result.summary["en"]
    assert all(s["why"]["zh"] and s["why"]["en"] for s in result.suits)


def test_general_interview_scores_alone_suggest_no_job():
    """Communication and teamwork say nothing about which job someone should do."""
    result = matching.portrait(
        {"name": "X"}, {**GENERAL_SCORES, "learning_agility": 8}, list_job_types()
    )
    assert result.suits == []


@pytest.mark.parametrize(
    ("title", "industry", "families"),
    [
        ("Senior Product Manager", None, ["product"]),
        ("产品经理", None, ["product"]),
        ("Key Account Manager, DACH", None, ["sales"]),
        ("Sales Engineer", None, ["sales"]),
        ("研发经理", None, ["technical", "management"]),
        ("Engineering Manager", None, ["technical", "management"]),
        ("机械工程师", "manufacturing", ["technical", "production"]),
        ("高级后端工程师", "internet", ["technical"]),
        ("项目经理", None, ["project"]),
        ("客服专员", None, ["customer_service"]),
        ("总经理", None, ["management"]),
    ],
)
def test_job_families_read_titles_not_keywords(title, industry, families):
    assert matching.job_families(title, industry) == families
