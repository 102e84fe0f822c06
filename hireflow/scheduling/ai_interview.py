"""The AI interview an invitation announces: its plan is frozen when the invitation is sent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.interviews.plan_facts import PlanFacts, facts_of
from hireflow.openings.models import Opening
from hireflow.scheduling.models import (
    Invitation,
)


def freeze_ai_interview(session: Session, invitation: Invitation) -> PlanFacts:
    """Prepare the AI interview in the sending transaction: the invitation then states the
    very plan the candidate will answer (its length becomes the plan's)."""
    from hireflow.interviews.service import prepare_for_invitation

    interview = prepare_for_invitation(session, invitation)
    facts = facts_of(interview.questions or [])
    if facts.questions:
        invitation.duration_minutes = facts.minutes
    return facts


def planned_facts(opening: Opening, language: str, budget_minutes: int) -> PlanFacts:
    """The facts of the plan an AI invitation would get now (for previews)."""
    from hireflow.interviews.service import plan_for

    questions, _model, _source = plan_for(opening, language, budget_minutes)
    return facts_of(questions)
