"""Candidates, resume intake, screening results, the talent pool and matching under ``/api/v1``."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from hireflow.candidates import merging, profiles, queries, saved_searches, schemas, service
from hireflow.candidates.models import Candidate, PerformanceRating, SavedSearch
from hireflow.candidates.routes_upload import ApiBatch
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id, Offset, audit_read

router = APIRouter(tags=["candidates"])


def _summary(hit: queries.PoolHit) -> dict[str, Any]:
    candidate = hit.candidate
    return {
        "id": candidate.id,
        "name": candidate.name,
        "location": candidate.location,
        "source": candidate.source,
        "years_experience": candidate.years_experience,
        "highest_degree_rank": candidate.highest_degree_rank,
        "is_internal": candidate.is_internal,
        "created_at": candidate.created_at,
        "relevance": hit.relevance,
        "skills": list((candidate.profile or {}).get("skills", []))[:20],
    }


def _set_internal(session: Session, principal: Principal, candidate_id: int, data: Any) -> Any:
    return profiles.set_internal(session, principal, candidate_id, data.internal)


def _merge_view(merge: Any, session: Session, _principal: Principal) -> Any:
    return merging.view(session, merge)


@router.get("/candidates", response_model=list[schemas.PoolHitOut])
def list_candidates(
    request: Request,
    response: Response,
    session: DbSession,
    principal: ApiUser,
    limit: int = Query(100, ge=1, le=500),
    offset: Offset = 0,
) -> Any:
    """Search the talent pool: ``q`` (keywords) and the filters of the pool page
    (``opening_id``, ``stage``, ``min_education``, ``min_years``, ``max_years``, ``skills``,
    ``dimension`` + ``min_score``, ``interviewed_from``/``interviewed_to``, ``source``,
    ``location``, ``internal``, ``sort=match|date``). ``X-Total-Count`` says how many match
    (at most 1000; ``X-Total-Capped: 1`` beyond). Experience, education and places in ``q``
    ("Java 上海 五年") are read as filters unless ``literal=1``; ``X-Query-Understood`` lists
    what was read (JSON)."""
    params = dict(request.query_params)
    literal = params.pop("literal", "") == "1"
    filters = queries.PoolFilters.from_params(params)
    if not literal:
        filters, understood = filters.understood()
        if understood:
            response.headers["X-Query-Understood"] = json.dumps(
                [{"kind": p["kind"], "text": p["text"], "en": p["en"]} for p in understood]
            )
    page = queries.search_pool(session, principal, filters, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Total-Capped"] = "1" if page.capped else "0"
    audit_read(
        session, principal, "candidates.listed", "candidate", [h.candidate.id for h in page.hits]
    )
    return [_summary(hit) for hit in page.hits]


CANDIDATE = "/candidates/{candidate_id}"
api = ServiceRoutes(router, __name__, schemas.CandidatePublic)
api.get(CANDIDATE, queries.view_candidate, name="get_candidate")


@router.patch("/candidates/{candidate_id}/profile", response_model=schemas.CandidatePublic)
def correct_profile(
    candidate_id: Id, data: schemas.ProfileCorrection, session: DbSession, principal: ApiUser
) -> Candidate:
    return profiles.correct_profile(
        session, principal, candidate_id, data.model_dump(exclude_unset=True)
    )


api.get(
    f"{CANDIDATE}/resumes", queries.view_resumes, name="list_resumes", model=list[schemas.ResumeOut]
)


@router.get("/candidates/{candidate_id}/portrait")
def portrait(candidate_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """Strengths, development areas, job types the person suits, best-matching openings."""
    require(principal, "candidates.search")
    candidate = get_visible(session, Candidate, candidate_id, principal, "candidates.read")
    result = queries.candidate_portrait(session, principal, candidate)
    audit_read(session, principal, "candidate.portrait_viewed", "candidate", target_id=candidate.id)
    return result


@router.get("/candidates/{candidate_id}/performance", response_model=list[schemas.RatingOut])
def list_ratings(candidate_id: Id, session: DbSession, principal: ApiUser) -> Any:
    require(principal, "performance.read")
    get_visible(session, Candidate, candidate_id, principal, "candidates.read")
    rows = queries.ratings(session, principal, candidate_id)
    audit_read(
        session, principal, "candidate.performance_viewed", "candidate", target_id=candidate_id
    )
    return rows


@router.post(
    "/candidates/{candidate_id}/performance", response_model=schemas.RatingOut, status_code=201
)
def record_rating(
    candidate_id: Id, data: schemas.RatingIn, session: DbSession, principal: ApiUser
) -> PerformanceRating:
    return profiles.record_rating(
        session, principal, candidate_id, data.period, data.rating, data.comment
    )


api.put(f"{CANDIDATE}/internal", _set_internal, schemas.InternalIn, name="set_internal")


MULTIPART_FILES = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "PDF, DOCX or TXT resumes, or zip archives of them",
                        },
                        "source": {"type": "string", "description": "e.g. api, referral"},
                    },
                    "required": ["files"],
                }
            }
        },
        "required": True,
    }
}


@router.post(
    "/openings/{opening_id}/resumes",
    response_model=schemas.IntakeOut,
    openapi_extra=MULTIPART_FILES,
)
def upload_resumes(opening_id: Id, session: DbSession, principal: ApiUser, batch: ApiBatch) -> Any:
    """Upload resumes (multipart, one or more ``files``; zip archives are opened). Every file
    gets its own result; a bad file never stops the others."""
    service.intake_opening(session, principal, opening_id)
    uploads, oversize = batch.read(get_settings().max_upload_bytes)
    if not uploads and not oversize:
        raise ValidationFailed(N_("Choose at least one file."), fields={"files": "required"})
    source = (batch.form.get("source") or "api")[:40]
    results = service.intake_files(session, principal, opening_id, uploads, source=source)
    results += oversize
    return {
        "accepted": sum(r.ok for r in results),
        "refused": sum(not r.ok for r in results),
        "results": [r.to_dict() for r in results],
    }


@router.get("/openings/{opening_id}/applications", response_model=list[schemas.ApplicationScreened])
def opening_applications(
    opening_id: Id,
    session: DbSession,
    principal: ApiUser,
    status: str = Query("", pattern="^(|passed|pending|rejected)$"),
) -> Any:
    """The opening's applications with each screening verdict and its explanation."""
    require(principal, "candidates.read")
    opening = get_visible(session, Opening, opening_id, principal, "openings.read")
    rows = [
        {
            **schemas.ApplicationPublic.model_validate(a).model_dump(),
            "candidate_id": a.candidate_id,
            "candidate_name": a.candidate.name,
            "screening": a.screening,
            "screened_at": a.screened_at,
        }
        for a in queries.opening_applications(session, principal, opening, status=status)
    ]
    audit_read(
        session, principal, "applications.listed", "candidate", [r["candidate_id"] for r in rows]
    )
    return rows


