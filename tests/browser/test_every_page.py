"""Every page, as every role that may see it, on a phone and on a desktop (SPEC K2).

The page list comes from the application's routers (as in ``tests/test_authorization.py``), so
a new page is covered the day it is added; path parameters are filled with the demo company's
real objects, and a parameter this test does not know fails it until it is taught. Each role
signs in once (a browser context per role, so the roles can run in parallel) and visits every
page in English in the browser at 1366×900 and at 390×844, and in Chinese over HTTP (the key pages
in the browser too). A page fails on:

- a response of 400 or more (the page, any of its assets, any link or menu entry it shows),
  or a request to another site (an install without internet must work);
- a console error or an uncaught script error;
- horizontal scrolling of the page (a wide table may scroll inside its own box);
- text that is a raw dict or JSON, ``None``/``NaN``/``Infinity``/``undefined``, an internal
  code (``technical_depth``, ``preset-technical-internet``, a region ``cn``) instead of a
  label, or an English interface text on a Chinese page / a Chinese one on an English page.

Text inside ``<code>``, ``<pre>``, ``.mono`` or ``translate="no"`` is what the person typed or
needs verbatim (screening rules, hashes, e-mail addresses) and is not judged. Screenshots of
the key pages at both sizes go to ``test-artifacts/screens`` (``HIREFLOW_SCREENSHOTS`` to
change), which is not committed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, Page
from sqlalchemy import create_engine, text

from hireflow.app import _routers
from hireflow.demo import ACCOUNTS
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENS = Path(os.environ.get("HIREFLOW_SCREENSHOTS", ROOT / "test-artifacts" / "screens"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Path parameter → the demo table whose ids fill it (lowest ids first).
PARAMETER_TABLES = {
    "opening_id": "openings",
    "hiring_request_id": "hiring_requests",
    "candidate_id": "candidates",
    "person_id": "candidates",
    "user_id": "users",
    "availability_user_id": "users",
    "invitation_batch_id": "invitation_batches",
    "invitation_id": "invitations",
    "interview_id": "interview_sessions",
    "interview_answer_id": "interview_answers",
    "outbox_message_id": "notification_outbox",
    "attachment_id": "record_attachments",
    "application_id": "applications",
    "live_room_id": "live_rooms",
}
# Parameters only non-page endpoints have (uploads, code runs): such routes are not visited.
NOT_PAGE_PARAMETERS = {"interview_upload_token", "interview_code_run_id"}
# Pages worth a picture at both sizes (route templates).
KEY_PAGES = {
    "/",
    "/openings",
    "/openings/{opening_id}",
    "/openings/{opening_id}/plan",
    "/candidates",
    "/candidates/{candidate_id}",
    "/records/{person_id}",
    "/interviews/{interview_id}",
    "/scheduling",
    "/me",
    "/i/{link_token}",
    "/i/{link_token}/interview",
}

# Key pages already photographed in this run (template, language, size): one picture each.
SHOT: set[tuple[str, str, str]] = set()

RAW_DATA = [
    (re.compile(r"""[{\[]\s*['"][^'"\n]{1,60}['"]\s*[:,]"""), "a raw dict or list"),
    (re.compile(r"""['"][a-z_]{2,40}['"]\s*:\s*"""), "raw JSON"),
    (re.compile(r"\b(?:NaN|Infinity|undefined)\b|[:：=]\s*None\b|^None$"), "a programming value"),
    (re.compile(r"\bpreset-[a-z-]+\b"), "an internal model id"),
    (re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]+(?:_[a-z0-9]+)+(?![\w.@/-])"), "an internal code"),
]
# Codes that mean nothing to a reader in any language (data regions).
OPAQUE_CODES = frozenset({"cn", "eu", "us", "sg"})
URL_OR_EMAIL = re.compile(r"\S+@\S+|https?://\S+|/\S+")
CJK = re.compile(r"[\u3400-\u9fff]")

