"""Candidate pages: the talent pool, a person's whole picture with the parsed resume next to
the original text, resume upload with a per-file result table, recommendations, and a
candidate's own applications."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hireflow.candidates import merging, profiles, queries, saved_searches, schemas, service
from hireflow.candidates.matching import dimension_labels
from hireflow.candidates.models import SOURCES, STAGES, Candidate
from hireflow.candidates.resume_model import DEGREE_LABELS, DEGREES
from hireflow.candidates.routes_upload import PageBatch
from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import (
    Principal,
    Role,
    get_visible,
    require,
    require_visible,
    restrict,
)
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.records.models import RecordScore
from hireflow.records.queries import view_record
from hireflow.web import forms
from hireflow.web.deps import Count, DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/candidates", N_("Candidates"), "candidates.search", order=20, group="recruiting"),
    NavItem(
        "/candidate-merges",
        N_("Possible duplicates"),
        "candidates.manage",
        order=21,
        group="recruiting",
    ),
    NavItem("/me", N_("My applications"), "self.read", roles=frozenset({"candidate"}), order=30),
    NavItem(
        "/me", N_("My internal applications"), "self.read", roles=frozenset({"employee"}), order=31
    ),
)
LABELS = (
    N_("api"),
    N_("import"),
    N_("referral"),
    N_("internal"),
    N_("email"),
    N_("phone"),
    N_("name_birth_date"),
    N_("name_school"),
    N_("same_file"),
    N_("profile_change"),
    N_("application"),
    N_("interview_result"),
    N_("review"),
    N_("note"),
    N_("status_change"),
    N_("document"),
    N_("consent"),
    N_("name"),
    N_("birth_date"),
    N_("proposed"),
    N_("merged"),
    N_("rejected"),
    N_("undone"),
    N_("Status"),
)
EDU_FIELDS = ("school", "degree", "major", "start", "end")
WORK_FIELDS = ("company", "title", "start", "end", "description")


def _dimension_names(session: DbSession, principal: Principal) -> list[str]:
    found = set(
        session.scalars(
            select(RecordScore.dimension)
            .where(RecordScore.tenant_id == principal.tenant_id)
            .distinct()
            .limit(100)
        )
    )
    return sorted(found | set(dimension_labels()))


def _openings(session: DbSession, principal: Principal) -> list[Opening]:
    if not principal.has("openings.read"):
        return []
    return list(
        session.scalars(
            restrict(select(Opening), principal, "openings.read", Opening)
            .order_by(Opening.created_at.desc())
            .limit(200)
        )
    )


# --------------------------------------------------------------------------- the pool


@router.get("/candidates")
def candidates_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "candidates.search")
    _ = gettext_for(request.state.language)
    params = dict(request.query_params)
    page_no = int(params.pop("page", "1") or 1) if str(params.get("page", "1")).isdigit() else 1
    errors: dict[str, Any] = {}
    literal = params.pop("literal", "") == "1"
    understood: list[dict[str, Any]] = []
    effective = queries.PoolFilters()
    try:
        filters = queries.PoolFilters.from_params(params)
        effective, understood = (filters, []) if literal else filters.understood()
        page = queries.search_pool(
            session, principal, effective, limit=20, offset=(page_no - 1) * 20
        )
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        errors = {k: exc.translated(_) for k in exc.fields} or {"form": exc.translated(_)}
        filters = queries.PoolFilters()
        page = queries.PoolPage([], 0, False)
    audit_read(
        session, principal, "candidates.listed", "candidate", [h.candidate.id for h in page.hits]
    )
    openings = _openings(session, principal)
    return render(
        request,
        "candidates/list.html",
        {
            "filters": filters,
            "params": params,
            "understood": understood,
            "keywords": effective.q if understood else filters.q,
            "literal": literal,
            "literal_query": _query({**params, "literal": "1"}),
            "page": page,
            "page_no": page_no,
            "errors": errors,
            "openings": openings,
            "opening_titles": {o.id: o.title for o in openings},
            "stages": STAGES,
            "sources": SOURCES,
            "degrees": DEGREES,
            "degree_labels": DEGREE_LABELS,
            "dimensions": _dimension_names(session, principal),
            "dimension_labels": dimension_labels(),
            "skills": queries.skill_suggestions(session, principal),
            "saved": queries.saved_searches(session, principal),
        },
    )


@router.post("/candidates/searches")
def save_search(session: DbSession, principal: PageUser, form: Form) -> Response:
    require(principal, "candidates.search")
    values = dict(form.values)
    name = values.pop("name", "")
    values.pop("csrf_token", None)
    filters = queries.PoolFilters.from_params(values)
    saved_searches.save_search(session, principal, name, filters.to_params())
    return RedirectResponse("/candidates?" + _query(filters.to_params()), status_code=303)


@router.post("/candidates/searches/{saved_search_id}/delete")
def delete_search(session: DbSession, principal: PageUser, saved_search_id: Id) -> Response:
    saved_searches.delete_search(session, principal, saved_search_id)
    return RedirectResponse("/candidates", status_code=303)


def _query(params: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --------------------------------------------------------------------------- one person


def _picture(
    session: DbSession, principal: Principal, candidate: Candidate, resume_id: int | None
) -> dict[str, Any]:
    applications = queries.visible_applications(session, principal, candidate.id)
    resumes = queries.resumes(session, candidate)
    shown = next((r for r in resumes if r.id == resume_id), resumes[0] if resumes else None)
    record = None
    if principal.has("records.read"):
        try:
            record = view_record(session, principal, candidate.id)
        except AppError:
            record = None
    reports = [e for e in (record.entries if record else []) if e.entry.type == "interview_result"]
    portrait = queries.candidate_portrait(session, principal, candidate)
    return {
        "candidate": candidate,
        "profile": candidate.profile or {},
        "parsed": candidate.profile_parsed or {},
        "corrections": candidate.corrections or {},
        "applications": applications,
        "resumes": resumes,
        "resume": shown,
        "record": record,
        "reports": reports,
        "portrait": portrait,
        "ratings": queries.ratings(session, principal, candidate.id),
        "can_correct": principal.has("candidates.manage")
        and _may(session, principal, candidate, "candidates.manage"),
        "degrees": DEGREES,
        "degree_labels": DEGREE_LABELS,
        "dimension_labels": dimension_labels(),
        "errors": {},
        "values": {},
    }


def _may(session: DbSession, principal: Principal, candidate: Candidate, capability: str) -> bool:
    try:
        get_visible(session, Candidate, candidate.id, principal, capability)
        return True
    except AppError:
        return False


@router.get("/candidates/{candidate_id}")
def candidate_page(
    request: Request, session: DbSession, principal: PageUser, candidate_id: Id, resume: Count = 0
) -> Response:
    candidate = queries.view_candidate(session, principal, candidate_id)
    return render(
        request, "candidates/detail.html", _picture(session, principal, candidate, resume or None)
    )


def _rows(values: dict[str, str], prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for index in range(40):
        row = {f: values.get(f"{prefix}-{index}-{f}", "").strip() for f in fields}
        if not any(f"{prefix}-{index}-{f}" in values for f in fields):
            break
        if any(row.values()):
            rows.append(row)
    return rows


def _shown(entry: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    """An education or work entry as the correction form shows it."""
    shown = {}
    for f in fields:
        if f == "degree":
            value = entry.get("degree_raw") or entry.get("degree")
        elif f == "end" and entry.get("is_current"):
            value = "至今"
        else:
            value = entry.get(f)
        shown[f] = str(value or "").strip()
    return shown


def _changes(profile: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The fields of the correction form that differ from the profile in effect."""
    changes: dict[str, Any] = {}
    for key in ("name", "email", "phone", "location"):
        if key in values and values[key].strip() != str(profile.get(key) or ""):
            changes[key] = values[key]
    if "years_experience" in values and values["years_experience"].strip():
        try:
            if (
                abs(float(values["years_experience"]) - float(profile.get("years_experience") or 0))
                > 0.05
            ):
                changes["years_experience"] = values["years_experience"]
        except ValueError:
            changes["years_experience"] = values["years_experience"]
    if "skills" in values:
        skills = [s.strip() for s in values["skills"].replace("，", ",").split(",") if s.strip()]
        if skills != list(profile.get("skills") or []):
            changes["skills"] = skills
    for key, prefix, fields in (("education", "edu", EDU_FIELDS), ("work", "work", WORK_FIELDS)):
        rows = _rows(values, prefix, fields)
        current = [_shown(e, fields) for e in profile.get(key, []) or [] if isinstance(e, dict)]
        current = [r for r in current if any(r.values())]
        if f"{prefix}-0-{fields[0]}" in values and rows != current:
            changes[key] = rows
    return changes


