"""The candidate's AI interview behind the personal link: the page, its JSON routes (consent,
answers, code, uploads, events, questions, submit) and its event stream.

The candidate reaches ``/i/{link_token}/interview`` after the identity check of the scheduling
domain (its access cookie, path ``/i/``, is what these routes check); the page's script talks
to the JSON routes under the same prefix (CSRF header from the page's meta tag). The pages are
added to the interviews router (``web_router``), before HR's pages as they always were.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from hireflow.core.db import get_database, utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import gettext_for, is_language
from hireflow.core.settings import get_settings
from hireflow.interviews import (
    candidate,
    coding,
    drafts,
    faq,
    live,
    queries,
    schemas,
    sessions,
    state,
    uploads,
)
from hireflow.interviews.errors import WARNINGS
from hireflow.interviews.models import InterviewEvent, InterviewSession
from hireflow.interviews.speech import speech_available
from hireflow.interviews.web_router import router
from hireflow.org.models import Tenant
from hireflow.scheduling import candidate_link
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.plan_facts import competency_names, duration_units, facts_of
from hireflow.web import forms
from hireflow.web.deps import Count, DbSession, Id, Offset, run_in_thread
from hireflow.web.middleware import LANG_COOKIE
from hireflow.web.templating import render

SchemaT = TypeVar("SchemaT", bound=BaseModel)

# Events the candidate's own page receives (the rest are for HR).
CANDIDATE_EVENTS = ("question_added", "hr_answer", "tab_claimed", "scored", "submitted")


# --------------------------------------------------------------------------- the candidate


def _language(request: Request, inv: Invitation) -> str:
    """The candidate's own language unless they picked another one with the switcher."""
    chosen = request.cookies.get(LANG_COOKIE)
    language = chosen if chosen is not None and is_language(chosen) else inv.language
    if not is_language(language):
        language = "en"
    request.state.language = language
    return language


def _invitation(
    request: Request, session: DbSession, link_token: str, *, grace: bool = False
) -> Invitation:
    """The invitation of a link whose identity check this browser passed.

    ``grace``: finishing an upload or submitting may happen shortly after the deadline (the
    link expires at the deadline), so the link is read as of ``UPLOAD_GRACE`` earlier; the
    service then checks the real time against the deadline itself.
    """
    settings = get_settings()
    now = utcnow() - state.UPLOAD_GRACE if grace else None
    inv = candidate_link.open_link(session, link_token, settings, now, mark_opened=False)
    _language(request, inv)
    candidate_link.require_access(
        settings, inv, request.cookies.get(candidate_link.access_cookie_name(inv))
    )
    return inv


def _interview(
    request: Request, session: DbSession, link_token: str, *, grace: bool = False
) -> InterviewSession:
    known = sessions.read_link_ahead(session, link_token, get_settings())
    inv = _invitation(request, session, link_token, grace=grace)
    interview = sessions.ensure_session(session, inv, known=known)
    drafts.remember(get_settings(), link_token, inv, interview)
    return interview


def _parse(request: Request, body: bytes, schema: type[SchemaT], limit: int = 64 * 1024) -> SchemaT:
    """The JSON body as ``schema`` (after the link was checked, so a foreign link answers
    404 whatever it sends)."""
    if len(body) > limit:
        raise AppError(N_("The request is too large."), code="too_large")
    try:
        return schema.model_validate(json.loads(body or b"{}"))
    except (ValueError, ValidationError) as exc:
        _ = gettext_for(getattr(request.state, "language", "en"))
        fields = forms.field_errors(exc, _) if isinstance(exc, ValidationError) else {}
        raise AppError(N_("Some fields are not valid."), code="invalid", fields=fields) from exc


async def _read_body(request: Request) -> bytes:
    """The raw body, read on the event loop; the route (a plain ``def``) parses it on the
    thread pool once the link was checked."""
    return await request.body()


Body = Annotated[bytes, Depends(_read_body)]


def _out(model: BaseModel, status: int = 200) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