COLLECT_JS = """
() => {
  const skip = "script,style,code,pre,textarea,.mono,[translate=no],[data-raw]";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const value = node.nodeValue.replace(/\\s+/g, " ").trim();
    const parent = node.parentElement;
    if (value && !parent.closest(skip)) texts.push([value, parent.closest("[lang]").lang]);
  }
  for (const el of document.querySelectorAll("[placeholder],[aria-label]")) {
    if (el.closest(skip)) continue;
    for (const name of ["placeholder", "aria-label"]) {
      const value = (el.getAttribute(name) || "").trim();
      if (value) texts.push([value, el.closest("[lang]").lang]);
    }
  }
  const links = [...document.querySelectorAll("a[href]")]
    .map((a) => a.getAttribute("href"))
    .filter((h) => h.startsWith("/") && !h.startsWith("//"));
  return {texts, links, html_lang: document.documentElement.lang};
}
"""
OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const doc = document.documentElement.scrollWidth;
  if (doc <= width + 1) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let inside = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (["auto", "scroll", "hidden"].includes(style.overflowX)) { inside = true; break; }
      }
      if (!inside) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "") +
        " " + Math.round(box.right) + "px");
    }
    if (wide.length >= 4) break;
  }
  return {scroll_width: doc, wide};
}
"""


# --------------------------------------------------------------------------- the catalogues


@dataclass(frozen=True)
class Words:
    codes: frozenset[str]  # key-like msgids: codes that must be shown through a label
    english_ui: frozenset[str]  # English interface texts that have a Chinese translation
    chinese_ui: frozenset[str]  # their Chinese translations


def _catalogue_words() -> Words:
    codes: set[str] = set()
    english: set[str] = set()
    chinese: set[str] = set()
    for po in (ROOT / "hireflow").glob("*/locale/zh_CN/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not isinstance(message.id, str) or "%(" in message.id:
                continue
            if re.fullmatch(r"[a-z][a-z0-9_]*", message.id):
                codes.add(message.id)
            elif message.string and message.string != message.id and " " in message.id:
                english.add(message.id)
                if len(message.string) >= 4:
                    chinese.add(message.string)
    codes |= OPAQUE_CODES | {"internet", "manufacturing", "retail", "finance"}
    return Words(frozenset(codes), frozenset(english), frozenset(chinese))


WORDS = _catalogue_words()


def text_problems(texts: list[tuple[str, str]]) -> list[str]:
    """Problems of (text, language of its element) pairs: content in another language than
    the page's carries its own ``lang`` (a message to a Chinese candidate on an English page)."""
    problems = []
    for value, language in dict.fromkeys(map(tuple, texts)):
        bare = URL_OR_EMAIL.sub(" ", value)
        for pattern, what in RAW_DATA:
            found = pattern.search(bare)
            if found:
                problems.append(f"{what}: {found.group(0)!r} in {value[:90]!r}")
                break
        else:
            # An English page may show a plain word code ("open", "draft") as the word it is;
            # a Chinese page must translate it, and no page may show an opaque one ("cn").
            if value in WORDS.codes and (language != "en" or value in OPAQUE_CODES):
                problems.append(f"an untranslated code: {value!r}")
            elif language == "zh-CN" and value in WORDS.english_ui:
                problems.append(f"English on a Chinese page: {value!r}")
            elif language == "en" and value in WORDS.chinese_ui:
                problems.append(f"Chinese on an English page: {value!r}")
    return problems


