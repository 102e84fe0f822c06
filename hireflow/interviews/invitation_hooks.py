"""What the interviews domain does for scheduling (see ``hireflow.scheduling.ai_interview``).

Scheduling finds this module by discovery instead of importing interviews, which build on it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.interviews.models import InterviewSession
from hireflow.interviews.plans import plan_for
from hireflow.interviews.sessions import follow_invitation_language, prepare_for_invitation
from hireflow.interviews.speech import speech_available
from hireflow.openings.models import Opening
from hireflow.scheduling.models import Invitation


def prepared_questions(session: Session, invitation: Invitation) -> list[dict[str, Any]]:
    return list(prepare_for_invitation(session, invitation).questions or [])


def planned_questions(opening: Opening, language: str, budget_minutes: int) -> list[dict[str, Any]]:
    questions, _model, _source = plan_for(opening, language, budget_minutes)
    return questions


def follow_language(session: Session, invitation: Invitation) -> None:
    follow_invitation_language(session, invitation)


def interview_of(session: Session, invitation: Invitation) -> InterviewSession | None:
    return session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == invitation.id)
    ).first()


def recordings_available() -> bool:
    return speech_available()
