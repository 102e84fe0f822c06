"""Voluntary self-identification: the company's category set and the candidate's answers.

A candidate answers once, through the personal link of an AI interview they have submitted;
what they answer is written encrypted to ``analytics_self_identifications`` and never read
back for one person (the audit counts groups). The audit trail records that an answer was
given, never what it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.analytics.categories import DEFAULT_SET, SETS, CategorySet
from hireflow.analytics.models import AuditSettings, SelfIdentification
from hireflow.core import audit
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.core.rows import company_row
from hireflow.interviews.models import InterviewSession
from hireflow.scheduling.models import Invitation


class AlreadyAnswered(Conflict):
    code = "already_answered"
    message = N_("You have already answered these questions. Thank you.")


class AnswersIn(BaseModel):
    """The posted form: one code per question of the set ("" when the set does not ask it)."""

    sex: str = Field(default="", max_length=40)
    race: str = Field(default="", max_length=40)
    age_band: str = Field(default="", max_length=40)


class SettingsIn(BaseModel):
    category_set: str = Field(max_length=20)


@dataclass(frozen=True)
class FormState:
    category_set: CategorySet
    submitted: bool  # the interview was submitted: the questions may be asked
    answered: bool


def category_set_of(session: Session, tenant_id: int) -> CategorySet:
    row = session.get(AuditSettings, tenant_id)
    return SETS.get(row.category_set if row else DEFAULT_SET, SETS[DEFAULT_SET])


def set_category_set(session: Session, principal: Principal, data: SettingsIn) -> CategorySet:
    """HR chooses which categories the company asks (answers already given are kept)."""
    require(principal, "analytics.audit")
    if data.category_set not in SETS:
        raise ValidationFailed(
            N_("Choose a value from the list."), fields={"category_set": "unknown"}
        )
    row, created = company_row(session, AuditSettings, principal.tenant_id)
    old = DEFAULT_SET if created else row.category_set
    row.category_set = data.category_set
    audit.commit_recorded(
        session,
        "analytics.audit_settings",
        actor=principal,
        target_type="tenant",
        target_id=principal.tenant_id,
        old={"category_set": old},
        new={"category_set": data.category_set},
    )
    return SETS[data.category_set]


def form_state(session: Session, invitation: Invitation) -> FormState:
    """What the candidate's page shows: the questions are asked after an AI interview only
    (another kind of invitation answers 404), once."""
    if invitation.kind != "ai":
        raise NotFound()
    submitted_at = session.scalar(
        select(InterviewSession.submitted_at).where(InterviewSession.invitation_id == invitation.id)
    )
    answered = session.scalar(
        select(SelfIdentification.id).where(
            SelfIdentification.candidate_id == invitation.candidate_id
        )
    )
    return FormState(
        category_set_of(session, invitation.tenant_id),
        submitted_at is not None,
        answered is not None,
    )


def submit(session: Session, invitation: Invitation, data: AnswersIn) -> None:
    """Store the candidate's answers (once). Unknown codes are refused with the field named."""
    state = form_state(session, invitation)
    if not state.submitted:
        raise NotFound()
    if state.answered:
        raise AlreadyAnswered()
    chosen = state.category_set
    values = {"sex": data.sex, "race": data.race, "age_band": data.age_band}
    wrong = {
        field: "unknown"
        for field, value in values.items()
        if (value not in chosen.options(field) if field in chosen.fields else value != "")
    }
    if wrong:
        raise ValidationFailed(N_("Choose a value from the list."), fields=wrong)
    session.add(
        SelfIdentification(
            tenant_id=invitation.tenant_id,
            candidate_id=invitation.candidate_id,
            category_set=chosen.key,
            **values,
        )
    )
    audit.record(
        session,
        "analytics.self_identified",
        actor=None,
        tenant_id=invitation.tenant_id,
        actor_label="candidate",
        target_type="invitation",
        target_id=invitation.id,
    )
    try:
        session.commit()
    except IntegrityError:
        # the same person answering twice at once (two tabs): the first answer stands
        session.rollback()
        raise AlreadyAnswered() from None
