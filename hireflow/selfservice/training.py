"""The course catalogue and enrolments (SPEC J2).

A course has a capacity; enrolling takes a seat while one is free and a place on the waiting
list otherwise. A cancelled seat goes to the first person waiting (in the order they asked).
Completion is entered in the person's HR record (timeline, source ``training``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, require_visible
from hireflow.notifications import outbox
from hireflow.records import service as records
from hireflow.records.presenting import text_language
from hireflow.records.service import SystemActor
from hireflow.selfservice.messages import tell_person
from hireflow.selfservice.models import COURSE_MODES, Course, Enrolment
from hireflow.selfservice.reports import own_employee, pick

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Competency = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{1,79}$")
]


class CourseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competency: Competency
    title_zh: Title
    title_en: Title
    description_zh: Text = ""
    description_en: Text = ""
    mode: str = "online"
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int = Field(default=20, ge=1, le=10000)
    active: bool = True

    # Field validators, not one model validator: a refusal names its field on the form.
    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in COURSE_MODES:
            raise ValueError(N_("Choose one of the listed formats."))
        return value

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        starts_at = info.data.get("starts_at")
        if value and starts_at and value < starts_at:
            raise ValueError(N_("The course cannot end before it starts."))
        return value


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: int = Field(ge=0, le=100)


def save_course(
    session: Session, principal: Principal, data: CourseIn, course_id: int | None = None
) -> Course:
    """Add a course to the company's catalogue, or change one."""
    require(principal, "training.manage")
    if course_id is None:
        course = Course(tenant_id=principal.tenant_id, created_by_id=principal.user_id)
        session.add(course)
    else:
        course = get_visible(session, Course, course_id, principal, "training.manage")
    course.competency = data.competency
    course.title = {"zh": data.title_zh, "en": data.title_en}
    course.description = {"zh": data.description_zh, "en": data.description_en}
    course.mode = data.mode
    course.location = data.location
    course.starts_at = data.starts_at
    course.ends_at = data.ends_at
    course.capacity = data.capacity
    course.active = data.active
    session.flush()
    audit.commit_recorded(
        session,
        "training.course_saved",
        actor=principal,
        target_type="course",
        target_id=course.id,
        new={"competency": course.competency, "capacity": course.capacity, "active": course.active},
    )
    return course


def require_catalogue(principal: Principal) -> None:
    """The catalogue is read by HR (all of it) and by employees (what is open)."""
    if not (principal.has("training.manage") or principal.has("self.development")):
        raise Forbidden()


def courses(session: Session, tenant_id: int, *, only_open: bool) -> list[Course]:
    """The company's catalogue; ``only_open``: active courses that have not ended."""
    stmt = select(Course).where(Course.tenant_id == tenant_id)
    if only_open:
        stmt = stmt.where(
            Course.active.is_(True), (Course.ends_at.is_(None)) | (Course.ends_at > utcnow())
        )
    return list(session.scalars(stmt.order_by(Course.competency, Course.starts_at, Course.id)))


