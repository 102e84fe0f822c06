"""The AI interview an invitation announces: its plan is frozen when the invitation is sent.

Interviews build on scheduling (an interview answers an invitation and is opened through its
personal link), so scheduling does not import them. What it needs from them is stated here
(:class:`InterviewHooks`); the interviews domain provides it in its ``invitation_hooks``
module, found the way tasks and routes are found (:mod:`hireflow.discovery`).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy.orm import Session

from hireflow.discovery import domain_modules
from hireflow.openings.models import Opening
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.plan_facts import PlanFacts, facts_of


class InterviewHooks(Protocol):
    """What the interviews domain does for scheduling."""

    def prepared_questions(self, session: Session, invitation: Invitation) -> list[dict[str, Any]]:
        """The questions of the invitation's interview, prepared now if needed (no commit)."""
        ...

    def planned_questions(
        self, opening: Opening, language: str, budget_minutes: int
    ) -> list[dict[str, Any]]:
        """The questions an interview of ``opening`` would get now."""
        ...

    def follow_language(self, session: Session, invitation: Invitation) -> None:
        """Let an interview that has not started speak the invitation's new language."""
        ...

    def interview_of(self, session: Session, invitation: Invitation) -> AiInterview | None:
        """The interview prepared for the invitation, if there is one yet."""
        ...

    def recordings_available(self) -> bool:
        """Whether voice and video answers can be transcribed on this installation."""
        ...


class AiInterview(Protocol):
    """What the candidate's link page shows of their AI interview."""

    status: str
    questions: list[dict[str, Any]] | None
    model: dict[str, Any] | None
    submitted_at: datetime | None
    human_review_requested_at: datetime | None


@functools.cache
def hooks() -> InterviewHooks:
    found = domain_modules("invitation_hooks")
    if len(found) != 1:
        raise LookupError(f"expected one domain with invitation_hooks, found {len(found)}")
    return cast(InterviewHooks, found[0])


def freeze_ai_interview(session: Session, invitation: Invitation) -> PlanFacts:
    """Prepare the AI interview in the sending transaction: the invitation then states the
    very plan the candidate will answer (its length becomes the plan's)."""
    facts = interview_facts(session, invitation)
    if facts.questions:
        invitation.duration_minutes = facts.minutes
    return facts


def interview_facts(session: Session, invitation: Invitation) -> PlanFacts:
    """The facts of the invitation's interview (prepared now if needed, without committing)."""
    return facts_of(hooks().prepared_questions(session, invitation))


def planned_facts(opening: Opening, language: str, budget_minutes: int) -> PlanFacts:
    """The facts of the plan an AI invitation would get now (for previews)."""
    return facts_of(hooks().planned_questions(opening, language, budget_minutes))
