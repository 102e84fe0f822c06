"""Japanese is a full third language (SPEC E7): every entry of every ja catalogue is filled,
keeps the msgid's placeholders and is Japanese rather than a copy of the English or Chinese
(one translation per msgid across catalogues: ``scripts/i18n.py check``, tests/test_i18n.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.catalog import Catalog
from sqlalchemy import select

from hireflow.coding import plans as coding_plans
from hireflow.coding.grader import EFFICIENCY_MESSAGES, efficiency_message
from hireflow.coding.questions import bank as coding_bank
from hireflow.interviews.models import InterviewReport
from hireflow.interviews.overrides import record_texts, stored_report
from hireflow.scoring.models import list_presets
from hireflow.scoring.questions import load_question_bank
from scripts import i18n
from tests.conftest import login
from tests.interviews.factories import queue_fixture, storage_fixture  # noqa: F401 - fixtures
from tests.records.test_timeline_words import _reviewed as reviewed_interview
from tests.records.test_timeline_words import _timeline as timeline_of
from tests.selfservice.factories import hired_employee

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Simplified-Chinese characters Japanese never uses: a ja entry holding one was copied from zh.
SIMPLIFIED_ONLY = re.compile(
    "[们这时间选应聘记录态访问页对暂无类搜岗说请读认证设计统划续资讯转门开关发报显听见经验难题择为两东专级网务节库么吗给让没该户员单优业络码错误钟]"
)
# Names, codes and symbols that read the same in Japanese.
SAME_IN_JAPANESE = {
    "AI",
    "API",
    "AccessKey ID",
    "Hireflow",
    "IT",
    "Moka",
    "Microsoft Teams",
    "QWK",
    "URL",
    "Zoom",
}


def _texts(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)  # type: ignore[return-value]


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def _sentence(text: str) -> bool:
    """English words rather than a key-like code ("aliyun") or a symbol."""
    return bool(re.search(r"[A-Za-z]{3}", text)) and (text.lower() != text or " " in text)


def problems(catalog: Catalog, where: str = "") -> list[str]:
    """What is wrong with the Japanese entries of one catalogue."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _texts(message.id), _texts(message.string)
        label = f"{where}: {ids[0]!r}"
        if not all(s and s.strip() for s in strings):
            found.append(f"{label} is empty")
            continue
        # Japanese has one plural form: it may say the count where only the plural id does
        expected = [_placeholders(text) for text in ids]
        for string in strings:
            if _placeholders(string) not in expected:
                found.append(f"{label}: placeholders {_placeholders(string)} in {string!r}")
            chinese = set(SIMPLIFIED_ONLY.findall(string)) - set(ids[0])
            if chinese and not re.search(r"[\u3040-\u30ff]", string):
                found.append(f"{label} is Chinese: {string!r}")
            if string == ids[0] and ids[0] not in SAME_IN_JAPANESE and _sentence(string):
                found.append(f"{label} is left in English")
    return found


def test_every_japanese_entry_is_filled_and_keeps_its_placeholders() -> None:
    found: list[str] = []
    for domain in [None, *i18n.own_domains()]:
        assert i18n.po_path("ja", domain).exists(), domain
        found += problems(i18n.load("ja", domain), domain or "shared")
    assert not found, "\n".join(found[:40])


@pytest.mark.parametrize(
    ("msgid", "string", "problem"),
    [
        ("Withdrawn", "", "is empty"),
        ("Hello %(name)s", "こんにちは", "placeholders"),
        ("Between {a} and {b}", "{a} から {c}", "placeholders"),
        ("Save the checklist", "Save the checklist", "left in English"),
        ("Candidate", "候选人", "is Chinese"),
    ],
)
def test_a_bad_japanese_entry_is_reported(msgid: str, string: str, problem: str) -> None:
    catalog = Catalog(locale="ja")
    catalog.add(msgid, string=string)
    catalog.add("QWK", string="QWK")  # the same in Japanese
    catalog.add("Save", string="保存")
    (found,) = problems(catalog)
    assert problem in found


# --------------------------------------------------------------- pages and questions in Japanese

