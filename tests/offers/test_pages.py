"""The offer pages over HTTP: settings forms, the offer page's refusals, onboarding, in both
languages, and who may open what."""

from __future__ import annotations

from html import escape

from sqlalchemy import select

from hireflow.core.settings import get_settings
from hireflow.offers import portal, schemas
from hireflow.offers.models import Employee, OfferTemplate, OnboardingTask
from tests.conftest import login
from tests.offers.factories import make_offer, sent_offer


def _sign_out(client) -> None:
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)


def _visit(client, url: str, language: str = "en"):
    """Open a page as a visitor and keep its CSRF token for the forms that follow."""
    page = client.get(url, headers={"Accept-Language": language})
    token = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    client.headers["X-CSRF-Token"] = token
    return page


def test_templates_are_made_and_refused_with_field_errors(client, session, org):
    login(client, org.users["hr_admin"])
    page = client.get("/offers/settings")
    assert page.status_code == 200 and "Approval chain" in page.text
    form = {
        "name": "Sales offer",
        "salary": "300000",
        "currency": "CNY",
        "salary_period": "year",
        "probation_months": "6",
        "required_documents": ["id_card", "photo"],
        "location": "Shenzhen",
        "body_zh": "亲爱的 {name}：",
        "body_en": "Dear {name},",
        "valid_days": "10",
        "active": "yes",
    }
    saved = client.post("/offers/templates", data=form, follow_redirects=False)
    assert saved.status_code == 303
    row = session.scalars(select(OfferTemplate).where(OfferTemplate.name == "Sales offer")).one()
    assert row.salary_period == "year" and row.required_documents == ["id_card", "photo"]
    missing = client.post("/offers/templates", data={**form, "body_en": ""})
    assert missing.status_code == 422 and 'role="alert"' in missing.text
    negative = client.post("/offers/templates", data={**form, "salary": "-5"})
    assert negative.status_code == 422
    chain = client.post(
        "/offers/settings",
        data={"manager_approval": "yes", "salary_band": "40000", "band_currency": "CNY"},
        follow_redirects=False,
    )
    assert chain.status_code == 303


def test_the_offer_page_in_chinese_refuses_sending_a_draft(client, session, org):
    offer = make_offer(session, org, name="周杰")
    hr = org.users["hr_admin"]
    hr.language = "zh-CN"
    session.commit()
    login(client, hr)
    page = client.get(f"/applications/{offer.application_id}/offer")
    assert page.status_code == 200
    assert "周杰 的录用通知" in page.text and "草稿" in page.text and "提交审批" in page.text
    refused = client.post(f"/offers/{offer.id}/send")
    assert refused.status_code == 409  # the refusal keeps its status (a draft is not sendable)
    assert "只有已批准的录用通知才能发送" in refused.text and "“草稿”" in refused.text
    listed = client.get("/offers")
    assert listed.status_code == 200 and "周杰" in listed.text


