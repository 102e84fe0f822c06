"""Opening and hiring-request pages: forms, errors in both languages, role checks."""

from __future__ import annotations

import re

from sqlalchemy import select

from hireflow.openings.models import HiringRequest, Opening
from tests.conftest import login
from tests.openings.factories import make_opening


def _lang(client, language: str) -> None:
    client.post("/lang", data={"lang": language, "next": "/"})


def test_create_edit_and_open_an_opening_through_the_pages(client, session, org):
    login(client, org.users["recruiter"])
    _lang(client, "zh-CN")
    form = client.get("/openings/new")
    assert form.status_code == 200 and "新建岗位" in form.text
    missing = client.post("/openings", data={"title": "", "department_id": org.departments[0].id})
    assert missing.status_code == 422 and "此项为必填项" in missing.text
    created = client.post(
        "/openings",
        data={
            "title": "设备工程师",
            "department_id": org.departments[0].id,
            "job_type": "production",
            "language": "zh-CN",
            "region": "cn",
            "description": "负责设备改造",
            "education": "bachelor",
            "years": "3",
            "skills": "PLC，AutoCAD",
            "pass_threshold": "7.5",
            "headcount": "2",
            "interviewer_ids": str(org.users["interviewer"].id),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    opening = session.get(Opening, int(url.rsplit("/", 1)[1]))
    assert opening.requirements["skills"] == ["PLC", "AutoCAD"] and opening.pass_threshold == 7.5
    assert set(opening.member_ids("owner")) == {org.users["recruiter"].id}
    detail = client.get(url)
    assert "设备工程师" in detail.text and "安全意识" in detail.text and "草稿" in detail.text
    edit = client.get(f"{url}/edit")
    assert 'value="设备工程师"' in edit.text
    saved = client.post(
        f"{url}/edit",
        data={
            "title": "高级设备工程师",
            "department_id": org.departments[0].id,
            "job_type": "production",
            "language": "zh-CN",
            "region": "cn",
            "owner_ids": str(org.users["recruiter"].id),
            "pass_threshold": "7",
            "headcount": "2",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    opened = client.post(f"{url}/status", data={"status": "open"}, follow_redirects=False)
    assert opened.status_code == 303
    session.expire_all()
    assert session.get(Opening, opening.id).status == "open"
    assert session.get(Opening, opening.id).title == "高级设备工程师"


def test_rule_errors_show_their_position_in_both_languages(client, session, org):
    opening = make_opening(session, org)
    login(client, org.users["recruiter"])
    for language, message, where in (
        ("zh-CN", "语法错误", "第 1 行第 21 列"),
        ("en", "syntax error", "line 1, column 21"),
    ):
        _lang(client, language)
        page = client.post(
            f"/openings/{opening.id}/rules",
            data={
                "text": "years_experience >= >= 3",
                "kind": "knockout",
                "weight": "1",
                "name": "",
            },
        )
        assert page.status_code == 422
        assert message in page.text and where in page.text
        assert "^" in page.text  # the caret under the error
    built = client.post(
        f"/openings/{opening.id}/rules/build",
        data={"min_education": "bachelor", "majors": "机械工程", "min_years": "3"},
    )
    assert built.status_code == 200
    assert "education &gt;= &#34;bachelor&#34; and major in" in built.text
    text = re.search(r'<textarea name="text"[^>]*>([^<]+)</textarea>', built.text).group(1)
    saved = client.post(
        f"/openings/{opening.id}/rules",
        data={
            "text": text.replace("&#34;", '"').replace("&gt;", ">"),
            "kind": "knockout",
            "weight": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    session.expire_all()
    assert (
        session.get(Opening, opening.id)
        .screening_rules[0]["text"]
        .startswith('education >= "bachelor"')
    )


def test_model_page_and_dictionary_upload(client, session, org):
    from pathlib import Path

    opening = make_opening(session, org)
    login(client, org.users["hr_admin"])
    _lang(client, "en")
    page = client.get(f"/openings/{opening.id}/model")
    assert page.status_code == 200 and "Rating anchors" in page.text
    chosen = client.post(
        f"/openings/{opening.id}/model",
        data={"source": "competencies", "competencies": ["leadership", "teamwork"]},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    path = (
        Path(__file__).resolve().parent.parent
        / "data"
        / "scoring"
        / "dictionaries"
        / "bad_values.csv"
    )
    bad = client.post(
        f"/openings/{opening.id}/model/dictionary",
        files={"dictionary": ("bad_values.csv", path.read_bytes(), "text/csv")},
    )
    assert bad.status_code == 422 and "row" in bad.text
    session.expire_all()
    assert [d["id"] for d in session.get(Opening, opening.id).competency_model["dimensions"]] == [
        "leadership",
        "teamwork",
    ]


def test_roles_on_the_pages(client, session, org):
    opening = make_opening(session, org)
    login(client, org.users["interviewer"])
    page = client.get(f"/openings/{opening.id}")
    assert page.status_code == 200 and f"/openings/{opening.id}/edit" not in page.text
    assert client.get(f"/openings/{opening.id}/edit").status_code == 403
    assert client.get("/openings/new").status_code == 403
    assert client.get("/hiring-requests").status_code == 403


def test_hiring_request_pages(client, session, org):
    login(client, org.users["hiring_manager"])
    _lang(client, "zh-CN")
    assert "新建招聘申请" in client.get("/hiring-requests/new").text
    submitted = client.post(
        "/hiring-requests",
        data={
            "title": "质量工程师",
            "department_id": org.departments[0].id,
            "job_type": "production",
            "headcount": "1",
            "region": "cn",
            "language": "zh-CN",
            "dimensions": ["safety_awareness", "problem_solving"],
        },
        follow_redirects=False,
    )
    assert submitted.status_code == 303, submitted.text
    url = submitted.headers["location"]
    page = client.get(url)
    assert "已提交" in page.text and "安全意识" in page.text and "approve-form" not in page.text
    request_id = int(url.rsplit("/", 1)[1])
    login(client, org.users["hr_admin"])
    review = client.get(url)
    assert "approve-form" in review.text and "return-form" in review.text
    empty = client.post(f"{url}/return", data={"comment": ""})
    assert empty.status_code == 422
    returned = client.post(
        f"{url}/return", data={"comment": "请写清到岗时间"}, follow_redirects=False
    )
    assert returned.status_code == 303
    # A request decided already is refused with the refusal's own status, as the API answers.
    again = client.post(f"{url}/return", data={"comment": "再退一次"})
    assert again.status_code == 409
    session.expire_all()
    assert session.get(HiringRequest, request_id).status == "returned"
    assert "请写清到岗时间" in client.get(url).text
    listing = client.get("/hiring-requests?status=returned")
    assert "质量工程师" in listing.text
    assert session.scalars(select(HiringRequest).where(HiringRequest.id == request_id)).one()


def test_a_returned_request_is_changed_and_sent_again_on_its_page(client, session, org):
    login(client, org.users["hiring_manager"])
    url = client.post(
        "/hiring-requests",
        data={
            "title": "工艺工程师",
            "department_id": org.departments[0].id,
            "job_type": "production",
            "headcount": "1",
            "region": "cn",
            "language": "zh-CN",
            "dimensions": ["safety_awareness"],
        },
        follow_redirects=False,
    ).headers["location"]
    login(client, org.users["hr_admin"])
    client.post(f"{url}/return", data={"comment": "补充职责"})
    login(client, org.users["hiring_manager"])
    page = client.get(url)
    assert page.status_code == 200 and "resubmit-form" in page.text and "补充职责" in page.text
    assert 'value="safety_awareness" checked' in page.text
    again = client.post(
        url,
        data={
            "title": "工艺工程师",
            "department_id": org.departments[0].id,
            "job_type": "production",
            "headcount": "2",
            "region": "cn",
            "language": "zh-CN",
            "description": "负责工艺改进",
            "dimensions": ["safety_awareness", "problem_solving"],
        },
        follow_redirects=False,
    )
    assert again.status_code == 303
    session.expire_all()
    row = session.get(HiringRequest, int(url.rsplit("/", 1)[1]))
    assert (
        row.status == "submitted"
        and row.headcount == 2
        and row.dimensions == ["safety_awareness", "problem_solving"]
    )


def test_the_opening_page_agrees_with_its_plan_and_names_internal_values(client, session, org):
    opening = make_opening(
        session,
        org,
        description="负责后端服务开发，使用 Go 和 MySQL，参与微服务架构设计。",
        requirements={"skills": ["Go", "MySQL"]},
    )
    login(client, org.users["hr_admin"])
    _lang(client, "zh-CN")
    assert client.post(
        f"/openings/{opening.id}/model", data={"source": "job_type", "job_type": "technical"}
    ).status_code in (200, 303)
    page = client.get(f"/openings/{opening.id}")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    generated = client.post(
        f"/api/v1/openings/{opening.id}/plan",
        json={"budget_minutes": 30},
        headers={"X-CSRF-Token": token},
    )
    assert generated.status_code == 200, generated.text
    count = len(generated.json()["interview_plan"]["items"])
    page = client.get(f"/openings/{opening.id}").text
    listed = page.split('id="plan-questions"', 1)[1].split("</ol>", 1)[0].count("<li>")
    assert f"{count} 道题" in page and listed == count
    assert "中国大陆 (CN)" in page and "数据存储区域:</b> cn" not in page
    model = client.get(f"/openings/{opening.id}/model").text
    assert "preset-technical" not in model and "行业: internet" not in model
    assert "互联网" in model
    plan = client.get(f"/openings/{opening.id}/plan").text
    assert "岗位描述提到" not in plan and "“使用”" not in plan and "销售额" not in plan
    assert "考察「" in plan


def test_hr_adds_a_coding_question_from_the_bank_to_the_plan(client, session, org):
    opening = make_opening(session, org, description="负责后端服务开发，使用 Python。")
    login(client, org.users["hr_admin"])
    _lang(client, "zh-CN")
    page = client.get(f"/openings/{opening.id}")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    assert (
        client.post(
            f"/api/v1/openings/{opening.id}/plan",
            json={"budget_minutes": 30},
            headers={"X-CSRF-Token": token},
        ).status_code
        == 200
    )
    plan_page = client.get(f"/openings/{opening.id}/plan").text
    assert 'id="add-coding-form"' in plan_page and "逆序对计数" in plan_page
    form = {"csrf_token": token, "action": "add_coding", "coding_id": "pair-sum"}
    added = client.post(f"/openings/{opening.id}/plan/edit", data=form, follow_redirects=False)
    assert added.status_code == 303
    session.expire_all()
    items = session.get(Opening, opening.id).interview_plan["items"]
    question = next(i["question"] for i in items if i["question"]["id"] == "coding-pair-sum")
    assert question["kind"] == "technical" and "coding:pair-sum" in question["tags"]
    assert question["text"]["zh"] and question["text"]["en"]
    assert question["key_points"]["zh"] and question["key_points"]["en"]
    # bad input: twice, or a question the bank does not have, is refused with a message
    again = client.post(f"/openings/{opening.id}/plan/edit", data=form)
    assert again.status_code == 422 and "已在面试方案中" in again.text
    unknown = client.post(
        f"/openings/{opening.id}/plan/edit", data={**form, "coding_id": "no-such-question"}
    )
    assert unknown.status_code == 422 and "请从题库中选择一道编程题" in unknown.text
    session.expire_all()
    assert len(session.get(Opening, opening.id).interview_plan["items"]) == len(items)


def test_a_title_of_spaces_is_refused_on_the_title_in_both_languages(client, session, org):
    """Spaces only are no title: the form says it is required, on the title, in the reader's
    language, and keeps what was typed; before, the plan generator refused it with an English
    internal text about the competency model."""
    login(client, org.users["recruiter"])
    for language, words in (("zh-CN", "此项为必填项"), ("en", "This field is required.")):
        _lang(client, language)
        answer = client.post(
            "/openings",
            data={
                "title": "   ",
                "department_id": org.departments[0].id,
                "description": "负责设备改造",
                "generate_plan": "on",
            },
        )
        assert answer.status_code == 422 and words in answer.text
        assert "负责设备改造" in answer.text
    assert session.scalars(select(Opening).where(Opening.tenant_id == org.tenant.id)).all() == []
    opening = make_opening(session, org)
    edited = client.post(
        f"/openings/{opening.id}/edit",
        data={"title": " \t ", "department_id": org.departments[0].id},
    )
    assert edited.status_code == 422 and "This field is required." in edited.text
    session.refresh(opening)
    assert opening.title.strip()
    trimmed = client.post(
        "/openings",
        data={"title": "  设备工程师 ", "department_id": org.departments[0].id},
        follow_redirects=False,
    )
    assert trimmed.status_code == 303
    assert session.get(Opening, int(trimmed.headers["location"].rsplit("/", 1)[1])).title == (
        "设备工程师"
    )


def test_the_opening_page_names_its_industry_with_the_page_s_colon(client, session, org):
    opening = make_opening(session, org, requirements={"industry": "retail", "skills": ["Excel"]})
    login(client, org.users["hr_admin"])
    for language, expected in (("zh-CN", "行业</b>：零售"), ("en", "Industry</b>: Retail")):
        _lang(client, language)
        page = client.get(f"/openings/{opening.id}").text
        assert expected in page, language
        assert "</b>: retail" not in page and "</b>：retail" not in page
    # Chinese text never has a half-width colon after a label
    _lang(client, "zh-CN")
    page = client.get(f"/openings/{opening.id}").text
    assert not re.search(r"[\u4e00-\u9fff](</b>)?: ", page)
