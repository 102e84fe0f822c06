"""Candidate pages: upload with a per-file result table, the whole picture, corrections, the
pool with filters and saved searches."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core.audit import AuditEntry
from tests.conftest import login
from tests.openings.factories import RESUMES, en_resume, make_opening, txt_resume

RULE = {"text": 'education >= "bachelor" and years_in_industry("manufacturing") >= 3'}


def _lang(client, language: str) -> None:
    client.post("/lang", data={"lang": language, "next": "/"})


def test_upload_page_reports_each_file(client, session, org, regional):
    opening = make_opening(session, org, rules=[RULE])
    login(client, org.users["recruiter"])
    _lang(client, "zh-CN")
    form = client.get(f"/openings/{opening.id}/upload")
    assert form.status_code == 200 and 'type="file"' in form.text
    page = client.post(
        f"/openings/{opening.id}/upload",
        files=[
            ("files", ("wang.txt", txt_resume(), "text/plain")),
            ("files", ("scan.pdf", b"%PDF-1.4 broken", "application/pdf")),
            ("files", ("empty.docx", b"", "application/octet-stream")),
            ("files", ("en.pdf", (RESUMES / "006_en_table.pdf").read_bytes(), "application/pdf")),
        ],
    )
    assert page.status_code == 200, page.text
    assert "已接收 2 份，拒绝 2 份" in page.text
    assert 'data-code="pdf_corrupt"' in page.text and 'data-code="file_empty"' in page.text
    assert "PDF 文件已损坏" in page.text and "文件为空" in page.text
    assert "王芳" in page.text and "通过" in page.text
    _lang(client, "en")
    nothing = client.post(
        f"/openings/{opening.id}/upload", files=[("other", ("x.txt", b"x", "text/plain"))]
    )
    assert nothing.status_code == 422 and "Choose at least one file" in nothing.text


def test_candidate_page_shows_parse_next_to_the_original_and_keeps_corrections(
    client, session, org, regional
):
    opening = make_opening(session, org, rules=[RULE])
    login(client, org.users["hr_admin"])
    _lang(client, "zh-CN")
    client.post(
        f"/openings/{opening.id}/upload",
        files=[("files", ("wang.txt", txt_resume(degree="大专"), "text/plain"))],
    )
    candidate = session.scalars(select(Candidate).where(Candidate.tenant_id == org.tenant.id)).one()
    page = client.get(f"/candidates/{candidate.id}")
    assert page.status_code == 200
    text = page.text
    assert 'id="resume-text"' in text and "负责生产线设备的设计与改进" in text  # the original text
    assert 'name="edu-0-school" value="浙江大学"' in text  # the parsed fields, editable
    assert "不通过" in text or "rejected" in text or "淘汰" in text
    assert "人才画像" in text and "时间线" in text
    corrected = client.post(
        f"/candidates/{candidate.id}/profile",
        data={
            "name": "王芳",
            "email": "wang.fang@example.com",
            "phone": "+8613812345678",
            "location": "苏州",
            "years_experience": str(candidate.years_experience),
            "skills": ", ".join(candidate.profile["skills"]),
            "edu-0-school": "浙江大学",
            "edu-0-degree": "本科",
            "edu-0-major": "机械工程",
            "edu-0-start": "2012-09",
            "edu-0-end": "2016-06",
            "edu-1-school": "",
            **{
                f"work-0-{k}": v
                for k, v in {
                    "company": candidate.profile["work"][0]["company"],
                    "title": candidate.profile["work"][0]["title"],
                    "start": candidate.profile["work"][0]["start"],
                    "end": "至今",
                    "description": candidate.profile["work"][0]["description"],
                }.items()
            },
        },
        follow_redirects=False,
    )
    assert corrected.status_code == 303, corrected.text
    session.expire_all()
    candidate = session.get(Candidate, candidate.id)
    assert set(candidate.corrections) == {"education"}  # only what changed
    assert candidate.profile["highest_degree"] == "bachelor"
    assert candidate.applications[0].screening_status == "passed"
    again = client.get(f"/candidates/{candidate.id}?corrected=1")
    assert "已修改" in again.text
    viewed = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "candidate.viewed", AuditEntry.target_id == str(candidate.id)
        )
    ).all()
    assert len(viewed) >= 2


def test_pool_page_filters_and_saved_searches(client, session, org, regional):
    opening = make_opening(session, org)
    login(client, org.users["hr_admin"])
    _lang(client, "en")
    client.post(
        f"/openings/{opening.id}/upload",
        files=[
            ("files", ("wang.txt", txt_resume(), "text/plain")),
            ("files", ("emily.txt", en_resume(), "text/plain")),
        ],
    )
    page = client.get("/candidates", params={"q": "Python", "min_education": "master"})
    assert page.status_code == 200
    assert "Emily Carter" in page.text and "王芳" not in page.text and "1 candidates" in page.text
    assert client.get("/candidates", params={"q": "机械"}).text.count("/candidates/") >= 1
    bad = client.get("/candidates", params={"min_years": "lots"})
    assert bad.status_code == 200 and "Enter a number" in bad.text
    saved = client.post(
        "/candidates/searches",
        data={"name": "Python masters", "q": "Python", "min_education": "master"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    listing = client.get("/candidates")
    assert "Python masters" in listing.text
    search_id = int(listing.text.split("/candidates/searches/")[1].split("/")[0])
    assert (
        client.post(f"/candidates/searches/{search_id}/delete", follow_redirects=False).status_code
        == 303
    )
    assert "Python masters" not in client.get("/candidates").text


def test_who_sees_the_pool_pages(client, session, org, regional):
    login(client, org.users["it_auditor"])
    assert client.get("/candidates").status_code == 403
    login(client, org.users["candidate"])
    assert client.get("/candidates").status_code == 403
    assert client.get("/me").status_code == 200


def test_the_portrait_names_the_person_when_the_resume_gave_no_name(client, session, org, regional):
    """A profile without a name (not read from the resume, or cleared on correction): the
    portrait's sentence still starts with the person's name, not with nothing."""
    opening = make_opening(session, org)
    login(client, org.users["hr_admin"])
    client.post(
        f"/openings/{opening.id}/upload",
        files=[("files", ("wang.txt", txt_resume(), "text/plain"))],
    )
    candidate = session.scalars(select(Candidate).where(Candidate.tenant_id == org.tenant.id)).one()
    candidate.profile = {
        k: v for k, v in candidate.profile.items() if k not in ("name", "work", "education")
    }
    session.commit()
    for language, start in (("zh-CN", f"{candidate.name}的信息"), ("en", "Not enough is known")):
        _lang(client, language)
        page = client.get(f"/candidates/{candidate.id}").text
        summary = page.split('id="portrait"', 1)[1].split("</b>", 1)[0].split("<b>", 1)[1]
        assert summary.startswith(start) and candidate.name in summary, summary