def seats_taken(session: Session, course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    rows = session.execute(
        select(Enrolment.course_id, func.count())
        .where(Enrolment.course_id.in_(course_ids), Enrolment.status.in_(("enrolled", "completed")))
        .group_by(Enrolment.course_id)
    ).all()
    return {course_id: int(count) for course_id, count in rows}


def _lock_course(session: Session, course: Course) -> None:
    """Serialise seat counting per course (PostgreSQL row lock; SQLite writes one at a time)."""
    session.execute(select(Course.id).where(Course.id == course.id).with_for_update())


def enrol(session: Session, principal: Principal, course_id: int) -> Enrolment:
    """One click: a seat when one is free, else the waiting list."""
    require(principal, "self.development")
    employee = own_employee(session, principal)
    if employee is None:
        raise NotFound()
    course = get_visible(session, Course, course_id, principal, "self.development")
    if not course.active or (course.ends_at is not None and course.ends_at <= utcnow()):
        raise Conflict(N_("This course is no longer open for enrolment."), code="course_closed")
    _lock_course(session, course)
    existing = session.scalars(
        select(Enrolment).where(
            Enrolment.course_id == course.id, Enrolment.person_id == employee.person_id
        )
    ).first()
    if existing is not None and existing.status != "cancelled":
        raise Conflict(N_("You are already enrolled in this course."), code="already_enrolled")
    full = seats_taken(session, [course.id]).get(course.id, 0) >= course.capacity
    enrolment = existing or Enrolment(
        tenant_id=course.tenant_id, course_id=course.id, person_id=employee.person_id
    )
    enrolment.department_id = employee.department_id
    enrolment.status = "waitlisted" if full else "enrolled"
    enrolment.progress = 0
    enrolment.completed_at = None
    enrolment.enrolled_at = utcnow()
    session.add(enrolment)
    session.flush()
    _audit(session, principal, "training.enrolled", enrolment)
    session.commit()
    return enrolment


def _audit(session: Session, principal: Principal, action: str, enrolment: Enrolment) -> None:
    fields = {"course": "course_id", "status": "status", "progress": "progress"}
    audit.record_row(session, action, principal, "enrolment", enrolment, fields)


def _promote_waiting(session: Session, course_id: int) -> Enrolment | None:
    waiting = session.scalars(
        select(Enrolment)
        .where(Enrolment.course_id == course_id, Enrolment.status == "waitlisted")
        .order_by(Enrolment.enrolled_at, Enrolment.id)
    ).first()
    if waiting is not None:
        waiting.status = "enrolled"
        person = session.get(Candidate, waiting.person_id)
        course = session.get(Course, course_id)
        if person is not None and course is not None:
            lang = text_language(person.language or "zh-CN")
            tell_person(
                session,
                person,
                "training.seat",
                {"course": pick(course.title, lang)},
                dedupe_key=f"training-seat:{waiting.id}:{waiting.enrolled_at.isoformat()}",
                related=("enrolment", waiting.id),
            )
        audit.record(
            session,
            "training.seat_given",
            actor=None,
            tenant_id=waiting.tenant_id,
            target_type="enrolment",
            target_id=waiting.id,
            new={"course": course_id},
            actor_label="system:training",
        )
    return waiting


def cancel(session: Session, principal: Principal, enrolment_id: int) -> Enrolment:
    """Give up a seat (or a place in the queue); the first person waiting gets the seat."""
    enrolment = require_visible(session, Enrolment, enrolment_id, principal, "self.development")
    if enrolment.status not in ("enrolled", "waitlisted"):
        raise Conflict(N_("This enrolment can no longer be cancelled."), code="not_active")
    course = session.get(Course, enrolment.course_id)
    if course is not None:
        _lock_course(session, course)
    held_seat = enrolment.status == "enrolled"
    enrolment.status = "cancelled"
    # a seat message or a course reminder not sent yet no longer holds
    outbox.cancel_pending(session, "enrolment", enrolment.id)
    _audit(session, principal, "training.cancelled", enrolment)
    if held_seat:
        session.flush()
        _promote_waiting(session, enrolment.course_id)
    session.commit()
    return enrolment


def _seat_held(
    session: Session, principal: Principal, enrolment_id: int, capability: str, refusal: str
) -> Enrolment:
    """The enrolment, in ``principal``'s reach for ``capability``, of a person who holds a seat
    on the course (``refusal`` says why not, when they do not)."""
    enrolment = require_visible(session, Enrolment, enrolment_id, principal, capability)
    if enrolment.status != "enrolled":
        raise Conflict(refusal, code="not_enrolled")
    return enrolment


def set_progress(
    session: Session, principal: Principal, enrolment_id: int, data: ProgressIn
) -> Enrolment:
    """The person notes how far they are; 100 % completes the course (into the record)."""
    enrolment = _seat_held(
        session,
        principal,
        enrolment_id,
        "self.development",
        N_("Progress can be noted only on a course you hold a seat in."),
    )
    enrolment.progress = data.progress
    if data.progress >= 100:
        _complete(session, enrolment)
    _audit(session, principal, "training.progress", enrolment)
    session.commit()
    return enrolment


def record_completion(session: Session, principal: Principal, enrolment_id: int) -> Enrolment:
    """HR or the department's manager records that the person completed the course."""
    enrolment = _seat_held(
        session,
        principal,
        enrolment_id,
        "development.manage",
        N_("Only a course the person holds a seat in can be completed."),
    )
    enrolment.progress = 100
    _complete(session, enrolment)
    _audit(session, principal, "training.completed", enrolment)
    session.commit()
    return enrolment


def _complete(session: Session, enrolment: Enrolment) -> None:
    course = session.get(Course, enrolment.course_id)
    enrolment.status = "completed"
    enrolment.completed_at = utcnow()
    entry = records.append_entry(
        session,
        SystemActor("training", tenant_id=enrolment.tenant_id),
        enrolment.person_id,
        "document",
        data={"course": dict(course.title) if course else {}},
        source="training",
        facts={
            "course_id": enrolment.course_id,
            "competency": course.competency if course else "",
            "training_status": "completed",
        },
        commit=False,
    )
    enrolment.record_entry_id = entry.id


def my_enrolments(session: Session, person_ids: list[int]) -> list[Enrolment]:
    if not person_ids:
        return []
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.person_id.in_(person_ids), Enrolment.status != "cancelled")
            .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
        )
    )


def check_course_id(value: str) -> int:
    """A course id typed in a form, or a refusal naming the field."""
    if not value.isdigit() or len(value) > 12:
        raise ValidationFailed(N_("Choose a course."), fields={"course_id": "invalid"})
    return int(value)
