"""Calibration through the JSON API (SPEC F4): versions with their agreement figures, fitting,
switching on and off, empty versions refused, roles and tenants, and a report that names only
the competencies the calibration changed."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.core.db import utcnow
from hireflow.interviews import sessions
from hireflow.interviews.models import InterviewReport, ScoreAdjustment
from hireflow.scoring.report import Report
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import (  # noqa: F401 - fixtures
    make_setup,
    queue_fixture,
    scored_interview,
    storage_fixture,
)

BASE = "/api/v1/interview-calibrations"


def _scored(session, db, org):
    return scored_interview(session, db, org)[1]


def _harsh_adjustments(session, org, dimension_id: str, count: int = 24) -> None:
    """HR scores this competency about three points below the AI, on ``count`` interviews."""
    for i in range(count):
        interview = sessions.ensure_session(session, make_setup(session, org).invitation)
        ai = 4.0 + (i % 6)
        session.add(
            ScoreAdjustment(
                tenant_id=org.tenant.id,
                interview_id=interview.id,
                dimension_id=dimension_id,
                ai_score=ai,
                hr_score=ai - 3.0,
                reason="HR is stricter",
                features={},
                created_at=utcnow(),
            )
        )
    session.commit()


def test_calibration_api(client, session, db, org, queue, storage):
    hr = bearer(client, org.users["hr_admin"])
    assert client.get(BASE, headers=hr).json() == []
    # with no adjustments the version fits nothing and cannot be switched on
    empty = client.post(BASE, headers=hr, json={})
    assert empty.status_code == 201, empty.text
    empty = empty.json()
    assert empty["dimensions"] == {} and empty["can_activate"] is False and not empty["active"]
    refused = client.post(f"{BASE}/{empty['id']}/activate", headers=hr)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "calibration_empty"
    assert client.get(f"{BASE}/{empty['id']}", headers=hr).json()["active"] is False

    first = _scored(session, db, org)
    ai = Report.from_json(
        session.scalars(
            select(InterviewReport.body).where(InterviewReport.interview_id == first.id)
        ).one()
    )
    assessed = [d for d in ai.dimensions if d.assessed]
    target = max(assessed, key=lambda d: (d.score, d.id))
    _harsh_adjustments(session, org, target.id)
    fitted = client.post(BASE, headers=hr, json={"method": "isotonic"})
    assert fitted.status_code == 201
    fitted = fitted.json()
    assert fitted["version"] == empty["version"] + 1 and fitted["can_activate"]
    assert list(fitted["dimensions"]) == [target.id]
    figures = fitted["dimensions"][target.id]
    assert figures["n"] == 24 and figures["after"]["mae"] < figures["before"]["mae"]
    listed = client.get(BASE, headers=hr).json()
    assert [v["version"] for v in listed] == [fitted["version"], empty["version"]]

    on = client.post(f"{BASE}/{fitted['id']}/activate", headers=hr)
    assert on.status_code == 200 and on.json()["active"] is True
    # the empty version still cannot replace it
    assert client.post(f"{BASE}/{empty['id']}/activate", headers=hr).status_code == 409
    assert client.get(f"{BASE}/{fitted['id']}", headers=hr).json()["active"] is True

    # a new interview is scored with it: the report names only what the calibration changed
    second = _scored(session, db, org)
    detail = client.get(f"/api/v1/interviews/{second.id}", headers=hr).json()
    assert detail["calibrated_dimensions"] == [target.id]
    dims = {d["id"]: d for d in detail["report"]["dimensions"]}
    assert dims[target.id]["calibrated"] and dims[target.id]["score"] < dims[target.id]["raw_score"]
    assert not any(d["calibrated"] for key, d in dims.items() if key != target.id)
    assert detail["report"]["calibration"]["version"] == str(fitted["version"])
    login(client, org.users["hr_admin"])
    page = client.get(f"/interviews/{second.id}").text
    names = page.split('id="calibrated"', 1)[1].split("</p>", 1)[0]
    other_names = [d.name for d in assessed if d.id != target.id]
    assert any(v in names for v in target.name.values())
    assert not any(v in names for name in other_names for v in name.values())

    off = client.post(f"{BASE}/{fitted['id']}/deactivate", headers=hr)
    assert off.status_code == 200 and off.json()["active"] is False


def test_calibration_api_roles_tenants_and_bad_input(client, session, db, org):
    hr = bearer(client, org.users["hr_admin"])
    version = client.post(BASE, headers=hr, json={}).json()
    assert client.post(BASE, headers=hr, json={"method": "magic"}).status_code == 422
    assert client.get(f"{BASE}/999999", headers=hr).status_code == 404
    assert client.post(f"{BASE}/999999/activate", headers=hr).status_code == 404
    for role in ("recruiter", "hiring_manager", "interviewer", "it_auditor"):
        headers = bearer(client, org.users[role])
        assert client.get(BASE, headers=headers).status_code == 403, role
        assert client.post(BASE, headers=headers, json={}).status_code == 403, role
        assert client.post(f"{BASE}/{version['id']}/deactivate", headers=headers).status_code == 403
    stranger = bearer(client, make_org(session).users["hr_admin"])
    assert client.get(f"{BASE}/{version['id']}", headers=stranger).status_code == 404
    assert client.post(f"{BASE}/{version['id']}/deactivate", headers=stranger).status_code == 404
    assert [v["id"] for v in client.get(BASE, headers=stranger).json()] == []
    assert client.get(BASE).status_code == 401


def test_calibration_page_refuses_an_empty_version(client, session, db, org):
    login(client, org.users["hr_admin"])
    assert client.post("/interviews-calibration", follow_redirects=False).status_code == 303
    page = client.get("/interviews-calibration").text
    assert "empty-version" in page
    version = client.get(BASE, headers=bearer(client, org.users["hr_admin"])).json()[0]
    refused = client.post(f"/interviews-calibration/{version['id']}/activate", data={"active": "1"})
    assert refused.status_code == 409 and 'id="calibration-error"' in refused.text
