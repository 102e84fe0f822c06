"""The autosave of a typed answer as one UPDATE of one answer row (SPEC E1, K1).

The page saves the growing draft every few seconds while the candidate types: under load most
candidate requests are these. The full path (:func:`hireflow.interviews.candidate.save_text`)
resolves the link and the interview, loads the answer row (decrypting its text), checks the
tab and the clock and flushes the interview and the answer. A draft needs none of that loaded:
what the link resolves to is kept per process after the first full request, and every check
that can change (the invitation withdrawn or its identity check reset, the interview submitted
or past its deadline, another tab holding it, the question answered, its time up) is a
condition of the one UPDATE that writes the draft, in the database. No row matched means one
of them failed, or the draft is not the ordinary case (the question's first write, a
recording, a question HR added since): the caller then takes the full path, which answers
exactly as before (with the error that applies).

A draft writes no audit row, no event and no message: it is not a decision, and the final
save (the full path) records the answer. It leaves the interview row alone too: the page's
heartbeat (every 15 s) keeps the tab and "last seen" current.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from pydantic import ValidationError
from sqlalchemy import Text, Update, bindparam, column, exists, table, update
from sqlalchemy.orm import Session

from hireflow.core.db import changed_one, retry_when_busy, utcnow
from hireflow.core.pii import EncryptedText
from hireflow.core.settings import Settings
from hireflow.interviews import links, schemas
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.interviews.sessions import questions_of, time_limit
from hireflow.scheduling import candidate_link
from hireflow.scheduling.links import LinkTokenError, read_link_token
from hireflow.scheduling.models import Invitation

TARGETS = 4096
# The answer table as the draft's UPDATE sees it, its text a plain column written with a value
# encrypted here: the encrypted column type declares no cache key, which would keep the
# statement out of SQLAlchemy's compiled cache (compiled again on every save).
_ANSWERS = table(
    InterviewAnswer.__tablename__,
    *(
        column(c.name, Text() if c.name == "text" else c.type)
        for c in InterviewAnswer.__table__.c
        if c.name
        in (
            "interview_id",
            "question_id",
            "status",
            "mode",
            "text",
            "media_key",
            "media_status",
            "started_at",
            "updated_at",
        )
    ),
)
# the value is encrypted by the column's own type, exactly as the ORM writes it
_TEXT_TYPE = cast(EncryptedText, InterviewAnswer.__table__.c.text.type)


def _draft_update() -> Update:
    """The one statement of a draft, built once (its values are bound per save): every
    condition under which a link may write an answer (``links.CONDITIONS``: the invitation
    open and its identity check the one the access value was given for, the interview
    accepting answers before its deadline, the question not finished, its time not up), and
    the ordinary case a draft alone may take: the answer row of this question, text only, its
    clock running, the interview held by this tab and on this question (anything else: the
    full path decides)."""
    answers = _ANSWERS.c
    interview_open = exists().where(
        InterviewSession.id == bindparam("b_interview_id"),
        links.where(links.INTERVIEW),
        InterviewSession.active_tab == bindparam("b_tab"),
        InterviewSession.current_question == bindparam("b_question_id"),
    )
    link_open = exists().where(
        Invitation.id == bindparam("b_invitation_id"), links.where(links.LINK)
    )
    return (
        update(_ANSWERS)
        .where(
            answers.interview_id == bindparam("b_interview_id"),
            answers.question_id == bindparam("b_question_id"),
            links.where(links.ANSWER, _ANSWERS),
            answers.media_key == "",
            answers.media_status == "",
            interview_open,
            link_open,
        )
        .values(
            text=bindparam("b_text"), mode="text", status="draft", updated_at=bindparam("b_now")
        )
    )


_DRAFT_UPDATE = _draft_update()


@dataclass(frozen=True)
class LinkTarget:
    """What a link resolved to: nothing in it can be revoked without the UPDATE's conditions
    noticing (identity generation, invitation status, interview status, deadline, tab)."""

    invitation_id: int
    interview_id: int
    identity_generation: int
    verified_at: datetime
    expires_at: datetime
    cookie: str
    limits: dict[str, int]  # question id -> time limit (s), as the interview had them


class _Targets:
    """A bounded map (secret, token) -> :class:`LinkTarget`, least recently used out first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], LinkTarget] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> LinkTarget | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], target: LinkTarget) -> None:
        with self._lock:
            self._items[key] = target
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