def _refused_picture(
    request: Request,
    session: DbSession,
    principal: Principal,
    candidate: Callable[[], Candidate],
    errors: dict[str, str],
    values: dict[str, str] | None = None,
) -> Response:
    """The person's page again with the refusal; the failed change is rolled back first."""
    session.rollback()
    context = _picture(session, principal, candidate(), None)
    context["errors"] = errors
    if values is not None:
        context["values"] = values
    return render(request, "candidates/detail.html", context, status_code=422)


@router.post("/candidates/{candidate_id}/profile")
def correct_profile(
    request: Request, session: DbSession, principal: PageUser, candidate_id: Id, form: Form
) -> Response:
    candidate = require_visible(session, Candidate, candidate_id, principal, "candidates.manage")
    values = dict(form.values)
    changes = _changes(candidate.profile or {}, values)

    return forms.act_or_rerender(
        request,
        forms.redirect_after(
            lambda: profiles.correct_profile(session, principal, candidate_id, changes),
            f"/candidates/{candidate_id}?corrected=1#profile",
        ),
        lambda errors: _refused_picture(
            request, session, principal, lambda: candidate, errors, values
        ),
    )


@router.post("/candidates/{candidate_id}/performance")
def add_rating(
    request: Request, session: DbSession, principal: PageUser, candidate_id: Id, form: Form
) -> Response:
    require(principal, "performance.manage")
    try:
        rating = float(form.get("rating") or 0)
    except ValueError:
        rating = 0.0

    def save() -> None:
        period, comment = form.get("period"), form.get("comment")
        profiles.record_rating(session, principal, candidate_id, period, rating, comment)

    def page(errors: dict[str, str]) -> Response:
        # The rating form shows one message, next to the rating, whichever field it concerns.
        message = {"rating": next(iter(errors.values()))}
        return _refused_picture(
            request,
            session,
            principal,
            lambda: queries.view_candidate(session, principal, candidate_id),
            message,
        )

    return forms.act_or_rerender(
        request, forms.redirect_after(save, f"/candidates/{candidate_id}#performance"), page
    )