KANA = re.compile(r"[\u3040-\u30ff]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Simplified forms of characters Japanese writes otherwise (達, 現, 実, 題…): in prose with
# no kana they mark Chinese, as do those of SIMPLIFIED_ONLY.
CHINESE = re.compile(
    SIMPLIFIED_ONLY.pattern[:-1]
    + "达现实题验际标观习础价极众还进过迟复杂协调动讲话语评试样满顾岗维盖权虑压导证]"
)
# A person's words quoted inside a sentence stay in the language they were said in.
QUOTED = re.compile(r"「[^」]*」|“[^”]*”|『[^』]*』")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")
SKIPPED = {"script", "style", "svg", "code", "pre"}
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}


class _Prose(HTMLParser):
    """Visible text nodes of a page, without scripts and elements marked ``translate="no"``
    (a person's own words, names) or their children."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: is it skipped?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        skipped = tag in SKIPPED or dict(attrs).get("translate") == "no"
        self._stack.append(skipped or bool(self._stack and self._stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self._stack and self._stack[-1]) and data.strip():
            self.texts.append(data.strip())


def prose_problems(html: str, data: tuple[str, ...] = ()) -> list[str]:
    """Text on a Japanese page that is Chinese-only or English-only: generated in Python or
    picked from a {zh, en} value without its ja branch. ``data`` are what people typed (names,
    titles, HR's notes), shown as written and so left out."""
    parser = _Prose()
    parser.feed(html)
    found = []
    for text in parser.texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        text = QUOTED.sub("「」", text)
        if CHINESE.search(text) and not KANA.search(text):
            found.append(f"Chinese: {text!r}")
        elif ENGLISH_WORDS.search(text) and not CJK.search(text):
            found.append(f"English: {text!r}")
    return found


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<li>沟通表达：得分低于要求</li>", "Chinese"),
        ("<p>暂无记录</p>", "Chinese"),
        ("<td>達成志向</td>", None),
        ("<li>学習機敏性：7.2 点（要求 6.0）。例：「第九天我定位到问题并修复」</li>", None),
        ("<li>抗压能力：0.0 分，低于要求 7.0</li>", "Chinese"),
        ("<li>Communication is below the required level</li>", "English"),
        ("<p>コミュニケーション：要求を下回る</p>", None),
        ('<blockquote translate="no">我们先用压测定位</blockquote>', None),
        ("<p>Acme Holdings Group Ltd</p>", None),
    ],
)
def test_prose_problems_finds_chinese_and_english_text(html: str, problem: str | None) -> None:
    found = prose_problems(html, data=("Acme Holdings Group Ltd",))
    assert (found[0].split(":")[0] if found else None) == problem


def test_every_bank_question_reads_in_japanese() -> None:
    """Every built-in question, technical and coding ones included, has its own Japanese text."""
    bank = load_question_bank()
    technical = [q for q in bank.questions if q.kind == "technical"]
    assert len(technical) >= 30
    found = [q.id for q in bank.questions if not KANA.search(q.text.get("ja", ""))]
    assert not found, found


def test_every_bank_question_explains_itself_in_three_languages() -> None:
    """Every built-in question's rationale, key points and follow-up questions are in zh, en
    and ja (an interviewer reading the plan in Japanese reads them in Japanese), the lists as
    long in each language, and the Japanese neither copied nor Chinese."""
    bank = load_question_bank()
    found: list[str] = []
    counts = {"rationale": 0, "key_points": 0, "follow_ups": 0}
    for question in bank.questions:
        assert question.rationale, question.id
        fields = {
            "rationale": {k: (v,) for k, v in question.rationale.items()},
            "key_points": question.key_points,
            "follow_ups": question.follow_ups,
        }
        for field, texts in fields.items():
            if not texts:
                continue
            counts[field] += 1
            if set(texts) != {"zh", "en", "ja"}:
                found.append(f"{question.id}.{field}: {sorted(texts)}")
                continue
            if not len(texts["zh"]) == len(texts["en"]) == len(texts["ja"]):
                found.append(f"{question.id}.{field}: lists of different lengths")
            for i, ja in enumerate(texts["ja"]):
                others = (texts["zh"][i], texts["en"][i]) if i < len(texts["zh"]) else ()
                chinese = SIMPLIFIED_ONLY.search(ja) and not KANA.search(ja)
                if not ja.strip() or ja in others or chinese:
                    found.append(f"{question.id}.{field}[{i}]: {ja!r}")
    assert not found, found
    assert counts["rationale"] >= 130 and counts["key_points"] >= 70, counts
    assert counts["follow_ups"] >= 15, counts