class PageTexts(HTMLParser):
    """The texts of an HTML page with the language of their element, skipping what the
    browser check skips (code, hashes, typed values); the same pairs as ``COLLECT_JS``."""

    SKIP_TAGS = frozenset({"script", "style", "code", "pre", "textarea"})
    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = []  # (tag, language, skipped)
        self.texts: list[tuple[str, str]] = []
        self.html_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        language = values.get("lang") or (self.stack[-1][1] if self.stack else "")
        if tag == "html":
            self.html_lang = language
        skipped = bool(
            (self.stack and self.stack[-1][2])
            or tag in self.SKIP_TAGS
            or "mono" in values.get("class", "").split()
            or values.get("translate") == "no"
            or "data-raw" in values
        )
        if not skipped:
            for name in ("placeholder", "aria-label"):
                if values.get(name, "").strip():
                    self.texts.append((values[name].strip(), language))
        if tag not in self.VOID:
            self.stack.append((tag, language, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        value = " ".join(data.split())
        if value and self.stack and not self.stack[-1][2]:
            self.texts.append((value, self.stack[-1][1]))


# --------------------------------------------------------------------------- routes and objects


def page_routes() -> list[str]:
    """Every GET route of the page routers (the candidate's personal-link pages included)."""
    _api, pages = _routers()
    paths = []
    for router in pages:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if "GET" in route.methods and route.path not in ("/login",):
                paths.append(route.path)
    return paths


class DemoObjects:
    """Ids of the demo company's objects, read from the server's own database."""

    def __init__(self, data_dir: Path) -> None:
        self.engine = create_engine(f"sqlite:///{data_dir / 'hireflow.db'}")
        self.data_dir = data_dir

    def ids(self, table: str) -> list[int]:
        with self.engine.connect() as connection:
            return list(connection.scalars(text(f"SELECT id FROM {table} ORDER BY id LIMIT 8")))

    def link_tokens(self) -> list[str]:
        from sqlalchemy.orm import Session

        from hireflow.scheduling.messages import link_token
        from hireflow.scheduling.models import Invitation
        from hireflow.scheduling.policies import policy_for

        secret = (self.data_dir / "secret_key").read_text().strip()
        settings = type("S", (), {"secret_key": secret})()
        tokens = []
        with Session(self.engine) as session:
            for invitation in session.query(Invitation).order_by(Invitation.id):
                policy = policy_for(session, invitation.tenant_id)
                tokens.append(link_token(settings, invitation, policy))
        return tokens


def fillings(path: str, objects: DemoObjects) -> list[dict[str, Any]] | None:
    """Ways to fill a route's parameters, most likely first; None for non-page routes."""
    names = re.findall(r"\{(\w+)\}", path)
    if any(name in NOT_PAGE_PARAMETERS for name in names):
        return None
    options: list[dict[str, Any]] = [{}]
    for name in names:
        if name == "link_token":
            values: list[Any] = objects.link_tokens()
        else:
            assert name in PARAMETER_TABLES, f"{path}: teach this test how to fill {{{name}}}"
            values = objects.ids(PARAMETER_TABLES[name])
        assert values, f"{path}: the demo has nothing to fill {{{name}}} with"
        options = [{**o, name: v} for o in options for v in values]
    return options[:40]


# --------------------------------------------------------------------------- visiting


@dataclass
class Visit:
    role: str
    problems: list[str] = field(default_factory=list)
    checked_links: dict[str, int] = field(default_factory=dict)
    query_variants: dict[str, int] = field(default_factory=dict)
    screenshots: bool = True
    pages: int = 0

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"[{self.role}] {where}: {problem}")


def _probe(client: httpx.Client, url: str) -> tuple[int, bool]:
    """(status, is a whole HTML page) without reading streams or downloads to the end."""
    with client.stream("GET", url) as response:
        kind = response.headers.get("content-type", "")
        if response.status_code >= 300 or not kind.startswith("text/html"):
            return response.status_code, False
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > 4096:
                break
        return response.status_code, b"<html" in body.lower()


def _client(page: Page, server: str) -> httpx.Client:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    # plain http to the local server: no TLS context to build (0.15 s each)
    return httpx.Client(
        base_url=server, cookies=cookies, timeout=30, follow_redirects=True, verify=False
    )


def _watch(page: Page, server: str, sink: list[str]) -> None:
    page.on(
        "console",
        lambda m: sink.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: sink.append(f"script error: {e}"))
    page.on(
        "response",
        lambda r: sink.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None,
    )

    def offline(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            sink.append(f"request to another site: {route.request.url}")
            route.abort()

    page.route("**/*", offline)


def _switch_language(page: Page, language: str) -> None:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.request.post("/lang", form={"lang": language, "next": "/", "csrf_token": token or ""})


def _shot(page: Page, who: str, language: str, template: str, size: str) -> None:
    name = re.sub(r"[^a-z0-9]+", "-", template.lower()).strip("-") or "home"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{who}-{language}-{name}-{size}.png"), full_page=True)


def visit_pages(
    page: Page, server: str, visit: Visit, pages: list[tuple[str, str]], language: str
) -> None:
    """Load each (template, url) at desktop size, check it, then check it again as a phone."""
    events: list[str] = []
    _watch(page, server, events)
    client = _client(page, server)
    try:
        for template, url in pages:
            events.clear()
            page.set_viewport_size(DESKTOP)
            page.goto(url, wait_until="load")
            visit.pages += 1
            where = f"{language} {url}"
            for event in events:
                visit.add(where, event)
            found = page.evaluate(COLLECT_JS)
            if language and found["html_lang"] != language:
                visit.add(where, f"page language {found['html_lang']!r}, expected {language!r}")
            for problem in text_problems(found["texts"]):
                visit.add(where, problem)
            for href in found["links"]:
                target = href.split("#", 1)[0]
                if not target or target in visit.checked_links:
                    continue
                # a page's filter and pager links differ only in their query: a few will do
                path = target.split("?", 1)[0]
                if "?" in target and visit.query_variants.setdefault(path, 0) >= 2:
                    continue
                visit.query_variants[path] = visit.query_variants.get(path, 0) + 1
                visit.checked_links[target] = status = _probe(client, target)[0]
                if status >= 400:
                    visit.add(where, f"links to {target}, which answers {status}")
            for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                page.set_viewport_size(viewport)
                overflow = page.evaluate(OVERFLOW_JS)
                if overflow:
                    visit.add(
                        where,
                        f"scrolls sideways at {viewport['width']} px "
                        f"({overflow['scroll_width']} px wide: {', '.join(overflow['wide'])})",
                    )
                shot = (template, language or found["html_lang"], size)
                if visit.screenshots and template in KEY_PAGES and shot not in SHOT:
                    SHOT.add(shot)
                    _shot(page, visit.role, shot[1], template, size)
    finally:
        client.close()


def check_texts(
    client: httpx.Client, visit: Visit, pages: list[tuple[str, str]], language: str
) -> None:
    """The language check of every page without a browser: status, declared language, and
    texts (pages whose texts come from scripts are checked in the browser as well)."""
    for _template, url in pages:
        response = client.get(url)
        where = f"{language} {url}"
        if response.status_code >= 400:
            visit.add(where, f"answers {response.status_code}")
            continue
        parsed = PageTexts()
        parsed.feed(response.text)
        if parsed.html_lang != language:
            visit.add(where, f"page language {parsed.html_lang!r}, expected {language!r}")
        for problem in text_problems(parsed.texts):
            visit.add(where, problem)


def reachable_pages(
    client: httpx.Client, objects: DemoObjects, visit: Visit
) -> list[tuple[str, str]]:
    """(template, url) of every page this caller may open, with the first object it may see."""
    found = []
    for template in page_routes():
        options = fillings(template, objects)
        if options is None:
            continue
        for values in (options or [{}])[:6]:
            url = template.format(**values)
            status, is_page = _probe(client, url)
            if status >= 500:
                visit.add(url, f"answers {status}")
                break
            if status < 400:
                if is_page:
                    found.append((template, url))
                break
            if status != 404:  # 403: the role may not use the page at all; 404: not this object
                break
    return found


# --------------------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def objects(server: str, server_data_dir: Path) -> DemoObjects:
    return DemoObjects(server_data_dir)


def _report(visit: Visit) -> str:
    lines = sorted(set(visit.problems))
    return f"{len(lines)} problems on {visit.pages} page views:\n" + "\n".join(lines)


@pytest.mark.parametrize("role", [account.role for account in ACCOUNTS])
def test_every_page_of_a_role_works_on_a_phone_and_a_desktop(
    browser: Browser, server: str, objects: DemoObjects, role: str
):
    account = next(a for a in ACCOUNTS if a.role == role)
    context = browser.new_context(base_url=server, viewport=DESKTOP, timezone_id=account.timezone)
    page = context.new_page()
    page.set_default_timeout(20_000)
    visit = Visit(role)
    try:
        sign_in(page, account.email)
        with _client(page, server) as client:
            # the personal-link pages are the candidate's, visited without an account below
            pages = [
                (template, url)
                for template, url in reachable_pages(client, objects, visit)
                if not template.startswith("/i/")
            ]
            home = client.get("/").text
            nav = re.findall(r'<ul class="nav-entries">(.*?)</nav>', home, flags=re.S)
            for href in re.findall(r'href="(/[^"]*)"', nav[0] if nav else ""):
                status = client.get(href).status_code
                if status >= 400:
                    visit.add("menu", f"{href} is in the menu but answers {status}")
        assert len(pages) >= 3, f"{role} reaches almost no page: {pages}"
        # Everything in the browser in English (longer words: where layouts break first),
        # Chinese by HTTP for all pages and in the browser for the key pages' pictures.
        _switch_language(page, "en")
        visit_pages(page, server, visit, pages, "en")
        _switch_language(page, "zh-CN")
        with _client(page, server) as client:
            check_texts(client, visit, pages, "zh-CN")
        visit_pages(page, server, visit, [p for p in pages if p[0] in KEY_PAGES], "zh-CN")
    finally:
        _switch_language(page, account.language)
        context.close()
    assert not visit.problems, _report(visit)


def test_every_personal_link_page_works_for_a_candidate_without_an_account(
    browser: Browser, server: str, objects: DemoObjects
):
    """The candidate's pages behind each demo invitation's personal link, in the language of
    the invitation (each page is checked against the language it declares)."""
    context = browser.new_context(base_url=server, viewport=DESKTOP, timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(20_000)
    visit = Visit("link")
    try:
        page.goto("/login")
        pages = [("/login", "/login")]
        with _client(page, server) as client:
            for template in page_routes():
                if not template.startswith("/i/"):
                    continue
                for values in fillings(template, objects) or []:
                    url = template.format(**values)
                    status, is_page = _probe(client, url)
                    if status >= 500:
                        visit.add(url, f"answers {status}")
                    elif status < 400 and is_page:
                        pages.append((template, url))
        assert len(pages) >= 3, pages
        visit_pages(page, server, visit, pages, "")
    finally:
        context.close()
    assert not visit.problems, _report(visit)


def test_the_checks_see_what_people_would_see():
    """The text checks themselves: what they flag and what they leave alone."""
    page = PageTexts()
    page.feed(
        '<html lang="zh-CN"><body><p>{"adjusted": {"communication": "7.5"}}</p>'
        "<p>technical_depth</p><p>cn</p><p>Save the conclusion</p><p>preset-sales-retail</p>"
        '<td lang="en">Save the conclusion</td><code>has_skill("Python")</code>'
        '<p class="mono">chen_hao.docx a1b2_c3</p><input placeholder="off_topic"><p>沟通表达 7.5</p>'
        "</body></html>"
    )
    assert page.html_lang == "zh-CN"
    problems = text_problems(page.texts)
    flagged = " ".join(problems)
    for raw in ("adjusted", "technical_depth", "'cn'", "Save the conclusion", "preset-sales"):
        assert raw in flagged, raw
    assert "off_topic" in flagged
    assert "has_skill" not in flagged and "chen_hao" not in flagged and "沟通" not in flagged
    assert len([p for p in problems if "Save the conclusion" in p]) == 1  # not the lang="en" one
