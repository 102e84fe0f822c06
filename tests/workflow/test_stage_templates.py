"""Stage templates per job family (SPEC H1/H2): a company's template for a family is what a new
opening of that family starts with (and copies at its first move); other families keep the
company's list; bad input is refused with the field; only HR admins edit them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, ValidationFailed
from hireflow.workflow import schemas, service, stage_templates, stages
from hireflow.workflow.service import MoveRequest
from tests.conftest import bearer, login, make_org
from tests.workflow.factories import apply, make_opening, principal

SALES = {
    "stages": [
        {"key": "new", "kind": "applied", "name": {"zh": "新投递", "en": "New"}},
        {"key": "call", "kind": "interview", "name": {"zh": "电话沟通", "en": "Call"}},
        {"key": "role_play", "kind": "interview", "name": {"zh": "情景演练", "en": "Role play"}},
        {"key": "offer", "kind": "offer", "name": {"zh": "录用", "en": "Offer"}},
        {"key": "no", "kind": "rejected", "name": {"zh": "不合适", "en": "Not a fit"}},
    ]
}


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def hr(session, org):
    return principal(session, org, "hr_admin")


def _opening(session, org, family: str):
    opening = make_opening(session, org)
    opening.job_type = family
    session.flush()
    return opening


def _keys(found) -> list[str]:
    return [s.key for s in found]


def test_a_new_opening_of_the_family_starts_with_its_template(session, org, hr):
    company = _keys(stages.company_stages(session, org.tenant.id))
    saved = stage_templates.set_template(
        session, hr, "sales", schemas.StageListIn.model_validate(SALES)
    )
    assert saved.custom and _keys(saved.stages) == ["new", "call", "role_play", "offer", "no"]
    sales = _opening(session, org, "sales")
    technical = _opening(session, org, "technical")
    assert _keys(stages.opening_stages(session, sales)) == _keys(saved.stages)
    assert _keys(stages.opening_stages(session, technical)) == company
    listed = {t.family: t for t in stage_templates.templates(session, hr)}
    assert listed["sales"].custom and not listed["technical"].custom
    assert _keys(listed["technical"].stages) == company

    # the first move copies the family's stages; later template edits leave the opening alone
    application = apply(session, org, sales)
    service.move(session, hr, application.id, MoveRequest(to="call", version=0))
    changed = {"stages": [SALES["stages"][0], SALES["stages"][1], SALES["stages"][4]]}
    stage_templates.set_template(session, hr, "sales", schemas.StageListIn.model_validate(changed))
    assert "role_play" in _keys(stages.opening_stages(session, sales))
    assert _keys(stages.opening_stages(session, _opening(session, org, "sales"))) == [
        "new",
        "call",
        "no",
    ]

    # removing the template sends the family's new openings back to the company's list
    removed = stage_templates.remove_template(session, hr, "sales")
    assert not removed.custom and _keys(removed.stages) == company
    actions = set(
        session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("pipeline.family_stages_%"))
        )
    )
    assert actions == {"pipeline.family_stages_set", "pipeline.family_stages_removed"}


def test_bad_templates_are_refused(session, org, hr):
    def refused(family: str, body: dict) -> dict[str, str]:
        with pytest.raises(ValidationFailed) as caught:
            stage_templates.set_template(
                session, hr, family, schemas.StageListIn.model_validate(body)
            )
        return caught.value.fields

    assert refused("astronauts", SALES) == {"family": "unknown"}
    no_rejection = {"stages": SALES["stages"][:4]}
    assert refused("sales", no_rejection) == {"stages": "rejected"}
    closing_first = {"stages": [SALES["stages"][4], *SALES["stages"][:4]]}
    assert refused("sales", closing_first) == {"stages": "first"}
    repeated = {"stages": [*SALES["stages"], SALES["stages"][1]]}
    assert refused("sales", repeated) == {"stages": "duplicate"}
    with pytest.raises(Forbidden):
        stage_templates.set_template(
            session,
            principal(session, org, "recruiter"),
            "sales",
            schemas.StageListIn.model_validate(SALES),
        )
    assert not stage_templates.template(session, hr, "sales").custom


def test_the_api(client, session, org):
    session.commit()
    url = "/api/v1/workflow/stage-templates"
    headers = bearer(client, org.users["hr_admin"])
    put = client.put(url, json={"family": "sales", **SALES}, headers=headers)
    assert put.status_code == 200, put.text
    assert put.json()["custom"] is True and put.json()["family"] == "sales"
    assert [s["key"] for s in put.json()["stages"]] == ["new", "call", "role_play", "offer", "no"]
    listed = client.get(url, headers=headers).json()
    assert [t["family"] for t in listed] == [
        "technical",
        "sales",
        "management",
        "production",
        "customer_service",
        "other",
    ]
    sales = next(t for t in listed if t["family"] == "sales")
    assert sales["custom"] and sales["label"] and sales["stages"][1]["label"] == "Call"

    def refused(body: dict) -> str:
        response = client.put(url, json=body, headers=headers)
        assert response.status_code == 422, response.text
        return response.text

    assert "family" in refused({"family": "astronauts", **SALES})
    refused({"stages": SALES["stages"]})  # no family
    refused({"family": "sales", "stages": [{**SALES["stages"][0], "key": "New Stage"}]})
    no_english = [{**SALES["stages"][0], "name": {"zh": "新"}}, *SALES["stages"][1:]]
    refused({"family": "sales", "stages": no_english})
    recruiter = bearer(client, org.users["recruiter"])
    assert client.put(url, json={"family": "sales", **SALES}, headers=recruiter).status_code == 403
    assert client.get(url, headers=recruiter).status_code == 403
    deleted = client.delete(url, params={"family": "sales"}, headers=headers)
    assert deleted.status_code == 200 and deleted.json()["custom"] is False
    assert client.delete(url, params={"family": "x"}, headers=headers).status_code == 422
    # another company's template is its own
    other = make_org(session)
    session.commit()
    theirs = bearer(client, other.users["hr_admin"])
    assert client.put(url, json={"family": "sales", **SALES}, headers=theirs).status_code == 200
    mine = {t["family"]: t["custom"] for t in client.get(url, headers=headers).json()}
    assert mine["sales"] is False


def test_the_page_saves_refuses_and_removes_a_template(client, session, org):
    session.commit()
    login(client, org.users["hr_admin"])
    page = client.get("/workflow/stage-templates?family=sales")
    assert page.status_code == 200 and 'data-family="sales" data-custom="0"' in page.text
    assert 'id="uses-company-list"' in page.text
    form = {
        "family": "sales",
        "stage_key": ["new", "call", "no", ""],
        "stage_kind": ["applied", "interview", "rejected", "applied"],
        "stage_zh": ["新投递", "电话沟通", "不合适", ""],
        "stage_en": ["New", "Call", "Not a fit", ""],
        "stage_ja": ["", "", "", ""],
    }
    saved = client.post("/workflow/stage-templates", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/workflow/stage-templates?family=sales&saved=1"
    page = client.get("/workflow/stage-templates?family=sales")
    assert 'data-custom="1"' in page.text and 'value="电话沟通"' in page.text
    # a list without a rejection stage, a missing English name, an unknown family: 422
    no_rejection = {**form, "stage_key": ["new", "call", "", ""]}
    bad = client.post("/workflow/stage-templates", data=no_rejection)
    assert bad.status_code == 422 and 'id="template-error"' in bad.text
    no_english = {**form, "stage_en": ["New", "", "Not a fit", ""]}
    assert client.post("/workflow/stage-templates", data=no_english).status_code == 422
    unknown = client.post("/workflow/stage-templates", data={**form, "family": "astronauts"})
    assert unknown.status_code == 422
    assert stage_templates.template(session, principal(session, org, "hr_admin"), "sales").custom
    removed = client.post(
        "/workflow/stage-templates/remove", data={"family": "sales"}, follow_redirects=False
    )
    assert removed.status_code == 303
    page = client.get("/workflow/stage-templates?family=sales")
    assert 'data-custom="0"' in page.text
    login(client, org.users["recruiter"])
    assert client.get("/workflow/stage-templates").status_code == 403
