"""Self-service pages: one's own report, development and requests; HR's and managers'
development overview, the training catalogue and the requests to answer (SPEC J1–J3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from hireflow.core.errors import N_, NotFound
from hireflow.core.i18n import gettext_for, to_zone
from hireflow.core.permissions import require
from hireflow.records.presenting import text_language
from hireflow.records.routes_api import export_response
from hireflow.scoring.report import radar_svg
from hireflow.selfservice import (
    development,
    policy,
    reports,
    requests,
    routes_reads,
    training,
)
from hireflow.selfservice.charts import progress_svg
from hireflow.selfservice.labels import WORDS
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser
from hireflow.web.forms import Form, PostedForm, act_or_rerender, submit_form
from hireflow.web.templating import NavItem

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/my/report", N_("My report"), "self.report", order=32),
    NavItem("/my/development", N_("My development"), "self.development", order=33),
    NavItem("/my/requests", N_("My data and requests"), "self.requests", order=34),
    NavItem("/development", N_("Development"), "development.read", order=42, group="people"),
    NavItem("/training", N_("Training catalogue"), "training.manage", order=43, group="people"),
    NavItem(
        "/self-service/requests",
        N_("Data-subject requests"),
        "selfservice.requests",
        order=44,
        group="people",
    ),
)


def _lang(request: Request) -> str:
    return text_language(request.state.language)


def _day(request: Request) -> Callable[[datetime], str]:
    zone = request.state.timezone
    return lambda value: to_zone(value, zone).strftime("%Y-%m-%d")


PAGES = forms.WordedPages(WORDS)


# --------------------------------------------------------------------------- one's own report


def _report_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str] | None = None
) -> Response:
    lang = _lang(request)
    _ = gettext_for(request.state.language)
    views = routes_reads.own_reports(session, principal, lang)
    shown = policy.policy_of(session, principal.tenant_id)
    radars = {
        v.interview_id: radar_svg(
            [d.name for d in v.dimensions],
            [d.score for d in v.dimensions],
            [d.required for d in v.dimensions],
            legend=(_("score"), _("required")),
        )
        if shown.show_radar and shown.show_scores
        else ""
        for v in views
    }
    context = {"views": list(reversed(views)), "radars": radars}
    return PAGES.form(request, "selfservice/report.html", context, errors)


@router.get("/my/report")
def my_report(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The person's reports: scores against the job's levels, their words, suggestions."""
    return _report_page(request, session, principal)


# --------------------------------------------------------------------------- development


def _development_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str] | None = None
) -> Response:
    mine = development.my_development(session, principal, _lang(request))
    _ = gettext_for(request.state.language)
    chart = progress_svg(mine.progress, _day(request), _("Progress over time"))
    context = {"mine": mine, "chart": chart, "day": _day(request)}
    return PAGES.form(request, "selfservice/development.html", context, errors)


@router.get("/my/development")
def my_development(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Plan, courses, enrolments, re-assessments and progress over time."""
    return _development_page(request, session, principal)


def _on_development(request: Request, session: DbSession, principal: PageUser) -> Any:
    return lambda errors: _development_page(request, session, principal, errors)


@router.post("/my/enrolments")
def enrol(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    act = forms.redirect_after(
        lambda: training.enrol(session, principal, training.check_course_id(form.get("course_id"))),
        "/my/development?done=enrolled",
    )
    return act_or_rerender(request, act, _on_development(request, session, principal))


@router.post("/my/enrolments/{enrolment_id}/progress")
def progress(
    request: Request, session: DbSession, principal: PageUser, enrolment_id: Id, form: Form
) -> Response:
    act = forms.redirect_after(
        lambda data: training.set_progress(session, principal, enrolment_id, data),
        "/my/development?done=progress",
    )
    data = {"progress": "100" if form.get("complete") else form.get("progress")}
    return submit_form(
        request, training.ProgressIn, data, act, _on_development(request, session, principal)
    )


@router.post("/my/enrolments/{enrolment_id}/cancel")
def cancel(request: Request, session: DbSession, principal: PageUser, enrolment_id: Id) -> Response:
    act = forms.redirect_after(
        lambda: training.cancel(session, principal, enrolment_id), "/my/development?done=cancelled"
    )
    return act_or_rerender(request, act, _on_development(request, session, principal))


@router.post("/my/reassessments")
def reassess(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    act = forms.redirect_after(
        lambda data: development.schedule_own(session, principal, data, _lang(request)),
        "/my/development?done=reassessment",
    )
    data = {"dimensions": form.getlist("dimensions")}
    return submit_form(
        request,
        development.ReassessmentIn,
        data,
        act,
        _on_development(request, session, principal),
    )


# --------------------------------------------------------------------------- requests and data


def _requests_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str] | None = None
) -> Response:
    context = {
        "mine": requests.my_requests(session, principal),
        "views": reports.my_reports(session, principal, _lang(request))
        if principal.has("self.report")
        else [],
    }
    return PAGES.form(request, "selfservice/requests.html", context, errors)


@router.get("/my/requests")
def my_requests(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Download one's data; ask for an explanation, a review, a correction or an erasure."""
    return _requests_page(request, session, principal)


@router.post("/my/requests")
def file_request(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    act = forms.redirect_after(
        lambda data: requests.create_request(session, principal, data), "/my/requests?done=filed"
    )
    interview = form.get("interview_id")
    data = {**form.pick("kind", "message"), "interview_id": interview or None}
    return submit_form(
        request,
        requests.RequestIn,
        data,
        act,
        lambda errors: _requests_page(request, session, principal, errors),
    )


@router.get("/my/data.zip")
def my_data(session: DbSession, principal: PageUser) -> StreamingResponse:
    """A copy of everything held about the caller (the record's own export)."""
    require(principal, "records.export")
    people = reports.own_people(session, principal)
    if not people:
        raise NotFound()
    return export_response(session, principal, people[0].id)


# --------------------------------------------------------------------------- HR and managers


def _overview_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str] | None = None
) -> Response:
    rows = routes_reads.department_progress(session, principal, _lang(request))
    context = {"rows": rows, "day": _day(request)}
    return PAGES.form(request, "selfservice/overview.html", context, errors)


