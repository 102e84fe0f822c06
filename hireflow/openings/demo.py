"""Demo data of the openings domain: competency models, interview plans, screening rules and a
hiring request waiting for HR, on top of the demo company's openings.

``add_demo(session, tenant)`` is idempotent: openings that already have a model, a plan or
rules keep them, and the hiring request is created once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.screening_rules import ScreeningRule, compile_rules
from hireflow.core.db import utcnow
from hireflow.core.logging import log_error
from hireflow.openings import competency, plans
from hireflow.openings.models import HiringRequest, Opening
from hireflow.org.models import Department, RoleAssignment, Tenant, User
from hireflow.scoring.models import model_to_dict

log = logging.getLogger(__name__)

# Screening rules per demo opening title: (text, kind, weight).
RULES: dict[str, list[tuple[str, str, float]]] = {
    "高级后端工程师": [
        ('education >= "bachelor" and years_experience >= 3', "knockout", 1.0),
        ('has_skill("Python")', "ranking", 2.0),
        ('has_skill("PostgreSQL") or has_skill("MySQL")', "ranking", 1.0),
        ('has_skill("Redis")', "ranking", 1.0),
    ],
    "客户服务专员": [
        ('education >= "associate"', "knockout", 1.0),
        ("years_experience >= 1", "ranking", 1.0),
        ('keyword("客户") or keyword("customer")', "ranking", 1.0),
    ],
    "生产线班组长": [
        ('education >= "associate" and years_in_industry("manufacturing") >= 3', "knockout", 1.0),
        ('keyword("安全")', "ranking", 1.0),
    ],
    "Key Account Manager, DACH": [
        ('education >= "bachelor" and years_experience >= 5', "knockout", 1.0),
        ('has_language("German")', "ranking", 2.0),
        ('keyword("key account") or keyword("B2B")', "ranking", 1.0),
    ],
}
PLAN_MINUTES = 30


def add_demo(session: Session, tenant: Tenant) -> None:
    """Give the demo openings models, plans and rules; add a pending hiring request."""
    openings = list(session.scalars(select(Opening).where(Opening.tenant_id == tenant.id)))
    for opening in openings:
        if not opening.competency_model:
            opening.competency_model = model_to_dict(competency.competency_model_of(opening))
        if not opening.interview_plan:
            try:
                opening.interview_plan = plans.plan_for(opening, PLAN_MINUTES)
            except Exception as exc:  # the demo stays usable without a plan; HR can generate it
                log_error(
                    log, "demo plan failed", exc, event="demo.plan_failed", opening_id=opening.id
                )
        if not opening.screening_rules and opening.title in RULES:
            rules = [
                ScreeningRule(text=text, kind=kind, weight=weight, id=f"rule{i + 1}").to_dict()
                for i, (text, kind, weight) in enumerate(RULES[opening.title])
            ]
            compile_rules(rules)
            opening.screening_rules = rules
    session.commit()
    _hiring_request(session, tenant)


def _hiring_request(session: Session, tenant: Tenant) -> None:
    manager = session.scalars(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.tenant_id == tenant.id, RoleAssignment.role == "hiring_manager")
        .order_by(User.id)
    ).first()
    if manager is None:
        return
    grant = next((g for g in manager.roles if g.role == "hiring_manager" and g.department_id), None)
    if grant is None:
        return
    department = session.get(Department, grant.department_id)
    if department is None:
        return
    title = "数据分析工程师"
    exists = session.scalars(
        select(HiringRequest).where(
            HiringRequest.tenant_id == tenant.id, HiringRequest.title == title
        )
    ).first()
    if exists is not None:
        return
    session.add(
        HiringRequest(
            tenant_id=tenant.id,
            subsidiary_id=department.subsidiary_id,
            department_id=department.id,
            submitted_by_id=manager.id,
            title=title,
            job_type="technical",
            location="上海",
            region="cn",
            language="zh-CN",
            headcount=2,
            description=(
                "搭建招聘与面试数据的指标体系和看板，分析面试得分与入职后绩效的关系，"
                "与研发和 HR 协作改进流程。"
            ),
            requirements={
                "education": "bachelor",
                "years": 2,
                "skills": ["SQL", "Python", "数据分析"],
                "majors": ["统计学", "计算机科学"],
            },
            dimensions=["problem_solving", "technical_depth", "communication", "learning_agility"],
            status="submitted",
            review_comment="",
            history=[
                {
                    "action": "submitted",
                    "by": manager.id,
                    "by_name": manager.name,
                    "at": utcnow().isoformat(),
                    "comment": "",
                }
            ],
        )
    )
    session.commit()
