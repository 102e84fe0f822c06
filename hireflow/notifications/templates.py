"""Message templates per language (zh-CN, en, ja) for invitations, reminders and codes (D1, D3).

Templates are Jinja2 text rendered in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
``StrictUndefined``, because HR can edit them: a template can read the variables its kind
offers and use the filters below, nothing else. :func:`validate_template` is what the editing
page calls on save: it refuses syntax errors, unknown variables (with the list of allowed
ones), and anything the sandbox blocks, each with an English and a Chinese message.

Times are shown in the recipient's time zone and language (``|datetime``, ``|date``, ``|time``
filters, formatted with Babel and followed by the zone's name), e.g. "2025年3月31日星期一
15:00(中国标准时间)" or "Monday, March 31, 2025, 3:00 PM (Central European Summer Time)".

Each template yields a subject, a plain-text body, a short SMS/chat text, and an HTML body
made from the text (escaped, links made clickable), so HR edits one text, not three.
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from importlib import resources
from typing import Any

from babel.dates import format_date, format_time, get_timezone_name
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError, TemplateAssertionError
from jinja2.sandbox import SandboxedEnvironment

from hireflow.core.errors import N_, BilingualError, Messages
from hireflow.core.timezones import TimeError, load_zone

__all__ = [
    "JOB_TYPES",
    "LANGUAGES",
    "RenderedMessage",
    "TemplateError",
    "TemplateKind",
    "TemplateSource",
    "default_template",
    "job_tips",
    "normalize_language",
    "render_message",
    "validate_template",
]

LANGUAGES = ("zh-CN", "en", "ja")
JOB_TYPES = ("technical", "sales", "production", "customer_service", "management", "other")


class TemplateKind(StrEnum):
    INVITATION_AI = "invitation_ai"  # one-way AI interview with a deadline
    INVITATION_LIVE = "invitation_live"  # live interview at a slot with a meeting link
    INVITATION_NEXT_ROUND = "invitation_next_round"
    REMINDER_24H = "reminder_24h"
    REMINDER_1H = "reminder_1h"
    INTERVIEWER_REMINDER = "interviewer_reminder"
    FEEDBACK_REMINDER = "feedback_reminder"
    IDENTITY_CODE = "identity_code"
    GENERIC = "generic"
    INVITATION_SCHEDULE = "invitation_schedule"  # live interview: choose a time yourself
    BOOKING_CANCELLED = "booking_cancelled"
    INTERVIEWER_NOTICE = "interviewer_notice"  # booked / moved / cancelled, to the panel
    IDENTITY_LOCKED = "identity_locked"  # alert to the recruiter
    GROUP_NOTICE = "group_notice"  # to a hiring group's chat robot: nobody is greeted


_COMMON = {"candidate_name", "company_name", "job_title", "hr_contact"}

# Variables each kind offers. ``job_tips`` is derived from ``job_type`` and the language.
VARIABLES: dict[TemplateKind, set[str]] = {
    TemplateKind.INVITATION_AI: _COMMON
    | {
        "link",
        "deadline",
        "duration_minutes",
        "question_count",
        "time_limits",
        "technical_questions",
        "coding_questions",
        "job_type",
        "job_tips",
        "materials",
        "notes",
    },
    TemplateKind.INVITATION_LIVE: _COMMON
    | {
        "slot_start",
        "slot_end",
        "meeting_link",
        "reschedule_link",
        "interviewer_names",
        "materials",
        "notes",
    },
    TemplateKind.INVITATION_NEXT_ROUND: _COMMON
    | {"round_name", "link", "deadline", "materials", "notes"},
    TemplateKind.REMINDER_24H: _COMMON
    | {"slot_start", "link", "job_type", "job_tips", "materials", "notes"},
    TemplateKind.REMINDER_1H: _COMMON
    | {"slot_start", "link", "job_type", "job_tips", "materials", "notes"},
    TemplateKind.INTERVIEWER_REMINDER: _COMMON
    | {"interviewer_name", "slot_start", "slot_end", "meeting_link", "profile_link"},
    TemplateKind.FEEDBACK_REMINDER: _COMMON
    | {"interviewer_name", "interview_end", "feedback_link", "due"},
    TemplateKind.IDENTITY_CODE: _COMMON | {"code", "valid_minutes"},
    TemplateKind.GENERIC: _COMMON | {"title", "body", "link"},
    TemplateKind.INVITATION_SCHEDULE: _COMMON
    | {
        "link",
        "deadline",
        "duration_minutes",
        "round_name",
        "job_type",
        "job_tips",
        "interviewer_names",
        "materials",
        "notes",
    },
    TemplateKind.BOOKING_CANCELLED: _COMMON | {"slot_start", "link"},
    TemplateKind.INTERVIEWER_NOTICE: _COMMON
    | {"interviewer_name", "slot_start", "slot_end", "meeting_link", "profile_link", "change"},
    TemplateKind.IDENTITY_LOCKED: _COMMON | {"recipient_name", "attempts", "locked_until", "link"},
    TemplateKind.GROUP_NOTICE: _COMMON
    | {"interviewer_names", "slot_start", "slot_end", "meeting_link", "profile_link", "change"},
}

# Optional variables and their defaults (StrictUndefined would refuse them if absent).
_OPTIONAL: dict[str, Any] = {
    "hr_contact": None,
    "company_name": "",
    "job_title": "",
    "candidate_name": "",
    "job_type": "other",
    "materials": (),
    "notes": None,
    "reschedule_link": None,
    "interviewer_names": (),
    "duration_minutes": None,
    "question_count": None,
    "time_limits": None,
    "technical_questions": 0,
    "coding_questions": 0,
    "profile_link": None,
    "link": None,
    "slot_end": None,
}

_ERRORS: dict[str, str] = {
    "unknown_variable": N_("Not a variable of this message: %(names)s. Allowed: %(allowed)s."),
    "missing_variable": N_("The message cannot be rendered: variable '%(name)s' has no value."),
    "syntax_error": N_("Template syntax error on line %(line)s: %(detail)s"),
    "unsafe_template": N_("The template tries something that is not allowed: %(detail)s"),
    "unknown_kind": N_("Unknown template kind '%(kind)s'."),
    "too_long": N_("The template is longer than %(limit)s characters."),
}


class TemplateError(BilingualError):
    """A template that cannot be saved or rendered; ``code`` is stable, messages zh/en."""

    MESSAGES: Messages = _ERRORS


@dataclass(frozen=True)
class TemplateSource:
    """The editable parts of one template in one language."""

    subject: str
    body: str
    sms: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    sms: str
    language: str


def normalize_language(tag: str | None) -> str:
    """One of :data:`LANGUAGES` for a BCP 47 tag: ``zh*`` -> zh-CN, ``ja*`` -> ja, else en."""
    tag = (tag or "").replace("_", "-").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("ja"):
        return "ja"
    return "en"


_BABEL_LOCALE = {"zh-CN": "zh_Hans_CN", "en": "en", "ja": "ja"}


# --------------------------------------------------------------------------------------
# Built-in texts and job-type advice (SPEC D3): data, one file per language
# (``defaults/<language>.toml``), so translators and reviewers read prose rather than code.

_DEFAULTS_DIR = resources.files("hireflow.notifications") / "defaults"


@functools.cache
def _builtin(language: str) -> dict[str, Any]:
    return tomllib.loads((_DEFAULTS_DIR / f"{language}.toml").read_text(encoding="utf-8"))


def job_tips(job_type: str, language: str) -> tuple[str, ...]:
    """Preparation advice for a job type in a language (unknown types get the general one)."""
    tips = _builtin(normalize_language(language))["tips"]
    return tuple(tips.get(job_type, tips["other"]))


def default_template(kind: TemplateKind | str, language: str) -> TemplateSource:
    """The built-in template for ``kind`` in ``language`` (HR can override it)."""
    entry = _builtin(normalize_language(language))[_kind(kind).value]
    return TemplateSource(entry["subject"], entry["body"], entry["sms"])


def _kind(kind: TemplateKind | str) -> TemplateKind:
    try:
        return TemplateKind(kind)
    except ValueError as exc:
        raise TemplateError("unknown_kind", kind=kind) from exc


# --------------------------------------------------------------------------------------
# Environment and filters

MAX_TEMPLATE_CHARS = 20_000


class _Formatter:
    """Date/time filters bound to one recipient's zone and language."""

    def __init__(self, language: str, zone_name: str) -> None:
        self.language = normalize_language(language)
        self.locale = _BABEL_LOCALE[self.language]
        self.zone = load_zone(zone_name)

    def _local(self, value: datetime) -> datetime:
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TimeError("naive_datetime", field="template date")
        return value.astimezone(self.zone)

    def zone_name(self, local: datetime) -> str:
        return get_timezone_name(local, width="long", locale=self.locale)

    def datetime(self, value: datetime) -> str:
        local = self._local(value)
        day = format_date(local.date(), "full", locale=self.locale)
        clock = format_time(local, "short", tzinfo=self.zone, locale=self.locale)
        zone = self.zone_name(local)
        if self.language == "en":
            return f"{day}, {clock} ({zone})"
        return f"{day} {clock}({zone})"

    def date(self, value: datetime) -> str:
        return format_date(self._local(value).date(), "long", locale=self.locale)

    def time(self, value: datetime) -> str:
        local = self._local(value)
        return format_time(local, "short", tzinfo=self.zone, locale=self.locale)


