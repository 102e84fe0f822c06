"""Openings and hiring requests under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.datastructures import UploadFile

from hireflow.candidates.rule_builder import build_rule as build
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import require
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
from hireflow.web.deps import ApiUser, DbSession, Id, Offset


async def _dictionary_upload(request: Request) -> UploadFile | None:
    """The posted ``file`` (the body is read on the event loop; the route reads the file on
    the thread pool). A part without a file name is an upload too."""
    value = (await request.form()).get("file")
    return value if isinstance(value, UploadFile) else None


DictionaryUpload = Annotated[UploadFile | None, Depends(_dictionary_upload)]

router = APIRouter(tags=["openings"])


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


@router.post("/openings", response_model=schemas.OpeningDetail, status_code=201)
def create_opening(data: schemas.OpeningCreate, session: DbSession, principal: ApiUser) -> Opening:
    return service.create_opening(session, principal, data)


@router.get("/openings/catalogue")
def competency_catalogue(principal: ApiUser) -> Any:
    """Built-in competencies and job-type templates to build a model from."""
    require(principal, "openings.read")
    return {"competencies": list_presets(), "job_types": list_job_types()}


@router.get("/openings/{opening_id}", response_model=schemas.OpeningDetail)
def get_opening(opening_id: Id, session: DbSession, principal: ApiUser) -> Opening:
    return queries.get_opening(session, principal, opening_id)


@router.patch("/openings/{opening_id}", response_model=schemas.OpeningDetail)
def update_opening(
    opening_id: Id, data: schemas.OpeningUpdate, session: DbSession, principal: ApiUser
) -> Opening:
    return service.update_opening(session, principal, opening_id, data)


@router.delete("/openings/{opening_id}", status_code=204)
def delete_opening(opening_id: Id, session: DbSession, principal: ApiUser) -> Response:
    """Delete a draft nobody applied to; other openings are closed instead (409)."""
    service.delete_opening(session, principal, opening_id)
    return Response(status_code=204)


@router.post("/openings/{opening_id}/status", response_model=schemas.OpeningDetail)
def set_status(
    opening_id: Id, data: schemas.StatusIn, session: DbSession, principal: ApiUser
) -> Opening:
    return service.set_status(session, principal, opening_id, data.status)


@router.put("/openings/{opening_id}/members", response_model=schemas.OpeningDetail)
def set_members(
    opening_id: Id, data: schemas.MembersIn, session: DbSession, principal: ApiUser
) -> Opening:
    return service.set_members(session, principal, opening_id, data)


@router.put("/openings/{opening_id}/competency-model", response_model=schemas.OpeningDetail)
def set_competency_model(
    opening_id: Id, data: schemas.CompetencyModelIn, session: DbSession, principal: ApiUser
) -> Opening:
    return competency.set_competency_model(session, principal, opening_id, data)


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


@router.post("/openings/{opening_id}/plan", response_model=schemas.OpeningDetail)
def generate_plan(
    opening_id: Id, data: schemas.PlanGenerateIn, session: DbSession, principal: ApiUser
) -> Opening:
    return plans.generate_opening_plan(session, principal, opening_id, data.budget_minutes)


@router.put("/openings/{opening_id}/plan", response_model=schemas.OpeningDetail)
def save_plan(
    opening_id: Id, data: schemas.PlanIn, session: DbSession, principal: ApiUser
) -> Opening:
    return plans.save_plan(session, principal, opening_id, data.plan)


@router.put("/openings/{opening_id}/screening-rules", response_model=schemas.OpeningDetail)
def save_rules(
    opening_id: Id, data: schemas.ScreeningRulesIn, session: DbSession, principal: ApiUser
) -> Opening:
    """Save the opening's rules; a rule that does not compile answers 422 with each problem's
    line, column and excerpt (``error.fields["rules.<n>"]``)."""
    return service.save_screening_rules(session, principal, opening_id, data)


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


@router.post("/hiring-requests", response_model=schemas.HiringRequestOut, status_code=201)
def submit_request(
    data: schemas.HiringRequestIn, session: DbSession, principal: ApiUser
) -> HiringRequest:
    return hiring_requests.submit_request(session, principal, data)


@router.get("/hiring-requests/{hiring_request_id}", response_model=schemas.HiringRequestOut)
def get_request(hiring_request_id: Id, session: DbSession, principal: ApiUser) -> HiringRequest:
    return queries.get_hiring_request(session, principal, hiring_request_id)


@router.put("/hiring-requests/{hiring_request_id}", response_model=schemas.HiringRequestOut)
def resubmit_request(
    hiring_request_id: Id, data: schemas.HiringRequestIn, session: DbSession, principal: ApiUser
) -> HiringRequest:
    return hiring_requests.resubmit_request(session, principal, hiring_request_id, data)


@router.post(
    "/hiring-requests/{hiring_request_id}/approve", response_model=schemas.HiringRequestOut
)
def approve_request(
    hiring_request_id: Id, data: schemas.ApproveIn, session: DbSession, principal: ApiUser
) -> HiringRequest:
    return hiring_requests.approve_request(session, principal, hiring_request_id, data)


@router.post("/hiring-requests/{hiring_request_id}/return", response_model=schemas.HiringRequestOut)
def return_request(
    hiring_request_id: Id, data: schemas.ReviewIn, session: DbSession, principal: ApiUser
) -> HiringRequest:
    return hiring_requests.return_request(session, principal, hiring_request_id, data)


# --------------------------------------------------------------------------- model versions


@router.get(
    "/openings/{opening_id}/competency-versions", response_model=list[schemas.ModelVersionOut]
)
def competency_versions(opening_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """The versions of the opening's competency model, newest first (``active``: in use)."""
    return versions.versions(session, principal, opening_id)


@router.post(
    "/openings/{opening_id}/competency-versions/{version_number}/activate",
    response_model=schemas.ModelVersionOut,
)
def activate_competency_version(
    opening_id: Id, version_number: Id, session: DbSession, principal: ApiUser
) -> Any:
    """Put a version in use (HR administrators): a proposal, or an older one to go back."""
    return versions.activate(session, principal, opening_id, version_number)
