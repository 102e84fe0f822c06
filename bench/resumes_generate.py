"""Generate the labelled resume set under tests/data/resumes/ (deterministic, seeded).

Each resume is written as PDF, DOCX or TXT with a JSON file next to it holding the expected
fields (the truth the generator put in, not what any parser reads back). The set mixes Chinese
and English, single-column and two-column (sidebar) layouts, key-value tables, sections in
different orders and many date formats.

    python bench/resumes_generate.py [--out tests/data/resumes] [--seed 20250630]

PDFs use reportlab; Chinese ones use reportlab's built-in CID font STSong-Light, which needs
no font file and whose text pypdf extracts back.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import phonenumbers

TODAY = date(2025, 6, 30)

ZH_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
)
ZH_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "丽",
    "志强",
    "建华",
    "晓东",
    "海燕",
    "文博",
    "思远",
    "雨桐",
    "子涵",
    "浩然",
    "佳怡",
]
EN_FIRST = [
    "James",
    "Emily",
    "Oliver",
    "Sophie",
    "Daniel",
    "Hannah",
    "Lucas",
    "Chloe",
    "Michael",
    "Grace",
    "Thomas",
    "Laura",
    "David",
    "Anna",
    "Samuel",
    "Julia",
    "Henry",
    "Mia",
    "Jack",
    "Olivia",
]
EN_LAST = [
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Evans",
    "Walker",
    "Wright",
    "Thompson",
    "Müller",
    "Schneider",
    "Fischer",
    "Chen",
    "Wang",
    "Garcia",
    "Martin",
    "Clarke",
    "Hughes",
]

ZH_SCHOOLS = [
    "清华大学",
    "北京大学",
    "浙江大学",
    "上海交通大学",
    "复旦大学",
    "华中科技大学",
    "哈尔滨工业大学",
    "西安交通大学",
    "同济大学",
    "武汉大学",
    "南京大学",
    "中山大学",
    "东南大学",
    "四川大学",
    "山东大学",
    "北京理工大学",
    "华南理工大学",
    "大连理工大学",
]
ZH_VOCATIONAL = ["深圳职业技术学院", "无锡职业技术学院", "南京工业职业技术大学"]
EN_SCHOOLS = [
    "University of Manchester",
    "Stanford University",
    "Imperial College London",
    "Technical University of Munich",
    "National University of Singapore",
    "University of Toronto",
    "Georgia Institute of Technology",
    "Purdue University",
    "Tsinghua University",
    "Boston University",
    "University of Edinburgh",
    "Delft University of Technology",
]
ZH_MAJORS = [
    "机械工程",
    "计算机科学与技术",
    "电子信息工程",
    "市场营销",
    "会计学",
    "工商管理",
    "自动化",
    "材料科学与工程",
    "软件工程",
    "金融学",
    "工业工程",
    "车辆工程",
]
EN_MAJORS = [
    "Mechanical Engineering",
    "Computer Science",
    "Electrical Engineering",
    "Marketing",
    "Accounting",
    "Business Administration",
    "Finance",
    "Industrial Engineering",
    "Materials Science",
]

# (company, industry)
ZH_COMPANIES = [
    ("上海电气集团股份有限公司", "manufacturing"),
    ("三一重工股份有限公司", "manufacturing"),
    ("比亚迪汽车工业有限公司", "manufacturing"),
    ("潍柴动力股份有限公司", "manufacturing"),
    ("格力电器股份有限公司", "manufacturing"),
    ("徐工集团工程机械有限公司", "manufacturing"),
    ("腾讯科技（深圳）有限公司", "internet"),
    ("阿里巴巴（中国）网络技术有限公司", "internet"),
    ("北京字节跳动科技有限公司", "internet"),
    ("网易（杭州）网络有限公司", "internet"),
    ("招商银行股份有限公司", "finance"),
    ("中信证券股份有限公司", "finance"),
    ("平安保险（集团）股份有限公司", "finance"),
    ("顺丰速运物流有限公司", "logistics"),
    ("华为技术有限公司", "telecom"),
    ("永辉超市股份有限公司", "retail"),
]
EN_COMPANIES = [
    ("Siemens AG", "manufacturing"),
    ("Robert Bosch GmbH", "manufacturing"),
    ("Caterpillar Inc.", "manufacturing"),
    ("Precision Motors Ltd.", "manufacturing"),
    ("Google LLC", "internet"),
    ("Shopify Inc.", "internet"),
    ("HSBC Bank plc", "finance"),
    ("Allianz Capital Partners GmbH", "finance"),
    ("Deloitte Consulting LLP", "consulting"),
    ("DHL Express Ltd.", "logistics"),
    ("Vodafone Group plc", "telecom"),
    ("Tesco Stores Ltd.", "retail"),
]
ZH_TITLES = {
    "manufacturing": [
        "机械工程师",
        "高级机械工程师",
        "工艺工程师",
        "质量主管",
        "生产主管",
        "设备工程师",
    ],
    "internet": ["软件开发工程师", "高级后端工程师", "产品经理", "数据分析师", "算法工程师"],
    "finance": ["财务分析师", "客户经理", "风控专员", "投资经理"],
    "logistics": ["物流主管", "供应链经理"],
    "telecom": ["通信工程师", "项目经理"],
    "retail": ["采购经理", "门店经理", "销售经理"],
}
EN_TITLES = {
    "manufacturing": [
        "Mechanical Engineer",
        "Senior Process Engineer",
        "Quality Manager",
        "Production Supervisor",
    ],
    "internet": [
        "Software Engineer",
        "Senior Software Engineer",
        "Product Manager",
        "Data Scientist",
    ],
    "finance": ["Financial Analyst", "Relationship Manager", "Risk Analyst"],
    "consulting": ["Senior Consultant", "Business Analyst"],
    "logistics": ["Logistics Coordinator", "Supply Chain Manager"],
    "telecom": ["Network Engineer", "Project Manager"],
    "retail": ["Store Manager", "Purchasing Manager"],
}
# (text written, canonical name or None when the vocabulary should not know it)
SKILLS = {
    "manufacturing": [
        ("SolidWorks", "SolidWorks"),
        ("AutoCAD", "AutoCAD"),
        ("精益生产", "Lean Manufacturing"),
        ("Six Sigma", "Six Sigma"),
        ("PLC", "PLC Programming"),
        ("ANSYS", "ANSYS"),
        ("Minitab", None),
        ("质量管理", "Quality Management"),
    ],
    "internet": [
        ("Python3", "Python"),
        ("Java", "Java"),
        ("k8s", "Kubernetes"),
        ("MySQL", "MySQL"),
        ("机器学习", "Machine Learning"),
        ("Docker", "Docker"),
        ("Redis", "Redis"),
        ("Golang", "Go"),
        ("React", "React"),
    ],
    "finance": [
        ("Excel", "Excel"),
        ("财务分析", "Financial Analysis"),
        ("SQL", "SQL"),
        ("Python", "Python"),
        ("Bloomberg Terminal", None),
        ("Power BI", "Power BI"),
    ],
    "consulting": [
        ("Excel", "Excel"),
        ("PowerPoint", "PowerPoint"),
        ("Tableau", "Tableau"),
        ("Financial Modelling", "Financial Analysis"),
    ],
    "logistics": [
        ("SAP", "SAP"),
        ("Excel", "Excel"),
        ("供应链管理", "Supply Chain Management"),
        ("ERP", "ERP"),
    ],
    "telecom": [
        ("Linux", "Linux"),
        ("Python", "Python"),
        ("项目管理", "Project Management"),
        ("Shell", "Shell"),
    ],
    "retail": [("Excel", "Excel"), ("ERP", "ERP"), ("商务谈判", "Negotiation"), ("CRM", "CRM")],
}
ZH_CITIES = ["上海", "北京", "深圳", "杭州", "广州", "苏州", "成都", "武汉"]
EN_CITIES = [
    "London",
    "Manchester",
    "Munich",
    "Berlin",
    "Singapore",
    "Toronto",
    "Boston",
    "Seattle",
]

DEGREE_ZH = {"associate": "大专", "bachelor": "本科", "master": "硕士", "phd": "博士"}
DEGREE_ZH_ALT = {
    "associate": "专科",
    "bachelor": "学士",
    "master": "硕士研究生",
    "phd": "博士研究生",
}
DEGREE_EN = {
    "associate": "Associate Degree",
    "bachelor": "Bachelor of Science",
    "master": "Master of Science",
    "phd": "PhD",
}
DEGREE_EN_ALT = {
    "associate": "Associate Degree",
    "bachelor": "BSc",
    "master": "MSc",
    "phd": "Ph.D.",
}
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class Edu:
    school: str
    degree: str
    major: str
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass
class Job:
    company: str
    industry: str
    title: str
    start: tuple[int, int]
    end: tuple[int, int] | None  # None = present
    bullets: list[str] = field(default_factory=list)


@dataclass
class Person:
    lang: str
    name: str
    email: str
    phone_display: str
    phone_e164: str
    city: str
    education: list[Edu]
    jobs: list[Job]
    skills_written: list[str]
    skills_canonical: list[str]
    languages_written: list[str]
    languages_expected: list[dict]


def _phone(rng: random.Random, lang: str) -> tuple[str, str]:
    while True:
        if lang == "zh":
            prefix = rng.choice(["138", "139", "186", "135", "177", "158", "189"])
            digits = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))
            styles = [
                digits,
                f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
                f"+86 {digits}",
            ]
            display = rng.choice(styles)
            number = phonenumbers.parse(digits, "CN")
        else:
            region, prefix, n = rng.choice(
                [("GB", "+44 7", 9), ("DE", "+49 151", 8), ("US", "+1 ", 10), ("SG", "+65 9", 7)]
            )
            if region == "US":
                area = rng.choice(["212", "415", "617", "206", "312"])
                rest = f"{rng.randint(200, 999)}{rng.randint(1000, 9999)}"
                display = f"+1 ({area}) {rest[:3]}-{rest[3:]}"
            else:
                rest = "".join(str(rng.randint(0, 9)) for _ in range(n))
                display = f"{prefix}{rest[:3]} {rest[3:]}"
            number = phonenumbers.parse(display, None)
        if phonenumbers.is_valid_number(number):
            return display, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _make_person(rng: random.Random, lang: str, index: int) -> Person:
    if lang == "zh":
        name = rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN)
        email = f"user{index:03d}@{rng.choice(['163.com', 'qq.com', 'example.cn'])}"
        city = rng.choice(ZH_CITIES)
    else:
        first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        name = f"{first} {last}"
        email = f"{first.lower()}.{last.lower().replace('ü', 'ue')}{index}@example.com"
        city = rng.choice(EN_CITIES)
    phone_display, phone_e164 = _phone(rng, lang)
    top = rng.choices(["associate", "bachelor", "master", "phd"], weights=[1, 5, 3, 1])[0]
    start_year = rng.randint(2000, 2014)
    education: list[Edu] = []
    ladder = {
        "associate": ["associate"],
        "bachelor": ["bachelor"],
        "master": ["bachelor", "master"],
        "phd": ["bachelor", "master", "phd"],
    }[top]
    year = start_year
    majors = ZH_MAJORS if lang == "zh" else EN_MAJORS
    major = rng.choice(majors)
    for degree in ladder:
        length = {"associate": 3, "bachelor": 4, "master": rng.choice([2, 3]), "phd": 4}[degree]
        if lang == "zh":
            school = rng.choice(ZH_VOCATIONAL if degree == "associate" else ZH_SCHOOLS)
        else:
            school = rng.choice(EN_SCHOOLS)
        if degree != ladder[0] and rng.random() < 0.3:
            major = rng.choice(majors)
        education.append(
            Edu(school, degree, major, (year, 9), (year + length, 6 if lang == "zh" else 7))
        )
        year += length
    # Jobs, oldest first; usually back to back, sometimes with a gap, rarely overlapping.
    companies = ZH_COMPANIES if lang == "zh" else EN_COMPANIES
    main_industry = rng.choice(sorted({c[1] for c in companies}))
    jobs: list[Job] = []
    cursor = (year, rng.choice([7, 8]))
    for j in range(rng.randint(1, 3)):
        same = [c for c in companies if c[1] == main_industry]
        company, industry = rng.choice(same if rng.random() < 0.7 else companies)
        titles = (ZH_TITLES if lang == "zh" else EN_TITLES).get(industry) or [
            "项目经理" if lang == "zh" else "Project Manager"
        ]
        months = rng.randint(14, 48)
        start = cursor
        end_index = start[0] * 12 + start[1] - 1 + months
        end = (end_index // 12, end_index % 12 + 1)
        if end_index >= TODAY.year * 12 + TODAY.month - 1 or (j == 2 and rng.random() < 0.5):
            end = None
        jobs.append(Job(company, industry, rng.choice(titles), start, end))
        if end is None:
            break
        gap = rng.choice([0, 0, 1, 2, 3, -2])  # -2: the next job overlaps by two months
        nxt = end[0] * 12 + end[1] - 1 + gap + 1
        cursor = (nxt // 12, nxt % 12 + 1)
        if nxt >= TODAY.year * 12 + TODAY.month - 1:
            break
    pool = []
    for job in jobs:
        for written, canon in SKILLS.get(job.industry, []):
            if lang == "en" and any("\u4e00" <= ch <= "\u9fff" for ch in written):
                written = canon or written  # English resumes name skills in English
            pool.append((written, canon))
    rng.shuffle(pool)
    chosen: list[tuple[str, str | None]] = []
    for item in pool:
        if item[0] not in [c[0] for c in chosen]:
            chosen.append(item)
        if len(chosen) >= rng.randint(3, 6):
            break
    canonical: list[str] = []
    for written, canon in chosen:
        value = canon or written
        if value not in canonical:
            canonical.append(value)
    for job in jobs:
        if lang == "zh":
            job.bullets = [
                rng.choice(
                    [
                        "负责核心产品的设计与交付，推动项目按期上线。",
                        "主导工艺优化项目，良品率提升5%。",
                        "带领5人团队完成年度目标，客户满意度显著提升。",
                        "参与跨部门协作，梳理并优化业务流程。",
                    ]
                )
            ]
        else:
            job.bullets = [
                rng.choice(
                    [
                        "Led the redesign of a core product line and delivered it on schedule.",
                        "Improved process yield by 5% through root-cause analysis.",
                        "Managed a team of five and exceeded the annual targets.",
                        "Worked across departments to streamline reporting.",
                    ]
                )
            ]
    if lang == "zh":
        options = [
            ("英语六级（CET-6）", [{"language": "English", "level": "CET-6"}]),
            ("大学英语四级", [{"language": "English", "level": "CET-4"}]),
            (
                "英语六级，日语N2",
                [
                    {"language": "English", "level": "CET-6"},
                    {"language": "Japanese", "level": "JLPT N2"},
                ],
            ),
            ("雅思 7.0", [{"language": "English", "level": "IELTS 7.0"}]),
        ]
    else:
        options = [
            (
                "English (native), German (B2)",
                [{"language": "English", "level": "native"}, {"language": "German", "level": "B2"}],
            ),
            (
                "English: fluent; Mandarin: basic",
                [
                    {"language": "English", "level": "fluent"},
                    {"language": "Mandarin", "level": "basic"},
                ],
            ),
            ("IELTS 7.5", [{"language": "English", "level": "IELTS 7.5"}]),
        ]
    written_lang, expected_lang = rng.choice(options)
    return Person(
        lang,
        name,
        email,
        phone_display,
        phone_e164,
        city,
        education,
        jobs,
        [c[0] for c in chosen],
        canonical,
        [written_lang],
        expected_lang,
    )


def _years(jobs: list[Job]) -> tuple[float, dict[str, float]]:
    def interval(job: Job) -> tuple[int, int]:
        start = job.start[0] * 12 + job.start[1] - 1
        end = TODAY.year * 12 + TODAY.month if job.end is None else job.end[0] * 12 + job.end[1]
        return start, end

    def merged(intervals: list[tuple[int, int]]) -> float:
        months: set[int] = set()
        for a, b in intervals:
            months.update(range(a, b))
        return round(len(months) / 12, 1)

    total = merged([interval(j) for j in jobs])
    by: dict[str, list[tuple[int, int]]] = {}
    for job in jobs:
        by.setdefault(job.industry, []).append(interval(job))
    return total, {k: merged(v) for k, v in sorted(by.items())}


# ---------------------------------------------------------------------------------------------
# Rendering to a neutral document model: ("title"|"line"|"heading"|"bullet", text),
# ("table", rows) and ("columns", left_blocks, right_blocks)
# ---------------------------------------------------------------------------------------------

DATE_STYLES_ZH = ["{y}.{m:02d}", "{y}/{m:02d}", "{y}年{m}月", "{y}-{m:02d}", "{y}.{m}"]
DATE_STYLES_EN = ["{mon} {y}", "{m:02d}/{y}", "{month} {y}", "{y}-{m:02d}"]
SEPARATORS = [" - ", "-", " – ", " ~ ", " 至 ", " — "]


def _fmt_date(style: str, ym: tuple[int, int] | None, lang: str) -> str:
    if ym is None:
        return "至今" if lang == "zh" else "Present"
    y, m = ym
    full = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][m - 1]
    return style.format(y=y, m=m, mon=MONTHS_EN[m - 1], month=full)


def _range(style: str, sep: str, a: tuple[int, int], b: tuple[int, int] | None, lang: str) -> str:
    if lang == "en" and sep.strip() == "至":
        sep = " to "
    return f"{_fmt_date(style, a, lang)}{sep}{_fmt_date(style, b, lang)}"


def _document(p: Person, layout: str, rng: random.Random) -> list[tuple]:
    zh = p.lang == "zh"
    style = rng.choice(DATE_STYLES_ZH if zh else DATE_STYLES_EN)
    sep = rng.choice(SEPARATORS)
    h = {
        "edu": rng.choice(["教育背景", "教育经历", "【教育背景】"])
        if zh
        else rng.choice(["Education", "EDUCATION"]),
        "work": rng.choice(["工作经历", "工作经验", "职业经历"])
        if zh
        else rng.choice(["Work Experience", "Professional Experience", "EXPERIENCE"]),
        "skills": rng.choice(["专业技能", "技能特长"])
        if zh
        else rng.choice(["Skills", "Technical Skills"]),
        "lang": "语言能力" if zh else "Languages",
        "info": "个人信息" if zh else "Contact",
    }

    def edu_lines(e: Edu) -> list[tuple]:
        dr = _range(style, sep, e.start, e.end, p.lang)
        if zh:
            deg = rng.choice([DEGREE_ZH, DEGREE_ZH_ALT])[e.degree]
            return rng.choice(
                [
                    [("line", f"{dr}  {e.school}  {e.major}  {deg}")],
                    [("line", f"{e.school} | {e.major} | {deg} | {dr}")],
                    [("line", f"{e.school}    {dr}"), ("line", f"专业：{e.major}    学历：{deg}")],
                ]
            )
        deg = rng.choice([DEGREE_EN, DEGREE_EN_ALT])[e.degree]
        return rng.choice(
            [
                [("line", f"{e.school}"), ("line", f"{deg} in {e.major}"), ("line", dr)],
                [("line", f"{deg} in {e.major}, {e.school}, {dr}")],
                [("line", f"{dr} | {e.school} | {deg} in {e.major}")],
            ]
        )

    def job_lines(j: Job) -> list[tuple]:
        dr = _range(style, sep, j.start, j.end, p.lang)
        if zh:
            head = rng.choice(
                [
                    [("line", f"{dr}  {j.company}  {j.title}")],
                    [("line", f"{j.company}  |  {j.title}"), ("line", dr)],
                    [("line", f"{dr}  {j.company}"), ("line", f"职位：{j.title}")],
                ]
            )
        else:
            head = rng.choice(
                [
                    [("line", j.title), ("line", f"{j.company} | {dr}")],
                    [("line", f"{j.company}, {j.title}, {dr}")],
                    [("line", f"{dr}  {j.title} at {j.company}")],
                ]
            )
        return head + [("bullet", b) for b in j.bullets]

    skills_text = ("、" if zh else ", ").join(p.skills_written)
    skills_line = f"熟练使用{skills_text}" if zh else f"Proficient in {skills_text}"
    contact = (
        [("line", f"电话：{p.phone_display}  邮箱：{p.email}"), ("line", f"现居：{p.city}")]
        if zh
        else [("line", f"{p.phone_display} | {p.email}"), ("line", f"Location: {p.city}")]
    )
    edu_blocks = [("heading", h["edu"])] + [x for e in reversed(p.education) for x in edu_lines(e)]
    work_blocks = [("heading", h["work"])] + [x for j in reversed(p.jobs) for x in job_lines(j)]
    skill_blocks = [("heading", h["skills"]), ("line", skills_line)]
    lang_blocks = [("heading", h["lang"]), ("line", p.languages_written[0])]

    if layout == "single":
        return [("title", p.name), *contact, *edu_blocks, *work_blocks, *skill_blocks, *lang_blocks]
    if layout == "work_first":
        return [("title", p.name), *contact, *work_blocks, *skill_blocks, *edu_blocks, *lang_blocks]
    if layout == "table":
        info_rows = (
            [["姓名", p.name], ["电话", p.phone_display], ["邮箱", p.email], ["现居地", p.city]]
            if zh
            else [
                ["Name", p.name],
                ["Phone", p.phone_display],
                ["Email", p.email],
                ["Location", p.city],
            ]
        )
        edu_rows = [
            [
                _range(style, sep, e.start, e.end, p.lang),
                e.school,
                e.major,
                (DEGREE_ZH if zh else DEGREE_EN_ALT)[e.degree],
            ]
            for e in reversed(p.education)
        ]
        job_rows = [
            [_range(style, sep, j.start, j.end, p.lang), j.company, j.title]
            for j in reversed(p.jobs)
        ]
        return [
            ("title", "个人简历" if zh else "Curriculum Vitae"),
            ("heading", h["info"]),
            ("table", info_rows),
            ("heading", h["edu"]),
            ("table", edu_rows),
            ("heading", h["work"]),
            ("table", job_rows),
            *skill_blocks,
            *lang_blocks,
        ]
    # sidebar: contact, skills and languages on the left, the rest on the right
    left = [("title", p.name), *contact, *skill_blocks, *lang_blocks]
    right = [*work_blocks, *edu_blocks]
    return [("columns", left, right)]


def _plain_lines(blocks: list[tuple]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block[0] == "table":
            out.extend(" | ".join(r) for r in block[1])
        elif block[0] == "columns":
            out.extend(_plain_lines(block[1]))
            out.extend(_plain_lines(block[2]))
        elif block[0] == "bullet":
            out.append("- " + block[1])
        else:
            out.append(block[1])
    return out


def render_txt(blocks: list[tuple]) -> str:
    return "\n".join(_plain_lines(blocks)) + "\n"


def render_docx(blocks: list[tuple]) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()

    def add(container, items: list[tuple]) -> None:
        for block in items:
            kind = block[0]
            if kind == "title":
                para = container.add_paragraph()
                run = para.add_run(block[1])
                run.bold = True
                run.font.size = Pt(18)
            elif kind == "heading":
                para = container.add_paragraph()
                run = para.add_run(block[1])
                run.bold = True
                run.font.size = Pt(13)
            elif kind == "bullet":
                container.add_paragraph("• " + block[1])
            elif kind == "line":
                container.add_paragraph(block[1])
            elif kind == "table":
                rows = block[1]
                table = container.add_table(rows=len(rows), cols=len(rows[0]))
                table.style = "Table Grid"
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        table.cell(r, c).text = value
            elif kind == "columns":
                table = container.add_table(rows=1, cols=2)
                for side, cell in ((block[1], table.cell(0, 0)), (block[2], table.cell(0, 1))):
                    cell.paragraphs[0].text = ""
                    add(cell, side)

    add(document, blocks)
    fixed = datetime(2025, 1, 1, tzinfo=UTC)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.core_properties.last_modified_by = ""
    document.core_properties.author = ""
    buffer = io.BytesIO()
    document.save(buffer)
    # Re-pack with fixed member timestamps so the same seed gives byte-identical files.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def pdf_fonts(lang: str) -> tuple[str, str, str | None]:
    """The regular and bold font of a PDF in ``lang``, and its word wrapping (Chinese wraps
    between any two characters)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if lang == "zh":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light", "STSong-Light", "CJK"
    return "Helvetica", "Helvetica-Bold", None


