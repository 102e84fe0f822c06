"""Development of the employees in reach: HR sees the company (or their unit), a department's
manager their department (SPEC J3; ``development.read``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.permissions import Principal, condition_for, require
from hireflow.offers.models import Employee
from hireflow.org.models import Department
from hireflow.selfservice.development import Series, progress_from, reassessments_of
from hireflow.selfservice.models import Course, Enrolment
from hireflow.selfservice.reports import reports_as_seen_by_owner

MAX_EMPLOYEES = 200


@dataclass
class EmployeeProgress:
    employee: Employee
    name: str
    department: str
    enrolments: list[tuple[Enrolment, Course]] = field(default_factory=list)
    progress: list[Series] = field(default_factory=list)
    reassessments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completed(self) -> int:
        return sum(1 for e, _c in self.enrolments if e.status == "completed")


def department_progress(
    session: Session, principal: Principal, lang: str
) -> list[EmployeeProgress]:
    """Each employee in reach with their courses, re-assessments and score changes."""
    require(principal, "development.read")
    rows = session.execute(
        select(Employee, Candidate.name, Department.name)
        .where(condition_for(principal, "development.read", Employee))
        .join(Candidate, Candidate.id == Employee.person_id)
        .join(Department, Department.id == Employee.department_id)
        .order_by(Department.name, Employee.employee_number)
        .limit(MAX_EMPLOYEES)
    ).all()
    enrolments: dict[int, list[tuple[Enrolment, Course]]] = {}
    for enrolment, course in session.execute(
        select(Enrolment, Course)
        .where(condition_for(principal, "development.read", Enrolment))
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.status != "cancelled")
        .order_by(Enrolment.enrolled_at)
    ).all():
        enrolments.setdefault(enrolment.person_id, []).append((enrolment, course))
    found = []
    for employee, name, department in rows:
        reports = reports_as_seen_by_owner(session, employee, lang)
        found.append(
            EmployeeProgress(
                employee=employee,
                name=name,
                department=department,
                enrolments=enrolments.get(employee.person_id, []),
                progress=progress_from(reports),
                reassessments=reassessments_of(
                    session, principal, "development.read", employee.person_id
                ),
            )
        )
    return found
