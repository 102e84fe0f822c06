"""Openings and hiring requests under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from hireflow.candidates.rule_builder import build_rule as build
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.openings import (
    access,
    competency,
    hiring_requests,
    plans,
    queries,
    schemas,
    service,
    versions,
)
from hireflow.openings.models import HiringRequest, Opening
from hireflow.scoring.models import list_job_types, list_presets
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id, Offset


async def _dictionary_upload(request: Request) -> UploadFile | None:
    """The posted ``file`` (the body is read on the event loop; the route reads the file on
    the thread pool). A part without a file name is an upload too."""
    value = (await request.form()).get("file")
    return value if isinstance(value, UploadFile) else None


DictionaryUpload = Annotated[UploadFile | None, Depends(_dictionary_upload)]

router = APIRouter(tags=["openings"])
api = ServiceRoutes(router, __name__, schemas.OpeningDetail)


def _set_status(session: Session, principal: Principal, opening_id: int, data: Any) -> Opening:
    return service.set_status(session, principal, opening_id, data.status)


def _generate_plan(session: Session, principal: Principal, opening_id: int, data: Any) -> Opening:
    return plans.generate_opening_plan(session, principal, opening_id, data.budget_minutes)


def _save_plan(session: Session, principal: Principal, opening_id: int, data: Any) -> Opening:
    return plans.save_plan(session, principal, opening_id, data.plan)


@router.get("/openings", response_model=list[schemas.OpeningPublic])
def list_openings(
    session: DbSession,
    principal: ApiUser,
    status: str | None = Query(None, pattern="^(draft|open|closed)$"),
    q: str = Query("", max_length=100),
    limit: int = Query(100, ge=1, le=500),
    offset: Offset = 0,
) -> list[Opening]:
    return queries.list_openings(
        session, principal, status=status, query=q, limit=limit, offset=offset
    )


api.create("/openings", service.create_opening, schemas.OpeningCreate)


@router.get("/openings/catalogue")
def competency_catalogue(principal: ApiUser) -> Any:
    """Built-in competencies and job-type templates to build a model from."""
    require(principal, "openings.read")
    return {"competencies": list_presets(), "job_types": list_job_types()}


OPENING = "/openings/{opening_id}"
api.get(OPENING, queries.get_opening)
api.patch(OPENING, service.update_opening, schemas.OpeningUpdate)
api.delete(
    OPENING,
    service.delete_opening,
    doc="Delete a draft nobody applied to; other openings are closed instead (409).",
)
api.post(f"{OPENING}/status", _set_status, schemas.StatusIn, name="set_status")
api.put(f"{OPENING}/members", service.set_members, schemas.MembersIn)
api.put(f"{OPENING}/competency-model", competency.set_competency_model, schemas.CompetencyModelIn)


@router.post(
    "/openings/{opening_id}/competency-model/dictionary",
    response_model=schemas.OpeningDetail,
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
            "required": True,
        }
    },
)
def import_dictionary(
    opening_id: Id, session: DbSession, principal: ApiUser, upload: DictionaryUpload
) -> Opening:
    """Upload the company's competency dictionary (multipart field ``file``)."""
    access.manageable_opening(session, principal, opening_id)
    if upload is None:
        raise ValidationFailed(N_("Choose a file to upload."), fields={"file": "required"})
    # One byte past the limit is enough for the service to refuse the file as too large.
    upload.file.seek(0)
    content = upload.file.read(competency.MAX_DICTIONARY_BYTES + 1)
    return competency.import_dictionary(
        session, principal, opening_id, upload.filename or "dictionary.csv", content
    )


api.post(f"{OPENING}/plan", _generate_plan, schemas.PlanGenerateIn, name="generate_plan")
api.put(f"{OPENING}/plan", _save_plan, schemas.PlanIn, name="save_plan")
api.put(
    f"{OPENING}/screening-rules",
    service.save_screening_rules,
    schemas.ScreeningRulesIn,
    name="save_rules",
    doc="""Save the opening's rules; a rule that does not compile answers 422 with each problem's
    line, column and excerpt (``error.fields["rules.<n>"]``).""",
)


@router.post("/openings/screening-rules/build")
def build_rule(data: schemas.ScreeningFormIn, principal: ApiUser) -> Any:
    """Rule text from structured filters (education, majors, years, skills...)."""
    require(principal, "openings.read")
    try:
        return {"text": build(data.model_dump(exclude_none=True))}
    except ValueError as exc:
        raise ValidationFailed(
            N_("The filters do not make a rule: %(problem)s"),
            params={"problem": str(exc)},
            fields={"form": str(exc)},
        ) from exc


@router.get("/hiring-requests", response_model=list[schemas.HiringRequestOut])
def list_requests(
    session: DbSession,
    principal: ApiUser,
    status: str | None = Query(None, pattern="^(submitted|returned|approved|withdrawn)$"),
) -> list[HiringRequest]:
    return queries.list_hiring_requests(session, principal, status=status)


REQUEST = "/hiring-requests/{hiring_request_id}"
requests = ServiceRoutes(router, __name__, schemas.HiringRequestOut)
requests.create("/hiring-requests", hiring_requests.submit_request, schemas.HiringRequestIn)
requests.get(REQUEST, queries.get_hiring_request, name="get_request")
requests.put(REQUEST, hiring_requests.resubmit_request, schemas.HiringRequestIn)
requests.post(f"{REQUEST}/approve", hiring_requests.approve_request, schemas.ApproveIn)
requests.post(f"{REQUEST}/return", hiring_requests.return_request, schemas.ReviewIn)


# --------------------------------------------------------------------------- model versions


api.get(
    "/openings/{opening_id}/competency-versions",
    versions.versions,
    name="competency_versions",
    model=list[schemas.ModelVersionOut],
    doc="The versions of the opening's competency model, newest first (``active``: in use).",
)
api.post(
    "/openings/{opening_id}/competency-versions/{version_number}/activate",
    versions.activate,
    name="activate_competency_version",
    model=schemas.ModelVersionOut,
    doc="Put a version in use (HR administrators): a proposal, or an older one to go back.",
)
