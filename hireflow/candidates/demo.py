"""Demo data of the candidates domain: parsed resumes, screening verdicts, the pool index, an
interview result to filter on, and an internal candidate with performance ratings.

``add_demo(session, tenant)`` runs after the openings' demo (screening needs their rules); it
is idempotent: the same resume files are recognised and merged, never duplicated.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates import indexing, service
from hireflow.candidates.models import Application, Candidate, PerformanceRating
from hireflow.core import pii
from hireflow.core.db import utcnow
from hireflow.openings.models import Opening
from hireflow.org.models import RoleAssignment, Tenant, User
from hireflow.records.models import RecordEntry
from hireflow.records.service import SystemActor, record_interview_report

log = logging.getLogger(__name__)

RESUMES: list[tuple[str, str, str]] = [
    (
        "高级后端工程师",
        "chen_hao.txt",
        """陈浩
手机：13912345601
邮箱：chen.hao@example.cn
现居住地：上海

教育背景
2010.09 - 2014.06  上海交通大学  计算机科学与技术  本科

工作经历
2019.03 - 至今  上海云帆网络科技有限公司  高级后端工程师
负责招聘 SaaS 平台的后端架构，用 Python 和 PostgreSQL 构建服务，引入 Redis 缓存，接口延迟降低 60%。
2014.07 - 2019.02  杭州数澜科技有限公司  后端开发工程师
使用 Java 和 MySQL 开发数据平台，参与微服务改造。

专业技能
Python、Django、PostgreSQL、Redis、Docker、Kubernetes

语言能力
英语 CET-6
""",
    ),
    (
        "高级后端工程师",
        "lin_xue.txt",
        """林雪
手机：13912345602
邮箱：lin.xue@example.cn
现居住地：苏州

教育背景
2017.09 - 2020.06  苏州职业技术学院  软件技术  大专

工作经历
2020.07 - 至今  苏州明远软件有限公司  前端开发工程师
负责企业官网和小程序前端开发。

专业技能
JavaScript、Vue、HTML、CSS
""",
    ),
    (
        "客户服务专员",
        "he_min.txt",
        """何敏
手机：13912345603
邮箱：he.min@example.cn
现居住地：上海

教育背景
2015.09 - 2018.06  上海商学院  市场营销  大专

工作经历
2018.07 - 至今  上海百联零售有限公司  客户服务专员
处理客户投诉与售后咨询，每月服务客户 800 余人次，客户满意度 96%。

专业技能
CRM、Excel、客户关系管理
""",
    ),
    (
        "Key Account Manager, DACH",
        "jonas_weber.txt",
        """Jonas Weber
Email: jonas.weber@example.de
Phone: +49 151 23456789
Location: Munich

Education
Ludwig Maximilian University of Munich, Master of Business Administration, 2008 - 2010

Work Experience
Key Account Manager, Siemens Healthineers AG, Mar 2016 - Present
Managed B2B key accounts in Germany and Austria worth EUR 40 million a year.
Sales Manager, Bosch Rexroth AG, Sep 2010 - Feb 2016
Grew industrial B2B sales in Bavaria by 25%.

Skills
B2B sales, CRM, Salesforce, negotiation

Languages
German (native), English (fluent)
""",
    ),
]


def _docx(text: str) -> bytes:
    """A DOCX resume (one paragraph per line), so the demo shows Word files too."""
    from docx import Document  # imported here: half a second, needed only for demo data

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def first_application(session: Session, tenant_id: int, title: str) -> Application | None:
    """The oldest application to the company's opening of this title (the first candidate)."""
    return session.scalars(
        select(Application)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Opening.tenant_id == tenant_id, Opening.title == title)
        .order_by(Application.id)
    ).first()


