"""Demo data: a group company a newcomer can click through at once (``hireflow demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.permissions import Role
from hireflow.discovery import domain_modules
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org import schemas, service
from hireflow.org.models import Department, Subsidiary, Tenant, User

DEMO_SLUG = "demo"
DEMO_PASSWORD = "Hireflow-demo-2026"  # noqa: S105 - printed for the demo; refused in production


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    language: str
    timezone: str


ACCOUNTS = (
    DemoAccount("hr_admin", "hr@huaxing.example", "王敏 (HR)", "zh-CN", "Asia/Shanghai"),
    DemoAccount("recruiter", "recruiter@huaxing.example", "李娜", "zh-CN", "Asia/Shanghai"),
    DemoAccount("hiring_manager", "manager@huaxing.example", "张伟", "zh-CN", "Asia/Shanghai"),
    DemoAccount(
        "interviewer", "interviewer@huaxing.example", "Anna Schmidt", "en", "Europe/Berlin"
    ),
    DemoAccount("it_auditor", "it@huaxing.example", "陈刚 (IT)", "zh-CN", "Asia/Shanghai"),
    DemoAccount("candidate", "candidate@huaxing.example", "Emily Carter", "en", "America/New_York"),
    DemoAccount("employee", "employee@huaxing.example", "刘洋", "zh-CN", "Asia/Shanghai"),
)

OPENINGS = (
    {
        "key": "backend",
        "title": "高级后端工程师",
        "department": "研发部",
        "location": "上海",
        "region": "cn",
        "job_type": "technical",
        "language": "zh-CN",
        "description": (
            "负责招聘平台后端服务的设计与开发，参与高并发系统架构，与产品和前端团队协作交付。"
        ),
        "requirements": {
            "education": "bachelor",
            "years": 3,
            "skills": ["Python", "PostgreSQL", "Redis"],
        },
        "status": "open",
    },
    {
        "key": "service",
        "title": "客户服务专员",
        "department": "客服中心",
        "location": "上海",
        "region": "cn",
        "job_type": "customer_service",
        "language": "zh-CN",
        "description": "处理客户咨询与投诉，维护客户关系，记录并反馈产品问题。",
        "requirements": {"education": "associate", "years": 1, "skills": ["沟通", "CRM"]},
        "status": "open",
    },
    {
        "key": "production",
        "title": "生产线班组长",
        "department": "生产部",
        "location": "苏州",
        "region": "cn",
        "job_type": "production",
        "language": "zh-CN",
        "description": "带领 20 人班组完成生产计划，负责安全生产、交接班与质量改进。",
        "requirements": {"education": "associate", "years": 5, "industry": "manufacturing"},
        "status": "draft",
    },
    {
        "key": "sales",
        "title": "Key Account Manager, DACH",
        "department": "Sales",
        "location": "Munich",
        "region": "eu",
        "job_type": "sales",
        "language": "en",
        "description": (
            "Own relationships with our largest customers in Germany, Austria and Switzerland."
        ),
        "requirements": {"education": "bachelor", "years": 5, "skills": ["B2B sales", "German"]},
        "status": "open",
    },
)

CANDIDATES = (
    ("赵磊", "zhao.lei@example.cn", "+8613800138001", "上海", "zh-CN", "Asia/Shanghai", "backend"),
    ("孙悦", "sun.yue@example.cn", "+8613800138002", "杭州", "zh-CN", "Asia/Shanghai", "backend"),
    ("周静", "zhou.jing@example.cn", "+8613800138003", "上海", "zh-CN", "Asia/Shanghai", "service"),
    (
        "Lukas Meyer",
        "lukas.meyer@example.de",
        "+4915112345678",
        "Munich",
        "en",
        "Europe/Berlin",
        "sales",
    ),
    (
        "Emily Carter",
        "candidate@huaxing.example",
        "+12125550101",
        "New York",
        "en",
        "America/New_York",
        "sales",
    ),
)


def create_demo(session: Session) -> tuple[Tenant, list[DemoAccount], bool]:
    """Create the demo company once; returns (tenant, accounts, created_now)."""
    existing = session.scalars(select(Tenant).where(Tenant.slug == DEMO_SLUG)).first()
    if existing is not None:
        return existing, list(ACCOUNTS), False
    tenant = service.create_tenant(session, "华星集团 Huaxing Group", DEMO_SLUG)
    departments = _demo_departments(session, tenant)
    users = _demo_users(session, tenant, departments)
    openings = _demo_openings(session, tenant, departments, users)
    for name, email, phone, location, language, zone, opening_key in CANDIDATES:
        candidate = Candidate(
            tenant_id=tenant.id,
            name=name,
            email=email,
            phone=phone,
            location=location,
            language=language,
            timezone=zone,
            source="demo",
            user_id=users["candidate"].id if email == users["candidate"].email else None,
        )
        candidate.applications = [
            Application(tenant_id=tenant.id, opening_id=openings[opening_key].id, stage="applied")
        ]
        session.add(candidate)
    session.commit()
    for module in domain_modules("demo"):
        module.add_demo(session, tenant)
    session.commit()
    return tenant, list(ACCOUNTS), True


def _demo_departments(session: Session, tenant: Tenant) -> dict[str, Department]:
    """Two subsidiaries (Shanghai, Europe) and their departments, by name."""
    shanghai = Subsidiary(tenant_id=tenant.id, name="华星科技（上海）有限公司", region="cn")
    europe = Subsidiary(tenant_id=tenant.id, name="Huaxing Europe GmbH", region="eu")
    session.add_all([shanghai, europe])
    session.flush()
    departments = {
        name: Department(tenant_id=tenant.id, subsidiary_id=sub.id, name=name)
        for name, sub in (
            ("研发部", shanghai),
            ("客服中心", shanghai),
            ("生产部", shanghai),
            ("Sales", europe),
            ("Engineering", europe),
        )
    }
    session.add_all(departments.values())
    session.commit()
    return departments


def _demo_users(
    session: Session, tenant: Tenant, departments: dict[str, Department]
) -> dict[str, User]:
    """One account per role (``ACCOUNTS``), by role."""
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        grant = schemas.RoleGrantIn(role=Role(account.role))
        if account.role == "hiring_manager":
            grant.department_id = departments["研发部"].id
        users[account.role] = service.create_user(
            session,
            None,
            schemas.UserCreate(
                email=account.email,
                name=account.name,
                password=DEMO_PASSWORD,
                language=account.language,
                timezone=account.timezone,
                roles=[grant],
            ),
            tenant_id=tenant.id,
            send_welcome=False,
        )
    return users


def _demo_openings(
    session: Session,
    tenant: Tenant,
    departments: dict[str, Department],
    users: dict[str, User],
) -> dict[str, Opening]:
    """The demo openings with their owner and interviewer, by key (flushed, not committed)."""
    openings: dict[str, Opening] = {}
    for spec in OPENINGS:
        department = departments[spec["department"]]
        opening = Opening(
            tenant_id=tenant.id,
            subsidiary_id=department.subsidiary_id,
            department_id=department.id,
            title=spec["title"],
            location=spec["location"],
            region=spec["region"],
            job_type=spec["job_type"],
            language=spec["language"],
            description=spec["description"],
            requirements=spec["requirements"],
            status=spec["status"],
            created_by_id=users["hr_admin"].id,
        )
        opening.members = [OpeningMember(user_id=users["recruiter"].id, role="owner")]
        if spec["key"] in ("backend", "sales"):
            opening.members.append(
                OpeningMember(user_id=users["interviewer"].id, role="interviewer")
            )
        session.add(opening)
        openings[spec["key"]] = opening
    session.flush()
    return openings
