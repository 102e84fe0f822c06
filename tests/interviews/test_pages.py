"""The interview's pages over HTTP: the candidate's (behind the personal link and the identity
check) and HR's (list, live view, report with radar and playback, FAQ, questions, calibration).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hireflow.interviews import (
    candidate,
    engine_adapter,
    faq,
    hr,
    pipeline,
    schemas,
    sessions,
    uploads,
)
from hireflow.interviews.models import InterviewEvent, InterviewSession, ScoreAdjustment
from tests.conftest import login
from tests.interviews.conftest import DATA
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)


def _relogin(client, user):
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, user)


def _candidate(client, setup):
    """The candidate's browser after the identity check: the access cookie and CSRF header."""
    name, value = setup.cookie
    client.cookies.set(name, value)
    page = client.get(f"/i/{setup.token}/interview")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    client.headers["X-CSRF-Token"] = token
    client.headers["Accept"] = "application/json"
    return page


def test_without_the_identity_check_the_page_sends_the_candidate_to_it(client, session, org):
    setup = make_setup(session, org, verified=False)
    response = client.get(f"/i/{setup.token}/interview", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/i/{setup.token}"
    state = client.get(f"/i/{setup.token}/interview/state", headers={"Accept": "application/json"})
    assert state.status_code == 403 and state.json()["error"]["code"] == "identity_required"


def test_bad_and_expired_links(client, session, org):
    setup = make_setup(session, org)
    assert client.get(f"/i/{setup.token}x/interview").status_code == 404
    assert client.get("/i/not-a-token/interview/state").status_code == 404
    # a live interview invitation is not an AI interview
    setup.invitation.kind = "live"
    session.commit()
    name, value = setup.cookie
    client.cookies.set(name, value)
    assert client.get(f"/i/{setup.token}/interview").status_code == 404


def test_the_notice_comes_first_in_the_candidates_language(client, session, org):
    setup = make_setup(session, org, language="en")
    page = _candidate(client, setup)
    for words in (
        "What is recorded",
        "What is assessed",
        "How AI is used",
        "How long it is kept",
        "assessed by a person instead",
    ):
        assert words in page.text
    assert setup.opening.title in page.text
    assert 'src="/static/interviews/interview.js"' in page.text
    chinese = make_setup(session, org, language="zh-CN")
    client.cookies.clear()
    page = _candidate(client, chinese)
    assert "录" in page.text or "记录" in page.text  # the notice is translated


def test_a_text_interview_through_the_page_routes(client, session, org, queue, storage):
    setup = make_setup(session, org)
    _candidate(client, setup)
    base = f"/i/{setup.token}/interview"
    state = client.post(f"{base}/claim", json={"tab": TAB}).json()
    assert state["consent_needed"] and state["status"] == "verified"
    refused = client.post(f"{base}/questions/{state['questions'][0]['id']}/open", json={"tab": TAB})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_started"
    state = client.post(
        f"{base}/consent",
        json={
            "tab": TAB,
            "recording": True,
            "ai_assessment": True,
            "notice_version": state["notice_version"],
        },
    ).json()
    assert state["status"] == "in_progress" and not state["consent_needed"]
    for question in state["questions"]:
        view = client.post(f"{base}/questions/{question['id']}/open", json={"tab": TAB}).json()
        assert view["started"] and view["remaining_s"] > 0
        saved = client.post(
            f"{base}/questions/{question['id']}/text",
            json={"tab": TAB, "text": ANSWERS_ZH, "final": True},
        )
        assert saved.status_code == 200 and saved.json()["status"] == "answered"
    invalid = client.post(f"{base}/submit", json={"tab": "short"})
    assert invalid.status_code == 400 and "tab" in invalid.json()["error"]["fields"]
    done = client.post(f"{base}/submit", json={"tab": TAB}).json()
    assert done["status"] == "submitted"
    assert queue.names().count("interviews.score_interview") == 1


def test_a_recording_through_the_page_routes_in_chunks(client, session, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    _candidate(client, setup)
    base = f"/i/{setup.token}/interview"
    qid = interview.questions[0]["id"]
    client.post(f"{base}/claim", json={"tab": TAB})
    client.post(f"{base}/questions/{qid}/open", json={"tab": TAB})
    data = (DATA / "en_answer.webm").read_bytes()
    started_upload = client.post(
        f"{base}/questions/{qid}/uploads",
        json={"tab": TAB, "mode": "voice", "content_type": "audio/webm", "size": len(data)},
    )
    assert started_upload.status_code == 201
    token = started_upload.json()["upload_token"]
    half = len(data) // 2
    first = client.put(f"{base}/uploads/{token}?offset=0", content=data[:half])
    assert first.json()["received"] == half
    # a chunk sent at the wrong offset tells the page where to resume
    wrong = client.put(f"{base}/uploads/{token}?offset=0", content=data[:half])
    assert wrong.status_code == 409 and wrong.json()["error"]["fields"] == {"received": str(half)}
    assert client.get(f"{base}/uploads/{token}").json()["received"] == half
    client.put(f"{base}/uploads/{token}?offset={half}", content=data[half:])
    done = client.post(f"{base}/uploads/{token}/complete")
    assert done.status_code == 200 and done.json()["status"] == "answered"
    # a file that is not a recording is refused clearly, in the candidate's language
    other = interview.questions[1]["id"]
    client.post(f"{base}/questions/{other}/open", json={"tab": TAB})
    token = client.post(
        f"{base}/questions/{other}/uploads",
        json={"tab": TAB, "mode": "voice", "content_type": "audio/webm"},
    ).json()["upload_token"]
    bad = client.put(f"{base}/uploads/{token}?offset=0", content=b"MZ\x90\x00 an executable")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "media_not_media"
    assert "录音" in bad.json()["error"]["message"] or "recording" in bad.json()["error"]["message"]


def test_the_candidate_stream_delivers_the_recruiters_question(
    client, session, org, queue, storage
):
    from hireflow.org.auth import principal_for

    setup = make_setup(session, org)
    interview = started(session, setup)
    hr.push_question(
        session,
        principal_for(org.users["recruiter"]),
        interview.id,
        schemas.PushQuestionIn(text="你最骄傲的一个项目是什么？"),
    )
    _candidate(client, setup)
    with client.stream("GET", f"/i/{setup.token}/interview/stream?after=0") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = []
        for line in response.iter_lines():
            lines.append(line)
            if line.startswith("data:") and "question_added" in "".join(lines):
                break
    assert "event: question_added" in lines
    data = next(line for line in lines if line.startswith("data:"))
    assert "你最骄傲的一个项目是什么？" in data
    state = client.get(f"/i/{setup.token}/interview/state").json()
    assert state["questions"][-1]["added_by_hr"] and state["total"] == len(interview.questions)


def test_asking_about_the_job_quotes_or_forwards(client, session, org, queue, storage):
    setup = make_setup(session, org)
    started(session, setup)
    _candidate(client, setup)
    base = f"/i/{setup.token}/interview"
    quoted = client.post(f"{base}/ask", json={"question": "团队有多少人？"}).json()
    assert quoted["status"] == "answered" and "12 人" in quoted["quote"]
    forwarded = client.post(f"{base}/ask", json={"question": "公司食堂好吃吗？"}).json()
    assert forwarded["status"] == "forwarded" and forwarded["quote"] == ""
    asked = client.get(f"{base}/state").json()["asked"]
    assert [a["status"] for a in asked] == ["answered", "forwarded"]
    assert "notifications.deliver_messages" in queue.names()  # HR is told about the second


def _scored(session, db, org):
    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    return setup, interview


def test_hr_pages_list_report_and_review(client, session, db, org, queue, storage):
    setup, interview = _scored(session, db, org)
    login(client, org.users["recruiter"])
    listing = client.get("/interviews")
    assert listing.status_code == 200 and setup.candidate.name in listing.text
    page = client.get(f"/interviews/{interview.id}")
    assert page.status_code == 200
    for marker in ('id="radar"', 'id="dimensions"', 'id="summary"', "/static/vendor/echarts"):
        assert marker in page.text
    assert "进入" not in page.text  # no conclusion yet
    # the read of a person's answers is audited
    viewed = session.scalars(
        select(InterviewEvent).where(InterviewEvent.interview_id == interview.id)
    ).all()
    assert viewed is not None
    report = engine_adapter.report_of(session, interview)
    dim = next(d for d in report.dimensions if d.assessed)
    adjusted = client.post(
        f"/interviews/{interview.id}/adjust",
        data={"dimension_id": dim.id, "score": "2.5", "reason": "例子太少"},
        follow_redirects=False,
    )
    assert adjusted.status_code == 303
    page = client.get(f"/interviews/{interview.id}")
    assert "adjusted by HR" in page.text or "HR 调整" in page.text or "2.5" in page.text
    bad = client.post(
        f"/interviews/{interview.id}/adjust", data={"dimension_id": dim.id, "score": "11"}
    )
    assert bad.status_code == 422
    concluded = client.post(
        f"/interviews/{interview.id}/conclusion",
        data={"decision": "advance", "conclusion": "进入二面"},
        follow_redirects=False,
    )
    assert concluded.status_code == 303
    session.expire_all()
    assert session.get(InterviewSession, interview.id).status == "reviewed"
    printable = client.get(f"/interviews/{interview.id}/print")
    assert printable.status_code == 200 and "<svg" in printable.text


def test_playback_of_a_recorded_answer_from_the_record(client, session, db, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    qid = interview.questions[0]["id"]
    candidate.open_question(session, interview, qid, TAB)
    data = (DATA / "en_answer.ogg").read_bytes()
    out = uploads.start_upload(
        session,
        interview,
        qid,
        schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/ogg", size=len(data)),
    )
    uploads.put_chunk(session, interview, out.upload_token, 0, data)
    uploads.complete_upload(session, interview, out.upload_token)
    candidate.submit(session, interview, TAB)
    # before scoring the recording is still this domain's copy; HR can listen to it
    login(client, org.users["hr_admin"])
    session.expire_all()
    from hireflow.interviews.models import InterviewAnswer

    # the recorded question's row: without an ORDER BY, PostgreSQL may return another
    # question's row first (heap order depends on what ran earlier in the database)
    answer = session.scalars(
        select(InterviewAnswer).where(
            InterviewAnswer.interview_id == interview.id, InterviewAnswer.question_id == qid
        )
    ).one()
    media = client.get(f"/interviews/{interview.id}/answers/{answer.id}/media")
    assert media.status_code == 200 and media.content == data
    # another interview's answer id does not open through this interview
    other = make_setup(session, org)
    other_interview = sessions.ensure_session(session, other.invitation)
    assert (
        client.get(f"/interviews/{other_interview.id}/answers/{answer.id}/media").status_code == 404
    )


def test_live_view_and_push(client, session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, interview.questions[0]["id"], TAB)
    login(client, org.users["recruiter"])
    page = client.get("/interviews/live")
    assert page.status_code == 200 and setup.candidate.name in page.text
    rows = client.get("/interviews/live/rows")
    assert (
        f'data-interview="{interview.id}"' in rows.text
        and f"1/{len(interview.questions)}" in rows.text
    )
    pushed = client.post(
        "/interviews/live/push",
        data={"interview_id": str(interview.id), "text": "请补充一个数据相关的例子。"},
        follow_redirects=False,
    )
    assert pushed.status_code == 303
    session.expire_all()
    assert session.get(InterviewSession, interview.id).questions[-1]["id"] == "hr-1"
    # the hiring manager watches nothing live (no capability)
    _relogin(client, org.users["hiring_manager"])
    assert client.get("/interviews/live").status_code == 403


def test_faq_questions_and_calibration_pages(client, session, db, org, queue, storage):
    login(client, org.users["hr_admin"])
    created = client.post(
        "/interviews-faq",
        data={
            "question": "晋升路径是怎样的？",
            "answer": "每年两次晋升评审。",
            "language": "zh-CN",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = client.get("/interviews-faq")
    assert "每年两次晋升评审" in page.text
    assert client.post("/interviews-faq", data={"question": "x"}).status_code == 422
    setup = make_setup(session, org)
    interview = started(session, setup)
    faq.ask(session, interview, schemas.AskIn(question="晋升通道是什么样的？"))
    faq.ask(session, interview, schemas.AskIn(question="能带狗上班吗？"))
    inbox = client.get("/interviews-questions")
    assert "能带狗上班吗？" in inbox.text and "晋升通道" not in inbox.text
    from hireflow.interviews.models import CandidateQuestion

    forwarded = session.scalars(
        select(CandidateQuestion).where(
            CandidateQuestion.interview_id == interview.id,
            CandidateQuestion.status == "forwarded",
        )
    ).one()
    replied = client.post(
        f"/interviews-questions/{forwarded.id}/answer",
        data={"answer": "可以，周五可以带宠物。"},
        follow_redirects=False,
    )
    assert replied.status_code == 303
    session.expire_all()
    assert session.get(CandidateQuestion, forwarded.id).status == "answered_by_hr"
    assert client.get("/interviews-calibration").status_code == 200
    assert client.post("/interviews-calibration", follow_redirects=False).status_code == 303
    # recruiters may not calibrate the company
    _relogin(client, org.users["recruiter"])
    assert client.get("/interviews-calibration").status_code == 403


@pytest.mark.parametrize("role", ["it_auditor", "candidate", "employee"])
def test_roles_without_access_see_no_interviews(client, session, org, role):
    login(client, org.users[role])
    assert client.get("/interviews").status_code == 403


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "zh-CN",
            (
                "你的评分（0–10）：请输入不大于 10 的数字。",
                "原因：内容过短。",
                "你的结论：此项为必填项。",
            ),
        ),
        (
            "en",
            (
                "Your score (0–10): Enter a number no greater than 10.",
                "Reason: This field is too short.",
                "Your conclusion: This field is required.",
            ),
        ),
    ],
)
def test_a_refused_score_or_conclusion_names_its_field_and_keeps_what_was_typed(
    client, session, db, org, queue, storage, language, words
):
    """An out-of-range score, a reason or a conclusion of spaces only: the page says which field
    is wrong and how, in the reader's language, and the form still holds what HR typed."""
    _setup, interview = _scored(session, db, org)
    login(client, org.users["hr_admin"])
    client.post("/lang", data={"lang": language, "next": "/"})
    report = engine_adapter.report_of(session, interview)
    dim = [d for d in report.dimensions if d.assessed][-1]
    too_high = client.post(
        f"/interviews/{interview.id}/adjust",
        data={"dimension_id": dim.id, "score": "12", "reason": "项目经验比 AI 看到的多"},
    )
    assert too_high.status_code == 422 and words[0] in too_high.text
    assert 'value="12"' in too_high.text and "项目经验比 AI 看到的多</textarea>" in too_high.text
    assert f'<option value="{dim.id}" selected>' in too_high.text
    blank = client.post(
        f"/interviews/{interview.id}/adjust",
        data={"dimension_id": dim.id, "score": "6", "reason": "    "},
    )
    assert blank.status_code == 422 and words[1] in blank.text and 'value="6"' in blank.text
    empty = client.post(
        f"/interviews/{interview.id}/conclusion", data={"decision": "hold", "conclusion": "  "}
    )
    assert empty.status_code == 422 and words[2] in empty.text
    assert '<option value="hold" selected>' in empty.text
    session.expire_all()
    adjusted = select(ScoreAdjustment).where(ScoreAdjustment.interview_id == interview.id)
    assert session.scalars(adjusted).all() == []
    assert session.get(InterviewSession, interview.id).status == "scored"
