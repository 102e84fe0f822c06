"""Data residency follows the owning company (SPEC G5): every region default comes from it.

A company created in the EU gets EU subsidiaries, openings, hiring requests, records and
files without anyone choosing "eu" again; every stored byte is checked to be under
``storage/eu``. A region the installation does not store data in is refused clearly: an
upload with 409 and a message that says what to configure, a download with the same code,
never a server error or a contradictory "must be stored in eu; storing to eu refused".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hireflow.candidates.models import CandidateResume
from hireflow.core.permissions import Role
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.org import service as org_service
from hireflow.org.models import Department
from hireflow.records.models import Attachment, PersonRecord
from hireflow.records.storage import override_storage
from tests.conftest import bearer, make_user, unique
from tests.openings.factories import txt_resume

REGIONS = ("cn", "eu", "us", "sg")


@pytest.fixture
def all_regions(tmp_path: Path):
    storage = RegionalStorage({r: LocalStorage(tmp_path / r) for r in REGIONS})
    with override_storage(storage):
        yield tmp_path


def _eu_company(session):
    tenant = org_service.create_tenant(session, unique("EU GmbH"), unique("eu"), region="eu")
    hr = make_user(session, tenant, Role.HR_ADMIN.value)
    return tenant, hr


def _files_under(root: Path) -> dict[str, list[Path]]:
    return {r: [p for p in (root / r).rglob("*") if p.is_file()] for r in REGIONS}


def test_every_object_of_an_eu_company_lands_in_eu(client, session, all_regions):
    _tenant, hr = _eu_company(session)
    headers = bearer(client, hr)
    subsidiary = client.post("/api/v1/org/subsidiaries", json={"name": "Berlin"}, headers=headers)
    assert subsidiary.status_code == 201, subsidiary.text
    assert subsidiary.json()["region"] == "eu"
    department = client.post(
        "/api/v1/org/departments",
        json={"subsidiary_id": subsidiary.json()["id"], "name": "Engineering"},
        headers=headers,
    )
    assert department.status_code == 201, department.text
    opening = client.post(
        "/api/v1/openings",
        json={"title": "Backend Engineer", "department_id": department.json()["id"]},
        headers=headers,
    )
    assert opening.status_code == 201, opening.text
    assert opening.json()["region"] == "eu"
    manager = make_user(
        session,
        hr.tenant,
        Role.HIRING_MANAGER.value,
        department=session.get(Department, department.json()["id"]),
    )
    request = client.post(
        "/api/v1/hiring-requests",
        json={"title": "Data Engineer", "department_id": department.json()["id"]},
        headers=bearer(client, manager),
    )
    assert request.status_code == 201, request.text
    assert request.json()["region"] == "eu"
    opening_id = opening.json()["id"]
    client.post(f"/api/v1/openings/{opening_id}/status", json={"status": "open"}, headers=headers)
    upload = client.post(
        f"/api/v1/openings/{opening_id}/resumes",
        files=[("files", ("anna.txt", txt_resume(name="Anna Weber"), "text/plain"))],
        headers=headers,
    )
    assert upload.status_code == 200, upload.text
    person_id = upload.json()["results"][0]["candidate_id"]
    document = client.post(
        f"/api/v1/records/{person_id}/attachments",
        files={"file": ("contract.pdf", b"%PDF-1.4 signed contract", "application/pdf")},
        data={"kind": "document"},
        headers=headers,
    )
    assert document.status_code == 201, document.text
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person_id)).one()
    assert record.region == "eu"
    attachments = session.scalars(select(Attachment).where(Attachment.person_id == person_id)).all()
    assert len(attachments) == 2 and {a.region for a in attachments} == {"eu"}
    files = _files_under(all_regions)
    assert len(files["eu"]) == 2, "the resume and the document are stored under storage/eu"
    assert not files["cn"] and not files["us"] and not files["sg"], files


def test_an_unconfigured_region_is_refused_clearly(client, session, tmp_path):
    _tenant, hr = _eu_company(session)
    headers = bearer(client, hr)
    everywhere = RegionalStorage({r: LocalStorage(tmp_path / r) for r in REGIONS})
    with override_storage(everywhere):
        subsidiary = client.post(
            "/api/v1/org/subsidiaries", json={"name": "Paris"}, headers=headers
        ).json()
        department = client.post(
            "/api/v1/org/departments",
            json={"subsidiary_id": subsidiary["id"], "name": "Sales"},
            headers=headers,
        ).json()
        opening = client.post(
            "/api/v1/openings",
            json={"title": "Account Manager", "department_id": department["id"]},
            headers=headers,
        ).json()
        client.post(
            f"/api/v1/openings/{opening['id']}/status", json={"status": "open"}, headers=headers
        )
        stored = client.post(
            f"/api/v1/openings/{opening['id']}/resumes",
            files=[("files", ("marie.txt", txt_resume(name="Marie Dubois"), "text/plain"))],
            headers=headers,
        )
        assert stored.status_code == 200 and stored.json()["accepted"] == 1, stored.text
    person_id = stored.json()["results"][0]["candidate_id"]
    resume = session.scalars(
        select(CandidateResume).where(CandidateResume.candidate_id == person_id)
    ).one()

    # the installation stops storing in the EU: only China is configured
    with override_storage(RegionalStorage({"cn": LocalStorage(tmp_path / "cn")})):
        refused = client.post(
            f"/api/v1/records/{person_id}/attachments",
            files={"file": ("offer.pdf", b"%PDF-1.4 offer", "application/pdf")},
            data={"kind": "document"},
            headers=headers,
        )
        assert refused.status_code == 409, refused.text
        text = refused.text
        assert "eu" in text and "HIREFLOW_STORAGE_REGIONS" in text
        assert "region_not_configured" in text and "refused" not in text
        download = client.get(
            f"/api/v1/records/attachments/{resume.attachment_id}/content", headers=headers
        )
        assert download.status_code == 409, download.text
        assert "region_not_configured" in download.text and "eu" in download.text
        # nothing went to the one configured region instead
        assert not [p for p in (tmp_path / "cn").rglob("*") if p.is_file()]


def test_a_recording_for_an_unconfigured_region_is_refused_before_upload(session, org, tmp_path):
    from hireflow.core.errors import AppError
    from hireflow.interviews import candidate, schemas, uploads
    from tests.interviews.factories import TAB, make_setup, started

    setup = make_setup(session, org)  # a Chinese opening: the person's data belongs in cn
    with override_storage(RegionalStorage({"eu": LocalStorage(tmp_path / "eu")})):
        interview = started(session, setup)
        qid = interview.questions[0]["id"]
        candidate.open_question(session, interview, qid, TAB)
        with pytest.raises(AppError) as refused:
            uploads.start_upload(
                session,
                interview,
                qid,
                schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/ogg", size=10),
            )
    assert refused.value.status == 409 and refused.value.code == "region_not_configured"
    assert "cn" in str(refused.value) and "refused" not in str(refused.value)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_playback_from_an_unconfigured_region_is_refused_clearly(session, org, tmp_path):
    """A recording kept in a region the installation no longer reaches: 409, never a 500."""
    from hireflow.core.errors import AppError
    from hireflow.interviews import hr as interview_hr
    from hireflow.interviews.models import InterviewAnswer
    from hireflow.org.auth import principal_for
    from tests.interviews.factories import make_setup, started

    setup = make_setup(session, org)
    interview = started(session, setup)
    answer = InterviewAnswer(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        question_id=interview.questions[0]["id"],
        mode="voice",
    )
    session.add(answer)
    answer.media_key, answer.media_region = "interviews/1/answer.ogg", "eu"
    answer.media_wrapped_key, answer.media_type, answer.media_size = "unused", "audio/ogg", 10
    session.flush()
    only_cn = override_storage(RegionalStorage({"cn": LocalStorage(tmp_path / "cn")}))
    with only_cn, pytest.raises(AppError) as refused:
        interview_hr.open_answer_media(
            session, principal_for(org.users["recruiter"]), interview.id, answer.id
        )
    assert refused.value.status == 409 and refused.value.code == "region_not_configured"
    assert "eu" in str(refused.value) and "HIREFLOW_STORAGE_REGIONS" in str(refused.value)
