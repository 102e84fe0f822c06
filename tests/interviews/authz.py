"""How the authorization sweep reaches the interview routes with another tenant's objects.

The candidate's routes (``/i/{link_token}/interview...`` and ``/api/v1/links/{link_token}/
interview...``) are public: the signed link plus the identity check's access value is the
credential. The sweep calls them with a token that does not verify; ``test_pages.py`` and
``test_api.py`` show that a valid link reaches only its own interview.
"""

from __future__ import annotations

from hireflow.core.db import utcnow
from hireflow.interviews.models import (
    CandidateQuestion,
    CompanyCalibration,
    CompanyFaq,
    InterviewAnswer,
    InterviewCodeRun,
    InterviewUpload,
)
from hireflow.interviews.sessions import ensure_session
from tests.conftest import unique
from tests.interviews.factories import make_setup

TAB = {"tab": "tab-00000000"}


def foreign_params(session, org) -> dict[str, object]:
    setup = make_setup(session, org)
    interview = ensure_session(session, setup.invitation)
    question_id = interview.questions[0]["id"]
    answer = InterviewAnswer(
        tenant_id=org.tenant.id,
        interview_id=interview.id,
        question_id=question_id,
        status="answered",
        text=org.tenant.name,
    )
    session.add(answer)
    session.flush()
    upload = InterviewUpload(
        tenant_id=org.tenant.id,
        interview_id=interview.id,
        answer_id=answer.id,
        token=unique("foreign-upload"),
        mode="voice",
        content_type="audio/webm",
        region="cn",
        chunks=[],
    )
    faq = CompanyFaq(tenant_id=org.tenant.id, question=org.tenant.name, answer=org.tenant.name)
    calibration = CompanyCalibration(
        tenant_id=org.tenant.id, version=1, data={}, created_at=utcnow()
    )
    session.add_all([upload, faq, calibration])
    session.flush()
    asked = CandidateQuestion(
        tenant_id=org.tenant.id,
        interview_id=interview.id,
        opening_id=setup.opening.id,
        question=org.tenant.name,
        status="forwarded",
    )
    code_run = InterviewCodeRun(
        tenant_id=org.tenant.id,
        interview_id=interview.id,
        question_id=question_id,
        coding_id="pair-sum",
        mode="run",
        language="python",
        code=org.tenant.name,
        status="refused",
        error=org.tenant.name,
        task_id=unique("foreign-run"),
    )
    session.add_all([asked, code_run])
    session.flush()
    return {
        "interview_code_run_id": code_run.id,
        "interview_id": interview.id,
        "interview_answer_id": answer.id,
        "interview_question_id": question_id,
        "interview_upload_token": upload.token,
        "candidate_question_id": asked.id,
        "interview_faq_id": faq.id,
        "interview_calibration_id": calibration.id,
    }


API_BODIES = {
    ("POST", "/api/v1/links/{link_token}/interview/consent"): {
        **TAB,
        "recording": True,
        "ai_assessment": True,
        "notice_version": "v",
    },
    ("POST", "/api/v1/links/{link_token}/interview/questions/{interview_question_id}/open"): TAB,
    ("PUT", "/api/v1/links/{link_token}/interview/questions/{interview_question_id}/text"): {
        **TAB,
        "text": "x",
    },
    ("POST", "/api/v1/links/{link_token}/interview/questions/{interview_question_id}/code"): {
        **TAB,
        "mode": "run",
        "language": "python",
        "code": "print(1)",
    },
    ("POST", "/api/v1/links/{link_token}/interview/questions/{interview_question_id}/uploads"): {
        **TAB,
        "mode": "voice",
        "content_type": "audio/webm",
    },
    ("POST", "/api/v1/links/{link_token}/interview/events"): {**TAB, "kind": "tab_hidden"},
    ("POST", "/api/v1/links/{link_token}/interview/ask"): {"question": "What hours?"},
    ("POST", "/api/v1/links/{link_token}/interview/submit"): TAB,
    ("POST", "/api/v1/interviews/{interview_id}/questions"): {"text": "Tell me more, please."},
    ("POST", "/api/v1/interviews/{interview_id}/adjustments"): {
        "dimension_id": "communication",
        "score": 5,
        "reason": "because",
    },
    ("POST", "/api/v1/interviews/{interview_id}/conclusion"): {
        "conclusion": "ok",
        "decision": "hold",
    },
    ("POST", "/api/v1/interview-questions/{candidate_question_id}/answer"): {"answer": "a reply"},
    ("PUT", "/api/v1/interview-faqs/{interview_faq_id}"): {
        "question": "A question?",
        "answer": "An answer.",
    },
}
FORM_BODIES = {
    ("POST", "/interviews-questions/{candidate_question_id}/answer"): {"answer": "a reply"},
    ("POST", "/interviews-faq/{interview_faq_id}"): {
        "question": "A question?",
        "answer": "An answer.",
    },
    ("POST", "/interviews/{interview_id}/adjust"): {
        "dimension_id": "communication",
        "score": "5",
        "reason": "because",
    },
    ("POST", "/interviews/{interview_id}/conclusion"): {"conclusion": "ok", "decision": "hold"},
}
