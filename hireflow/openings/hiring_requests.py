"""Hiring requests (SPEC B4): a manager asks for headcount, HR returns or approves it (approval
opens the opening); submitter and reviewers are told by e-mail through the outbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, Forbidden, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, Role, require, require_visible, restrict
from hireflow.core.settings import get_settings
from hireflow.notifications import outbox as notify
from hireflow.notifications.templates import TemplateError
from hireflow.openings import schemas
from hireflow.openings.access import (
    add_opening,
    check_members,
    department_for,
    set_member_rows,
    unit_region,
)
from hireflow.openings.competency import preset_model_dict
from hireflow.openings.models import (
    HiringRequest,
    Opening,
)
from hireflow.openings.plans import plan_for
from hireflow.org.models import Department, RoleAssignment, Tenant, User
from hireflow.scoring.models import (
    list_presets,
)

log = logging.getLogger(__name__)


def _step(
    session: Session,
    principal: Principal,
    request: HiringRequest,
    action: str,
    new: dict[str, object],
    comment: str = "",
) -> None:
    """One step of a request, kept in its history and in the audit log."""
    request.history = [
        *(request.history or []),
        {
            "action": action,
            "by": principal.user_id,
            "by_name": principal.name,
            "at": utcnow().isoformat(),
            "comment": comment,
        },
    ]
    audit.record_on(
        session, f"hiring_request.{action}", principal, ("hiring_request", request.id), new=new
    )


def _check_dimensions(dimensions: Sequence[str]) -> None:

    known = {p["id"] for p in list_presets()}
    unknown = [d for d in dimensions if d not in known]
    if unknown:
        raise ValidationFailed(
            N_("Unknown competencies: %(names)s"),
            params={"names": ", ".join(unknown)},
            fields={"dimensions": "unknown"},
        )


def submit_request(
    session: Session, principal: Principal, data: schemas.HiringRequestIn
) -> HiringRequest:
    """A hiring manager asks for a hire for their department; HR is notified."""
    require(principal, "hiring_requests.submit")
    department = department_for(session, principal, data.department_id, "hiring_requests.submit")
    _check_dimensions(data.dimensions)
    request = HiringRequest(
        tenant_id=principal.tenant_id,
        subsidiary_id=department.subsidiary_id,
        department_id=department.id,
        submitted_by_id=principal.user_id,
        status="submitted",
        review_comment="",
        history=[],
    )
    _fill_request(request, data)
    request.region = data.region or unit_region(session, department)
    session.add(request)
    session.flush()
    new = {"title": request.title, "department_id": department.id, "headcount": request.headcount}
    _step(session, principal, request, "submitted", new)
    _notify_reviewers(session, request)
    session.commit()
    return request


def _fill_request(request: HiringRequest, data: schemas.HiringRequestIn) -> None:
    request.title = data.title.strip()
    request.job_type = data.job_type
    request.location = data.location.strip()
    request.region = data.region or request.region
    request.language = data.language
    request.headcount = data.headcount
    request.description = data.description.strip()
    request.requirements = data.requirements.model_dump(exclude_none=True)
    request.dimensions = list(data.dimensions)


def resubmit_request(
    session: Session, principal: Principal, request_id: int, data: schemas.HiringRequestIn
) -> HiringRequest:
    """The submitter changes a returned request and sends it again."""
    request = require_visible(
        session, HiringRequest, request_id, principal, "hiring_requests.submit"
    )
    if request.submitted_by_id != principal.user_id:
        raise Forbidden()
    if request.status != "returned":
        raise Conflict(
            N_("Only a returned request can be changed and sent again."), fields={"status": "state"}
        )
    if data.department_id != request.department_id:
        department = department_for(
            session, principal, data.department_id, "hiring_requests.submit"
        )
        request.department_id, request.subsidiary_id = department.id, department.subsidiary_id
    _check_dimensions(data.dimensions)
    _fill_request(request, data)
    request.status = "submitted"
    new = {"title": request.title, "headcount": request.headcount}
    _step(session, principal, request, "resubmitted", new)
    _notify_reviewers(session, request)
    session.commit()
    return request


def _reviewable(session: Session, principal: Principal, request_id: int) -> HiringRequest:
    request = require_visible(
        session, HiringRequest, request_id, principal, "hiring_requests.review"
    )
    if request.status != "submitted":
        raise Conflict(
            N_("This request was already decided (%(status)s)."),
            params={"status": request.status},
            fields={"status": "state"},
        )
    return request


def return_request(
    session: Session, principal: Principal, request_id: int, data: schemas.ReviewIn
) -> HiringRequest:
    """HR sends a request back with a comment saying what to change."""
    request = _reviewable(session, principal, request_id)
    comment = data.comment.strip()
    if not comment:
        raise ValidationFailed(
            N_("Say why the request is returned."), fields={"comment": "required"}
        )
    request.status = "returned"
    request.review_comment = comment
    request.reviewed_by_id, request.reviewed_at = principal.user_id, utcnow()
    _step(session, principal, request, "returned", {"comment": comment}, comment)
    _notify_submitter(session, request, approved=False)
    session.commit()
    return request


def approve_request(
    session: Session, principal: Principal, request_id: int, data: schemas.ApproveIn
) -> HiringRequest:
    """HR approves: the opening is created from the request (and opened, unless told not to)."""
    request = _reviewable(session, principal, request_id)
    require(principal, "openings.create")
    check_members(session, principal.tenant_id, data.owner_ids, [])
    requirements = dict(request.requirements or {})
    opening = Opening(
        tenant_id=request.tenant_id,
        subsidiary_id=request.subsidiary_id,
        department_id=request.department_id,
        title=request.title,
        location=request.location,
        region=request.region,
        job_type=request.job_type,
        language=request.language,
        description=request.description,
        requirements=requirements,
        headcount=request.headcount,
        status="open" if data.open_now else "draft",
        screening_rules=[],
        created_by_id=principal.user_id,
        competency_model=preset_model_dict(
            request.job_type, requirements.get("industry"), request.dimensions
        ),
    )
    set_member_rows(opening, data.owner_ids, [])
    try:
        opening.interview_plan = plan_for(opening, 30)
    except AppError as exc:  # the opening is still useful; HR can generate the plan later
        log.warning(
            "plan not generated on approval",
            extra={"event": "opening.plan_failed", "code": exc.code},
        )
    add_opening(session, principal, opening, hiring_request=request.id, owners=data.owner_ids)
    request.status = "approved"
    request.opening_id = opening.id
    comment = data.comment.strip()
    request.review_comment = comment
    request.reviewed_by_id, request.reviewed_at = principal.user_id, utcnow()
    new = {"opening_id": opening.id, "comment": comment}
    _step(session, principal, request, "approved", new, comment)
    _notify_submitter(session, request, approved=True)
    session.commit()
    return request


def count_pending_requests(session: Session, principal: Principal) -> int:
    if not principal.has("hiring_requests.review"):
        return 0

    stmt = restrict(
        select(func.count()).select_from(HiringRequest).where(HiringRequest.status == "submitted"),
        principal,
        "hiring_requests.review",
        HiringRequest,
    )
    return int(session.scalar(stmt) or 0)


def _reviewers(session: Session, request: HiringRequest) -> list[User]:
    """HR admins whose assignment reaches the request's department."""
    rows = session.execute(
        select(User, RoleAssignment)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.tenant_id == request.tenant_id,
            User.is_active.is_(True),
            RoleAssignment.role == Role.HR_ADMIN.value,
        )
    ).all()
    found: dict[int, User] = {}
    for user, grant in rows:
        if grant.department_id is not None and grant.department_id != request.department_id:
            continue
        if grant.subsidiary_id is not None and grant.subsidiary_id != request.subsidiary_id:
            continue
        found[user.id] = user
    return list(found.values())