def test_the_candidates_page_refuses_a_wrong_name_then_accepts(client, session, org):
    _offer, token = sent_offer(session, org, name="Ma Lin", language="en")
    page = _visit(client, f"/offer/{token}")
    assert page.status_code == 200 and "Accept the offer" in page.text
    wrong = client.post(
        f"/offer/{token}/answer",
        data={"answer": "accept", "typed_name": "Someone"},
        headers={"Accept-Language": "en"},
    )
    assert wrong.status_code == 422 and "exactly as it appears on the offer (Ma Lin)" in wrong.text
    bad_file = client.post(
        f"/offer/{token}/documents",
        data={"kind": "id_card"},
        files={"file": ("id.exe", b"MZ\x90\x00", "application/octet-stream")},
        headers={"Accept-Language": "en"},
    )
    assert bad_file.status_code == 422 and "PDF, JPEG or PNG" in bad_file.text
    accepted = client.post(
        f"/offer/{token}/answer",
        data={"answer": "accept", "typed_name": "ma lin"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    again = client.post(
        f"/offer/{token}/answer",
        data={"answer": "accept", "typed_name": "Ma Lin"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert again.status_code == 409 and "不能再次答复" in again.text
    short = client.post(f"/offer/{token}/password", data={"password": "short"})
    assert short.status_code == 422
    chosen = client.post(
        f"/offer/{token}/password", data={"password": "Long-enough-42"}, follow_redirects=False
    )
    assert chosen.status_code == 303
    twice = client.post(f"/offer/{token}/password", data={"password": "Another-one-42"})
    assert twice.status_code == 409


def test_onboarding_pages_by_role(client, session, org):
    offer, _ = sent_offer(session, org, name="Gao Yuan")
    portal.answer(
        session, get_settings(), offer, schemas.AnswerIn(accept=True, typed_name="Gao Yuan"), "x"
    )
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
    login(client, org.users["it_auditor"])
    mine = client.get("/onboarding")
    assert mine.status_code == 200 and "Gao Yuan" in mine.text
    assert "Open e-mail, office and door accounts" in mine.text
    assert "Complete the induction training" not in mine.text  # HR's task, not IT's
    assert client.get(f"/people/{employee.person_id}/onboarding").status_code == 403
    _sign_out(client)
    login(client, org.users["hiring_manager"])
    checklist = client.get(f"/people/{employee.person_id}/onboarding")
    assert checklist.status_code == 200 and employee.employee_number in checklist.text
    _sign_out(client)
    login(client, org.users["interviewer"])
    assert client.get("/onboarding").status_code == 403
    assert client.get(f"/applications/{offer.application_id}/offer").status_code == 403


def test_the_record_shows_the_offer_steps_in_words(client, session, org):
    offer, _ = sent_offer(session, org, name="Tang Wei")
    portal.answer(
        session, get_settings(), offer, schemas.AnswerIn(accept=True, typed_name="Tang Wei"), "x"
    )
    hr = org.users["hr_admin"]
    hr.language = "zh-CN"
    session.commit()
    login(client, hr)
    page = client.get(f"/records/{offer.candidate_id}")
    assert page.status_code == 200
    for words in ("候选人的录用链接", "录用通知状态", "已接受", "签名摘要", "入职", "工号"):
        assert words in page.text, words
    for code in ("offer_portal", "offer_status", "statement_sha256", "offer-portal"):
        assert code not in page.text, code


def test_the_checklist_editor_saves_refuses_and_new_hires_get_the_new_checklist(
    client, session, org
):
    hr = org.users["hr_admin"]
    hr.language = "zh-CN"
    session.commit()
    login(client, hr)
    settings_page = client.get("/offers/settings")
    assert 'href="/offers/settings/checklist"' in settings_page.text
    page = client.get("/offers/settings/checklist")
    assert (
        page.status_code == 200 and "入职清单" in page.text and "期限（距入职日天数）" in page.text
    )
    form = {
        "item_key": ["laptop", "badge", ""],
        "item_category": ["equipment", "accounts", "accounts"],
        "item_owner": ["it", "hr", "it"],
        "item_due_days": ["-3", "0", "0"],
        "item_title_zh": ["准备笔记本电脑", "办理门禁卡", ""],
        "item_title_en": ["Prepare the laptop", "Issue the badge", ""],
    }
    saved = client.post("/offers/settings/checklist", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get("/offers/settings/checklist?done=saved")
    assert 'id="checklist-saved"' in page.text and 'value="办理门禁卡"' in page.text
    # refused, the form keeps what was typed: no English title, a repeated key, a due day
    # outside -60..180, an unknown owner
    for bad in (
        {**form, "item_title_en": ["Prepare the laptop", "", ""]},
        {**form, "item_key": ["laptop", "laptop", ""]},
        {**form, "item_due_days": ["-3", "400", "0"]},
        {**form, "item_owner": ["it", "janitor", "it"]},
        {**form, "item_key": ["", "", ""]},
    ):
        refused = client.post("/offers/settings/checklist", data=bad)
        assert refused.status_code == 422 and 'role="alert"' in refused.text, bad
    page = client.get("/offers/settings/checklist")
    assert page.text.count('name="item_key" value="') == 3  # two saved rows and the empty one
    # a person hired now gets the saved checklist
    _offer, token = sent_offer(session, org, name="王芳")
    opened = portal.open_offer(session, get_settings(), token)
    portal.answer(
        session, get_settings(), opened, schemas.AnswerIn(accept=True, typed_name="王芳"), "::1"
    )
    employee = session.scalars(select(Employee).where(Employee.offer_id == _offer.id)).one()
    keys = set(
        session.scalars(select(OnboardingTask.key).where(OnboardingTask.employee_id == employee.id))
    )
    assert keys == {"laptop", "badge"}
    login(client, org.users["recruiter"])
    assert client.get("/offers/settings/checklist").status_code == 403


def test_a_letter_without_its_english_text_is_explained_in_the_readers_language(
    client, session, org
):
    login(client, org.users["hr_admin"])
    form = {"name": "Sales offer", "salary": "300000", "body_zh": "亲爱的 {name}：", "body_en": ""}
    for language, words in (
        ("zh-CN", "录用通知书正文需要中文和英文两个版本。"),
        ("en", "The offer letter needs its text in Chinese and in English."),
    ):
        client.post("/lang", data={"lang": language, "next": "/"})
        refused = client.post("/offers/templates", data=form)
        assert refused.status_code == 422 and escape(words) in refused.text
        assert "(zh)" not in refused.text
    assert (
        session.scalars(select(OfferTemplate).where(OfferTemplate.name == "Sales offer")).all()
        == []
    )