def _notice_context(
    session: DbSession, inv: Invitation, interview: InterviewSession, language: str
) -> dict:
    dimensions = competency_names(interview.model, language)
    tenant = session.get(Tenant, inv.tenant_id)
    facts = facts_of(sessions.questions_of(interview))
    return {
        "inv": inv,
        "interview": interview,
        "tenant": tenant,
        "dimensions": dimensions,
        "facts": facts,
        "recordings_ok": speech_available(),
        "retention_months": queries.retention_months(session, inv.tenant_id),
        "notice_version": candidate.NOTICE_VERSION,
        "max_rerecords": interview.max_rerecords,
    }


@router.get("/i/{link_token}/interview")
def interview_page(request: Request, session: DbSession, link_token: str) -> Response:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    _language(request, inv)
    if inv.kind != "ai":
        raise NotFound()
    if not candidate_link.has_access(
        settings, inv, request.cookies.get(candidate_link.access_cookie_name(inv))
    ):
        return RedirectResponse(f"/i/{link_token}", status_code=303)
    interview = sessions.ensure_session(session, inv)
    context = _notice_context(session, inv, interview, request.state.language)
    context.update(
        token=link_token,
        lang_action=f"/i/{link_token}/language",
        duration_units=duration_units(request.state.language),
    )
    return render(request, "interviews/candidate.html", context)


@router.get("/i/{link_token}/interview/state")
def interview_state(request: Request, session: DbSession, link_token: str) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    return _out(candidate.candidate_state(session, interview))


@router.post("/i/{link_token}/interview/consent")
def interview_consent(
    request: Request, session: DbSession, link_token: str, body: Body
) -> Response:
    interview = _interview(request, session, link_token)
    data = _parse(request, body, schemas.ConsentIn)
    return _out(candidate.consent_and_state(session, interview, data))


@router.post("/i/{link_token}/interview/human-review")
def interview_human_review(request: Request, session: DbSession, link_token: str) -> Response:
    interview = _interview(request, session, link_token)
    candidate.request_human_review(session, interview)
    return _out(candidate.candidate_state(session, interview))


@router.post("/i/{link_token}/interview/claim")
def interview_claim(request: Request, session: DbSession, link_token: str, body: Body) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    candidate.claim_tab(session, interview, _parse(request, body, schemas.TabIn).tab)
    return _out(candidate.candidate_state(session, interview))


@router.post("/i/{link_token}/interview/questions/{interview_question_id}/open")
def interview_open(
    request: Request, session: DbSession, link_token: str, interview_question_id: str, body: Body
) -> Response:
    interview = _interview(request, session, link_token)
    tab = _parse(request, body, schemas.TabIn).tab
    return _out(candidate.open_question(session, interview, interview_question_id, tab))


@router.post("/i/{link_token}/interview/questions/{interview_question_id}/text")
def interview_text(
    request: Request, session: DbSession, link_token: str, interview_question_id: str, body: Body
) -> Response:
    # an autosave of a link this process already resolved: one UPDATE (see drafts.py)
    saved = drafts.posted_draft(
        session, get_settings(), link_token, interview_question_id, body, request.cookies
    )
    if saved is not None:
        return _out(saved)
    interview = _interview(request, session, link_token)
    data = _parse(request, body, schemas.TextAnswerIn)
    return _out(candidate.save_text(session, interview, interview_question_id, data))


@router.post("/i/{link_token}/interview/questions/{interview_question_id}/code")
def interview_code(
    request: Request, session: DbSession, link_token: str, interview_question_id: str, body: Body
) -> Response:
    interview = _interview(request, session, link_token)
    # room for code over the limit, so that it is refused with the limit named
    data = _parse(request, body, schemas.CodeRunIn, limit=1024 * 1024)
    return _out(coding.start_run(session, interview, interview_question_id, data), 202)


@router.get("/i/{link_token}/interview/code-runs/{interview_code_run_id}")
def interview_code_run(
    request: Request, session: DbSession, link_token: str, interview_code_run_id: Id
) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    return _out(coding.poll_run(session, interview, interview_code_run_id))