@router.get("/development")
def overview(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Employees in reach: courses, re-assessments and how their scores moved."""
    return _overview_page(request, session, principal)


@router.post("/development/employees/{employee_id}/reassessment")
def reassess_employee(
    request: Request, session: DbSession, principal: PageUser, employee_id: Id, form: Form
) -> Response:
    act = forms.redirect_after(
        lambda data: development.schedule_for(session, principal, employee_id, data),
        "/development?done=reassessment",
    )
    return submit_form(
        request,
        development.ReassessmentIn,
        {"dimensions": form.getlist("dimensions")},
        act,
        lambda errors: _overview_page(request, session, principal, errors),
    )


@router.post("/development/enrolments/{enrolment_id}/complete")
def complete(
    request: Request, session: DbSession, principal: PageUser, enrolment_id: Id
) -> Response:
    act = forms.redirect_after(
        lambda: training.record_completion(session, principal, enrolment_id),
        "/development?done=completed",
    )
    return act_or_rerender(
        request, act, lambda errors: _overview_page(request, session, principal, errors)
    )


def _training_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    require(principal, "training.manage")
    catalogue = training.courses(session, principal.tenant_id, only_open=False)
    context = {
        "courses": catalogue,
        "seats": training.seats_taken(session, [c.id for c in catalogue]),
        "shown": policy.policy_of(session, principal.tenant_id),
        "flags": policy.FLAGS,
        "values": values or {},
    }
    return PAGES.form(request, "selfservice/training.html", context, errors)


@router.get("/training")
def training_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The course catalogue and what people may see of their reports."""
    return _training_page(request, session, principal)


def _course_data(form: PostedForm) -> dict[str, Any]:
    fields = ("competency", "title_zh", "title_en", "description_zh", "description_en")
    data: dict[str, Any] = form.pick(*fields)
    data.update(
        mode=form.get("mode") or "online",
        location=form.get("location"),
        starts_at=form.get("starts_at") or None,
        ends_at=form.get("ends_at") or None,
        capacity=form.get("capacity") or "20",
        active=form.get("active") == "yes",
    )
    return data


# The names of the course form's fields, for errors that say which field.
COURSE_FIELDS = {
    "competency": N_("Competency"),
    "title_zh": N_("Title in Chinese"),
    "title_en": N_("Title in English"),
    "description_zh": N_("Description in Chinese"),
    "description_en": N_("Description in English"),
    "mode": N_("Format"),
    "location": N_("Location"),
    "starts_at": N_("Starts (UTC)"),
    "ends_at": N_("Ends (UTC)"),
    "capacity": N_("Seats"),
}


def _save_course(
    request: Request,
    session: DbSession,
    principal: PageUser,
    form: PostedForm,
    course_id: int | None,
) -> Response:
    act = forms.redirect_after(
        lambda data: training.save_course(session, principal, data, course_id),
        "/training?done=saved",
    )
    data = _course_data(form)
    return submit_form(
        request,
        training.CourseIn,
        data,
        act,
        forms.naming(
            lambda errors: _training_page(request, session, principal, errors, data),
            COURSE_FIELDS,
            request,
        ),
    )


forms.add_and_edit_routes(
    router,
    "/training/courses",
    "course_id",
    _save_course,
    add_name="add_course",
    edit_name="edit_course",
)


@router.post("/training/policy")
def save_policy(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    act = forms.redirect_after(
        lambda data: policy.update_policy(session, principal, data), "/training?done=policy"
    )
    data: dict[str, Any] = {name: form.get(name) == "yes" for name in policy.FLAGS}
    if "course_reminder_hours" in form.values:
        data["course_reminder_hours"] = form.get("course_reminder_hours")
    return submit_form(
        request,
        policy.PolicyIn,
        data,
        act,
        lambda errors: _training_page(request, session, principal, errors),
    )


def _hr_requests_page(
    request: Request, session: DbSession, principal: PageUser, errors: dict[str, str] | None = None
) -> Response:
    rows = routes_reads.open_requests(session, principal)
    context = {"rows": rows}
    return PAGES.form(request, "selfservice/hr_requests.html", context, errors)


@router.get("/self-service/requests")
def hr_requests(request: Request, session: DbSession, principal: PageUser) -> Response:
    """People's requests about their data and assessments, open ones first."""
    return _hr_requests_page(request, session, principal)


@router.post("/self-service/requests/{selfservice_request_id}/answer")
def answer(
    request: Request,
    session: DbSession,
    principal: PageUser,
    selfservice_request_id: Id,
    form: Form,
) -> Response:
    act = forms.redirect_after(
        lambda data: requests.answer_request(session, principal, selfservice_request_id, data),
        "/self-service/requests?done=answered",
    )
    return submit_form(
        request,
        requests.AnswerIn,
        form.pick("status", "answer"),
        act,
        lambda errors: _hr_requests_page(request, session, principal, errors),
    )
