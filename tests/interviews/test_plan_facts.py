"""What candidates are told about an AI interview comes from its plan, everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.interviews.models import InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.plan_facts import facts_of, format_seconds
from tests.interviews.factories import plan_and_model
from tests.scheduling.factories import make_candidate, make_opening, send


@pytest.mark.parametrize(
    ("seconds", "language", "text"),
    [
        (90, "zh-CN", "1 分 30 秒"),
        (90, "en", "1 min 30 s"),
        (90, "ja", "1分30秒"),
        (180, "zh-CN", "3 分钟"),
        (180, "en", "3 min"),
        (45, "en", "45 s"),
        (0, "en", "0 s"),
    ],
)
def test_time_limits_are_never_rounded(seconds, language, text):
    assert format_seconds(seconds, language) == text


def test_facts_of_a_plan():
    questions = [
        {"id": "a", "kind": "motivation", "time_limit_s": 90},
        {"id": "b", "kind": "technical", "time_limit_s": 180},
        {"id": "c", "kind": "behavioural", "time_limit_s": 150},
    ]
    facts = facts_of(questions)
    assert (facts.questions, facts.technical, facts.coding) == (3, 1, 0)
    # 420 s of answers + 3 × 20 s to read = 480 s
    assert facts.minutes == 8
    assert facts.time_limits("en") == "1 min 30 s to 3 min"
    assert facts.time_limits("zh-CN") == "1 分 30 秒 至 3 分钟"
    same = facts_of([{"time_limit_s": 120}, {"time_limit_s": 120}])
    assert same.time_limits("en") == "2 min"
    assert facts_of([]).minutes == 0


def test_the_invitation_states_the_plan_the_candidate_will_answer(session, db, settings, org):
    """The interview is prepared when the invitation is sent; the mail's question count,
    time limits and length are that interview's, and it promises no coding."""
    plan, model = plan_and_model("technical", "en")
    opening = make_opening(session, org, job_type="technical")
    opening.language = "en"
    opening.interview_plan, opening.competency_model = plan, model
    candidate = make_candidate(session, org, opening, language="en")
    session.commit()
    (inv,) = send(session, db, settings, opening, [candidate], kind="ai", duration_minutes=60)
    interview = session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == inv.id)
    ).one()
    facts = facts_of(interview.questions)
    assert facts.questions == len(plan["items"]) and facts.technical >= 1
    assert inv.duration_minutes == facts.minutes != 60  # the plan's length, not a guess
    mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "invitation", OutboxMessage.related_id == inv.id
        )
    ).one()
    text = mail.body_text
    assert f"{facts.questions} questions" in text
    assert facts.time_limits("en") in text
    assert f"about {facts.minutes} minutes" in text
    assert "No code is written or run" in text
    assert "coding exercise" not in text and "write and run code" not in text
