"""Openings and resumes for tests: real rows through the same code paths as production."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.openings.models import Opening, OpeningMember
from hireflow.records.storage import override_storage
from tests.conftest import Org, unique

RESUMES = Path(__file__).resolve().parent.parent / "data" / "resumes"


@pytest.fixture
def regional(tmp_path: Path) -> Iterator[RegionalStorage]:
    """Resume files go to a temporary directory per region."""
    storage = RegionalStorage({r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu")})
    with override_storage(storage):
        yield storage


def make_opening(
    session,
    org: Org,
    dept_index: int = 0,
    *,
    title: str | None = None,
    rules: list[dict] | None = None,
    requirements: dict | None = None,
    status: str = "open",
    job_type: str = "technical",
    description: str = "",
    owner: bool = True,
) -> Opening:
    """An opening of the org's department ``dept_index`` owned by the org's recruiter."""
    dept = org.departments[dept_index]
    subsidiary = next(s for s in org.subsidiaries if s.id == dept.subsidiary_id)
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=title or unique("Opening"),
        region=subsidiary.region,
        job_type=job_type,
        description=description,
        requirements=requirements or {},
        screening_rules=rules or [],
        status=status,
    )
    if owner:
        opening.members = [
            OpeningMember(user_id=org.users["recruiter"].id, role="owner"),
            OpeningMember(user_id=org.users["interviewer"].id, role="interviewer"),
        ]
    session.add(opening)
    session.commit()
    return opening


def txt_resume(
    name: str = "王芳",
    email: str | None = "wang.fang@example.com",
    phone: str | None = "13812345678",
    *,
    school: str = "浙江大学",
    degree: str = "本科",
    major: str = "机械工程",
    company: str = "苏州精密机械制造有限公司",
    title: str = "机械工程师",
    start: str = "2016.07",
    end: str = "至今",
    skills: str = "AutoCAD、SolidWorks、PLC",
    birth: str | None = None,
) -> bytes:
    """A Chinese resume as UTF-8 text."""
    lines = [name]
    if email:
        lines.append(f"邮箱：{email}")
    if phone:
        lines.append(f"手机：{phone}")
    lines.append("现居住地：苏州")
    if birth:
        lines.append(f"出生日期：{birth}")
    lines += [
        "",
        "教育背景",
        f"2012.09 - 2016.06  {school}  {major}  {degree}",
        "",
        "工作经历",
        f"{start} - {end}  {company}  {title}",
        "负责生产线设备的设计与改进，主导自动化改造项目，降低故障率 30%。",
        "",
        "技能",
        skills,
    ]
    return "\n".join(lines).encode("utf-8")


def en_resume(name: str = "Emily Carter", email: str = "emily.carter@example.com") -> bytes:
    return "\n".join(
        [
            name,
            f"Email: {email}",
            "Phone: +1 415 555 2671",
            "Location: San Francisco",
            "",
            "Education",
            "Stanford University, Master of Science in Computer Science, 2012 - 2014",
            "",
            "Work Experience",
            "Senior Software Engineer, Acme Cloud Inc., Jan 2018 - Present",
            "Built Python services on PostgreSQL and Redis for 2 million users.",
            "Software Engineer, Globex LLC, Jul 2014 - Dec 2017",
            "",
            "Skills",
            "Python, PostgreSQL, Redis, Kubernetes",
        ]
    ).encode("utf-8")
