"""Pages of the AI interview: the candidate's interview behind the personal link, and HR's
list, live view, report, FAQ, questions inbox and calibration.

The candidate reaches ``/i/{link_token}/interview`` after the identity check of the scheduling
domain (its access cookie, path ``/i/``, is what these routes check); the page's script talks
to the JSON routes under the same prefix (CSRF header from the page's meta tag).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from hireflow.candidates.models import Application
from hireflow.core.db import get_database, utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import gettext_for, is_language
from hireflow.core.permissions import require
from hireflow.core.settings import get_settings
from hireflow.discovery import domain_modules
from hireflow.interviews import (
    calibration,
    candidate,
    coding,
    drafts,
    faq,
    hr,
    live,
    queries,
    reading,
    schemas,
    sessions,
    state,
    uploads,
)
from hireflow.interviews.errors import WARNINGS, CalibrationEmpty, ScorecardFirst
from hireflow.interviews.health import untranscribed
from hireflow.interviews.models import InterviewEvent, InterviewSession
from hireflow.interviews.overrides import final_report
from hireflow.interviews.progress import LABELS as WAITING_LABELS
from hireflow.interviews.progress import waiting_for_report
from hireflow.interviews.speech import speech_available
from hireflow.org.models import Tenant
from hireflow.scheduling import candidate_link
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.plan_facts import competency_names, duration_units, facts_of
from hireflow.scoring.models import load_model, localised
from hireflow.scoring.report import render_html, report_language
from hireflow.web import forms
from hireflow.web.deps import Count, DbSession, Id, Offset, PageUser, audit_read, run_in_thread
from hireflow.web.forms import Form, Page, PostedForm
from hireflow.web.middleware import LANG_COOKIE
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
SchemaT = TypeVar("SchemaT", bound=BaseModel)

NAV = (
    NavItem("/interviews", N_("AI interviews"), "interviews.read", order=35, group="recruiting"),
)

# Labels that come from data (statuses, decisions, event kinds), for the catalogue.
LABELS = (
    N_("invited"),
    N_("verified"),
    N_("in_progress"),
    N_("submitted"),
    N_("scored"),
    N_("reviewed"),
    N_("advance"),
    N_("hold"),
    N_("reject"),
    N_("tab_hidden"),
    N_("window_blur"),
    N_("question_restarted"),
    N_("no_face"),
    N_("multiple_faces"),
    N_("forwarded"),
    N_("answered"),
    N_("answered_by_hr"),
    N_("skipped"),
    N_("text"),
    N_("voice"),
    N_("video"),
    N_("opening"),
    N_("faq"),
)
# Why the engine suggests a follow-up question (``scoring.followups``).
FOLLOW_UP_REASONS = (
    N_("no_answer"),
    N_("unsupported_language"),
    N_("off_topic"),
    N_("we_only"),
    N_("no_result"),
    N_("vague"),
    N_("gap_example"),
    N_("project_roi"),
    N_("copied_answer"),
)
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
    inv = _invitation(request, session, link_token, grace=grace)
    interview = sessions.ensure_session(session, inv)
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
    candidate.give_consent(session, interview, _parse(request, body, schemas.ConsentIn))
    return _out(candidate.candidate_state(session, interview))


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
    candidate.submit(session, interview, _parse(request, body, schemas.TabIn).tab)
    return _out(candidate.candidate_state(session, interview))


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


# --------------------------------------------------------------------------- HR pages


@router.get("/interviews")
def list_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    status: str = "",
    opening_id: Id | None = None,
    sort: str = "activity",
) -> Response:
    sort = sort if sort in ("activity", "match") else "activity"
    rows = queries.interviews(
        session, principal, status=status or None, opening_id=opening_id, sort=sort, limit=200
    )
    audit_read(session, principal, "interviews.listed", "interview", [r.id for r in rows])
    return render(
        request,
        "interviews/list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": queries.STATUSES,
            "sort": sort,
            "waiting_labels": WAITING_LABELS,
        },
    )


def _live_rows(session: DbSession, principal: PageUser) -> list[schemas.LiveOut]:
    """The interviews in progress, the read of the people shown audited."""
    rows = queries.live(session, principal)
    audit_read(session, principal, "interviews.live_listed", "interview", [r.id for r in rows])
    return rows


def _live_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str], done: str
) -> Response:
    return render(
        request,
        "interviews/live.html",
        {"rows": _live_rows(session, principal), "errors": errors, "done": done},
        status_code=422 if errors else 200,
    )


@router.get("/interviews/live")
def live_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return _live_page(request, session, principal, {}, request.query_params.get("done", ""))


@router.get("/interviews/live/rows")
def live_rows(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "interviews/_live_rows.html", {"rows": _live_rows(session, principal)})


@router.post("/interviews/live/push")
def push_page(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    raw_id = form.get("interview_id")

    def push(data: schemas.PushQuestionIn) -> Response:
        if not raw_id.isdigit():
            raise AppError(N_("Choose the interview."), code="invalid", fields={"interview_id": ""})
        hr.push_question(session, principal, int(raw_id), data)
        back = form.get("next")
        target = back if back.startswith("/interviews/") else "/interviews/live?done=pushed"
        return RedirectResponse(target, status_code=303)

    def page(errors: dict[str, str]) -> Response:
        session.rollback()
        return _live_page(request, session, principal, errors, "")

    fields = {
        "text": form.get("text"),
        "dimension_id": form.get("dimension_id") or None,
        "time_limit_s": form.get("time_limit_s") or 180,
    }
    return forms.submit_form(request, schemas.PushQuestionIn, fields, push, page)


def _report_context(
    request: Request, session: DbSession, principal: PageUser, interview_id: int
) -> dict[str, Any]:
    interview = hr.view_report(session, principal, interview_id)
    detail = queries.detail(session, interview)
    lang = report_language(request.state.language)
    _ = gettext_for(request.state.language)
    report = detail.report
    radar: dict[str, Any] = {}
    if report is not None:
        radar = {
            "names": [localised(d.name, lang) for d in report.dimensions],
            "ai": [d.score for d in report.dimensions],
            "effective": [detail.effective.get(d.id) for d in report.dimensions],
            "required": [d.required_level for d in report.dimensions],
        }
    model = load_model(interview.model)
    names = {dim.id: localised(dim.name, lang) for dim in model.dimensions}
    return {
        "d": detail,
        "lang": lang,
        "report": report,
        "radar_json": json.dumps(radar, ensure_ascii=False),
        "dimensions": [(dim.id, localised(dim.name, lang)) for dim in model.dimensions],
        "dimension_name": names,
        "question_numbers": {
            str(q.get("id")): index + 1 for index, q in enumerate(interview.questions or [])
        },
        "mode_labels": {
            "text": _("Text answer"),
            "voice": _("Voice"),
            "video": _("Video"),
            "code": _("Code"),
        },
        "coding": {
            item["question_id"]: item
            for item in coding.report_items(session, interview, interview.questions or [])
        },
        "language_labels": coding.LANGUAGE_LABELS,
        "pick": lambda text: localised(text, lang),
        "dimension_names": lambda ids: (
            "、".join(names.get(i, i) for i in ids)
            if lang in ("zh", "ja")
            else ", ".join(names.get(i, i) for i in ids)
        ),
        "errors": {},
        "can_adjust": principal.has("scores.adjust"),
        "can_review": principal.has("interviews.review"),
        "can_respond": principal.has("interviews.respond"),
        "can_push": principal.has("interviews.live"),
        "waiting": waiting_for_report(interview, utcnow(), untranscribed(session, interview.id)),
        "erased_at": sessions.erased_at(session, interview),
    }


@router.get("/interviews/{interview_id}")
def report_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id
) -> Response:
    try:
        context = _report_context(request, session, principal, interview_id)
    except ScorecardFirst as refused:
        # a blind panel interviewer: the page says why and leads to the scorecard instead
        interview = session.get(InterviewSession, interview_id)
        if interview is None:
            raise
        application_id = session.scalar(
            select(Application.id).where(
                Application.opening_id == interview.opening_id,
                Application.candidate_id == interview.candidate_id,
            )
        )
        _ = gettext_for(request.state.language)
        context = {"interview": interview, "message": refused.translated(_)}
        context["application_id"] = application_id
        return render(request, "interviews/scorecard_first.html", context)
    context["done"] = request.query_params.get("done", "")
    language = request.state.language
    context["can_translate"] = reading.available(context["d"], language)
    wants = context["can_translate"] and request.query_params.get("translate") == "1"
    context["reading"] = reading.translate(context["d"], language) if wants else None
    return render(request, "interviews/report.html", context)


@router.get("/interviews/{interview_id}/print")
def report_print(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id
) -> Response:
    """The engine's standalone, print-friendly report (inline SVG radar, no scripts): the
    report in effect, re-derived after an HR override (its notes name the AI's scores)."""
    interview = hr.view_report(session, principal, interview_id)
    sessions.refuse_if_erased(session, interview)
    report = final_report(queries.detail(session, interview).report_row)
    if report is None:
        raise NotFound()
    lang = report_language(request.state.language)
    # The engine only knows a pseudonymous reference; HR prints it with the person's name.
    named = dataclasses.replace(
        report, candidate_ref=f"{interview.candidate.name} · {interview.opening.title}"
    )
    page = render_html(named, lang)
    # Sections other domains add (the interviewers' scorecards), as the caller may see them.
    extras = "".join(
        module.print_section(
            session, principal, interview.opening_id, interview.candidate_id, request.state.language
        )
        for module in domain_modules("report_extras")
    )
    if extras:
        page = page.replace("</body>", extras + "</body>", 1)
    return Response(page, media_type="text/html; charset=utf-8")


@router.get("/interviews/{interview_id}/answers/{interview_answer_id}/media")
def answer_media(
    session: DbSession, principal: PageUser, interview_id: Id, interview_answer_id: Id
) -> Response:
    stream, content_type, size = hr.open_answer_media(
        session, principal, interview_id, interview_answer_id
    )

    def chunks():
        with stream:
            while piece := stream.read(256 * 1024):
                yield piece

    return StreamingResponse(
        chunks(),
        media_type=content_type or "application/octet-stream",
        headers={
            "Content-Length": str(size),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _report_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: int
) -> Page:
    """The report page again, with the errors of a refused form on it."""
    return forms.rerender(
        request,
        "interviews/report.html",
        lambda: _report_context(request, session, principal, interview_id),
        rollback=session,
        done="",
    )


@router.post("/interviews/{interview_id}/adjust")
def adjust_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id, form: Form
) -> Response:
    fields = {
        "dimension_id": form.get("dimension_id"),
        "score": form.get("score"),
        "reason": form.get("reason"),
    }
    save = forms.redirect_after(
        lambda data: hr.adjust_score(session, principal, interview_id, data),
        f"/interviews/{interview_id}?done=adjusted",
    )
    page = _report_page(request, session, principal, interview_id)
    return forms.submit_form(request, schemas.AdjustIn, fields, save, page)


@router.post("/interviews/{interview_id}/conclusion")
def conclusion_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id, form: Form
) -> Response:
    fields = {"conclusion": form.get("conclusion"), "decision": form.get("decision")}
    save = forms.redirect_after(
        lambda data: hr.conclude(session, principal, interview_id, data),
        f"/interviews/{interview_id}?done=reviewed",
    )
    page = _report_page(request, session, principal, interview_id)
    return forms.submit_form(request, schemas.ConclusionIn, fields, save, page)


