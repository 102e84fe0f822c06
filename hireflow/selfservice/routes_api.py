"""Self-service under ``/api/v1`` (SPEC J1–J3): one's own report, development and requests
(bearer tokens of the person; API keys never reach them, see ``core.permissions.KEY_NEVER``),
and the development overview, catalogue and requests for HR and managers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from hireflow.core.rows import shaped
from hireflow.records.presenting import text_language
from hireflow.selfservice import development, requests, routes_reads, schemas, training
from hireflow.selfservice.development import Series
from hireflow.selfservice.models import Reassessment
from hireflow.selfservice.reports import ReportView
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id

router = APIRouter(tags=["selfservice"])


def _lang(principal: ApiUser) -> str:
    return text_language(principal.language)


def _report(view: ReportView) -> schemas.ReportOut:
    data = asdict(view)
    data["dimensions"] = [{**asdict(d), "below": d.below} for d in view.dimensions]
    return schemas.ReportOut(**data)


def _series(items: list[Series]) -> list[schemas.SeriesOut]:
    return [schemas.SeriesOut(**asdict(s)) for s in items]


def _reassessments(items: list[dict[str, Any]]) -> list[schemas.ReassessmentOut]:
    return [
        shaped(schemas.ReassessmentOut, r["reassessment"], state=r["state"], link=r["link"])
        for r in items
    ]


def _scheduled(found: Reassessment) -> schemas.ReassessmentOut:
    return shaped(schemas.ReassessmentOut, found, state="invited", link=None)


@router.get("/self/report", response_model=list[schemas.ReportOut])
def get_my_report(session: DbSession, principal: ApiUser) -> Any:
    views = routes_reads.own_reports(session, principal, _lang(principal))
    return [_report(v) for v in views]


@router.get("/self/development", response_model=schemas.DevelopmentOut)
def get_my_development(session: DbSession, principal: ApiUser) -> Any:
    mine = development.my_development(session, principal, _lang(principal))
    return schemas.DevelopmentOut(
        plan=[
            schemas.PlanItemOut(
                dimension=p.dimension,
                name=p.name,
                score=p.score,
                required=p.required,
                suggestion=p.suggestion,
                course_ids=[c.id for c in p.courses],
            )
            for p in mine.plan
        ],
        enrolments=[schemas.EnrolmentOut.model_validate(e) for e, _c in mine.enrolments],
        progress=_series(mine.progress),
        reassessments=_reassessments(mine.reassessments),
    )


@router.post("/self/enrolments", response_model=schemas.EnrolmentOut, status_code=201)
def post_enrolment(data: schemas.EnrolIn, session: DbSession, principal: ApiUser) -> Any:
    return training.enrol(session, principal, data.course_id)


ENROLMENT = "/self/enrolments/{enrolment_id}"
api = ServiceRoutes(router, __name__, schemas.EnrolmentOut)
api.patch(ENROLMENT, training.set_progress, training.ProgressIn, name="patch_enrolment")
api.post(f"{ENROLMENT}/cancel", training.cancel, name="cancel_enrolment")


@router.post("/self/reassessments", response_model=schemas.ReassessmentOut, status_code=201)
def post_reassessment(
    data: development.ReassessmentIn, session: DbSession, principal: ApiUser
) -> Any:
    found = development.schedule_own(session, principal, data, _lang(principal))
    return _scheduled(found)


mine = ServiceRoutes(router, __name__, schemas.RequestOut)
mine.get(
    "/self/requests", requests.my_requests, name="get_my_requests", model=list[schemas.RequestOut]
)
mine.create("/self/requests", requests.create_request, requests.RequestIn, name="post_request")


# --------------------------------------------------------------------------- HR and managers


@router.get("/development/employees", response_model=list[schemas.EmployeeProgressOut])
def get_department_progress(session: DbSession, principal: ApiUser) -> Any:
    rows = routes_reads.department_progress(session, principal, _lang(principal))
    return [
        schemas.EmployeeProgressOut(
            employee_id=r.employee.id,
            employee_number=r.employee.employee_number,
            department=r.department,
            enrolments=[schemas.EnrolmentOut.model_validate(e) for e, _c in r.enrolments],
            progress=_series(r.progress),
            reassessments=_reassessments(r.reassessments),
        )
        for r in rows
    ]


@router.post(
    "/development/employees/{employee_id}/reassessments",
    response_model=schemas.ReassessmentOut,
    status_code=201,
)
def post_employee_reassessment(
    employee_id: Id, data: development.ReassessmentIn, session: DbSession, principal: ApiUser
) -> Any:
    found = development.schedule_for(session, principal, employee_id, data)
    return _scheduled(found)


@router.get("/training/courses", response_model=list[schemas.CourseOut])
def get_courses(session: DbSession, principal: ApiUser) -> Any:
    training.require_catalogue(principal)
    only_open = not principal.has("training.manage")
    return training.courses(session, principal.tenant_id, only_open=only_open)


courses = ServiceRoutes(router, __name__, schemas.CourseOut)
courses.create("/training/courses", training.save_course, training.CourseIn, name="post_course")


@router.put("/training/courses/{course_id}", response_model=schemas.CourseOut)
def put_course(
    course_id: Id, data: training.CourseIn, session: DbSession, principal: ApiUser
) -> Any:
    return training.save_course(session, principal, data, course_id)


@router.get("/self-service/requests", response_model=list[schemas.RequestOut])
def get_requests(session: DbSession, principal: ApiUser) -> Any:
    return [r for r, _name in routes_reads.open_requests(session, principal)]


ANSWER = "/self-service/requests/{selfservice_request_id}/answer"
mine.post(ANSWER, requests.answer_request, requests.AnswerIn, name="post_answer")