def render_pdf(blocks: list[tuple], lang: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, bold, wrap = pdf_fonts(lang)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap=wrap)
    title = ParagraphStyle("title", fontName=bold, fontSize=18, leading=24, wordWrap=wrap)
    heading = ParagraphStyle(
        "heading", fontName=bold, fontSize=13, leading=20, spaceBefore=6, wordWrap=wrap
    )

    def flow(items: list[tuple]) -> list:
        out: list = []
        for block in items:
            kind = block[0]
            if kind == "title":
                out.append(Paragraph(escape(block[1]), title))
            elif kind == "heading":
                out.append(Paragraph(escape(block[1]), heading))
            elif kind == "bullet":
                out.append(Paragraph("• " + escape(block[1]), body))
            elif kind == "line":
                out.append(Paragraph(escape(block[1]).replace("  ", "&nbsp;&nbsp;"), body))
            elif kind == "table":
                rows = [[Paragraph(escape(v), body) for v in row] for row in block[1]]
                table = Table(rows)
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.5, "#999999"),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                out.extend([table, Spacer(1, 6)])
            elif kind == "columns":
                table = Table([[flow(block[1]), flow(block[2])]], colWidths=[170, 330])
                table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
                out.append(table)
        return out

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="Resume", author="", invariant=1)
    doc.build(flow(blocks))
    return buffer.getvalue()