def _environment(formatter: _Formatter | None = None) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=False,
    )
    fmt = formatter or _Formatter("en", "UTC")
    env.filters["datetime"] = fmt.datetime
    env.filters["date"] = fmt.date
    env.filters["time"] = fmt.time
    return env


@functools.lru_cache(maxsize=64)
def _zone_environment(language: str, zone_name: str) -> SandboxedEnvironment:
    """One sandbox per recipient language and zone (its date filters are bound to them)."""
    return _environment(_Formatter(language, zone_name))


@functools.lru_cache(maxsize=1024)
def _compiled(language: str, zone_name: str, source: str) -> Template:
    """Templates compiled once: compiling costs milliseconds, rendering microseconds."""
    return _zone_environment(language, zone_name).from_string(source)


def _sample_context(kind: TemplateKind) -> dict[str, Any]:
    """Plausible values for a trial render on save."""
    start = datetime(2030, 1, 7, 2, tzinfo=UTC)
    sample: dict[str, Any] = {
        "candidate_name": "Li Lei",
        "company_name": "Example Co.",
        "job_title": "Engineer",
        "hr_contact": "hr@example.com",
        "link": "https://example.com/i/x",
        "deadline": start + timedelta(days=3),
        "duration_minutes": 30,
        "question_count": 6,
        "time_limits": "1 min 30 s to 3 min",
        "technical_questions": 2,
        "coding_questions": 0,
        "job_type": "technical",
        "slot_start": start,
        "slot_end": start + timedelta(hours=1),
        "meeting_link": "https://example.com/m/x",
        "reschedule_link": "https://example.com/r/x",
        "interviewer_names": ["A", "B"],
        "round_name": "second round",
        "materials": ["ID card"],
        "notes": "note",
        "interviewer_name": "Han Meimei",
        "profile_link": "https://example.com/p/x",
        "interview_end": start,
        "feedback_link": "https://example.com/f/x",
        "due": start + timedelta(days=1),
        "code": "123456",
        "valid_minutes": 10,
        "title": "Title",
        "body": "Body",
        "change": "booked",
        "recipient_name": "Zhang Wei",
        "attempts": 5,
        "locked_until": start + timedelta(minutes=30),
    }
    allowed = VARIABLES[kind]
    context = {k: v for k, v in sample.items() if k in allowed}
    if "job_tips" in allowed:
        context["job_tips"] = job_tips("technical", "en")
    return context