@router.get("/openings/{opening_id}/matches", response_model=list[schemas.MatchOut])
def matches(
    opening_id: Id,
    session: DbSession,
    principal: ApiUser,
    limit: int = Query(20, ge=1, le=100),
) -> Any:
    """Pool candidates ranked by match with the opening, with the reasons (SPEC C4)."""
    found = queries.recommend(session, principal, opening_id, limit=limit)
    audit_read(
        session, principal, "candidates.matched", "candidate", [r.candidate.id for r in found]
    )
    return [
        {
            **r.match.to_dict(),
            "name": r.candidate.name,
            "applied": r.applied,
        }
        for r in found
    ]


@router.get("/saved-searches", response_model=list[schemas.SavedSearchOut])
def list_saved(session: DbSession, principal: ApiUser) -> list[SavedSearch]:
    require(principal, "candidates.search")
    return queries.saved_searches(session, principal)


@router.post("/saved-searches", response_model=schemas.SavedSearchOut, status_code=201)
def save_search(data: schemas.SavedSearchIn, session: DbSession, principal: ApiUser) -> SavedSearch:
    filters = queries.PoolFilters.from_params(data.params)
    return saved_searches.save_search(session, principal, data.name, filters.to_params())


api.delete("/saved-searches/{saved_search_id}", saved_searches.delete_search)


# --- duplicates: merges HR decides and undoes --------------------------------------------


@router.get("/candidate-merges", response_model=list[schemas.MergeOut])
def list_merges(
    session: DbSession,
    principal: ApiUser,
    status: Annotated[Literal["proposed", "merged", "rejected", "undone"] | None, Query()] = None,
) -> Any:
    """Merges of resumes into one person; ``proposed`` ones wait for HR's decision."""
    return [merging.view(session, m) for m in merging.visible_merges(session, principal, status)]


MERGE = "/candidate-merges/{merge_id}"
merges = ServiceRoutes(router, __name__, schemas.MergeOut, out=_merge_view)
merges.post(f"{MERGE}/accept", merging.accept, name="accept_merge")
merges.post(f"{MERGE}/reject", merging.reject, name="reject_merge")
merges.post(f"{MERGE}/undo", merging.undo, name="undo_merge")
