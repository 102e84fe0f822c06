"""Two people are never merged silently (SPEC C1): a resume merges on its own only when the
identity evidence agrees; otherwise HR decides with both sides shown; every merge is
audited and can be undone."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from hireflow.candidates.models import Application, Candidate, CandidateMerge, CandidateResume
from hireflow.core.audit import AuditEntry
from tests.conftest import bearer, login, make_org, make_user
from tests.openings.factories import make_opening, txt_resume

PHONE = "13712345678"


def _upload(client, headers, opening_id, data: bytes, name: str):
    response = client.post(
        f"/api/v1/openings/{opening_id}/resumes",
        files=[("files", (name, data, "text/plain"))],
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_a_known_phone_with_another_name_and_email_is_proposed_not_merged(
    client, session, org, regional
):
    opening = make_opening(session, org)
    second = make_opening(session, org)
    recruiter = bearer(client, org.users["recruiter"])
    first = _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="王芳", email="wf@example.cn", phone=PHONE),
        "a.txt",
    )
    other = _upload(
        client,
        recruiter,
        second.id,
        txt_resume(name="李强", email="lq@example.cn", phone=PHONE, school="复旦大学"),
        "b.txt",
    )
    # two people: the new resume did not rename or re-parse the one on file
    assert other["candidate_id"] != first["candidate_id"] and not other["merged"]
    kept = session.get(Candidate, first["candidate_id"])
    session.refresh(kept)
    assert kept.name == "王芳" and kept.profile["email"] == "wf@example.cn"
    hr = bearer(client, org.users["hr_admin"])
    listed = client.get("/api/v1/candidate-merges?status=proposed", headers=hr)
    assert listed.status_code == 200, listed.text
    (proposal,) = [m for m in listed.json() if m["survivor"]["id"] == first["candidate_id"]]
    assert proposal["matched_by"] == "phone"
    assert set(proposal["conflict"]) == {"name", "email"} and proposal["agree"] == ["phone"]
    assert proposal["survivor"]["name"] == "王芳" and proposal["other"]["name"] == "李强"
    assert proposal["other"]["email"] == "lq@example.cn"

    # HR decides they are one person after all: merged, audited, and reversible
    accepted = client.post(f"/api/v1/candidate-merges/{proposal['id']}/accept", headers=hr)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "merged"
    session.expire_all()
    assert _count(session, Application, Application.candidate_id == first["candidate_id"]) == 2
    assert (
        _count(session, CandidateResume, CandidateResume.candidate_id == first["candidate_id"]) == 2
    )
    assert session.get(Candidate, other["candidate_id"]).merged_into_id == first["candidate_id"]
    assert _count(session, AuditEntry, AuditEntry.action == "candidate.merge_accepted") == 1
    again = client.post(f"/api/v1/candidate-merges/{proposal['id']}/accept", headers=hr)
    assert again.status_code == 409

    undone = client.post(f"/api/v1/candidate-merges/{proposal['id']}/undo", headers=hr)
    assert undone.status_code == 200 and undone.json()["status"] == "undone", undone.text
    session.expire_all()
    assert _count(session, Application, Application.candidate_id == first["candidate_id"]) == 1
    assert _count(session, Application, Application.candidate_id == other["candidate_id"]) == 1
    separate = session.get(Candidate, other["candidate_id"])
    assert separate.merged_into_id is None and separate.name == "李强"
    assert session.get(Candidate, first["candidate_id"]).name == "王芳"
    assert _count(session, AuditEntry, AuditEntry.action == "candidate.merge_undone") == 1


def test_agreeing_evidence_merges_automatically_and_can_be_undone(client, session, org, regional):
    opening = make_opening(session, org)
    second = make_opening(session, org)
    recruiter = bearer(client, org.users["recruiter"])
    first = _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="赵敏", email="zm@example.cn", phone=PHONE),
        "a.txt",
    )
    again = _upload(
        client,
        recruiter,
        second.id,
        txt_resume(name="赵敏", email="zm@example.cn", phone=PHONE, title="高级机械工程师"),
        "b.txt",
    )
    assert again["candidate_id"] == first["candidate_id"] and again["merged"]
    merge = session.scalars(
        select(CandidateMerge).where(CandidateMerge.survivor_id == first["candidate_id"])
    ).one()
    assert merge.automatic and merge.status == "merged"
    assert set(merge.evidence["agree"]) >= {"name", "email", "phone"}

    hr = bearer(client, org.users["hr_admin"])
    undone = client.post(f"/api/v1/candidate-merges/{merge.id}/undo", headers=hr)
    assert undone.status_code == 200, undone.text
    split_off = undone.json()["other"]
    assert split_off and split_off["id"] != first["candidate_id"]
    session.expire_all()
    assert _count(session, Application, Application.candidate_id == split_off["id"]) == 1
    assert _count(session, Application, Application.candidate_id == first["candidate_id"]) == 1
    moved = session.scalars(
        select(CandidateResume).where(CandidateResume.candidate_id == split_off["id"])
    ).one()
    assert "高级机械工程师" in moved.text


def test_reject_keeps_two_people_and_decisions_are_scoped(client, session, org, regional):
    opening = make_opening(session, org)
    recruiter = bearer(client, org.users["recruiter"])
    _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="孙悦", email="sy@example.cn", phone=PHONE),
        "a.txt",
    )
    _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="周杰", email="zj@example.cn", phone=PHONE),
        "b.txt",
    )
    merge = session.scalars(select(CandidateMerge).where(CandidateMerge.status == "proposed")).one()
    # another company's HR and a role without candidates.manage cannot see or decide it
    stranger = make_org(session)
    outsider = bearer(client, stranger.users["hr_admin"])
    assert (
        client.post(f"/api/v1/candidate-merges/{merge.id}/accept", headers=outsider).status_code
        == 404
    )
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/candidate-merges", headers=interviewer).status_code in (403, 404)
    hr = bearer(client, org.users["hr_admin"])
    rejected = client.post(f"/api/v1/candidate-merges/{merge.id}/reject", headers=hr)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert client.post(f"/api/v1/candidate-merges/{merge.id}/undo", headers=hr).status_code == 409
    assert client.post("/api/v1/candidate-merges/999999/accept", headers=hr).status_code == 404


def test_the_duplicates_page_shows_both_sides_in_both_languages(client, session, org, regional):
    opening = make_opening(session, org)
    recruiter = bearer(client, org.users["recruiter"])
    _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="吴迪", email="wd@example.cn", phone=PHONE),
        "a.txt",
    )
    _upload(
        client,
        recruiter,
        opening.id,
        txt_resume(name="郑爽", email="zs@example.cn", phone=PHONE),
        "b.txt",
    )
    login(client, org.users["hr_admin"])
    home = client.get("/")
    assert 'href="/candidate-merges"' in home.text
    page = client.get("/candidate-merges")
    assert page.status_code == 200
    assert "Possible duplicates" in page.text and "吴迪" in page.text and "郑爽" in page.text
    assert "wd@example.cn" in page.text and "zs@example.cn" in page.text
    # each side's heading: its label, the page's colon, the person
    assert re.search(r'<h3>[^<]+: <a href="/candidates/', page.text)
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    zh = client.get("/candidate-merges").text
    assert re.search(r'<h3>[^<]+：<a href="/candidates/', zh), zh
    assert not re.search(r"<h3>[^<]+: <a", zh)
    client.post("/lang", data={"lang": "en", "next": "/"})
    merge = session.scalars(select(CandidateMerge).where(CandidateMerge.status == "proposed")).one()
    decided = client.post(f"/candidate-merges/{merge.id}/reject", follow_redirects=False)
    assert decided.status_code == 303
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, make_user(session, org.tenant, "hr_admin", language="zh-CN"))
    chinese = client.get("/candidate-merges?done=reject")
    assert chinese.status_code == 200 and "疑似重复" in chinese.text and "吴迪" in chinese.text
