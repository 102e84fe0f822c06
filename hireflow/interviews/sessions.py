"""The interview session: its creation for an invitation, state transitions, event log and
the answer rows, and the checks every candidate write passes (state, deadline, tab)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, inspect, select, update
from sqlalchemy.orm import InstanceState, Session, defer

from hireflow.candidates.models import Application
from hireflow.core import audit
from hireflow.core.db import insert_or_find, on_commit, retry_when_busy, utcnow
from hireflow.core.errors import N_, NotFound
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.interviews import links, live, state
from hireflow.interviews.errors import (
    DeadlinePassed,
    InterviewClosed,
    InterviewNotStarted,
    QuestionDone,
    ReportErased,
    TabSuperseded,
    TimeUp,
    transition_error,
)
from hireflow.interviews.models import InterviewAnswer, InterviewEvent, InterviewSession
from hireflow.interviews.plans import plan_for
from hireflow.records.models import PersonRecord
from hireflow.scheduling import candidate_link
from hireflow.scheduling.models import Invitation
from hireflow.scoring.text import engine_language

DEFAULT_MAX_RERECORDS = 1


def erased_at(session: Session, interview: InterviewSession) -> datetime | None:
    """When the interviewed person's record was erased (None while it was not)."""
    return session.scalar(
        select(PersonRecord.erased_at).where(PersonRecord.person_id == interview.candidate_id)
    )


def refuse_if_erased(session: Session, interview: InterviewSession) -> None:
    """Raise ``ReportErased`` (410) for an interview whose person was erased."""
    when = erased_at(session, interview)
    if when is not None:
        raise ReportErased(when)


def audit_interview(
    session: Session,
    action: str,
    interview: InterviewSession,
    *,
    actor: Principal | None = None,
    actor_label: str = "candidate",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        tenant_id=interview.tenant_id,
        actor_label="" if actor is not None else actor_label,
        target_type="interview",
        target_id=interview.id,
        old=old,
        new=new,
    )


def application_id_of(session: Session, interview: InterviewSession) -> int | None:
    """The id of the candidate's application to the interview's opening, if there is one."""
    return session.scalar(
        select(Application.id).where(
            Application.candidate_id == interview.candidate_id,
            Application.opening_id == interview.opening_id,
        )
    )


def apply_transition(
    session: Session,
    interview: InterviewSession,
    event: state.Event,
    now: datetime,
    *,
    actor: Principal | None = None,
    actor_label: str = "candidate",
    details: dict[str, Any] | None = None,
) -> None:
    """Move the interview through the state machine and audit it (same transaction)."""
    before = interview.status
    try:
        after = state.transition(before, event)
    except state.InvalidTransition as exc:
        raise transition_error(exc) from exc
    interview.status = after.value
    stamp = {
        state.Event.VERIFY: "verified_at",
        state.Event.START: "started_at",
        state.Event.SUBMIT: "submitted_at",
        state.Event.SCORE: "scored_at",
        state.Event.REVIEW: "reviewed_at",
    }[event]
    setattr(interview, stamp, now)
    audit_interview(
        session,
        f"interview.{event.value}",
        interview,
        actor=actor,
        actor_label=actor_label,
        old={"status": before},
        new={"status": after.value, **(details or {})},
    )


def add_event(
    session: Session,
    interview: InterviewSession,
    kind: str,
    *,
    question_id: str = "",
    flag: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> InterviewEvent:
    """Append to the interview's event log; live streams are woken after the commit."""
    event = InterviewEvent(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        kind=kind,
        question_id=question_id,
        is_flag=flag,
        data=data or {},
        created_at=now or utcnow(),
    )
    session.add(event)
    if flag:
        interview.flag_count = (interview.flag_count or 0) + 1
    interview_id = interview.id
    on_commit(session, lambda: live.publish(interview_id))
    return event


def find_for_invitation(session: Session, invitation_id: int) -> InterviewSession | None:
    return session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == invitation_id)
    ).first()


