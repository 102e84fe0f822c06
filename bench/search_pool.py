"""Talent-pool search at scale: keyword + filter queries over 100,000 synthetic candidates, on
SQLite (FTS5) and PostgreSQL (tsvector + GIN), through the product's own query code.

    python bench/search_pool.py [--candidates 100000] [--queries 300] [--backends sqlite,postgresql]
                                [--pg postgresql://postgres@127.0.0.1:5432/test] [--keep DIR]

Each backend gets a fresh database migrated by the product's migrations. The pool is built
with bulk inserts of what the intake stores for a real resume: a candidate row (phone
encrypted, blind index), a parsed profile, one or two applications among 60 openings, skills,
the search document (jieba words; the tsvector on PostgreSQL, the FTS5 index filled by its
triggers on SQLite) and, for one in five, an interview result with dimension scores. Queries
then run through ``hireflow.candidates.queries.search_pool`` exactly as the pool page calls
it (page of 20 plus the capped count), as an HR admin (whole company) and as a recruiter who
owns 10 openings, mixing keywords (Chinese and English, common and rare) with filters
(education, years, skills, opening, stage, location, source, dimension score, interview dates).
The figure is the wall time per query; p95 must stay under 100 ms.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
    "宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
)
GIVEN = "伟芳娜敏静磊强军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建鹏宇浩凯晨欣怡婷雪琳"
EN_FIRST = [
    "Emily",
    "James",
    "Olivia",
    "Lukas",
    "Anna",
    "Noah",
    "Sophie",
    "Max",
    "Mia",
    "Leon",
    "Chloe",
    "Felix",
    "Laura",
    "Ben",
    "Clara",
]
EN_LAST = [
    "Carter",
    "Meyer",
    "Schmidt",
    "Smith",
    "Brown",
    "Wagner",
    "Becker",
    "Taylor",
    "Wilson",
    "Fischer",
    "Weber",
    "Evans",
]
CITIES = [
    "上海",
    "北京",
    "深圳",
    "杭州",
    "苏州",
    "南京",
    "成都",
    "武汉",
    "广州",
    "西安",
    "Munich",
    "Berlin",
    "London",
    "Singapore",
]
SCHOOLS = [
    ("清华大学", "计算机科学与技术"), ("北京大学", "会计学"), ("浙江大学", "机械工程"),
    ("上海交通大学", "电子工程"), ("复旦大学", "市场营销"), ("南京大学", "统计学"),
    ("武汉大学", "人力资源管理"), ("四川大学", "工商管理"), ("同济大学", "土木工程"),
    ("华中科技大学", "自动化"), ("苏州职业技术学院", "数控技术"), ("上海商学院", "物流管理"),
    ("Technical University of Munich", "Mechanical Engineering"),
    ("Stanford University", "Computer Science"), ("University of Manchester", "Marketing"),
]  # fmt: skip
JOBS = [
    ("高级后端工程师", "上海云帆网络科技有限公司", "internet",
     ["Python", "PostgreSQL", "Redis", "Docker"],
     "负责招聘平台后端服务的设计与开发，接口延迟降低百分之六十。"),
    ("前端开发工程师", "杭州数澜科技有限公司", "internet", ["JavaScript", "Vue", "React"],
     "负责企业官网和小程序前端开发，提升页面加载速度。"),
    ("数据分析师", "北京星图数据有限公司", "internet", ["SQL", "Python", "Tableau", "Statistics"],
     "搭建业务指标体系，分析用户留存并提出改进建议。"),
    ("机械工程师", "苏州精密机械制造有限公司", "manufacturing", ["AutoCAD", "SolidWorks", "ANSYS"],
     "负责生产线设备的设计与改进，主导自动化改造项目。"),
    ("生产主管", "徐工集团工程机械有限公司", "manufacturing",
     ["Lean Manufacturing", "Six Sigma", "PLC"],
     "带领四十人班组完成生产计划，负责安全生产和质量改进。"),
    ("质量工程师", "宁德新能源科技有限公司", "manufacturing", ["Quality Management", "SPC"],
     "推动质量体系建设，客户投诉下降三成。"),
    ("客户服务专员", "上海百联零售有限公司", "retail", ["Customer Service", "CRM", "Excel"],
     "处理客户投诉与售后咨询，客户满意度百分之九十六。"),
    ("销售经理", "深圳华强电子有限公司", "retail", ["Sales", "Negotiation", "CRM"],
     "开拓华南大客户，年销售额增长百分之三十。"),
    ("财务分析师", "招商银行股份有限公司", "finance", ["Financial Analysis", "Excel", "SAP"],
     "负责预算管理与经营分析，支持管理层决策。"),
    ("HR Business Partner", "Allianz SE", "finance", ["Recruitment", "Communication"],
     "Partnered with business leaders on hiring plans and talent reviews."),
    ("Key Account Manager", "Siemens Healthineers AG", "healthcare",
     ["Sales", "Negotiation", "CRM"],
     "Managed B2B key accounts in Germany and Austria worth EUR 40 million a year."),
    ("Software Engineer", "Acme Cloud Inc.", "internet", ["Python", "Kubernetes", "AWS", "Go"],
     "Built Python services on PostgreSQL and Redis for two million users."),
]  # fmt: skip
DEGREES = ["associate", "bachelor", "bachelor", "bachelor", "master", "master", "phd"]
STAGES = ["applied", "applied", "applied", "screening", "interview", "offer", "rejected"]
SOURCES = ["upload", "upload", "import", "referral", "api"]
DIMENSIONS = ["communication", "problem_solving", "teamwork", "customer_orientation", "coding"]
QUERIES = [
    {"q": "Python"},
    {"q": "后端"},
    {"q": "机械工程"},
    {"q": "客户投诉"},
    {"q": "销售 大客户"},
    {"q": "Kubernetes AWS"},
    {"q": "清华大学"},
    {"q": "Python", "min_education": "master"},
    {"q": "机械工程师", "min_years": 5, "location": "苏州"},
    {"q": "数据分析", "skills": "SQL"},
    {"q": "生产", "opening": True, "stage": "applied"},
    {"q": "Python 后端", "dimension": "communication", "min_score": 8},
    {"q": "客户服务", "interviewed": True},
    {"q": "Siemens key account", "min_years": 3},
    {"min_education": "bachelor", "min_years": 3, "skills": "Python"},
    {"opening": True},
    {"dimension": "communication", "min_score": 8, "interviewed": True},
    {"location": "上海", "source": "referral"},
    {"q": "质量", "sort": "date"},
    {"q": "工程师", "min_education": "bachelor", "max_years": 8},
]


def _profile(rng: random.Random, now: date) -> tuple[dict[str, Any], str, str]:
    chinese = rng.random() < 0.8
    name = (
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if chinese
        else f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    )
    school, major = rng.choice(SCHOOLS)
    degree = rng.choice(DEGREES)
    graduated = rng.randint(2000, 2022)
    work = []
    end = now
    skills: list[str] = []
    for _ in range(rng.choice((1, 2, 2, 3))):
        title, company, industry, job_skills, description = rng.choice(JOBS)
        years = rng.randint(1, 6)
        start = date(max(graduated, end.year - years), rng.randint(1, 12), 1)
        if start >= end:
            break
        work.append(
            {
                "company": company,
                "title": title,
                "start": start.strftime("%Y-%m"),
                "end": None if not work else end.strftime("%Y-%m"),
                "is_current": not work,
                "industry": industry,
                "is_internship": False,
                "description": description,
            }
        )
        skills += rng.sample(job_skills, k=min(len(job_skills), rng.randint(1, 3)))
        end = start
    total = round(sum(max(0.0, (date.fromisoformat(w["end"] + "-01") if w["end"] else now).year
                          - int(w["start"][:4])) for w in work), 1)  # fmt: skip
    by_industry: dict[str, float] = {}
    for w in work:
        stop = int(w["end"][:4]) if w["end"] else now.year
        by_industry[w["industry"]] = (
            by_industry.get(w["industry"], 0.0) + stop - int(w["start"][:4])
        )
    profile = {
        "name": name,
        "location": rng.choice(CITIES),
        "education": [
            {"school": school, "degree": degree, "degree_raw": degree, "major": major,
             "start": f"{graduated - 4}-09", "end": f"{graduated}-06", "is_current": False}
        ],
        "work": work,
        "years_experience": total,
        "years_by_industry": by_industry,
        "skills": list(dict.fromkeys(skills)),
        "languages": [],
        "highest_degree": degree,
        "as_of": now.isoformat(),
    }  # fmt: skip
    return profile, name, "zh-CN" if chinese else "en"


def build(url: str, count: int, seed: int) -> dict[str, Any]:
    """Migrate a fresh database at ``url`` and fill it with ``count`` candidates."""
    from sqlalchemy import insert, text

    from hireflow.candidates import search
    from hireflow.candidates.fts import INSERT_ROW
    from hireflow.candidates.identity import name_key
    from hireflow.candidates.models import (
        Application,
        Candidate,
        CandidateSearch,
        CandidateSkill,
    )
    from hireflow.candidates.parsing import degree_rank
    from hireflow.core import pii
    from hireflow.core.db import Database
    from hireflow.core.migrate import upgrade
    from hireflow.openings.models import Opening, OpeningMember
    from hireflow.org import schemas, service
    from hireflow.org.models import Department, Subsidiary
    from hireflow.records.models import RecordEntry, RecordScore

    upgrade(url)
    database = Database.from_url(url)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with database.session() as session:
        tenant = service.create_tenant(session, "Bench Group", f"bench-{secrets.token_hex(3)}")
        subsidiary = Subsidiary(tenant_id=tenant.id, name="Bench Ltd", region="cn")
        session.add(subsidiary)
        session.flush()
        departments = [
            Department(tenant_id=tenant.id, subsidiary_id=subsidiary.id, name=f"D{i}")
            for i in range(6)
        ]
        session.add_all(departments)
        session.commit()
        users = {}
        for role in ("hr_admin", "recruiter"):
            users[role] = service.create_user(
                session,
                None,
                schemas.UserCreate(
                    email=f"{role}-{secrets.token_hex(3)}@bench.example",
                    name=role,
                    password="Bench-password-42",
                    roles=[schemas.RoleGrantIn(role=role)],
                ),
                tenant_id=tenant.id,
                send_welcome=False,
            )
        openings = []
        for i in range(60):
            title, _company, _industry, skills, description = JOBS[i % len(JOBS)]
            opening = Opening(
                tenant_id=tenant.id,
                subsidiary_id=subsidiary.id,
                department_id=departments[i % 6].id,
                title=f"{title} #{i}",
                description=description,
                requirements={"skills": skills},
                status="open",
                screening_rules=[],
            )
            if i < 10:
                opening.members = [OpeningMember(user_id=users["recruiter"].id, role="owner")]
            openings.append(opening)
        session.add_all(openings)
        session.commit()
        opening_ids = [o.id for o in openings]
        first_id = (session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM candidates")) or 0) + 1
        dialect = session.get_bind().dialect.name
        started = time.perf_counter()
        batch: dict[str, list[dict[str, Any]]] = {}
        entry_id = (
            session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM record_entries")) or 0
        ) + 1

        def flush() -> None:
            connection = session.connection()
            for model in (Candidate, Application, CandidateSkill, RecordEntry, RecordScore):
                rows = batch.pop(model.__tablename__, [])
                if rows:
                    connection.execute(insert(model.__table__), rows)
            rows = batch.pop("candidate_search", [])
            if rows and dialect == "postgresql":
                connection.execute(
                    text(
                        "INSERT INTO candidate_search (candidate_id, tenant_id, created_at, "
                        "highest_degree_rank, years_experience, is_internal, source, location, "
                        "updated_at, tsv) VALUES (:candidate_id, :tenant_id, "
                        ":created_at, :highest_degree_rank, :years_experience, :is_internal, "
                        ":source, :location, :updated_at, CAST(:tsv AS tsvector))"
                    ),
                    rows,
                )
            elif rows:
                connection.execute(
                    insert(CandidateSearch.__table__),
                    [
                        {k: v for k, v in r.items() if k not in ("tsv", "document", "body")}
                        for r in rows
                    ],
                )
                connection.execute(text(INSERT_ROW), rows)
            session.commit()

        for n in range(count):
            candidate_id = first_id + n
            profile, name, language = _profile(rng, now.date())
            phone = f"+86139{rng.randint(0, 99_999_999):08d}"
            created = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            batch.setdefault("candidates", []).append(
                {
                    "id": candidate_id,
                    "tenant_id": tenant.id,
                    "name": name,
                    "email": f"c{candidate_id}@pool.example",
                    "phone": phone,
                    "phone_index": pii.blind_index(phone, "phone", tenant_id=tenant.id),
                    "name_key": name_key(name),
                    "location": profile["location"],
                    "language": language,
                    "timezone": "Asia/Shanghai",
                    "source": rng.choice(SOURCES),
                    "profile": profile,
                    "profile_parsed": profile,
                    "corrections": {},
                    "highest_degree_rank": degree_rank(profile["highest_degree"]),
                    "years_experience": profile["years_experience"],
                    "is_internal": False,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for opening_id in rng.sample(opening_ids, k=rng.choice((1, 1, 2))):
                batch.setdefault("applications", []).append(
                    {
                        "tenant_id": tenant.id,
                        "candidate_id": candidate_id,
                        "opening_id": opening_id,
                        "stage": rng.choice(STAGES),
                        "source": "upload",
                        "screening_status": "",
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            document = search.build_document(profile, name=name, location=profile["location"])
            batch.setdefault("candidate_skills", []).extend(
                {"candidate_id": candidate_id, "skill": key, "tenant_id": tenant.id}
                for key in document.skills
            )
            row = batch["candidates"][-1]
            batch.setdefault("candidate_search", []).append(
                {
                    "candidate_id": candidate_id,
                    "tenant_id": tenant.id,
                    "created_at": created,
                    "highest_degree_rank": row["highest_degree_rank"],
                    "years_experience": row["years_experience"],
                    "is_internal": False,
                    "source": row["source"],
                    "location": row["location"],
                    "updated_at": created,
                    "tsv": search.tsvector_literal(document.head, document.body),
                    "document": " ".join(document.head),
                    "body": " ".join(document.body),
                }
            )
            if rng.random() < 0.2:
                occurred = now - timedelta(days=rng.randint(0, 720))
                batch.setdefault("record_entries", []).append(
                    {
                        "id": entry_id,
                        "tenant_id": tenant.id,
                        "person_id": candidate_id,
                        "seq": 1,
                        "prev_hash": "0" * 64,
                        "hash": secrets.token_hex(32),
                        "type": "interview_result",
                        "source": "bench",
                        "actor_label": "bench",
                        "occurred_at": occurred,
                        "recorded_at": occurred,
                        "facts": {},
                    }
                )
                for dimension in rng.sample(DIMENSIONS, k=3):
                    batch.setdefault("record_scores", []).append(
                        {
                            "entry_id": entry_id,
                            "dimension": dimension,
                            "tenant_id": tenant.id,
                            "person_id": candidate_id,
                            "opening_id": None,
                            "score": round(rng.uniform(4, 10), 1),
                            "occurred_at": occurred,
                        }
                    )
                entry_id += 1
            if (n + 1) % 5000 == 0:
                flush()
                print(
                    f"  {dialect}: {n + 1:,} candidates ({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
        flush()
        if dialect == "postgresql":
            session.execute(
                text("SELECT setval('candidates_id_seq', (SELECT MAX(id) FROM candidates))")
            )
            session.execute(
                text("SELECT setval('record_entries_id_seq', (SELECT MAX(id) FROM record_entries))")
            )
            session.commit()
        session.commit()
        if dialect == "postgresql":
            # What autovacuum does on a live server: statistics and the visibility map.
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
                raw.exec_driver_sql("VACUUM ANALYZE")
        else:
            session.execute(text("ANALYZE"))
            session.commit()
        build_seconds = time.perf_counter() - started
        return {
            "database": database,
            "tenant_id": tenant.id,
            "users": {role: user.id for role, user in users.items()},
            "openings": opening_ids,
            "build_seconds": build_seconds,
        }


def run_queries(world: dict[str, Any], count: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from hireflow.candidates import queries
    from hireflow.org.auth import principal_for
    from hireflow.org.models import User

    rng = random.Random(seed)
    database = world["database"]
    timings: dict[str, list[float]] = {"hr_admin": [], "recruiter": []}
    per_query: dict[str, list[float]] = {}
    hits: list[int] = []
    with database.session() as session:
        principals = {
            role: principal_for(
                session.scalars(
                    select(User).where(User.id == user_id).options(selectinload(User.roles))
                ).one()
            )
            for role, user_id in world["users"].items()
        }
        queries.search_pool(session, principals["hr_admin"], queries.PoolFilters(q="预热 warm up"))
        today = datetime.now(UTC).date()
        for i in range(count):
            template = dict(QUERIES[i % len(QUERIES)])
            role = "recruiter" if i % 3 == 2 else "hr_admin"
            if template.pop("opening", False):
                pool = world["openings"][:10] if role == "recruiter" else world["openings"]
                template["opening_id"] = rng.choice(pool)
            if template.pop("interviewed", False):
                start = today - timedelta(days=rng.randint(60, 700))
                template["interviewed_from"] = start.isoformat()
                template["interviewed_to"] = (start + timedelta(days=60)).isoformat()
            filters = queries.PoolFilters.from_params(template)
            t0 = time.perf_counter()
            page = queries.search_pool(session, principals[role], filters, limit=20)
            elapsed = (time.perf_counter() - t0) * 1000
            timings[role].append(elapsed)
            key = " ".join(f"{k}={v}" for k, v in QUERIES[i % len(QUERIES)].items())
            per_query.setdefault(key, []).append(elapsed)
            hits.append(page.total)
            session.rollback()
    return {"timings": timings, "per_query": per_query, "hits": hits}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(backend: str, world: dict[str, Any], result: dict[str, Any]) -> bool:
    everything = result["timings"]["hr_admin"] + result["timings"]["recruiter"]
    p50, p95 = statistics.median(everything), _pct(everything, 0.95)
    print(f"\n{backend}: built in {world['build_seconds']:.0f} s")
    worst = max(everything)
    print(f"  {len(everything)} queries: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
    for role, values in result["timings"].items():
        median, high = statistics.median(values), _pct(values, 0.95)
        print(f"  as {role:9}: p50 {median:.1f} ms, p95 {high:.1f} ms")
    hits = statistics.median(result["hits"])
    print(f"  matches per query: median {hits:.0f} (count capped at 1000)")
    print("  slowest query shapes (p95):")
    shapes = sorted(result["per_query"].items(), key=lambda kv: -_pct(kv[1], 0.95))
    for key, values in shapes[:5]:
        print(f"    {_pct(values, 0.95):6.1f} ms  {key}")
    ok = p95 < 100
    print(f"  target p95 < 100 ms: {'met' if ok else 'NOT met'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file in this folder")
    parser.add_argument("--seed", type=int, default=20250630)
    args = parser.parse_args()

    import os

    os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hireflow-search-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HIREFLOW_DATA_DIR", str(folder / "data"))
    results = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "sqlite":
            url = f"sqlite:///{folder / f'pool-{secrets.token_hex(3)}.db'}"
            drop = None
        else:
            import psycopg

            name = f"hireflow_bench_{secrets.token_hex(4)}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = args.pg.rsplit("/", 1)[0] + "/" + name
            drop = name
        print(f"{backend}: building {args.candidates:,} candidates …", flush=True)
        try:
            world = build(url, args.candidates, args.seed)
            result = run_queries(world, args.queries, args.seed)
            results[backend] = report(backend, world, result)
            world["database"].engine.dispose()
        finally:
            if drop:
                import psycopg

                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
    print(
        "\nsummary: " + ", ".join(f"{b} {'met' if ok else 'NOT met'}" for b, ok in results.items())
    )
    if not all(results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