@router.post("/interviews/{interview_id}/retry-scoring")
def retry_scoring_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id
) -> Response:
    retry = forms.redirect_after(
        lambda: hr.retry_scoring(session, principal, interview_id),
        f"/interviews/{interview_id}?done=retried",
    )
    page = _report_page(request, session, principal, interview_id)
    return forms.act_or_rerender(request, retry, page)


@router.get("/interviews-questions")
def questions_page(
    request: Request, session: DbSession, principal: PageUser, status: str = "forwarded"
) -> Response:
    rows = queries.forwarded_questions(session, principal, status=status or None)
    return render(
        request, "interviews/questions.html", {"rows": rows, "status": status, "errors": {}}
    )


@router.post("/interviews-questions/{candidate_question_id}/answer")
def answer_question_page(
    request: Request, session: DbSession, principal: PageUser, candidate_question_id: Id, form: Form
) -> Response:
    save = forms.redirect_after(
        lambda data: faq.answer_forwarded(session, principal, candidate_question_id, data),
        "/interviews-questions?status=forwarded",
    )
    page = forms.rerender(
        request,
        "interviews/questions.html",
        lambda: {"rows": queries.forwarded_questions(session, principal)},
        rollback=session,
        status="forwarded",
    )
    return forms.submit_form(
        request, schemas.HrAnswerIn, {"answer": form.get("answer")}, save, page
    )