def expected(p: Person) -> dict:
    years, by_industry = _years(p.jobs)
    return {
        "today": TODAY.isoformat(),
        "name": p.name,
        "email": p.email.lower(),
        "phone": p.phone_e164,
        "location": p.city,
        "education": [
            {
                "school": e.school,
                "degree": e.degree,
                "major": e.major,
                "start": _ym(*e.start),
                "end": _ym(*e.end),
            }
            for e in reversed(p.education)
        ],
        "work": [
            {
                "company": j.company,
                "title": j.title,
                "start": _ym(*j.start),
                "end": _ym(*j.end) if j.end else None,
                "is_current": j.end is None,
                "industry": j.industry,
            }
            for j in reversed(p.jobs)
        ],
        "highest_degree": p.education[-1].degree,
        "years_experience": years,
        "years_by_industry": by_industry,
        "skills": p.skills_canonical,
        "languages": p.languages_expected,
    }


def generate(out: Path, seed: int, count: int = 48) -> list[Path]:
    rng = random.Random(seed)
    if out.exists():
        for child in out.iterdir():
            if child.is_file() and child.suffix in (".pdf", ".docx", ".txt", ".json"):
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    layouts = ["single", "work_first", "table", "sidebar"]
    written: list[Path] = []
    for i in range(count):
        lang = "zh" if i % 2 == 0 else "en"
        layout = layouts[(i // 2) % len(layouts)]
        fmt = ["pdf", "docx", "pdf", "docx", "txt", "pdf", "docx", "pdf"][
            (i // 2 + 3 * (i % 2)) % 8
        ]
        person = _make_person(rng, lang, i)
        blocks = _document(person, layout, rng)
        stem = f"{i + 1:03d}_{lang}_{layout}"
        path = out / f"{stem}.{fmt}"
        if fmt == "pdf":
            path.write_bytes(render_pdf(blocks, lang))
        elif fmt == "docx":
            path.write_bytes(render_docx(blocks))
        else:
            encoding = ["utf-8", "gb18030", "utf-16"][i % 3] if lang == "zh" else "utf-8"
            path.write_bytes(render_txt(blocks).encode(encoding))
        truth = expected(person) | {
            "file": path.name,
            "lang": lang,
            "layout": layout,
            "format": fmt,
        }
        (out / f"{stem}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "tests/data/resumes")
    )
    parser.add_argument("--seed", type=int, default=20250630)
    parser.add_argument("--count", type=int, default=48)
    args = parser.parse_args()
    paths = generate(Path(args.out), args.seed, args.count)
    size = sum(p.stat().st_size for p in Path(args.out).iterdir() if p.is_file())
    kinds: dict[str, int] = {}
    for p in paths:
        kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
    print(f"wrote {len(paths)} resumes to {args.out} ({kinds}); {size / 1024:.0f} KiB with labels")


if __name__ == "__main__":
    main()