targets = _Targets(TARGETS)


def remember(
    settings: Settings, token: str, invitation: Invitation, interview: InterviewSession
) -> None:
    """Keep what a fully checked request resolved the link to (called by the routes after
    the link, the identity check and the interview passed)."""
    if invitation.verified_at is None:
        return
    questions = questions_of(interview)
    known = targets.get((settings.secret_key, token))
    if (
        known is not None
        and known.interview_id == interview.id
        and known.identity_generation == invitation.identity_generation
        and len(known.limits) == len(questions)
    ):
        return  # nothing new: keep the request as cheap as it was
    try:
        claims = read_link_token(settings.secret_key, token, utcnow())
    except LinkTokenError:
        return
    targets.put(
        (settings.secret_key, token),
        LinkTarget(
            invitation_id=invitation.id,
            interview_id=interview.id,
            identity_generation=invitation.identity_generation,
            verified_at=invitation.verified_at,
            expires_at=claims.expires_at,
            cookie=candidate_link.access_cookie_name(invitation),
            limits={str(q.get("id")): time_limit(q) for q in questions},
        ),
    )


def known_target(settings: Settings, token: str) -> LinkTarget | None:
    return targets.get((settings.secret_key, token))


def _access_ok(settings: Settings, target: LinkTarget, access: str | None) -> bool:
    """The access value's signature and age, as ``candidate_link.has_access`` checks them
    against the generation the link had; the UPDATE checks the generation is still current."""
    stand_in = Invitation(
        id=target.invitation_id,
        identity_generation=target.identity_generation,
        verified_at=target.verified_at,
    )
    return candidate_link.has_access(settings, stand_in, access)


@retry_when_busy
def save_draft(
    session: Session,
    settings: Settings,
    token: str,
    access: str | None,
    question_id: str,
    data: schemas.TextAnswerIn,
    now: datetime | None = None,
) -> schemas.AnswerOut | None:
    """Write a draft with one UPDATE; None when the full path must answer instead."""
    now = now or utcnow()
    text = data.text.strip()
    target = known_target(settings, token)
    if data.final or not text or target is None or now >= target.expires_at:
        return None
    limit = target.limits.get(question_id)
    if limit is None or not _access_ok(settings, target, access):
        return None
    if not changed_one(
        session,
        _DRAFT_UPDATE,
        {
            "b_interview_id": target.interview_id,
            "b_question_id": question_id,
            "b_earliest_start": links.earliest_start(limit, now),
            "b_now": now,
            "b_tab": data.tab,
            "b_invitation_id": target.invitation_id,
            "b_generation": target.identity_generation,
            "b_text": _TEXT_TYPE.process_bind_param(text, session.get_bind().dialect),
        },
    ):
        return None
    session.commit()
    return schemas.AnswerOut(question_id=question_id, status="draft", mode="text", media_status="")


def posted_draft(
    session: Session,
    settings: Settings,
    token: str,
    question_id: str,
    body: bytes,
    cookies: Mapping[str, str],
) -> schemas.AnswerOut | None:
    """The page's autosave (a JSON body, the access value in the link's cookie) as
    :func:`save_draft`; None for anything else, a body that does not parse included (the
    full path answers it, in the candidate's language)."""
    target = known_target(settings, token)
    if target is None or len(body) > 64 * 1024:
        return None
    try:
        data = schemas.TextAnswerIn.model_validate(json.loads(body or b"{}"))
    except (ValueError, ValidationError):
        return None
    return save_draft(session, settings, token, cookies.get(target.cookie), question_id, data)