def load_with_invitation(session: Session, invitation_id: int) -> InterviewSession | None:
    """Read an invitation and its interview (if any) in one query; both are then in the
    session, so resolving a link and its interview costs one round trip, not two.

    The session's identity map holds its objects weakly: an invitation nobody references is
    dropped at once, and the next ``session.get`` of it (the link's check, the shown language)
    is a query again. The request's session keeps a reference to both until it ends
    (:func:`hold`)."""
    row = session.execute(
        select(Invitation, InterviewSession)
        .outerjoin(InterviewSession, InterviewSession.invitation_id == Invitation.id)
        .where(Invitation.id == invitation_id)
        # the competency model (some 16 kB of JSON) is for scoring and HR's report, not for
        # the candidate's requests: read only where it is used
        .options(defer(InterviewSession.model))
    ).first()
    if row is None:
        return None
    hold(session, row[0], row[1])
    if row[1] is None:  # read: none yet (ensure_session need not look again)
        session.info.setdefault(_ABSENT, set()).add(invitation_id)
    return row[1]


# Invitations this session read without an interview (see ensure_session).
_ABSENT = "hireflow_interview_absent"


def read_link_ahead(session: Session, token: str, settings: Settings) -> InterviewSession | None:
    """Read ahead, in one query, the rows a link's check (``candidate_link.open_link``) and
    :func:`ensure_session` read: the invitation a correctly signed token names and its
    interview. Nothing is decided here; the checks run on these rows as on any other."""
    invitation_id = candidate_link.invitation_id_of(token, settings)
    return load_with_invitation(session, invitation_id) if invitation_id else None


_HELD = "hireflow_held_rows"


def hold(session: Session, *rows: object) -> None:
    """Keep ``rows`` referenced (so in the identity map, read without a query) for as long as
    ``session`` lives: one request. Nothing revocable is trusted longer than the request that
    read it."""
    session.info.setdefault(_HELD, []).extend(row for row in rows if row is not None)


@retry_when_busy
def ensure_session(
    session: Session,
    invitation: Invitation,
    now: datetime | None = None,
    *,
    known: InterviewSession | None = None,
    commit: bool = True,
) -> InterviewSession:
    """The interview of an AI invitation, created on first use (safe against a concurrent
    creator: the invitation is unique), and marked verified once the identity check passed.

    ``known``: the invitation's interview as already read in this transaction. ``commit``
    False: what changed is flushed (the write lock taken, so a busy SQLite is still retried
    here) and committed by the caller, with what it reads after."""
    now = now or utcnow()
    if invitation.kind != "ai":
        raise NotFound()
    absent = invitation.id in session.info.get(_ABSENT, ())
    session.info.get(_ABSENT, set()).discard(invitation.id)
    if known is not None and known.invitation_id == invitation.id:
        interview = known
    else:
        # read ahead and absent: created without looking again (a concurrent creator's
        # interview is found by the insert's conflict)
        interview = prepare_for_invitation(session, invitation, now, absent=absent)
    changed = bool(session.new or session.dirty)
    if invitation.verified_at is not None and interview.status == state.State.INVITED:
        apply_transition(session, interview, state.Event.VERIFY, now)
        changed = True
    if interview.deadline != invitation.deadline:
        # HR extended (or shortened) the invitation: the interview follows.
        interview.deadline = invitation.deadline
        changed = True
    if changed:
        session.commit() if commit else session.flush()
    return interview


def prepare_for_invitation(
    session: Session, invitation: Invitation, now: datetime | None = None, *, absent: bool = False
) -> InterviewSession:
    """The interview of an AI invitation, created if needed, without committing.

    The sender calls this in the transaction that sends the invitation, so the plan the
    invitation describes (question count, time limits, length) is the plan the candidate
    answers; it is copied into the session, and later edits of the opening change nothing.
    Safe against a concurrent creator: ``invitation_id`` is unique. ``absent``: this
    transaction already read that the invitation has no interview.
    """
    now = now or utcnow()
    existing = None if absent else find_for_invitation(session, invitation.id)
    if existing is not None:
        return existing
    questions, model, source = plan_for(
        invitation.opening, invitation.language, invitation.duration_minutes
    )
    interview, created = insert_or_find(
        session,
        InterviewSession,
        lambda: find_for_invitation(session, invitation.id),
        tenant_id=invitation.tenant_id,
        opening_id=invitation.opening_id,
        candidate_id=invitation.candidate_id,
        invitation_id=invitation.id,
        status=state.State.INVITED.value,
        language=engine_language(invitation.language),
        questions=questions,
        model=model,
        plan_source=source,
        max_rerecords=DEFAULT_MAX_RERECORDS,
        deadline=invitation.deadline,
        created_at=now,
        updated_at=now,
    )
    if not created:  # a concurrent creator's interview
        return interview
    audit_interview(
        session,
        "interview.created",
        interview,
        actor_label="system",
        new={"questions": len(questions), "plan_source": source},
    )
    return interview