def _faq_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    errors: dict[str, str],
    values: Mapping[str, str],
) -> Response:
    return render(
        request,
        "interviews/faq.html",
        {"faqs": queries.faqs(session, principal), "errors": errors, "values": values},
        status_code=422 if errors else 200,
    )


@router.get("/interviews-faq")
def faq_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return _faq_page(request, session, principal, {}, {})


def _faq_save(
    request: Request,
    session: DbSession,
    principal: PageUser,
    interview_faq_id: int | None,
    form: PostedForm,
) -> Response:
    def page(errors: dict[str, str]) -> Response:
        session.rollback()
        return _faq_page(request, session, principal, errors, form.values)

    fields = {
        "question": form.get("question"),
        "answer": form.get("answer"),
        "language": form.get("language") or "zh-CN",
    }
    save = forms.redirect_after(
        lambda data: faq.save_faq(session, principal, data, interview_faq_id), "/interviews-faq"
    )
    return forms.submit_form(request, schemas.FaqIn, fields, save, page)


@router.post("/interviews-faq")
def faq_create(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _faq_save(request, session, principal, None, form)


@router.post("/interviews-faq/{interview_faq_id}")
def faq_update(
    request: Request, session: DbSession, principal: PageUser, interview_faq_id: Id, form: Form
) -> Response:
    return _faq_save(request, session, principal, interview_faq_id, form)


@router.post("/interviews-faq/{interview_faq_id}/delete")
def faq_delete(session: DbSession, principal: PageUser, interview_faq_id: Id) -> Response:
    faq.delete_faq(session, principal, interview_faq_id)
    return RedirectResponse("/interviews-faq", status_code=303)


def _calibration_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    error: str = "",
    status_code: int = 200,
) -> Response:
    require(principal, "interviews.calibrate")
    return render(
        request,
        "interviews/calibration.html",
        {
            "rows": queries.calibrations(session, principal),
            "adjustments": queries.adjustment_count(session, principal),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/interviews-calibration")
def calibration_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return _calibration_page(request, session, principal)


@router.post("/interviews-calibration")
def calibration_fit(session: DbSession, principal: PageUser) -> Response:
    calibration.fit_company_calibration(session, principal)
    return RedirectResponse("/interviews-calibration", status_code=303)


@router.post("/interviews-calibration/{interview_calibration_id}/activate")
def calibration_activate(
    request: Request,
    session: DbSession,
    principal: PageUser,
    interview_calibration_id: Id,
    form: Form,
) -> Response:
    active = form.get("active", "1") == "1"
    try:
        calibration.activate_calibration(session, principal, interview_calibration_id, active)
    except CalibrationEmpty as exc:
        # Said on the page with its own status (409): the version exists, switching it on
        # would change no score.
        session.rollback()
        message = exc.translated(gettext_for(request.state.language))
        return _calibration_page(request, session, principal, message, exc.status)
    return RedirectResponse("/interviews-calibration", status_code=303)