def add_demo(session: Session, tenant: Tenant) -> None:
    """Take in the demo resumes, index the pool, add an interview result and a rating."""
    openings = {
        o.title: o for o in session.scalars(select(Opening).where(Opening.tenant_id == tenant.id))
    }
    importer = service.Importer("demo", tenant.id)
    for index, (title, filename, text) in enumerate(RESUMES):
        opening = openings.get(title)
        if opening is None or opening.status == "closed":
            continue
        data = text.encode("utf-8")
        if index == 0:
            filename, data = filename.replace(".txt", ".docx"), _docx(text)
        result = service.intake_file(session, importer, opening.id, filename, data, source="demo")
        if not result.ok:
            log.warning("demo resume refused", extra={"event": "demo.resume", "code": result.code})
    indexing.index_missing(session, tenant.id)
    for opening in openings.values():
        service.rescreen_opening(session, opening.id)
    _interview_result(session, tenant, openings.get("高级后端工程师"))
    _internal_candidate(session, tenant, openings.get("客户服务专员"))


def _interview_result(session: Session, tenant: Tenant, opening: Opening | None) -> None:
    """An AI interview result for one candidate, so score filters and portraits have data."""
    if opening is None:
        return
    candidate = session.scalars(
        select(Candidate).where(
            Candidate.tenant_id == tenant.id,
            Candidate.email_index.in_(
                pii.blind_index_values("chen.hao@example.cn", "email", tenant_id=tenant.id)
            ),
        )
    ).first()
    if candidate is None:
        return
    done = session.scalars(
        select(RecordEntry.id).where(
            RecordEntry.person_id == candidate.id, RecordEntry.type == "interview_result"
        )
    ).first()
    if done is not None:
        return
    record_interview_report(
        session,
        SystemActor("demo", tenant_id=tenant.id),
        candidate.id,
        opening_id=opening.id,
        interview_id=None,
        scores={
            "technical_depth": 8.4,
            "coding": 8.1,
            "problem_solving": 7.9,
            "communication": 8.3,
            "teamwork": 7.6,
            "learning_agility": 7.2,
        },
        match_percent=82,
        summary="系统设计思路清晰，能用数据说明缓存改造的效果；讲述了两个客户案例。",
        strengths=["高并发系统设计经验", "沟通清楚，先说结论再说细节"],
        gaps=["对团队管理的经历描述较少"],
        status="ai_interview_done",
        source="demo",
    )
    service.rescreen_opening(session, opening.id)


def _internal_candidate(session: Session, tenant: Tenant, opening: Opening | None) -> None:
    """The demo employee applies for another role: an internal candidate with ratings."""
    employee = session.scalars(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(User.tenant_id == tenant.id, RoleAssignment.role == "employee")
    ).first()
    if employee is None or opening is None:
        return
    text = f"""{employee.name}
邮箱：{employee.email}
手机：13912345609
现居住地：上海

教育背景
2014.09 - 2018.06  华东师范大学  心理学  本科

工作经历
2018.07 - 至今  华星科技（上海）有限公司  客户成功专员
负责重点客户的培训和续约，处理客户投诉，推动产品改进。

专业技能
CRM、客户沟通、培训
"""
    result = service.intake_file(
        session,
        service.Importer("demo", tenant.id),
        opening.id,
        "internal.txt",
        text.encode(),
        source="internal",
    )
    if not result.ok or result.candidate_id is None:
        return
    candidate = session.get(Candidate, result.candidate_id)
    if candidate is None:
        return
    if not candidate.is_internal:
        candidate.is_internal = True
        indexing.index_candidate(session, candidate)
    for period, rating, comment in (
        ("2023", 4.0, "客户续约率 92%，超出目标"),
        ("2024H1", 4.5, "带教两名新人，客户满意度第一"),
    ):
        exists = session.scalars(
            select(PerformanceRating).where(
                PerformanceRating.candidate_id == candidate.id, PerformanceRating.period == period
            )
        ).first()
        if exists is None:
            session.add(
                PerformanceRating(
                    tenant_id=tenant.id,
                    candidate_id=candidate.id,
                    period=period,
                    rating=rating,
                    comment=comment,
                    created_at=utcnow() - timedelta(days=30),
                )
            )
    session.commit()