@router.post("/candidates/{candidate_id}/internal")
def set_internal(session: DbSession, principal: PageUser, candidate_id: Id, form: Form) -> Response:
    profiles.set_internal(session, principal, candidate_id, form.get("internal") == "1")
    return RedirectResponse(f"/candidates/{candidate_id}#performance", status_code=303)


# --------------------------------------------------------------------------- intake


@router.get("/openings/{opening_id}/upload")
def upload_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    opening = service.intake_opening(session, principal, opening_id)
    return render(
        request,
        "candidates/upload.html",
        {"opening": opening, "results": None, "limit_mb": get_settings().max_upload_bytes // 2**20},
    )


@router.post("/openings/{opening_id}/upload")
def upload(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, batch: PageBatch
) -> Response:
    opening = service.intake_opening(session, principal, opening_id)
    _ = gettext_for(request.state.language)
    uploads, oversize = batch.read(get_settings().max_upload_bytes)
    errors = {}
    results: list[schemas.IntakeResult] = []
    if not uploads and not oversize:
        errors["files"] = _("Choose at least one file.")
    else:
        results = service.intake_files(session, principal, opening_id, uploads, source="upload")
        results += oversize
    return render(
        request,
        "candidates/upload.html",
        {
            "opening": opening,
            "results": results,
            "accepted": sum(r.ok for r in results),
            "refused": sum(not r.ok for r in results),
            "errors": errors,
            "limit_mb": get_settings().max_upload_bytes // 2**20,
        },
        status_code=422 if errors else 200,
    )


@router.get("/openings/{opening_id}/matches")
def matches_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    recommendations = queries.recommend(session, principal, opening_id, limit=30)
    audit_read(
        session,
        principal,
        "candidates.matched",
        "candidate",
        [r.candidate.id for r in recommendations],
    )
    opening = session.get(Opening, opening_id)
    return render(
        request,
        "candidates/matches.html",
        {"opening": opening, "recommendations": recommendations},
    )


# --------------------------------------------------------------------------- candidates themselves


@router.get("/me")
def my_applications(request: Request, session: DbSession, principal: PageUser) -> Response:
    """A candidate's applications and interviews; for an employee, their internal ones."""
    return render(
        request,
        "candidates/me.html",
        {
            "mine": queries.my_applications(session, principal),
            "employee": Role.EMPLOYEE in principal.roles and Role.CANDIDATE not in principal.roles,
        },
    )


# --------------------------------------------------------------------------- duplicates


@router.get("/candidate-merges")
def merges_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    """Proposed merges with both people side by side; merges carried out, with an undo."""
    return _merges_page(request, session, principal, done=request.query_params.get("done", ""))


def _merges_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    *,
    done: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    merges = [merging.view(session, m) for m in merging.visible_merges(session, principal)]
    context: dict[str, Any] = {
        "proposed": [m for m in merges if m["status"] == "proposed"],
        "decided": [m for m in merges if m["status"] != "proposed"],
        "done": done,
    }
    if error is not None:
        context["error"] = error
    return render(request, "candidates/merges.html", context, status_code=status_code)


def _decide(
    request: Request, session: DbSession, principal: PageUser, merge_id: Id, action: str
) -> Response:
    actions = {"accept": merging.accept, "reject": merging.reject, "undo": merging.undo}
    try:
        actions[action](session, principal, merge_id)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        session.rollback()
        _ = gettext_for(request.state.language)
        return _merges_page(
            request, session, principal, error=exc.translated(_), status_code=exc.status
        )
    return RedirectResponse(f"/candidate-merges?done={action}", status_code=303)


@router.post("/candidate-merges/{merge_id}/accept")
def accept_merge(
    request: Request, session: DbSession, principal: PageUser, merge_id: Id
) -> Response:
    return _decide(request, session, principal, merge_id, "accept")


@router.post("/candidate-merges/{merge_id}/reject")
def reject_merge(
    request: Request, session: DbSession, principal: PageUser, merge_id: Id
) -> Response:
    return _decide(request, session, principal, merge_id, "reject")


@router.post("/candidate-merges/{merge_id}/undo")
def undo_merge(request: Request, session: DbSession, principal: PageUser, merge_id: Id) -> Response:
    return _decide(request, session, principal, merge_id, "undo")