@router.post("/i/{link_token}/interview/questions/{interview_question_id}/uploads")
def interview_upload_start(
    request: Request, session: DbSession, link_token: str, interview_question_id: str, body: Body
) -> Response:
    interview = _interview(request, session, link_token)
    data = _parse(request, body, schemas.UploadStartIn)
    return _out(uploads.start_upload(session, interview, interview_question_id, data), 201)


@router.get("/i/{link_token}/interview/uploads/{interview_upload_token}")
def interview_upload_status(
    request: Request, session: DbSession, link_token: str, interview_upload_token: str
) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    return _out(uploads.upload_status(session, interview, interview_upload_token))


@router.put("/i/{link_token}/interview/uploads/{interview_upload_token}")
async def interview_upload_chunk(
    request: Request,
    session: DbSession,
    link_token: str,
    interview_upload_token: str,
    offset: Offset = 0,
) -> Response:
    """One chunk of a recording: streamed in on the loop, stored on the thread pool."""
    chunk = await request.body()

    def work() -> Response:
        interview = _interview(request, session, link_token, grace=True)
        return _out(uploads.put_chunk(session, interview, interview_upload_token, offset, chunk))

    return await run_in_thread(work)


@router.post("/i/{link_token}/interview/uploads/{interview_upload_token}/complete")
def interview_upload_complete(
    request: Request, session: DbSession, link_token: str, interview_upload_token: str
) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    out = uploads.complete_upload(session, interview, interview_upload_token)
    if out.warning:
        _ = gettext_for(request.state.language)
        out.warning_message = _(WARNINGS[out.warning])
    return _out(out)


@router.post("/i/{link_token}/interview/events")
def interview_event(request: Request, session: DbSession, link_token: str, body: Body) -> Response:
    interview = _interview(request, session, link_token)
    candidate.client_event(session, interview, _parse(request, body, schemas.ClientEventIn))
    return Response(status_code=204)


@router.post("/i/{link_token}/interview/heartbeat")
def interview_heartbeat(
    request: Request, session: DbSession, link_token: str, body: Body
) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    candidate.heartbeat(session, interview, _parse(request, body, schemas.HeartbeatIn))
    return Response(status_code=204)


@router.post("/i/{link_token}/interview/ask")
def interview_ask(request: Request, session: DbSession, link_token: str, body: Body) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    return _out(faq.ask(session, interview, _parse(request, body, schemas.AskIn)), 201)


@router.post("/i/{link_token}/interview/submit")
def interview_submit(request: Request, session: DbSession, link_token: str, body: Body) -> Response:
    interview = _interview(request, session, link_token, grace=True)
    tab = _parse(request, body, schemas.TabIn).tab
    return _out(candidate.submit_and_state(session, interview, tab))


def _fetch_events(interview_id: int, kinds: tuple[str, ...]):
    def read(after: int) -> list[tuple[int, str, dict[str, Any]]]:
        with get_database().session() as s:
            rows = s.execute(
                select(InterviewEvent.id, InterviewEvent.kind, InterviewEvent.data)
                .where(
                    InterviewEvent.interview_id == interview_id,
                    InterviewEvent.id > after,
                    InterviewEvent.kind.in_(kinds),
                )
                .order_by(InterviewEvent.id)
                .limit(100)
            ).all()
            return [(int(r[0]), str(r[1]), dict(r[2] or {})) for r in rows]

    async def fetch(after: int) -> list[tuple[int, str, dict[str, Any]]]:
        return await run_in_thread(read, after)

    return fetch


@router.get("/i/{link_token}/interview/stream")
def interview_stream(
    request: Request, session: DbSession, link_token: str, after: Count = 0
) -> Response:
    """Server-sent events for the candidate page (supplementary questions, HR's replies)."""
    interview = _interview(request, session, link_token, grace=True)
    interview_id = interview.id
    header = request.headers.get("last-event-id", "")
    start = int(header) if header.isdigit() else after
    # The request's database session is not needed while the stream runs: release it, so
    # a thousand open streams do not hold a thousand connections.
    session.close()
    return StreamingResponse(
        live.stream(interview_id, start, _fetch_events(interview_id, CANDIDATE_EVENTS)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
