"""The demo employee 刘洋 arrives hired, with a plan, a catalogue and progress over time."""

from sqlalchemy import select

from hireflow.demo import create_demo
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.selfservice import development
from hireflow.selfservice.demo import add_demo
from hireflow.selfservice.models import Course


def test_the_demo_employee_has_a_report_a_plan_and_progress(session, db, queue, storage):
    tenant, _accounts, _created = create_demo(session)
    add_demo(session, tenant)
    user = session.scalars(select(User).where(User.email == "employee@huaxing.example")).one()
    mine = development.my_development(session, principal_for(user), "zh")
    assert mine.employee is not None
    assert [r.development for r in mine.reports] == [False, True]
    assert mine.plan and any(item.courses for item in mine.plan)
    assert any(len(s.points) == 2 and s.last > s.first for s in mine.progress)
    courses = session.scalars(select(Course).where(Course.tenant_id == tenant.id)).all()
    add_demo(session, tenant)
    assert len(session.scalars(select(Course).where(Course.tenant_id == tenant.id)).all()) == len(
        courses
    )
