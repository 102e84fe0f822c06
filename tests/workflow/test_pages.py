"""The pipeline pages: board, form moves (single and bulk), settings, and who sees what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hireflow.workflow.models import CompanyStage, PipelinePosition
from tests.conftest import login, make_org
from tests.workflow.factories import apply, make_opening


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def opening(session, org):
    return make_opening(session, org)


def _column_of(html: str, application_id: int) -> str:
    """The stage key of the column holding the card of ``application_id``."""
    position = html.index(f'data-application="{application_id}"')
    return re.findall(r'<section class="column" data-stage="(\w+)"', html[:position])[-1]


def test_board_shows_columns_cards_and_moves_by_form(client, session, org, opening):
    first = apply(session, org, opening, name="Zhao Lei")
    second = apply(session, org, opening, name="Sun Yue")
    session.commit()
    login(client, org.users["hr_admin"])
    page = client.get(f"/openings/{opening.id}/pipeline")
    assert page.status_code == 200
    assert "Zhao Lei" in page.text and "Interview round 1" in page.text
    assert _column_of(page.text, first.id) == "applied"
    assert 'class="secondary small move-open"' in page.text
    moved = client.post(
        f"/openings/{opening.id}/pipeline/move",
        data={"application_id": first.id, "version": 0, "to": "round_1"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    page = client.get(moved.headers["location"])
    assert _column_of(page.text, first.id) == "round_1" and 'id="moved-notice"' in page.text
    stale = client.post(
        f"/openings/{opening.id}/pipeline/move",
        data={"application_id": first.id, "version": 0, "to": "offer"},
    )
    # The board shows the conflict with the refusal's own status, as the API answers.
    assert stale.status_code == 409 and "Someone else moved this candidate" in stale.text
    no_reason = client.post(
        f"/openings/{opening.id}/pipeline/move",
        data={"application_id": second.id, "version": 0, "to": "rejected"},
    )
    assert no_reason.status_code == 422
    assert "A rejection needs a reason" in no_reason.text
    bulk = client.post(
        f"/openings/{opening.id}/pipeline/bulk",
        data={"items": [f"{first.id}:1", f"{second.id}:0"], "bulk_to": "offer"},
        follow_redirects=False,
    )
    assert bulk.status_code == 303 and "moved=2" in bulk.headers["location"]
    keys = session.scalars(
        select(PipelinePosition.stage_key).where(PipelinePosition.opening_id == opening.id)
    ).all()
    assert sorted(keys) == ["offer", "offer"]
    empty = client.post(f"/openings/{opening.id}/pipeline/bulk", data={"bulk_to": "offer"})
    assert empty.status_code == 422


def test_board_filters_and_overview(client, session, org, opening):
    apply(session, org, opening, name="Zhao Lei")
    apply(session, org, opening, name="Sun Yue")
    session.commit()
    login(client, org.users["recruiter"])
    page = client.get(f"/openings/{opening.id}/pipeline?q=zhao&min_match=&min_days=x")
    assert "Zhao Lei" in page.text and "Sun Yue" not in page.text
    overview = client.get("/pipeline")
    assert opening.title in overview.text


def test_interviewer_sees_the_board_without_moving(client, session, org, opening):
    application = apply(session, org, opening, name="Zhou Jing")
    session.commit()
    login(client, org.users["interviewer"])
    page = client.get(f"/openings/{opening.id}/pipeline")
    assert page.status_code == 200 and "Zhou Jing" in page.text
    assert "move-open" not in page.text and "bulk-form" not in page.text
    refused = client.post(
        f"/openings/{opening.id}/pipeline/move",
        data={"application_id": application.id, "version": 0, "to": "screened"},
    )
    assert refused.status_code == 403


def test_other_tenants_and_departments_get_404(client, session, org, opening):
    apply(session, org, opening)
    foreign = make_org(session)
    other_dept = make_opening(session, org, 2, members=False)
    session.commit()
    login(client, foreign.users["hr_admin"])
    assert client.get(f"/openings/{opening.id}/pipeline").status_code == 404
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["hiring_manager"])
    assert client.get(f"/openings/{other_dept.id}/pipeline").status_code == 404
    assert client.get(f"/openings/{opening.id}/pipeline").status_code == 200


def test_settings_page_saves_stages_reasons_and_blind(client, session, org):
    login(client, org.users["hr_admin"])
    page = client.get("/workflow/settings")
    assert page.status_code == 200 and "第一轮面试" in page.text
    saved = client.post(
        "/workflow/settings/stages",
        data={
            "stage_key": ["new", "talk", "no", ""],
            "stage_kind": ["applied", "interview", "rejected", "applied"],
            "stage_zh": ["新", "面谈", "不合适", ""],
            "stage_en": ["New", "Talk", "No", ""],
            "stage_ja": ["", "", "", ""],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    keys = session.scalars(
        select(CompanyStage.key)
        .where(CompanyStage.tenant_id == org.tenant.id)
        .order_by(CompanyStage.position)
    ).all()
    assert keys == ["new", "talk", "no"]
    bad = client.post(
        "/workflow/settings/stages",
        data={
            "stage_key": ["new", "talk"],
            "stage_kind": ["applied", "interview"],
            "stage_zh": ["新", "面谈"],
            "stage_en": ["New", "Talk"],
            "stage_ja": ["", ""],
        },
    )
    assert bad.status_code == 422 and "rejected" in bad.text
    missing_name = client.post(
        "/workflow/settings/reasons",
        data={"reason_key": ["x"], "reason_zh": [""], "reason_en": ["X"], "reason_ja": [""]},
    )
    assert missing_name.status_code == 422
    assert "Reason 1 · Chinese name: This field is required." in missing_name.text
    blind = client.post("/workflow/settings/blind", data={}, follow_redirects=False)
    assert blind.status_code == 303
    assert 'name="blind_scorecards" >' in client.get("/workflow/settings").text
    notices = client.post(
        "/workflow/settings/notices",
        data={"notify_stages": ["talk", "no"]},
        follow_redirects=False,
    )
    assert notices.status_code == 303
    text = client.get("/workflow/settings").text
    assert 'value="talk" checked' in text and 'value="new" >' in text
    unknown = client.post("/workflow/settings/notices", data={"notify_stages": ["nowhere"]})
    assert unknown.status_code == 422 and "Unknown stage “nowhere”" in unknown.text
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["recruiter"])
    assert client.get("/workflow/settings").status_code == 403


def test_a_refused_stage_list_names_the_row_and_field_in_chinese(client, session, org):
    hr = org.users["hr_admin"]
    hr.language = "zh-CN"
    session.commit()
    login(client, hr)
    refused = client.post(
        "/workflow/settings/stages",
        data={
            "stage_key": ["new", "Talk"],
            "stage_kind": ["applied", "interview"],
            "stage_zh": ["新", "面谈"],
            "stage_en": ["New", ""],
            "stage_ja": ["", ""],
        },
    )
    assert refused.status_code == 422
    assert "第 2 个阶段 · 标识：请使用小写字母、数字和下划线（_），并以字母开头。" in refused.text
    assert "第 2 个阶段 · 英文名称：此项为必填项。" in refused.text