def test_coding_questions_read_in_japanese() -> None:
    for question in coding_bank().values():
        public = question.public("ja")
        for text in (public["title"], public["statement"]):
            assert KANA.search(text) and not SIMPLIFIED_ONLY.search(text), question.id
        assert "**入力**" in public["statement"] and "O(n" in public["statement"]
        for example in public["examples"]:
            assert not example["note"] or KANA.search(example["note"]), question.id
        assert public["title"] != question.public("zh-CN")["title"]
        plan = coding_plans.plan_question(question.id, "coding")
        assert KANA.search(plan["text"]["ja"]) and KANA.search(plan["rationale"]["ja"])
        assert all(KANA.search(p) for p in plan["key_points"]["ja"])
    choices = dict(coding_plans.bank_choices("ja"))
    assert all(KANA.search(title) for title in choices.values())
    for verdict in EFFICIENCY_MESSAGES:
        assert KANA.search(efficiency_message(verdict)["ja"]), verdict


def test_the_own_report_reads_in_japanese(client, session, db, org, queue, storage) -> None:
    """An employee whose language is Japanese reads their report (competency names, strengths,
    suggestions) in Japanese; only their own quoted words stay as they said them."""
    hired = hired_employee(session, db, org)
    login(client, hired.user)
    client.post("/lang", data={"lang": "ja", "next": "/"})
    page = client.get("/my/report")
    assert page.status_code == 200 and "私のレポート" in page.text
    names = {p["id"]: p["name"]["ja"] for p in list_presets()}
    section = page.text.split(f'data-interview="{hired.interview.id}"', 1)[1]
    shown = re.findall(r'data-dimension="(\w+)"[^>]*>\s*<td[^>]*>([^<]+)<', section)
    assert shown and all(text.strip() == names[dim] for dim, text in shown), shown
    assert "suggestions" in section and KANA.search(section.split('class="suggestions"')[1])
    data = (hired.interview.opening.title, hired.person.name)
    assert not prose_problems(page.text, data), prose_problems(page.text, data)
    development = client.get("/my/development")  # the plan names the same competencies
    assert development.status_code == 200
    assert not prose_problems(development.text, data), prose_problems(development.text, data)
    api = client.get("/api/v1/self/report").json()
    assert api and all(KANA.search(s) for r in api for s in r["suggestions"])


def test_the_record_timeline_reads_in_japanese(client, session, db, org, queue, storage) -> None:
    """HR in Japanese reads the record's timeline with Japanese competency names, decisions
    and scores; what HR typed stays as typed."""
    setup, interview, dimension = reviewed_interview(client, session, db, org, "advance")
    client.post("/lang", data={"lang": "ja", "next": "/"})
    page = client.get(f"/records/{setup.candidate.id}")
    assert page.status_code == 200
    timeline = timeline_of(page.text)
    assert {p["id"]: p["name"]["ja"] for p in list_presets()}[dimension.id] in timeline
    # The report's summary, strengths, gaps and follow-up questions reach the record in
    # every language the report has, so they read in Japanese here (not exempted below).
    row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).one()
    for body in (row.body, row.final_body):
        texts = record_texts(stored_report(body), "zh")["localised"]
        assert texts["summary"]["ja"] in timeline
        assert all(t["ja"] in timeline for key in ("strengths", "gaps") for t in texts[key])
    data = (
        "技术扎实，进入复试",
        "表达其实很清楚",
        setup.candidate.name,
        setup.opening.title,
        *(u.name for u in org.users.values()),
    )
    problems_found = prose_problems(page.text.split('id="timeline"', 1)[1], data)
    assert not problems_found, problems_found