def validate_template(kind: TemplateKind | str, source: TemplateSource) -> None:
    """Check an HR-edited template before it is saved; raise :class:`TemplateError` if not OK.

    Refused: syntax errors and unknown filters (``syntax_error`` with the line), variables
    the kind does not offer (``unknown_variable``, listing the allowed ones), and anything the
    sandbox blocks on a trial render with sample values (``unsafe_template``), such as access
    to private attributes.
    """
    kind = _kind(kind)
    allowed = VARIABLES[kind]
    env = _environment()
    unknown: set[str] = set()
    for part in (source.subject, source.body, source.sms):
        if len(part) > MAX_TEMPLATE_CHARS:
            raise TemplateError("too_long", limit=MAX_TEMPLATE_CHARS)
        try:
            ast = env.parse(part)
            env.compile(ast)  # filters are resolved at compile time
        except (TemplateSyntaxError, TemplateAssertionError) as exc:
            raise TemplateError("syntax_error", line=exc.lineno, detail=exc.message) from exc
        unknown |= meta.find_undeclared_variables(ast) - allowed
    if unknown:
        raise TemplateError(
            "unknown_variable", names=", ".join(sorted(unknown)), allowed=", ".join(sorted(allowed))
        )
    context = _sample_context(kind)
    for part in (source.subject, source.body, source.sms):
        try:
            env.from_string(part).render(context)
        except SecurityError as exc:
            raise TemplateError("unsafe_template", detail=str(exc)) from exc
        except UndefinedError as exc:
            raise TemplateError(
                "unknown_variable", names=str(exc), allowed=", ".join(sorted(allowed))
            ) from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise TemplateError("syntax_error", line="?", detail=str(exc)) from exc


