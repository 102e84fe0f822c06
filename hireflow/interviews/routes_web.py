"""Pages of the AI interview for HR: the list, live view, report, FAQ, questions inbox and
calibration. The candidate's interview is in ``routes_candidate_web`` (same router).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.discovery import domain_modules
from hireflow.interviews import (
    calibration,
    coding,
    faq,
    hr,
    queries,
    reading,
    routes_candidate_web,  # noqa: F401 - adds the candidate's pages
    schemas,
    sessions,
)
from hireflow.interviews.errors import CalibrationEmpty, ScorecardFirst
from hireflow.interviews.health import untranscribed
from hireflow.interviews.models import InterviewSession
from hireflow.interviews.overrides import final_report
from hireflow.interviews.progress import LABELS as WAITING_LABELS
from hireflow.interviews.progress import waiting_for_report
from hireflow.interviews.web_router import router
from hireflow.scoring.models import load_model, localised
from hireflow.scoring.report import render_html, report_language
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, Page, PostedForm
from hireflow.web.templating import NavItem, render

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
    context = {"rows": _live_rows(session, principal), "done": done}
    return forms.page_of_form(request, "interviews/live.html", context, errors)


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
        _ = gettext_for(request.state.language)
        context = {"interview": interview, "message": refused.translated(_)}
        context["application_id"] = sessions.application_id_of(session, interview)
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
    request: Request,
    session: DbSession,
    principal: PageUser,
    interview_id: int,
    form: PostedForm | None = None,
) -> Page:
    """The report page again, with the errors of a refused form on it and what was typed."""
    return forms.rerender(
        request,
        "interviews/report.html",
        lambda: _report_context(request, session, principal, interview_id),
        rollback=session,
        done="",
        values=dict(form.values) if form else {},
    )


@router.post("/interviews/{interview_id}/adjust")
def adjust_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id, form: Form
) -> Response:
    fields = form.pick("dimension_id", "score", "reason")
    save = forms.redirect_after(
        lambda data: hr.adjust_score(session, principal, interview_id, data),
        f"/interviews/{interview_id}?done=adjusted",
    )
    page = _report_page(request, session, principal, interview_id, form)
    return forms.submit_form(request, schemas.AdjustIn, fields, save, page)


@router.post("/interviews/{interview_id}/conclusion")
def conclusion_page(
    request: Request, session: DbSession, principal: PageUser, interview_id: Id, form: Form
) -> Response:
    fields = form.pick("conclusion", "decision")
    save = forms.redirect_after(
        lambda data: hr.conclude(session, principal, interview_id, data),
        f"/interviews/{interview_id}?done=reviewed",
    )
    page = _report_page(request, session, principal, interview_id, form)
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
    context = {"faqs": queries.faqs(session, principal), "values": values}
    return forms.page_of_form(request, "interviews/faq.html", context, errors)


@router.get("/interviews-faq")
def faq_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return _faq_page(request, session, principal, {}, {})


def _faq_save(
    request: Request,
    session: DbSession,
    principal: PageUser,
    form: PostedForm,
    interview_faq_id: int | None,
) -> Response:
    def page(errors: dict[str, str]) -> Response:
        session.rollback()
        return _faq_page(request, session, principal, errors, form.values)

    fields = {**form.pick("question", "answer"), "language": form.get("language") or "zh-CN"}
    save = forms.redirect_after(
        lambda data: faq.save_faq(session, principal, data, interview_faq_id), "/interviews-faq"
    )
    return forms.submit_form(request, schemas.FaqIn, fields, save, page)


forms.add_and_edit_routes(
    router,
    "/interviews-faq",
    "interview_faq_id",
    _faq_save,
    add_name="faq_create",
    edit_name="faq_update",
)


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
