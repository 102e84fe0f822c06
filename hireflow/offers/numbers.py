"""Employee numbers: E000001, E000002, ... per company, safe when two people are hired at once.

Counting the employees and adding one gave two concurrent hires the same number (both counted
before either committed; the unique constraint then refused the second acceptance). The
company's counter row (``employee_number_counters``) is incremented by one statement, an
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on PostgreSQL and SQLite alike: the row
stays locked until the hire commits, so a second hire waits for the first and draws the next
number (on SQLite the database's single writer does the same). The first draw of a company
starts after the employees it already has.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hireflow.offers.models import Employee, EmployeeNumberCounter

# A number already used (an employee imported with it) is skipped; this many in a row would
# mean the counter and the employees disagree badly.
MAX_SKIPS = 1000


def _draw(session: Session, tenant_id: int) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    had = (
        select(func.count())
        .select_from(Employee)
        .where(Employee.tenant_id == tenant_id)
        .scalar_subquery()
    )
    stmt = (
        insert(EmployeeNumberCounter)
        .values(tenant_id=tenant_id, last_number=had + 1)
        .on_conflict_do_update(
            index_elements=[EmployeeNumberCounter.tenant_id],
            set_={"last_number": EmployeeNumberCounter.last_number + 1},
        )
        .returning(EmployeeNumberCounter.last_number)
    )
    return int(session.execute(stmt).scalar_one())


def format_number(number: int) -> str:
    return f"E{number:06d}"


def next_employee_number(session: Session, tenant_id: int) -> str:
    """The company's next free employee number, drawn in the caller's transaction."""
    for _ in range(MAX_SKIPS):
        text = format_number(_draw(session, tenant_id))
        taken = session.scalar(
            select(Employee.id).where(
                Employee.tenant_id == tenant_id, Employee.employee_number == text
            )
        )
        if taken is None:
            return text
    raise RuntimeError(f"no free employee number after {MAX_SKIPS} draws")