def _notify_reviewers(session: Session, request: HiringRequest) -> None:
    step = len(request.history or [])
    for user in _reviewers(session, request):
        _notify(
            session,
            request,
            user,
            N_("New hiring request: %(title)s"),
            N_(
                "%(department)s asks for %(count)s × %(title)s. Review it and approve it or "
                "return it with a comment."
            ),
            f"hiring_request:{request.id}:{step}:{user.id}",
        )


def _notify_submitter(session: Session, request: HiringRequest, *, approved: bool) -> None:
    user = session.get(User, request.submitted_by_id)
    if user is None or not user.is_active:
        return
    step = len(request.history or [])
    if approved:
        title, body = (
            N_("Hiring request approved: %(title)s"),
            N_(
                "Your request for %(count)s × %(title)s was approved and the opening "
                "created. %(comment)s"
            ),
        )
    else:
        title, body = (
            N_("Hiring request returned: %(title)s"),
            N_("Your request for %(count)s × %(title)s was returned: %(comment)s"),
        )
    _notify(session, request, user, title, body, f"hiring_request:{request.id}:{step}:{user.id}")


def _notify(
    session: Session, request: HiringRequest, user: User, title: str, body: str, dedupe_key: str
) -> None:
    """E-mail one user about a request step, in their language, through the outbox."""

    try:
        address = validate_email(user.email, check_deliverability=False).normalized
    except EmailNotValidError:
        return
    _ = gettext_for(user.language)
    department = session.get(Department, request.department_id)
    tenant = session.get(Tenant, request.tenant_id)
    params = {
        "title": request.title,
        "count": request.headcount,
        "department": department.name if department else "",
        "comment": request.review_comment,
    }
    link = f"{get_settings().base_url.rstrip('/')}/hiring-requests/{request.id}"
    try:
        rendered = notify.render(
            notify.TemplateCache(session, request.tenant_id),
            "generic",
            user.language,
            {
                "title": _(title) % params,
                "body": _(body) % params,
                "link": link,
                "company_name": tenant.name if tenant else "",
                "job_title": request.title,
            },
            user.timezone,
        )
    except TemplateError as exc:
        log.warning(
            "hiring request notice not rendered",
            extra={"event": "hiring_request.notice", "code": exc.code},
        )
        return
    notify.enqueue(
        session,
        request.tenant_id,
        notify.OutgoingMessage.from_rendered(
            "email", "generic", address, rendered, recipient_label=user.name
        ),
        dedupe_key=dedupe_key,
        related_type="hiring_request",
        related_id=request.id,
        created_by_id=None,
    )
