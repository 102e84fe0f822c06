"""Upload → parsed profile → screening result → pool search, as a recruiter does it."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_openings import create_opening

pytestmark = pytest.mark.browser


def _resumes(folder: Path, name: str, tag: str) -> list[str]:
    from docx import Document

    good = folder / "good.txt"
    good.write_text(
        f"""{name}
手机：139{secrets.randbelow(10**8):08d}
邮箱：{tag.lower()}@example.cn
现居住地：杭州

教育背景
2011.09 - 2015.06  浙江大学  计算机科学与技术  本科

工作经历
2018.03 - 至今  杭州云栖数据科技有限公司  高级后端工程师
用 Python 和 PostgreSQL 构建数据服务，负责高并发接口设计。
2015.07 - 2018.02  杭州数澜科技有限公司  后端开发工程师

专业技能
Python、PostgreSQL、Redis、Kafka
""",
        encoding="utf-8",
    )
    document = Document()
    for line in (
        f"Olivia {tag}",
        f"Email: olivia.{tag.lower()}@example.com",
        "Phone: +44 20 7946 0958",
        "Education",
        "Bristol Technical College, Associate Degree in Graphic Design, 2016 - 2018",
        "Work Experience",
        "Junior Designer, Pixel Studio Ltd, Sep 2018 - Present",
        "Skills",
        "Photoshop, Figma",
    ):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    (folder / "olivia.docx").write_bytes(buffer.getvalue())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00\x01garbage" * 40)
    return [str(folder / n) for n in ("good.txt", "olivia.docx", "broken.pdf")]


def test_upload_profile_screening_and_pool_search(page: Page, tmp_path: Path):
    tag = "".join(secrets.choice("bcdfghjklmnprstvwz") for _ in range(6)).capitalize()
    name = f"欧阳{'明轩'}"
    sign_in(page, "recruiter@huaxing.example")
    url = create_opening(page, f"数据平台工程师 {tag}", skills="Python, PostgreSQL")
    page.goto(url + "/rules")
    page.locator("textarea[name=text]").first.fill('education >= "本科" and has_skill("Python")')
    page.click("#save-rules")
    expect(page.locator("#rules-saved")).to_be_visible()

    # upload: one good resume, one that fails the rules, one broken file
    page.goto(url)
    page.click("#upload-resumes")
    page.set_input_files("#upload-files", _resumes(tmp_path, name, tag))
    page.click("#upload-submit")
    expect(page.locator("#upload-summary")).to_contain_text("已接收 2 份，拒绝 1 份")
    results = page.locator("#upload-results")
    expect(results.locator("tr[data-code=pdf_corrupt]")).to_contain_text("PDF 文件已损坏")
    good_row = results.locator("tr", has_text="good.txt")
    expect(good_row).to_contain_text("通过")
    expect(results.locator("tr", has_text="olivia.docx")).to_contain_text("未通过")

    # the parsed profile next to the original, and a correction that is kept
    good_row.locator("a").click()
    page.wait_for_url(re.compile(r"/candidates/\d+"))
    expect(page.locator("#candidate-name")).to_contain_text(name)
    expect(page.locator("input[name=edu-0-school]")).to_have_value("浙江大学")
    expect(page.locator("input[name=work-0-title]")).to_have_value("高级后端工程师")
    expect(page.locator("#resume-text")).to_contain_text("用 Python 和 PostgreSQL 构建数据服务")
    expect(page.locator("#highest-degree")).to_have_text("本科")
    page.fill("#profile-form input[name=location]", "上海")
    page.click("#save-profile")
    expect(page.locator("#corrected")).to_be_visible()
    expect(page.locator("#profile-form input[name=location]")).to_have_value("上海")
    expect(page.locator("#profile-form")).to_contain_text("已修改")

    # the screening result with its explanation on the opening's candidate list
    page.goto(url)
    row = page.locator("#applications-table tr", has_text=name)
    expect(row.locator(".badge.ok")).to_have_text("通过")
    expect(row.locator(".why")).to_contain_text("✓")
    rejected = page.locator("#applications-table tr", has_text=f"Olivia {tag}")
    expect(rejected.locator(".why")).to_contain_text("✗")

    # the talent pool: keywords (jieba) + filters, then a saved search
    page.goto("/candidates")
    page.fill("#pool-q", "后端 Python")
    page.locator("#pool-search details summary").click()
    page.select_option("select[name=min_education]", "bachelor")
    page.fill("input[name=location]", "上海")
    page.click("#pool-submit")
    table = page.locator("#candidates-table")
    expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(f"Olivia {tag}")
    page.fill("#save-search input[name=name]", f"上海后端 {tag}")
    page.click("#save-search button[type=submit]")
    expect(page.locator("#saved-searches")).to_contain_text(f"上海后端 {tag}")
    page.locator("#saved-searches a", has_text=f"上海后端 {tag}").click()
    expect(page.locator("#candidates-table")).to_contain_text(name)