def follow_invitation_language(session: Session, invitation: Invitation) -> None:
    """Before consent the interview speaks the invitation's (the candidate's chosen) language;
    once it started, answers are scored in the language they were given in."""
    interview = find_for_invitation(session, invitation.id)
    if interview is None or interview.consent_at is not None:
        return
    interview.language = engine_language(invitation.language)


def create_for_invitation(session: Session, invitation_id: int) -> InterviewSession | None:
    """Hook for the scheduling domain: create the interview when an AI invitation is made
    (optional: it is otherwise created on the candidate's first verified visit)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.kind != "ai":
        return None
    return ensure_session(session, invitation)


def questions_of(interview: InterviewSession) -> list[dict[str, Any]]:
    return list(interview.questions or [])


def question_at(interview: InterviewSession, question_id: str) -> tuple[int, dict[str, Any]]:
    for index, question in enumerate(questions_of(interview)):
        if question.get("id") == question_id:
            return index, question
    raise NotFound(N_("This question is not part of the interview."))


def answers_of(session: Session, interview: InterviewSession) -> dict[str, InterviewAnswer]:
    rows = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    )
    return {row.question_id: row for row in rows}


# An answer's columns the candidate's page never shows: decrypted only when read.
_UNSHOWN = (defer(InterviewAnswer.transcript), defer(InterviewAnswer.segments))
_TEXTLESS = (defer(InterviewAnswer.text), *_UNSHOWN)


def answers_for_view(session: Session, interview: InterviewSession) -> dict[str, InterviewAnswer]:
    """The interview's answer rows as the candidate's page state shows them: the typed text
    (the saved draft), not the transcripts and segments (encrypted, only for HR)."""
    rows = session.scalars(
        select(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview.id)
        .options(*_UNSHOWN)
    )
    return {row.question_id: row for row in rows}


def answer_row(
    session: Session, interview: InterviewSession, question_id: str, position: int
) -> InterviewAnswer:
    """The answer row of a question, created on first touch (unique per question)."""
    found = session.scalars(
        select(InterviewAnswer).where(
            InterviewAnswer.interview_id == interview.id,
            InterviewAnswer.question_id == question_id,
        )
    ).first()
    if found is not None:
        return found
    return create_answer_row(session, interview, question_id, position)


def create_answer_row(
    session: Session,
    interview: InterviewSession,
    question_id: str,
    position: int,
    started_at: datetime | None = None,
) -> InterviewAnswer:
    """The answer row of a question known to have none yet (a concurrent creator's row is
    returned instead); ``started_at``: its clock, when it starts as it is created."""
    found = select(InterviewAnswer).where(
        InterviewAnswer.interview_id == interview.id, InterviewAnswer.question_id == question_id
    )
    return insert_or_find(
        session,
        InterviewAnswer,
        lambda: session.scalars(found).first(),
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        question_id=question_id,
        position=position,
        status="open",
        started_at=started_at,
    )[0]


def require_writable(
    interview: InterviewSession, now: datetime, upload_started: datetime | None = None
):
    refusal = state.answer_refusal(
        interview.status, interview.deadline, now, upload_started=upload_started
    )
    if refusal == "not_started":
        raise InterviewNotStarted()
    if refusal == "closed":
        raise InterviewClosed()
    if refusal == "deadline_passed":
        raise DeadlinePassed()


def hold_tab(
    session: Session, interview: InterviewSession, tab: str, now: datetime, claim: bool = False
) -> None:
    decision = state.tab_decision(
        interview.active_tab, interview.tab_seen_at, tab, now, claim=claim
    )
    if not decision.allowed:
        raise TabSuperseded()
    if decision.took_over or interview.active_tab != tab:
        previous = interview.active_tab
        interview.active_tab = tab
        if previous:
            add_event(
                session,
                interview,
                "tab_claimed",
                data={"tab": tab, "superseded": previous},
                now=now,
            )
    interview.tab_seen_at = now
    interview.last_seen_at = now


def time_limit(question: dict[str, Any]) -> int:
    return int(question.get("time_limit_s") or 180)


def answer_statuses(session: Session, interview: InterviewSession) -> dict[str, str]:
    """Each touched question's answer status, read as two columns: the answers' texts and
    transcripts (decrypted on load) are not needed to know where the candidate is."""
    rows = session.execute(
        select(InterviewAnswer.question_id, InterviewAnswer.status).where(
            InterviewAnswer.interview_id == interview.id
        )
    )
    return {str(question_id): str(status) for question_id, status in rows}


def next_question_id(session: Session, interview: InterviewSession) -> str | None:
    ids = [str(q.get("id")) for q in questions_of(interview)]
    return state.next_question(ids, answer_statuses(session, interview))


def answers_up_to(
    session: Session, interview: InterviewSession, position: int
) -> dict[str, InterviewAnswer]:
    """The answer rows of the questions up to ``position`` (those opening a question may
    close), without their texts: they load only if read."""
    rows = session.scalars(
        select(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview.id, InterviewAnswer.position <= position)
        .options(*_TEXTLESS)
    )
    return {row.question_id: row for row in rows}


def answer_for_writing(
    session: Session, interview: InterviewSession, question_id: str, tab: str, now: datetime
) -> tuple[InterviewAnswer, dict[str, Any]]:
    """The answer row (and its question) a candidate's write goes to, after the checks every
    write passes: the interview accepts answers, this tab holds it, the question is in it."""
    require_writable(interview, now)
    hold_tab(session, interview, tab, now)
    position, question = question_at(interview, question_id)
    return answer_row(session, interview, question_id, position), question


def answer_with_statuses(
    session: Session, interview: InterviewSession, question_id: str, tab: str, now: datetime
) -> tuple[InterviewAnswer, dict[str, Any], dict[str, str]]:
    """:func:`answer_for_writing` plus every touched question's answer status, in one query:
    the answer rows without their texts (a saved answer is written, not read), so the next
    question is known without reading the answers again after the write."""
    require_writable(interview, now)
    hold_tab(session, interview, tab, now)
    position, question = question_at(interview, question_id)
    rows = session.scalars(
        select(InterviewAnswer)
        .where(InterviewAnswer.interview_id == interview.id)
        .options(*_TEXTLESS)
    )
    answers = {row.question_id: row for row in rows}
    answer = answers.get(question_id)
    if answer is None:
        answer = create_answer_row(session, interview, question_id, position)
    return answer, question, {qid: row.status for qid, row in answers.items()}


# The rows a candidate's request writes with :func:`write_changed`. Neither has mapper events,
# a data version or a record seal (the ORM's flush would run those; the test of
# ``write_changed`` fails when one is added), and their ``updated_at`` is set here as the
# flush's ``onupdate`` would.
DIRECT_WRITES = (InterviewSession, InterviewAnswer)


def write_changed(session: Session, row: InterviewSession | InterviewAnswer) -> None:
    """Write what the request changed on one loaded interview or answer row: one UPDATE of
    those columns (and ``updated_at``) by its id, then the row is marked written, as a flush
    marks it. The same statement a flush sends, without the unit of work around it (its
    dependency sort, history comparison per column and events: a good part of a question
    step's time). A row with anything else pending (a relationship, its id) is left to the
    flush; so is one that changed nothing."""
    state: InstanceState[Any] = inspect(row)
    mapper = state.mapper
    pending = list(state.committed_state)
    if (
        not pending
        or not state.persistent
        or type(row) not in DIRECT_WRITES
        or any(key not in mapper.column_attrs or key == "id" for key in pending)
    ):
        return
    values = {key: state.dict[key] for key in pending if key in state.dict}
    if len(values) != len(pending):
        return  # an attribute expired meanwhile: the flush decides
    values.setdefault("updated_at", utcnow())  # the column's onupdate, as in a flush
    table = cast(Table, type(row).__table__)
    statement = (
        update(table)
        .where(table.c.id == row.id)
        .values({mapper.column_attrs[key].columns[0].name: v for key, v in values.items()})
    )
    with session.no_autoflush:  # the row itself is what this writes
        session.execute(statement)
    row.updated_at = values["updated_at"]
    state._commit_all(state.dict, session.identity_map)  # written: nothing left to flush


def refuse_finished(answer: InterviewAnswer) -> None:
    """An answered or skipped question takes no more writes (``links.NOT_FINISHED``)."""
    if not links.NOT_FINISHED.holds(answer, {}):
        raise QuestionDone()


def run_clock(answer: InterviewAnswer, question: dict[str, Any], now: datetime) -> None:
    """The question's clock starts with its first write; once it ran out, writes are refused
    (``links.TIME_LEFT``, a condition of the draft's UPDATE too)."""
    facts = {"earliest_start": links.earliest_start(time_limit(question), now)}
    if not links.TIME_LEFT.holds(answer, facts):
        raise TimeUp()
    if answer.started_at is None:
        answer.started_at = now
