"""Labelled resumes in shapes the generated set lacks (written by hand, laid out like common
templates): a contact header line under or beside the name, "2019 – Present" in a right-hand
date column, a university whose name holds a comma ("University of California, Berkeley"),
and product managers. Writes ``049``… files and their ``.json`` labels next to the generated
set (``bench/resumes_generate.py``), with the same label format.

    python bench/resumes_shapes.py [--out tests/data/resumes]

The output is byte-identical on every run (fixed PDF and DOCX metadata).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from resumes_generate import pdf_fonts, render_docx, render_txt  # noqa: E402

TODAY = "2025-06-30"


def _pdf(header: list[tuple[str, str]], sections: list[tuple[str, list]], lang: str) -> bytes:
    """A one-column resume: header lines (style, text), then sections whose items are
    ("row", left, right) for a line with a right-aligned date, ("line", text) or
    ("bullet", text)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    font, bold, wrap = pdf_fonts(lang)
    styles = {
        "name": ParagraphStyle("name", fontName=bold, fontSize=22, leading=28, wordWrap=wrap),
        "contact": ParagraphStyle("contact", fontName=font, fontSize=9, leading=13),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=12, leading=18, spaceBefore=8, wordWrap=wrap
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap=wrap),
        "strong": ParagraphStyle("strong", fontName=bold, fontSize=10, leading=14, wordWrap=wrap),
        "date": ParagraphStyle(
            "date", fontName=font, fontSize=10, leading=14, alignment=TA_RIGHT, wordWrap=wrap
        ),
    }
    flow: list = [Paragraph(escape(text), styles[style]) for style, text in header]
    for heading, items in sections:
        flow.append(Paragraph(escape(heading), styles["heading"]))
        for item in items:
            if item[0] == "row":
                table = Table(
                    [
                        [
                            Paragraph(escape(item[1]), styles["strong"]),
                            Paragraph(escape(item[2]), styles["date"]),
                        ]
                    ],
                    colWidths=[360, 120],
                )
                table.setStyle(
                    TableStyle(
                        [
                            ("LEFTPADDING", (0, 0), (-1, -1), 0),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                flow.append(table)
            elif item[0] == "bullet":
                flow.append(Paragraph("• " + escape(item[1]), styles["body"]))
            else:
                flow.append(Paragraph(escape(item[1]), styles["body"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="Resume", author="", invariant=1)
    doc.build(flow)
    return buffer.getvalue()


def _label(**fields: object) -> dict:
    base = {"today": TODAY, "languages": []}
    return base | fields


RESUMES: list[tuple[str, str, object, dict]] = []

# 1. Contacts in a header line under the name; "2019 – Present" in a right-hand column; a
#    comma in the university's name; a product manager.
RESUMES.append(
    (
        "049_en_header.pdf",
        "en",
        lambda: _pdf(
            [
                ("name", "Alex Chen"),
                (
                    "contact",
                    "alex.chen@gmail.com | (415) 555-0132 | San Francisco, CA | "
                    "linkedin.com/in/alexchen",
                ),
            ],
            [
                (
                    "PROFESSIONAL EXPERIENCE",
                    [
                        ("row", "Senior Product Manager — Shopify Inc.", "2019 – Present"),
                        (
                            "bullet",
                            "Own the checkout roadmap for 40,000 merchants; raised "
                            "conversion by 6% through A/B tests.",
                        ),
                        ("bullet", "Write product requirements with engineering and design."),
                        ("row", "Product Manager — Dropbox, Inc.", "Jun 2016 – Dec 2018"),
                        (
                            "bullet",
                            "Launched shared team folders used by 2 million weekly "
                            "active users of the online storage app.",
                        ),
                    ],
                ),
                (
                    "EDUCATION",
                    [
                        ("row", "University of California, Berkeley", "2012 – 2016"),
                        ("line", "B.A. in Economics"),
                    ],
                ),
                ("SKILLS", [("line", "Product management, A/B testing, SQL, Jira, Figma")]),
            ],
            "en",
        ),
        _label(
            name="Alex Chen",
            email="alex.chen@gmail.com",
            phone="+14155550132",
            location="San Francisco",
            education=[
                {
                    "school": "University of California, Berkeley",
                    "degree": "bachelor",
                    "major": "Economics",
                    "start": "2012",
                    "end": "2016",
                }
            ],
            work=[
                {
                    "company": "Shopify Inc.",
                    "title": "Senior Product Manager",
                    "start": "2019",
                    "end": None,
                    "is_current": True,
                    "industry": "internet",
                },
                {
                    "company": "Dropbox, Inc.",
                    "title": "Product Manager",
                    "start": "2016-06",
                    "end": "2018-12",
                    "is_current": False,
                    "industry": "internet",
                },
            ],
            highest_degree="bachelor",
            # 2019 (from mid-year) to June 2025: 72 months; Jun 2016 – Dec 2018: 31 months
            years_experience=8.6,
            years_by_industry={"internet": 8.6},
            skills=["Product Management", "A/B testing", "SQL", "Jira", "UI Design"],
        ),
    )
)

# 2. Name and contacts on one line.
RESUMES.append(
    (
        "050_en_inline.pdf",
        "en",
        lambda: _pdf(
            [
                (
                    "contact",
                    "Maria Lopez · maria.lopez@outlook.com · +1 (212) 555-0198 · New York, NY",
                )
            ],
            [
                (
                    "EXPERIENCE",
                    [
                        ("row", "Software Engineer, Dropbox, Inc.", "Jan 2019 – Present"),
                        (
                            "bullet",
                            "Built conflict resolution for the sync engine of the "
                            "online storage app in Rust and Python.",
                        ),
                        ("row", "Junior Developer, Etsy, Inc.", "Jul 2016 – Dec 2018"),
                        ("bullet", "Maintained the online marketplace's search APIs."),
                    ],
                ),
                (
                    "EDUCATION",
                    [
                        (
                            "line",
                            "University of California, Berkeley — B.S. in Computer Science, "
                            "2012 – 2016",
                        )
                    ],
                ),
                ("SKILLS", [("line", "Python, Rust, SQL, Kubernetes")]),
            ],
            "en",
        ),
        _label(
            name="Maria Lopez",
            email="maria.lopez@outlook.com",
            phone="+12125550198",
            location="New York",
            education=[
                {
                    "school": "University of California, Berkeley",
                    "degree": "bachelor",
                    "major": "Computer Science",
                    "start": "2012",
                    "end": "2016",
                }
            ],
            work=[
                {
                    "company": "Dropbox, Inc.",
                    "title": "Software Engineer",
                    "start": "2019-01",
                    "end": None,
                    "is_current": True,
                    "industry": "internet",
                },
                {
                    "company": "Etsy, Inc.",
                    "title": "Junior Developer",
                    "start": "2016-07",
                    "end": "2018-12",
                    "is_current": False,
                    "industry": "internet",
                },
            ],
            highest_degree="bachelor",
            # Jan 2019 – June 2025: 78 months; Jul 2016 – Dec 2018: 30 months
            years_experience=9.0,
            years_by_industry={"internet": 9.0},
            skills=["Python", "Rust", "SQL", "Kubernetes"],
        ),
    )
)

# 3. The contact line first, the name under it (a page-header contact bar).
RESUMES.append(
    (
        "051_en_contact_first.pdf",
        "en",
        lambda: _pdf(
            [
                ("contact", "jordan.lee@gmail.com  |  +44 7911 123456  |  London, UK"),
                ("name", "Jordan Lee"),
                ("body", "Product Manager"),
            ],
            [
                (
                    "WORK EXPERIENCE",
                    [
                        ("row", "Product Manager, Deliveroo plc", "Mar 2020 – present"),
                        (
                            "bullet",
                            "Lead the rider app's scheduling features; cut missed shifts by 15%.",
                        ),
                        ("row", "Business Analyst, Ocado Group plc", "Sep 2017 – Feb 2020"),
                        ("bullet", "Built demand forecasts for the online grocery's warehouses."),
                    ],
                ),
                (
                    "EDUCATION",
                    [
                        ("row", "University of California, Los Angeles", "2013 – 2017"),
                        ("line", "Bachelor of Science in Statistics"),
                    ],
                ),
                ("SKILLS", [("line", "SQL, Tableau, Python, Product management")]),
            ],
            "en",
        ),
        _label(
            name="Jordan Lee",
            email="jordan.lee@gmail.com",
            phone="+447911123456",
            location="London",
            education=[
                {
                    "school": "University of California, Los Angeles",
                    "degree": "bachelor",
                    "major": "Statistics",
                    "start": "2013",
                    "end": "2017",
                }
            ],
            work=[
                {
                    "company": "Deliveroo plc",
                    "title": "Product Manager",
                    "start": "2020-03",
                    "end": None,
                    "is_current": True,
                    "industry": "internet",
                },
                {
                    "company": "Ocado Group plc",
                    "title": "Business Analyst",
                    "start": "2017-09",
                    "end": "2020-02",
                    "is_current": False,
                    "industry": "retail",
                },
            ],
            highest_degree="bachelor",
            # Mar 2020 – June 2025: 64 months; Sep 2017 – Feb 2020: 30 months
            years_experience=7.8,
            years_by_industry={"internet": 5.3, "retail": 2.5},
            skills=["SQL", "Tableau", "Python", "Product Management"],
        ),
    )
)

# 4. A Chinese product manager (the talent portrait must not call them "technical").
ZH_PM = [
    ("title", "王婷"),
    ("line", "手机：139 1234 5678 | 邮箱：wang.ting@example.com | 现居：杭州"),
    ("heading", "工作经历"),
    ("line", "2019.03 – 至今  杭州网易云音乐科技有限公司  高级产品经理"),
    ("bullet", "负责会员增长产品线，主导 A/B 实验，付费转化率提升 12%。"),
    ("line", "2016.07 – 2019.02  阿里巴巴（中国）网络技术有限公司  产品经理"),
    ("bullet", "负责商家后台的产品规划，撰写需求文档，协调研发与设计团队按期上线。"),
    ("heading", "教育背景"),
    ("line", "2012.09 – 2016.06  浙江大学  本科  信息管理与信息系统"),
    ("heading", "专业技能"),
    ("line", "产品规划、需求分析、Axure、SQL、数据分析"),
]
RESUMES.append(
    (
        "052_zh_product_manager.docx",
        "zh",
        lambda: render_docx(ZH_PM),
        _label(
            name="王婷",
            email="wang.ting@example.com",
            phone="+8613912345678",
            location="杭州",
            education=[
                {
                    "school": "浙江大学",
                    "degree": "bachelor",
                    "major": "信息管理与信息系统",
                    "start": "2012-09",
                    "end": "2016-06",
                }
            ],
            work=[
                {
                    "company": "杭州网易云音乐科技有限公司",
                    "title": "高级产品经理",
                    "start": "2019-03",
                    "end": None,
                    "is_current": True,
                    "industry": "internet",
                },
                {
                    "company": "阿里巴巴（中国）网络技术有限公司",
                    "title": "产品经理",
                    "start": "2016-07",
                    "end": "2019-02",
                    "is_current": False,
                    "industry": "internet",
                },
            ],
            highest_degree="bachelor",
            # Mar 2019 – June 2025: 76 months; Jul 2016 – Feb 2019: 32 months
            years_experience=9.0,
            years_by_industry={"internet": 9.0},
            skills=["Product Management", "需求分析", "Axure", "SQL", "Data Analysis"],
        ),
    )
)

# 5. The same shapes as plain text: a one-line header, an en dash before "Present".
EN_TEXT = [
    ("title", "Priya Nair | priya.nair@yahoo.com | +1 206 555 0147 | Seattle, WA"),
    ("heading", "Experience"),
    ("line", "Product Manager | Zillow Group, Inc. | May 2018 – Present"),
    ("bullet", "Own the home valuation pages of the online marketplace."),
    ("line", "Associate Product Manager | Expedia, Inc. | Aug 2015 – Apr 2018"),
    ("bullet", "Shipped hotel search filters for the online travel site."),
    ("heading", "Education"),
    ("line", "University of California, Berkeley | Master of Information Management | 2013 – 2015"),
    ("heading", "Skills"),
    ("line", "Product management, SQL, Tableau"),
]
RESUMES.append(
    (
        "053_en_header.txt",
        "en",
        lambda: render_txt(EN_TEXT).encode("utf-8"),
        _label(
            name="Priya Nair",
            email="priya.nair@yahoo.com",
            phone="+12065550147",
            location="Seattle",
            education=[
                {
                    "school": "University of California, Berkeley",
                    "degree": "master",
                    "major": "Information Management",
                    "start": "2013",
                    "end": "2015",
                }
            ],
            work=[
                {
                    "company": "Zillow Group, Inc.",
                    "title": "Product Manager",
                    "start": "2018-05",
                    "end": None,
                    "is_current": True,
                    "industry": "internet",
                },
                {
                    "company": "Expedia, Inc.",
                    "title": "Associate Product Manager",
                    "start": "2015-08",
                    "end": "2018-04",
                    "is_current": False,
                    "industry": "internet",
                },
            ],
            highest_degree="master",
            # May 2018 – June 2025: 86 months; Aug 2015 – Apr 2018: 33 months
            years_experience=9.9,
            years_by_industry={"internet": 9.9},
            skills=["Product Management", "SQL", "Tableau"],
        ),
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "resumes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for filename, lang, render, label in RESUMES:
        path = args.out / filename
        path.write_bytes(render())
        stem, fmt = filename.rsplit(".", 1)
        truth = label | {"file": filename, "lang": lang, "layout": "shapes", "format": fmt}
        (args.out / f"{stem}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
        print(path)


if __name__ == "__main__":
    main()
