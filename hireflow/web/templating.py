"""Jinja2 rendering with per-request language, time zone, CSRF token and navigation.

Templates live next to their domain (``hireflow/<domain>/templates/<domain>/*.html``) plus the
shared layout in ``hireflow/web/templates``. Translation uses the request's catalogue: the
``gettext`` the i18n extension resolves is put into each render's context.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from hireflow.core.errors import N_
from hireflow.core.i18n import LANGUAGES, format_datetime, translations
from hireflow.core.permissions import Principal, can
from hireflow.discovery import DOMAINS, domain_modules
from hireflow.records.presenting import Presenter
from hireflow.web.labels import REGION_LABELS

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_DIR / "web" / "templates")]
    dirs += [
        str(PACKAGE_DIR / d / "templates")
        for d in DOMAINS
        if (PACKAGE_DIR / d / "templates").is_dir()
    ]
    return dirs


def _new_style(func: Any) -> Any:
    """Adapt a catalogue's gettext to Jinja's new-style calls (escaping + %-params)."""

    @pass_context
    def gettext(context: Any, message: str, **variables: Any) -> str:
        text = func(message)
        if context.eval_ctx.autoescape:
            # Catalogue text is ours (trusted); %-parameters are escaped by Markup.
            text = Markup(text)  # noqa: S704
        return text % variables if variables else text

    return gettext


def _new_style_plural(func: Any) -> Any:
    @pass_context
    def ngettext(context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = func(singular, plural, num)
        if context.eval_ctx.autoescape:
            # Catalogue text is ours (trusted); %-parameters are escaped by Markup.
            text = Markup(text)  # noqa: S704
        return text % variables

    return ngettext


environment = Environment(
    loader=FileSystemLoader(_template_dirs()),
    autoescape=select_autoescape(["html", "xml"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.newstyle_gettext = True  # type: ignore[attr-defined]


def _replace_page(params: Any, page: int) -> str:
    """The current query string with ``page`` replaced (for pagers)."""
    items = [(k, v) for k, v in params.multi_items() if k != "page"]
    items.append(("page", str(page)))
    return urlencode(items)


environment.filters["replace_page"] = _replace_page

# The language of the page being rendered, for what a template reads without the page's
# context (a macro imported without it): set by ``render`` around each page.
_page_language: ContextVar[str] = ContextVar("hireflow_page_language", default="")


def colon_for(language: str) -> str:
    """The colon after a label: full-width on Chinese and Japanese pages, ": " otherwise."""
    return "：" if language.startswith(("zh", "ja")) else ": "


class _PageColon:
    """``{{ colon }}`` wherever the page's own context does not reach (a macro imported
    without it): the colon of the page being rendered, never a fixed width; outside a page
    (nothing set) the half-width one."""

    def __str__(self) -> str:
        return colon_for(_page_language.get())

    def __html__(self) -> str:
        return str(self)


environment.globals["colon"] = _PageColon()


@contextmanager
def page_language(language: str) -> Iterator[None]:
    """Render in ``language``: what reads the page's language without its context (the
    ``colon`` of a macro imported without it) follows it inside the block."""
    token = _page_language.set(language)
    try:
        yield
    finally:
        _page_language.reset(token)


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str  # a msgid, translated in the template
    capability: str | None
    roles: frozenset[str] | None = None
    order: int = 50
    group: str = ""  # a key of NAV_GROUPS; "" stands on its own in the bar


# Menus of the navigation bar, in this order. Fourteen items in one row wrapped over a third
# of a phone's screen; grouped, the bar holds at most five entries and each opens a list.
NAV_GROUPS: dict[str, str] = {
    "recruiting": N_("Recruiting"),
    "people": N_("People"),
    "settings": N_("Settings"),
    "audit": N_("Audit"),
}

# The navigation a person sees is derived from the capability matrix, never hand-listed per
# role. Each domain adds its entries with a ``NAV`` tuple in its ``routes_web`` module, an
# ``order`` that places them and the ``group`` they belong to; these are the shell's own.
NAV: tuple[NavItem, ...] = (
    NavItem("/", N_("Home"), None, order=0),
    NavItem("/org", N_("Organisation"), "org.read", order=80, group="people"),
    NavItem("/audit", N_("Audit log"), "audit.read", order=90, group="audit"),
    NavItem("/techlog", N_("Technical log"), "techlog.read", order=91, group="audit"),
    NavItem("/system", N_("System"), "system.read", order=99, group="settings"),
)


@dataclass(frozen=True)
class NavEntry:
    """One entry of the bar: a link, or a menu (``group``) of links."""

    label: str
    items: tuple[NavItem, ...]
    group: str = ""

    @property
    def href(self) -> str:
        return self.items[0].href


def nav_entries(items: list[NavItem]) -> list[NavEntry]:
    """The bar: ungrouped links and one menu per group, in the order of NAV_GROUPS after the
    links that come before them. A menu that would hold a single link is that link."""
    grouped: dict[str, list[NavItem]] = {}
    for item in items:
        if item.group:
            grouped.setdefault(item.group, []).append(item)
    entries: list[NavEntry] = [NavEntry(i.label, (i,)) for i in items if not i.group]
    for key in sorted(grouped, key=lambda g: list(NAV_GROUPS).index(g) if g in NAV_GROUPS else 99):
        members = grouped[key]
        if len(members) == 1:
            entries.append(NavEntry(members[0].label, (members[0],)))
        else:
            entries.append(NavEntry(NAV_GROUPS.get(key, key), tuple(members), key))
    return entries


@lru_cache(maxsize=1)
def all_nav_items() -> tuple[NavItem, ...]:
    items = list(NAV)
    for module in domain_modules("routes_web"):
        items.extend(getattr(module, "NAV", ()))
    return tuple(sorted(items, key=lambda item: item.order))


def nav_for(principal: Principal | None) -> list[NavItem]:
    if principal is None:
        return []
    roles = {grant.role.value for grant in principal.grants}
    return [
        item
        for item in all_nav_items()
        if (item.capability is None or can(principal, item.capability))
        and (item.roles is None or roles & item.roles)
    ]


def _active_href(items: list[NavItem], path: str) -> str:
    """The entry a page belongs to: the longest matching prefix (``/records/integrity`` wins
    over ``/records``)."""
    matches = [
        item.href
        for item in items
        if path == item.href or (item.href != "/" and path.startswith(item.href.rstrip("/") + "/"))
    ]
    return max(matches, key=len, default="")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page in the request's language and the viewer's time zone."""
    language = getattr(request.state, "language", "zh-CN")
    timezone = getattr(request.state, "timezone", "Asia/Shanghai")
    principal: Principal | None = getattr(request.state, "principal", None)
    catalogue = translations(language)

    def localtime(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, timezone, language, fmt)

    def region_name(code: str | None) -> str:
        """A data region as people say it: "中国大陆 (CN)", "European Union (EU)"."""
        if not code:
            return "—"
        label = REGION_LABELS.get(code)
        return f"{catalogue.gettext(label)} ({code.upper()})" if label else code.upper()

    values: dict[str, Any] = {
        "request": request,
        "principal": principal,
        "language": language,
        "timezone": timezone,
        "languages": {code: entry[2] for code, entry in LANGUAGES.items()},
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "nav": (nav := nav_for(principal)),
        "nav_entries": nav_entries(nav),
        "active_href": _active_href(nav, request.url.path),
        "gettext": _new_style(catalogue.gettext),
        "ngettext": _new_style_plural(catalogue.ngettext),
        "localtime": localtime,
        "region_name": region_name,
        # after a label: Chinese and Japanese pages use the full-width colon
        "colon": colon_for(language),
        # codes of stored data as words (competencies, sources, actors); pages with more
        # context (the opening's own competency model) pass their own
        "words": Presenter(language, catalogue.gettext),
        "can": (lambda capability: principal is not None and can(principal, capability)),
        "path": request.url.path,
    }
    values.update(context or {})
    with page_language(language):
        html = environment.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)