# --------------------------------------------------------------------------------------
# Rendering

_URL = re.compile(r"https?://[^\s<>\"')]+")


def text_to_html(text: str) -> str:
    """Escape ``text`` and turn it into paragraphs with clickable links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family: sans-serif; line-height: 1.6">\n'
        + "\n".join(paragraphs)
        + "\n</body></html>"
    )


def _tidy(text: str) -> str:
    # Conditional blocks leave runs of blank lines behind; keep at most one.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out)


def render_message(
    kind: TemplateKind | str,
    language: str,
    context: Mapping[str, Any],
    *,
    timezone: str,
    override: TemplateSource | None = None,
) -> RenderedMessage:
    """Render a message for one recipient in their ``language`` and ``timezone``.

    ``override`` is HR's edited template (validated when saved); without it the built-in one
    is used. Variables not offered by the kind are refused; a used variable without a value
    raises ``missing_variable``.
    """
    kind = _kind(kind)
    lang = normalize_language(language)
    extra = set(context) - VARIABLES[kind]
    if extra:
        raise TemplateError(
            "unknown_variable",
            names=", ".join(sorted(extra)),
            allowed=", ".join(sorted(VARIABLES[kind])),
        )
    values: dict[str, Any] = {k: v for k, v in _OPTIONAL.items() if k in VARIABLES[kind]}
    values.update(context)
    if "job_tips" in VARIABLES[kind]:
        values["job_tips"] = job_tips(str(values.get("job_type") or "other"), lang)
    source = override or default_template(kind, lang)

    def render(part: str) -> str:
        try:
            return _compiled(lang, timezone, part).render(values)
        except UndefinedError as exc:
            match = re.search(r"'([^']+)' is undefined", str(exc))
            raise TemplateError(
                "missing_variable", name=match.group(1) if match else str(exc)
            ) from exc
        except SecurityError as exc:
            raise TemplateError("unsafe_template", detail=str(exc)) from exc

    subject = " ".join(render(source.subject).split())
    text = _tidy(render(source.body))
    sms = " ".join(render(source.sms).split())
    return RenderedMessage(subject, text, text_to_html(text), sms, lang)
