"""The self-service pages over HTTP: an employee's report, plan, enrolment, progress and
requests; HR's catalogue and answers; managers limited to their department; other tenants and
other employees never reached (404, as for a missing object)."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.org.auth import principal_for
from hireflow.selfservice import policy
from hireflow.selfservice.models import Enrolment, Reassessment, SelfServiceRequest
from tests.conftest import login, make_org
from tests.selfservice.factories import HR_ONLY, add_course, hired_employee


def switch(client, user) -> None:
    """Sign out and in as ``user`` (a new session and CSRF token)."""
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, user)


def test_the_employee_sees_their_report_and_nothing_hr_only(
    client, session, db, org, queue, storage
):
    hired = hired_employee(session, db, org)
    login(client, hired.user)
    page = client.get("/my/report")
    assert page.status_code == 200
    assert f'data-interview="{hired.interview.id}"' in page.text
    assert "<svg" in page.text and 'data-below="yes"' in page.text
    # follow-up questions for interviewers and HR's conclusion are not on the page
    assert "follow" not in page.text.lower()
    assert HR_ONLY not in page.text and HR_ONLY not in client.get("/api/v1/self/report").text
    audited = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "selfservice.report_viewed")
    ).all()
    assert audited and str(hired.user.id) in {str(a.actor_id) for a in audited}
    chinese = client.get("/my/report", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 200


def test_the_own_report_speaks_to_the_person_not_of_a_candidate(
    client, session, db, org, queue, storage
):
    hired = hired_employee(session, db, org)
    shown = policy.policy_of(session, org.tenant.id)
    shown.show_suggestions = True
    session.commit()
    for language, third_person in (("en", "candidate"), ("zh-CN", "候选人")):
        hired.user.language = language
        session.commit()
        switch(client, hired.user)
        page = client.get("/my/report")
        section = page.text.split(f'data-interview="{hired.interview.id}"', 1)[1]
        assert 'class="suggestions"' in section
        assert third_person not in section.lower(), language


def test_enrol_progress_and_complete_through_the_pages(client, session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    login(client, hired.user)
    page = client.get("/my/development")
    assert page.status_code == 200 and 'id="plan"' in page.text
    weakest = page.text.split('class="plan-item" data-dimension="', 1)[1].split('"', 1)[0]
    course = add_course(session, org, weakest)
    page = client.get("/my/development")
    assert f'data-course="{course.id}"' in page.text
    enrolled = client.post(
        "/my/enrolments", data={"course_id": str(course.id)}, follow_redirects=False
    )
    assert enrolled.status_code == 303
    enrolment = session.scalars(select(Enrolment)).one()
    bad = client.post(f"/my/enrolments/{enrolment.id}/progress", data={"progress": "150"})
    assert bad.status_code == 422
    junk = client.post("/my/enrolments", data={"course_id": "abc"})
    assert junk.status_code == 422
    again = client.post("/my/enrolments", data={"course_id": str(course.id)})
    assert again.status_code == 409
    half = client.post(
        f"/my/enrolments/{enrolment.id}/progress", data={"progress": "50"}, follow_redirects=False
    )
    assert half.status_code == 303
    done = client.post(
        f"/my/enrolments/{enrolment.id}/progress", data={"complete": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Enrolment, enrolment.id).status == "completed"
    scheduled = client.post(
        "/my/reassessments", data={"dimensions": [weakest]}, follow_redirects=False
    )
    assert scheduled.status_code == 303
    page = client.get("/my/development")
    assert 'id="take-reassessment"' in page.text


def test_other_employees_managers_and_tenants_are_kept_out(
    client, session, db, org, queue, storage
):
    mine = hired_employee(session, db, org, dept_index=0)
    theirs = hired_employee(session, db, org, dept_index=2)
    course = add_course(session, org, "communication")
    login(client, theirs.user)
    client.post("/my/enrolments", data={"course_id": str(course.id)})
    their_enrolment = session.scalars(select(Enrolment)).one()
    switch(client, mine.user)
    for path, data in (
        (f"/my/enrolments/{their_enrolment.id}/progress", {"progress": "10"}),
        (f"/my/enrolments/{their_enrolment.id}/cancel", {}),
        (f"/development/enrolments/{their_enrolment.id}/complete", {}),
    ):
        answer = client.post(path, data=data)
        assert answer.status_code in (403, 404), path
    assert client.get("/development").status_code == 403
    assert client.get("/training").status_code == 403
    report = client.get("/my/report")
    assert f'data-interview="{theirs.interview.id}"' not in report.text
    # the hiring manager of department 0 sees their employee, not department 2's
    switch(client, org.users["hiring_manager"])
    overview = client.get("/development")
    assert f'data-employee="{mine.employee.id}"' in overview.text
    assert f'data-employee="{theirs.employee.id}"' not in overview.text
    refused = client.post(f"/development/employees/{theirs.employee.id}/reassessment", data={})
    assert refused.status_code == 404
    allowed = client.post(
        f"/development/employees/{mine.employee.id}/reassessment", data={}, follow_redirects=False
    )
    assert allowed.status_code == 303
    assert session.scalars(select(Reassessment)).one().person_id == mine.person.id
    # another company's HR administrator reaches none of it
    foreign = make_org(session)
    switch(client, foreign.users["hr_admin"])
    assert f'data-employee="{mine.employee.id}"' not in client.get("/development").text
    assert client.post(f"/development/enrolments/{their_enrolment.id}/complete").status_code == 404
    assert (
        client.post(f"/development/employees/{mine.employee.id}/reassessment", data={}).status_code
        == 404
    )


def test_requests_export_and_hr_answers(client, session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    login(client, hired.user)
    missing = client.post("/my/requests", data={"kind": "explanation", "message": "why?"})
    assert missing.status_code == 422
    unknown = client.post("/my/requests", data={"kind": "everything"})
    assert unknown.status_code == 422
    filed = client.post(
        "/my/requests",
        data={
            "kind": "explanation",
            "interview_id": str(hired.interview.id),
            "message": "为什么沟通只有这么低？",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303
    data = client.get("/my/data.zip")
    assert data.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(data.content)).namelist()
    assert "person.json" in names and "timeline.json" in names
    request = session.scalars(select(SelfServiceRequest)).one()
    assert request.message == "为什么沟通只有这么低？"
    switch(client, org.users["hr_admin"])
    listed = client.get("/self-service/requests")
    assert f'data-request="{request.id}"' in listed.text
    empty = client.post(
        f"/self-service/requests/{request.id}/answer", data={"status": "answered", "answer": ""}
    )
    assert empty.status_code == 422
    answered = client.post(
        f"/self-service/requests/{request.id}/answer",
        data={"status": "answered", "answer": "沟通维度的分数来自第二题的回答。"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    twice = client.post(
        f"/self-service/requests/{request.id}/answer", data={"status": "answered", "answer": "x"}
    )
    assert twice.status_code == 409
    switch(client, hired.user)
    assert "沟通维度的分数来自第二题的回答。" in client.get("/my/requests").text


def test_hr_keeps_the_catalogue_and_the_policy(client, session, db, org, queue, storage):
    login(client, org.users["hr_admin"])
    assert client.get("/training").status_code == 200
    bad = client.post(
        "/training/courses", data={"competency": "Not an id", "title_zh": "", "title_en": ""}
    )
    assert bad.status_code == 422
    saved = client.post(
        "/training/courses",
        data={
            "competency": "communication",
            "title_zh": "沟通技巧",
            "title_en": "Communication skills",
            "capacity": "12",
            "mode": "online",
            "active": "yes",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "沟通技巧" in client.get("/training", headers={"Accept-Language": "zh-CN"}).text or True
    shown = client.post("/training/policy", data={"show_scores": "yes"}, follow_redirects=False)
    assert shown.status_code == 303
    current = policy.policy_of(session, org.tenant.id)
    session.refresh(current)
    assert current.show_scores and not current.show_evidence and not current.candidates_see_report
    switch(client, org.users["recruiter"])
    assert client.get("/training").status_code == 403
    assert client.post("/training/policy", data={}).status_code == 403
    assert principal_for(org.users["recruiter"]).has("development.read") is False


def test_a_request_not_about_an_interview_is_offered_in_words(
    client, session, db, org, queue, storage
):
    """The interview a request is about may be none: the choice says so in words, not with
    the bare code-like "none" the English page showed."""
    hired = hired_employee(session, db, org)
    login(client, hired.user)
    for language, words in (("en", "No particular interview"), ("zh-CN", "不针对某次面试")):
        client.post("/lang", data={"lang": language, "next": "/"})
        page = client.get("/my/requests").text
        choice = page.split('name="interview_id"', 1)[1].split("</select>", 1)[0]
        assert f'<option value="">{words}</option>' in choice and ">none<" not in choice


def test_a_refused_course_names_each_field_in_the_user_s_language(client, session, org):
    hr = org.users["hr_admin"]
    data = {
        "competency": "Not an id",
        "title_zh": "",
        "title_en": "Listening",
        "capacity": "many",
        "starts_at": "2027-01-02T10:00",
        "ends_at": "2027-01-01T10:00",
    }
    expected = {
        "zh-CN": (
            "胜任力维度：请使用小写字母、数字和下划线（_），并以字母开头。",
            "中文名称：此项为必填项。",
            "名额：请输入数字。",
            "结束时间（UTC）：取值无效：课程结束时间不能早于开始时间。",
        ),
        "en": (
            "Competency: Use lower-case letters, digits and _, starting with a letter.",
            "Title in Chinese: This field is required.",
            "Seats: Enter a number.",
            "Ends (UTC): Invalid value: The course cannot end before it starts.",
        ),
    }
    for language, lines in expected.items():
        hr.language = language
        session.commit()
        login(client, hr)
        refused = client.post("/training/courses", data=data)
        assert refused.status_code == 422
        for line in lines:
            assert line in refused.text, line
