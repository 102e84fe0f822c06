# Message texts are prose whose line breaks are part of the message: no wrapping at 100.
# ruff: noqa: E501
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from babel.dates import format_date, format_time, get_timezone_name
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError, TemplateAssertionError
from jinja2.sandbox import SandboxedEnvironment

from hireflow.core.errors import BilingualError
from hireflow.scheduling.slots import SchedulingError, load_zone

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

_ERRORS: dict[str, tuple[str, str]] = {
    "unknown_variable": (
        "The template uses unknown variable(s): {names}. Allowed: {allowed}.",
        "模板使用了未知变量:{names}。可用变量:{allowed}。",
    ),
    "missing_variable": (
        "The message cannot be rendered: variable '{name}' has no value.",
        "无法生成消息:变量“{name}”没有提供值。",
    ),
    "syntax_error": (
        "Template syntax error on line {line}: {detail}",
        "模板语法错误(第 {line} 行):{detail}",
    ),
    "unsafe_template": (
        "The template tries something that is not allowed: {detail}",
        "模板包含不允许的操作:{detail}",
    ),
    "unknown_kind": (
        "Unknown template kind '{kind}'.",
        "未知的模板类型“{kind}”。",
    ),
    "too_long": (
        "The template is longer than {limit} characters.",
        "模板长度超过 {limit} 个字符。",
    ),
}


class TemplateError(BilingualError):
    """A template that cannot be saved or rendered; ``code`` is stable, messages zh/en."""

    MESSAGES = _ERRORS


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
# Job-type advice for candidates (SPEC D3)

_TIPS: dict[str, dict[str, tuple[str, ...]]] = {
    "zh-CN": {
        "technical": (
            "请准备介绍一两个您主导或深度参与的技术项目:架构和技术选型的理由、遇到的难题和解决办法、可量化的结果。",
            "回顾您常用技术的原理和取舍,便于用自己的话讲清楚。",
        ),
        "sales": (
            "请准备过往业绩数据,例如销售额、客户数量、签约周期和达成率。",
            "准备一两个完整的成单或挽回客户的案例。",
        ),
        "production": (
            "请准备介绍您熟悉的设备、工艺流程和安全规范。",
            "准备一个改进质量、效率或降低成本的实例,最好有数据。",
        ),
        "customer_service": (
            "请准备处理客户投诉或疑难问题的真实案例。",
            "面试中可能有情景模拟,请在安静的环境中作答。",
        ),
        "management": (
            "请准备团队管理的实例:团队规模、目标设定、冲突处理和最终成果。",
            "可以准备一个您推动变革或跨部门协作的例子。",
        ),
        "other": ("请准备一两个能体现您能力的具体工作实例(情境、任务、行动、结果)。",),
    },
    "en": {
        "technical": (
            "Prepare one or two technical projects you led or shaped: the design and why, the "
            "hardest problem and how you solved it, and measurable results.",
            "Refresh how the tools you use work and their trade-offs, so you can explain them "
            "in your own words.",
        ),
        "sales": (
            "Bring figures from your past results: revenue, number of clients, sales cycle "
            "and quota attainment.",
            "Prepare one or two complete stories of a deal you closed or a client you won back.",
        ),
        "production": (
            "Be ready to describe the equipment, processes and safety rules you know.",
            "Prepare an example of improving quality, output or cost, ideally with numbers.",
        ),
        "customer_service": (
            "Prepare real examples of handling complaints or difficult customer requests.",
            "There may be a role-play; answer from a quiet place.",
        ),
        "management": (
            "Prepare examples of leading a team: its size, the goals you set, conflicts you "
            "resolved and the results.",
            "An example of driving a change or cross-team work is welcome.",
        ),
        "other": (
            "Prepare one or two concrete examples from your work (situation, task, action, "
            "result).",
        ),
    },
    "ja": {
        "technical": (
            "主導または深く関わった技術プロジェクトについて、設計とその理由、難しかった課題と解決策、成果を説明できるようご準備ください。",
        ),
        "sales": ("売上高・顧客数・達成率など、過去の実績データをご用意ください。",),
        "production": (
            "扱ったことのある設備・工程・安全基準について説明できるようご準備ください。",
        ),
        "customer_service": ("クレームや難しい問い合わせに対応した実例をご用意ください。",),
        "management": ("チーム規模・目標設定・成果など、マネジメントの実例をご用意ください。",),
        "other": ("ご自身の強みが伝わる具体的な業務経験をご用意ください。",),
    },
}


def job_tips(job_type: str, language: str) -> tuple[str, ...]:
    """Preparation advice for a job type in a language (unknown types get the general one)."""
    lang = normalize_language(language)
    tips = _TIPS[lang]
    return tips.get(job_type, tips["other"])


# --------------------------------------------------------------------------------------
# Default templates

_T = TemplateSource

_DEFAULTS: dict[TemplateKind, dict[str, TemplateSource]] = {
    TemplateKind.INVITATION_AI: {
        "zh-CN": _T(
            subject="{{ company_name }} 邀请您参加「{{ job_title }}」AI 面试",
            body="""{{ candidate_name }},您好:

感谢您应聘 {{ company_name }} 的「{{ job_title }}」岗位。我们诚邀您参加一次在线 AI 面试,您可以在截止时间前任选方便的时间完成{% if question_count %}:共 {{ question_count }} 道题,每题限时 {{ time_limits }},全程约 {{ duration_minutes }} 分钟{% elif duration_minutes %},全程约 {{ duration_minutes }} 分钟{% endif %}。可以用文字、语音或视频作答。

截止时间:{{ deadline|datetime }}
面试链接(仅限本人使用):{{ link }}
也可以用手机扫描邮件中的二维码打开。

面试前建议:
- 使用电脑或手机上的最新版浏览器,在安静、光线充足的环境中作答;
- 打开链接后需要进行身份验证,请准备好手机以接收验证码;
{% if coding_questions %}- 有 {{ coding_questions }} 道题需要编写并运行代码,请使用可以编程的电脑作答;
{% elif technical_questions %}- 有 {{ technical_questions }} 道题考察专业知识,请用自己的话讲清思路;本次面试不需要编写或运行代码;
{% endif %}{% for tip in job_tips %}- {{ tip }}
{% endfor %}
{% if hr_contact %}如有疑问,请联系 {{ hr_contact }}。{% endif %}
祝您面试顺利!
{{ company_name }} 招聘团队""",
            sms="【{{ company_name }}】{{ candidate_name }}您好,邀请您参加「{{ job_title }}」AI 面试,请于 {{ deadline|datetime }} 前完成:{{ link }}",
        ),
        "en": _T(
            subject="{{ company_name }} invites you to an AI interview for {{ job_title }}",
            body="""Dear {{ candidate_name }},

Thank you for applying for the {{ job_title }} position at {{ company_name }}. We invite you to an online AI interview, which you can take at any time before the deadline{% if question_count %}: {{ question_count }} questions, each with a time limit of {{ time_limits }}, about {{ duration_minutes }} minutes in all{% elif duration_minutes %}; it takes about {{ duration_minutes }} minutes{% endif %}. You can answer by typing, by voice or on video.

Deadline: {{ deadline|datetime }}
Your personal link (do not share it): {{ link }}
You can also scan the QR code in this e-mail with your phone.

Before you start:
- Use an up-to-date browser on a computer or phone, in a quiet and well-lit place.
- You will confirm your identity when you open the link; keep your phone at hand for a code.
{% if coding_questions %}- {{ coding_questions }} question(s) ask you to write and run code: use a computer you can program on.
{% elif technical_questions %}- {{ technical_questions }} question(s) are about technical knowledge: explain your thinking in your own words. No code is written or run in this interview.
{% endif %}{% for tip in job_tips %}- {{ tip }}
{% endfor %}
{% if hr_contact %}Questions? Contact {{ hr_contact }}.{% endif %}
Good luck!
The {{ company_name }} recruiting team""",
            sms="{{ company_name }}: {{ candidate_name }}, please complete your AI interview for {{ job_title }} by {{ deadline|datetime }}: {{ link }}",
        ),
        "ja": _T(
            subject="{{ company_name }}「{{ job_title }}」AI面接のご案内",
            body="""{{ candidate_name }} 様

{{ company_name }}「{{ job_title }}」にご応募いただき、ありがとうございます。オンラインのAI面接にご招待いたします。期限までのご都合のよい時間に受験してください{% if question_count %}(全{{ question_count }}問、各問の制限時間 {{ time_limits }}、所要時間は約{{ duration_minutes }}分){% elif duration_minutes %}(所要時間は約{{ duration_minutes }}分){% endif %}。

受験期限:{{ deadline|datetime }}
面接リンク(ご本人専用):{{ link }}

{% if coding_questions %}・{{ coding_questions }}問はコードを書いて実行します。プログラミングできるパソコンでご受験ください。
{% elif technical_questions %}・{{ technical_questions }}問は専門知識についての質問です。コードを書く必要はありません。
{% endif %}{% for tip in job_tips %}・{{ tip }}
{% endfor %}
{% if hr_contact %}ご不明な点は {{ hr_contact }} までお問い合わせください。{% endif %}
{{ company_name }} 採用チーム""",
            sms="{{ company_name }}:{{ candidate_name }}様、{{ deadline|datetime }}までにAI面接を受験してください:{{ link }}",
        ),
    },
    TemplateKind.INVITATION_LIVE: {
        "zh-CN": _T(
            subject="面试邀请:「{{ job_title }}」{{ slot_start|datetime }}",
            body="""{{ candidate_name }},您好:

我们诚邀您参加 {{ company_name }}「{{ job_title }}」岗位的视频面试。

时间:{{ slot_start|datetime }}{% if slot_end %} 至 {{ slot_end|time }}{% endif %}
{% if interviewer_names %}面试官:{{ interviewer_names|join("、") }}
{% endif %}会议链接:{{ meeting_link }}
{% if reschedule_link %}如需改期,请在此选择其他时间:{{ reschedule_link }}
{% endif %}
日历邀请已附在邮件中,接受后会自动加入您的日历。
{% if hr_contact %}如有疑问,请联系 {{ hr_contact }}。{% endif %}
{{ company_name }} 招聘团队""",
            sms="【{{ company_name }}】{{ candidate_name }}您好,「{{ job_title }}」面试时间 {{ slot_start|datetime }},会议链接:{{ meeting_link }}",
        ),
        "en": _T(
            subject="Interview for {{ job_title }}: {{ slot_start|datetime }}",
            body="""Dear {{ candidate_name }},

We are pleased to invite you to a video interview for the {{ job_title }} position at {{ company_name }}.

When: {{ slot_start|datetime }}{% if slot_end %} to {{ slot_end|time }}{% endif %}
{% if interviewer_names %}Interviewers: {{ interviewer_names|join(", ") }}
{% endif %}Meeting link: {{ meeting_link }}
{% if reschedule_link %}Need another time? Pick one here: {{ reschedule_link }}
{% endif %}
A calendar invitation is attached; accepting it adds the interview to your calendar.
{% if hr_contact %}Questions? Contact {{ hr_contact }}.{% endif %}
The {{ company_name }} recruiting team""",
            sms="{{ company_name }}: {{ candidate_name }}, your {{ job_title }} interview is at {{ slot_start|datetime }}. Join: {{ meeting_link }}",
        ),
        "ja": _T(
            subject="面接のご案内:「{{ job_title }}」{{ slot_start|datetime }}",
            body="""{{ candidate_name }} 様

{{ company_name }}「{{ job_title }}」のオンライン面接にご招待いたします。

日時:{{ slot_start|datetime }}{% if slot_end %}〜{{ slot_end|time }}{% endif %}
会議リンク:{{ meeting_link }}
{% if reschedule_link %}日程変更はこちら:{{ reschedule_link }}
{% endif %}
{{ company_name }} 採用チーム""",
            sms="{{ company_name }}:{{ candidate_name }}様、面接日時 {{ slot_start|datetime }}、リンク:{{ meeting_link }}",
        ),
    },
    TemplateKind.INVITATION_NEXT_ROUND: {
        "zh-CN": _T(
            subject="恭喜进入「{{ job_title }}」{{ round_name }}",
            body="""{{ candidate_name }},您好:

恭喜您通过上一轮面试!我们诚邀您参加 {{ company_name }}「{{ job_title }}」的{{ round_name }}。

请在 {{ deadline|datetime }} 前通过以下链接选择方便的面试时间:
{{ link }}

{% if hr_contact %}如有疑问,请联系 {{ hr_contact }}。{% endif %}
{{ company_name }} 招聘团队""",
            sms="【{{ company_name }}】恭喜您进入「{{ job_title }}」{{ round_name }},请于 {{ deadline|datetime }} 前选择面试时间:{{ link }}",
        ),
        "en": _T(
            subject="Next step for {{ job_title }}: {{ round_name }}",
            body="""Dear {{ candidate_name }},

Congratulations on passing the previous round! We invite you to the {{ round_name }} for the {{ job_title }} position at {{ company_name }}.

Please choose a time that suits you before {{ deadline|datetime }}:
{{ link }}

{% if hr_contact %}Questions? Contact {{ hr_contact }}.{% endif %}
The {{ company_name }} recruiting team""",
            sms="{{ company_name }}: congratulations, {{ candidate_name }}! Please book your {{ round_name }} for {{ job_title }} before {{ deadline|datetime }}: {{ link }}",
        ),
        "ja": _T(
            subject="「{{ job_title }}」{{ round_name }}のご案内",
            body="""{{ candidate_name }} 様

前回の選考通過おめでとうございます。{{ company_name }}「{{ job_title }}」の{{ round_name }}にご案内いたします。

{{ deadline|datetime }}までに、以下のリンクからご都合のよい日時をお選びください:
{{ link }}

{{ company_name }} 採用チーム""",
            sms="{{ company_name }}:{{ round_name }}の日程を{{ deadline|datetime }}までにお選びください:{{ link }}",
        ),
    },
}

_REMINDER_ZH = """{{ candidate_name }},您好:

提醒您:{{ company_name }}「{{ job_title }}」面试将于 {{ slot_start|datetime }} 开始。
面试链接:{{ link }}

{% if materials %}请准备以下材料:
{% for item in materials %}- {{ item }}
{% endfor %}
{% endif %}面试准备建议:
{% for tip in job_tips %}- {{ tip }}
{% endfor %}{% if notes %}
备注:{{ notes }}
{% endif %}
{% if hr_contact %}如有疑问,请联系 {{ hr_contact }}。{% endif %}
{{ company_name }} 招聘团队"""

_REMINDER_EN = """Dear {{ candidate_name }},

A reminder: your interview for {{ job_title }} at {{ company_name }} starts {{ slot_start|datetime }}.
Link: {{ link }}

{% if materials %}Please have ready:
{% for item in materials %}- {{ item }}
{% endfor %}
{% endif %}How to prepare:
{% for tip in job_tips %}- {{ tip }}
{% endfor %}{% if notes %}
Note: {{ notes }}
{% endif %}
{% if hr_contact %}Questions? Contact {{ hr_contact }}.{% endif %}
The {{ company_name }} recruiting team"""

_REMINDER_JA = """{{ candidate_name }} 様

{{ company_name }}「{{ job_title }}」の面接は {{ slot_start|datetime }} に始まります。
リンク:{{ link }}

{% if materials %}ご用意いただくもの:
{% for item in materials %}・{{ item }}
{% endfor %}
{% endif %}{% for tip in job_tips %}・{{ tip }}
{% endfor %}{% if notes %}
備考:{{ notes }}
{% endif %}
{{ company_name }} 採用チーム"""

_DEFAULTS[TemplateKind.REMINDER_24H] = {
    "zh-CN": _T(
        subject="明天面试提醒:「{{ job_title }}」{{ slot_start|datetime }}",
        body=_REMINDER_ZH,
        sms="【{{ company_name }}】提醒:您的「{{ job_title }}」面试将于 {{ slot_start|datetime }} 开始,链接:{{ link }}",
    ),
    "en": _T(
        subject="Tomorrow: your {{ job_title }} interview at {{ slot_start|time }}",
        body=_REMINDER_EN,
        sms="{{ company_name }}: reminder, your {{ job_title }} interview is at {{ slot_start|datetime }}. {{ link }}",
    ),
    "ja": _T(
        subject="明日の面接のご案内:{{ slot_start|datetime }}",
        body=_REMINDER_JA,
        sms="{{ company_name }}:明日 {{ slot_start|datetime }} に面接があります。{{ link }}",
    ),
}
_DEFAULTS[TemplateKind.REMINDER_1H] = {
    "zh-CN": _T(
        subject="面试将在 1 小时后开始:「{{ job_title }}」",
        body=_REMINDER_ZH,
        sms="【{{ company_name }}】您的面试将在 1 小时后({{ slot_start|time }})开始,请提前进入:{{ link }}",
    ),
    "en": _T(
        subject="Your {{ job_title }} interview starts in one hour",
        body=_REMINDER_EN,
        sms="{{ company_name }}: your interview starts in one hour ({{ slot_start|time }}). Join: {{ link }}",
    ),
    "ja": _T(
        subject="面接は1時間後に始まります",
        body=_REMINDER_JA,
        sms="{{ company_name }}:面接は1時間後({{ slot_start|time }})に始まります。{{ link }}",
    ),
}
_DEFAULTS[TemplateKind.INTERVIEWER_REMINDER] = {
    "zh-CN": _T(
        subject="面试安排:{{ candidate_name }} -「{{ job_title }}」{{ slot_start|datetime }}",
        body="""{{ interviewer_name }},您好:

您有一场面试安排:
候选人:{{ candidate_name }}
岗位:{{ job_title }}
时间:{{ slot_start|datetime }}{% if slot_end %} 至 {{ slot_end|time }}{% endif %}
会议链接:{{ meeting_link }}
{% if profile_link %}候选人资料与 AI 面试报告:{{ profile_link }}
{% endif %}
面试结束后请及时提交评价表。""",
        sms="【{{ company_name }}】{{ slot_start|datetime }} 面试 {{ candidate_name }}(「{{ job_title }}」),链接:{{ meeting_link }}",
    ),
    "en": _T(
        subject="Interview: {{ candidate_name }} for {{ job_title }}, {{ slot_start|datetime }}",
        body="""Hello {{ interviewer_name }},

You have an interview coming up:
Candidate: {{ candidate_name }}
Position: {{ job_title }}
When: {{ slot_start|datetime }}{% if slot_end %} to {{ slot_end|time }}{% endif %}
Meeting link: {{ meeting_link }}
{% if profile_link %}Profile and AI interview report: {{ profile_link }}
{% endif %}
Please submit your scorecard soon after the interview.""",
        sms="{{ company_name }}: interview with {{ candidate_name }} ({{ job_title }}) at {{ slot_start|datetime }}. {{ meeting_link }}",
    ),
    "ja": _T(
        subject="面接予定:{{ candidate_name }} 様({{ job_title }})",
        body="""{{ interviewer_name }} さん

面接の予定があります。
候補者:{{ candidate_name }}
職種:{{ job_title }}
日時:{{ slot_start|datetime }}
会議リンク:{{ meeting_link }}
{% if profile_link %}候補者情報:{{ profile_link }}
{% endif %}
面接後は評価シートのご提出をお願いします。""",
        sms="{{ company_name }}:{{ slot_start|datetime }} {{ candidate_name }} 様の面接。{{ meeting_link }}",
    ),
}
_DEFAULTS[TemplateKind.FEEDBACK_REMINDER] = {
    "zh-CN": _T(
        subject="请提交面试评价:{{ candidate_name }} -「{{ job_title }}」",
        body="""{{ interviewer_name }},您好:

您于 {{ interview_end|datetime }} 结束的面试(候选人 {{ candidate_name }},岗位「{{ job_title }}」)尚未提交评价。
请在 {{ due|datetime }} 前填写评价表:{{ feedback_link }}

您的评价将与 AI 面试结果合并为最终报告。""",
        sms="【{{ company_name }}】请在 {{ due|datetime }} 前提交 {{ candidate_name }} 的面试评价:{{ feedback_link }}",
    ),
    "en": _T(
        subject="Scorecard due: {{ candidate_name }} for {{ job_title }}",
        body="""Hello {{ interviewer_name }},

Your scorecard for the interview with {{ candidate_name }} ({{ job_title }}), which ended {{ interview_end|datetime }}, is still missing.
Please submit it before {{ due|datetime }}: {{ feedback_link }}

It will be merged with the AI interview result into the final report.""",
        sms="{{ company_name }}: please submit your scorecard for {{ candidate_name }} by {{ due|datetime }}: {{ feedback_link }}",
    ),
    "ja": _T(
        subject="評価シート提出のお願い:{{ candidate_name }} 様",
        body="""{{ interviewer_name }} さん

{{ interview_end|datetime }} に終了した {{ candidate_name }} 様({{ job_title }})の面接評価が未提出です。
{{ due|datetime }}までにご提出ください:{{ feedback_link }}""",
        sms="{{ company_name }}:{{ due|datetime }}までに評価シートをご提出ください:{{ feedback_link }}",
    ),
}
_DEFAULTS[TemplateKind.IDENTITY_CODE] = {
    "zh-CN": _T(
        subject="您的面试验证码",
        body="""您的验证码是 {{ code }},{{ valid_minutes }} 分钟内有效。

请勿将验证码告诉任何人,{{ company_name }} 的工作人员不会向您索要验证码。""",
        sms="【{{ company_name }}】您的面试验证码为 {{ code }},{{ valid_minutes }} 分钟内有效,请勿泄露。",
    ),
    "en": _T(
        subject="Your interview verification code",
        body="""Your verification code is {{ code }}. It is valid for {{ valid_minutes }} minutes.

Never share it: {{ company_name }} staff will never ask you for it.""",
        sms="{{ company_name }}: your verification code is {{ code }} (valid {{ valid_minutes }} min). Do not share it.",
    ),
    "ja": _T(
        subject="面接の認証コード",
        body="""認証コードは {{ code }} です({{ valid_minutes }}分間有効)。

このコードは他人に教えないでください。""",
        sms="{{ company_name }}:認証コード {{ code }}({{ valid_minutes }}分間有効)。他人に教えないでください。",
    ),
}
_DEFAULTS[TemplateKind.GENERIC] = {
    "zh-CN": _T(
        subject="{{ title }}",
        body="""{% if candidate_name %}{{ candidate_name }},您好:

{% endif %}{{ body }}
{% if link %}
{{ link }}
{% endif %}
{{ company_name }}""",
        sms="【{{ company_name }}】{{ title }}{% if link %} {{ link }}{% endif %}",
    ),
    "en": _T(
        subject="{{ title }}",
        body="""{% if candidate_name %}Dear {{ candidate_name }},

{% endif %}{{ body }}
{% if link %}
{{ link }}
{% endif %}
{{ company_name }}""",
        sms="{{ company_name }}: {{ title }}{% if link %} {{ link }}{% endif %}",
    ),
    "ja": _T(
        subject="{{ title }}",
        body="""{% if candidate_name %}{{ candidate_name }} 様

{% endif %}{{ body }}
{% if link %}
{{ link }}
{% endif %}
{{ company_name }}""",
        sms="{{ company_name }}:{{ title }}{% if link %} {{ link }}{% endif %}",
    ),
}


_DEFAULTS[TemplateKind.INVITATION_SCHEDULE] = {
    "zh-CN": _T(
        subject="{{ company_name }} 邀请您预约「{{ job_title }}」{{ round_name or '面试' }}时间",
        body="""{{ candidate_name }},您好:

感谢您应聘 {{ company_name }} 的「{{ job_title }}」岗位。我们诚邀您参加{{ round_name or '视频面试' }}{% if duration_minutes %}(约 {{ duration_minutes }} 分钟){% endif %}{% if interviewer_names %},面试官:{{ interviewer_names|join("、") }}{% endif %}。

请在 {{ deadline|datetime }} 前通过以下个人链接选择方便的时间,时间按您所在时区显示,之后也可以在同一链接改期或取消:
{{ link }}

打开链接后需要进行身份验证。
面试准备建议:
{% for tip in job_tips %}- {{ tip }}
{% endfor %}
{% if hr_contact %}如有疑问,请联系 {{ hr_contact }}。{% endif %}
{{ company_name }} 招聘团队""",
        sms="【{{ company_name }}】{{ candidate_name }}您好,请于 {{ deadline|datetime }} 前预约「{{ job_title }}」面试时间:{{ link }}",
    ),
    "en": _T(
        subject="{{ company_name }}: choose a time for your {{ job_title }} {{ round_name or 'interview' }}",
        body="""Dear {{ candidate_name }},

Thank you for applying for the {{ job_title }} position at {{ company_name }}. We invite you to a {{ round_name or 'video interview' }}{% if duration_minutes %} of about {{ duration_minutes }} minutes{% endif %}{% if interviewer_names %} with {{ interviewer_names|join(", ") }}{% endif %}.

Please choose a time before {{ deadline|datetime }} with your personal link. Times are shown in your own time zone, and you can reschedule or cancel with the same link:
{{ link }}

You will confirm your identity when you open the link.
How to prepare:
{% for tip in job_tips %}- {{ tip }}
{% endfor %}
{% if hr_contact %}Questions? Contact {{ hr_contact }}.{% endif %}
The {{ company_name }} recruiting team""",
        sms="{{ company_name }}: {{ candidate_name }}, please choose your {{ job_title }} interview time by {{ deadline|datetime }}: {{ link }}",
    ),
    "ja": _T(
        subject="{{ company_name }}「{{ job_title }}」面接日程のご予約",
        body="""{{ candidate_name }} 様

{{ company_name }}「{{ job_title }}」にご応募いただき、ありがとうございます。{{ round_name or 'オンライン面接' }}{% if duration_minutes %}(約{{ duration_minutes }}分){% endif %}にご招待いたします。

{{ deadline|datetime }}までに、以下のご本人専用リンクからご都合のよい日時をお選びください(お住まいのタイムゾーンで表示されます)。日程の変更・キャンセルも同じリンクから行えます:
{{ link }}

{% for tip in job_tips %}・{{ tip }}
{% endfor %}
{{ company_name }} 採用チーム""",
        sms="{{ company_name }}:{{ deadline|datetime }}までに面接日時をご予約ください:{{ link }}",
    ),
}
_DEFAULTS[TemplateKind.BOOKING_CANCELLED] = {
    "zh-CN": _T(
        subject="面试已取消:「{{ job_title }}」{{ slot_start|datetime }}",
        body="""{{ candidate_name }},您好:

您原定于 {{ slot_start|datetime }} 的 {{ company_name }}「{{ job_title }}」面试已取消,日历中的邀请也已撤销。
{% if link %}如需重新预约,请使用您的个人链接:{{ link }}
{% endif %}
{{ company_name }} 招聘团队""",
        sms="【{{ company_name }}】您 {{ slot_start|datetime }} 的「{{ job_title }}」面试已取消。{% if link %}重新预约:{{ link }}{% endif %}",
    ),
    "en": _T(
        subject="Interview cancelled: {{ job_title }}, {{ slot_start|datetime }}",
        body="""Dear {{ candidate_name }},

Your {{ job_title }} interview at {{ company_name }} on {{ slot_start|datetime }} has been cancelled, and the calendar invitation withdrawn.
{% if link %}To choose another time, use your personal link: {{ link }}
{% endif %}
The {{ company_name }} recruiting team""",
        sms="{{ company_name }}: your {{ job_title }} interview on {{ slot_start|datetime }} is cancelled.{% if link %} Rebook: {{ link }}{% endif %}",
    ),
    "ja": _T(
        subject="面接キャンセルのお知らせ:{{ slot_start|datetime }}",
        body="""{{ candidate_name }} 様

{{ slot_start|datetime }}の{{ company_name }}「{{ job_title }}」の面接はキャンセルされました。
{% if link %}再予約はこちら:{{ link }}
{% endif %}
{{ company_name }} 採用チーム""",
        sms="{{ company_name }}:{{ slot_start|datetime }}の面接はキャンセルされました。",
    ),
}
_DEFAULTS[TemplateKind.INTERVIEWER_NOTICE] = {
    "zh-CN": _T(
        subject="{% if change == 'cancelled' %}面试取消{% elif change == 'rescheduled' %}面试改期{% else %}新面试{% endif %}:{{ candidate_name }} -「{{ job_title }}」{{ slot_start|datetime }}",
        body="""{{ interviewer_name }},您好:

{% if change == 'cancelled' %}以下面试已取消:{% elif change == 'rescheduled' %}以下面试已改期,新的时间如下:{% else %}候选人已预约面试:{% endif %}
候选人:{{ candidate_name }}
岗位:{{ job_title }}
时间:{{ slot_start|datetime }}{% if slot_end %} 至 {{ slot_end|time }}{% endif %}
{% if change != 'cancelled' and meeting_link %}会议链接:{{ meeting_link }}
{% endif %}{% if profile_link %}进度与资料:{{ profile_link }}
{% endif %}""",
        sms="【{{ company_name }}】{% if change == 'cancelled' %}取消{% elif change == 'rescheduled' %}改期{% else %}新面试{% endif %}:{{ candidate_name }}「{{ job_title }}」{{ slot_start|datetime }}",
    ),
    "en": _T(
        subject="{% if change == 'cancelled' %}Cancelled{% elif change == 'rescheduled' %}Rescheduled{% else %}New interview{% endif %}: {{ candidate_name }} for {{ job_title }}, {{ slot_start|datetime }}",
        body="""Hello {{ interviewer_name }},

{% if change == 'cancelled' %}This interview has been cancelled:{% elif change == 'rescheduled' %}This interview has moved; the new time is below:{% else %}A candidate booked an interview:{% endif %}
Candidate: {{ candidate_name }}
Position: {{ job_title }}
When: {{ slot_start|datetime }}{% if slot_end %} to {{ slot_end|time }}{% endif %}
{% if change != 'cancelled' and meeting_link %}Meeting link: {{ meeting_link }}
{% endif %}{% if profile_link %}Progress and profile: {{ profile_link }}
{% endif %}""",
        sms="{{ company_name }}: {% if change == 'cancelled' %}cancelled{% elif change == 'rescheduled' %}moved{% else %}new interview{% endif %}: {{ candidate_name }} ({{ job_title }}) {{ slot_start|datetime }}",
    ),
    "ja": _T(
        subject="{% if change == 'cancelled' %}面接キャンセル{% elif change == 'rescheduled' %}面接日程変更{% else %}面接予約{% endif %}:{{ candidate_name }} 様 {{ slot_start|datetime }}",
        body="""{{ interviewer_name }} さん

{% if change == 'cancelled' %}以下の面接はキャンセルされました。{% elif change == 'rescheduled' %}以下の面接の日程が変更されました。{% else %}面接の予約が入りました。{% endif %}
候補者:{{ candidate_name }}
職種:{{ job_title }}
日時:{{ slot_start|datetime }}
{% if change != 'cancelled' and meeting_link %}会議リンク:{{ meeting_link }}
{% endif %}""",
        sms="{{ company_name }}:{{ candidate_name }} 様 {{ slot_start|datetime }}",
    ),
}
_DEFAULTS[TemplateKind.IDENTITY_LOCKED] = {
    "zh-CN": _T(
        subject="身份验证已锁定:{{ candidate_name }} -「{{ job_title }}」",
        body="""{{ recipient_name }},您好:

候选人 {{ candidate_name }}(「{{ job_title }}」)的面试链接连续 {{ attempts }} 次身份验证失败,已锁定至 {{ locked_until|datetime }}。
可能是候选人输错,也可能是他人在尝试使用该链接。请核实后在进度页面解除锁定或重新发送邀请:
{{ link }}""",
        sms="【{{ company_name }}】{{ candidate_name }} 的面试链接身份验证失败 {{ attempts }} 次,已锁定。",
    ),
    "en": _T(
        subject="Identity check locked: {{ candidate_name }} for {{ job_title }}",
        body="""Hello {{ recipient_name }},

The interview link of {{ candidate_name }} ({{ job_title }}) failed the identity check {{ attempts }} times in a row and is locked until {{ locked_until|datetime }}.
The candidate may have mistyped, or someone else may be trying the link. Please check, then unlock it or resend the invitation from the progress page:
{{ link }}""",
        sms="{{ company_name }}: identity check for {{ candidate_name }} failed {{ attempts }} times; the link is locked.",
    ),
    "ja": _T(
        subject="本人確認ロック:{{ candidate_name }} 様({{ job_title }})",
        body="""{{ recipient_name }} さん

{{ candidate_name }} 様({{ job_title }})の面接リンクで本人確認が {{ attempts }} 回連続で失敗し、{{ locked_until|datetime }}までロックされました。
確認のうえ、進捗ページからロック解除または再送信してください:
{{ link }}""",
        sms="{{ company_name }}:{{ candidate_name }} 様のリンクは本人確認失敗によりロックされました。",
    ),
}

# A hiring group's chat (DingTalk, WeCom, Feishu robots) reads about an interview: no greeting
# of one person, the whole panel named, and "change" is booked, rescheduled, cancelled or
# reminder (the interview is coming up).
_DEFAULTS[TemplateKind.GROUP_NOTICE] = {
    "zh-CN": _T(
        subject="{% if change == 'cancelled' %}面试取消{% elif change == 'rescheduled' %}面试改期{% elif change == 'reminder' %}面试即将开始{% else %}新面试{% endif %}:{{ candidate_name }} -「{{ job_title }}」",
        body="""{% if change == 'cancelled' %}以下面试已取消。{% elif change == 'rescheduled' %}以下面试已改期,新时间如下。{% elif change == 'reminder' %}面试即将开始。{% else %}新的面试已预约。{% endif %}
候选人:{{ candidate_name }}
岗位:{{ job_title }}
时间:{{ slot_start|datetime }}{% if slot_end %} 至 {{ slot_end|time }}{% endif %}
{% if interviewer_names %}面试官:{{ interviewer_names|join("、") }}
{% endif %}{% if change != 'cancelled' and meeting_link %}会议链接:{{ meeting_link }}
{% endif %}{% if profile_link %}进度与资料:{{ profile_link }}
{% endif %}""",
        sms="【{{ company_name }}】{% if change == 'cancelled' %}取消{% elif change == 'rescheduled' %}改期{% elif change == 'reminder' %}即将开始{% else %}新面试{% endif %}:{{ candidate_name }}「{{ job_title }}」{{ slot_start|datetime }}",
    ),
    "en": _T(
        subject="{% if change == 'cancelled' %}Interview cancelled{% elif change == 'rescheduled' %}Interview moved{% elif change == 'reminder' %}Interview coming up{% else %}New interview{% endif %}: {{ candidate_name }} for {{ job_title }}",
        body="""{% if change == 'cancelled' %}This interview has been cancelled.{% elif change == 'rescheduled' %}This interview has moved; the new time is below.{% elif change == 'reminder' %}This interview is coming up.{% else %}A new interview was booked.{% endif %}
Candidate: {{ candidate_name }}
Position: {{ job_title }}
When: {{ slot_start|datetime }}{% if slot_end %} to {{ slot_end|time }}{% endif %}
{% if interviewer_names %}Interviewers: {{ interviewer_names|join(", ") }}
{% endif %}{% if change != 'cancelled' and meeting_link %}Meeting link: {{ meeting_link }}
{% endif %}{% if profile_link %}Progress and profile: {{ profile_link }}
{% endif %}""",
        sms="{{ company_name }}: {% if change == 'cancelled' %}cancelled{% elif change == 'rescheduled' %}moved{% elif change == 'reminder' %}coming up{% else %}new interview{% endif %}: {{ candidate_name }} ({{ job_title }}) {{ slot_start|datetime }}",
    ),
    "ja": _T(
        subject="{% if change == 'cancelled' %}面接キャンセル{% elif change == 'rescheduled' %}面接日程変更{% elif change == 'reminder' %}まもなく面接{% else %}面接予約{% endif %}:{{ candidate_name }} 様({{ job_title }})",
        body="""{% if change == 'cancelled' %}以下の面接はキャンセルされました。{% elif change == 'rescheduled' %}以下の面接の日程が変更されました。{% elif change == 'reminder' %}まもなく面接が始まります。{% else %}面接の予約が入りました。{% endif %}
候補者:{{ candidate_name }}
職種:{{ job_title }}
日時:{{ slot_start|datetime }}
{% if interviewer_names %}面接官:{{ interviewer_names|join("、") }}
{% endif %}{% if change != 'cancelled' and meeting_link %}会議リンク:{{ meeting_link }}
{% endif %}""",
        sms="{{ company_name }}:{{ candidate_name }} 様 {{ slot_start|datetime }}",
    ),
}


# Every invitation carries the materials to bring and HR's notes, placed before the closing
# lines of the built-in texts.
_MATERIALS_BLOCK = {
    "zh-CN": """{% if materials %}请准备以下材料:
{% for item in materials %}- {{ item }}
{% endfor %}{% endif %}{% if notes %}备注:{{ notes }}
{% endif %}""",
    "en": """{% if materials %}Please have ready:
{% for item in materials %}- {{ item }}
{% endfor %}{% endif %}{% if notes %}Note: {{ notes }}
{% endif %}""",
    "ja": """{% if materials %}ご用意いただくもの:
{% for item in materials %}・{{ item }}
{% endfor %}{% endif %}{% if notes %}備考:{{ notes }}
{% endif %}""",
}
_CLOSING = {
    "zh-CN": "{% if hr_contact %}",
    "en": "{% if hr_contact %}",
    "ja": "{{ company_name }} 採用チーム",
}
for _invitation_kind in (
    TemplateKind.INVITATION_AI,
    TemplateKind.INVITATION_LIVE,
    TemplateKind.INVITATION_NEXT_ROUND,
    TemplateKind.INVITATION_SCHEDULE,
):
    for _lang, _source in _DEFAULTS[_invitation_kind].items():
        assert _CLOSING[_lang] in _source.body, (_invitation_kind, _lang)
        _DEFAULTS[_invitation_kind][_lang] = TemplateSource(
            _source.subject,
            _source.body.replace(_CLOSING[_lang], _MATERIALS_BLOCK[_lang] + _CLOSING[_lang], 1),
            _source.sms,
        )


def default_template(kind: TemplateKind | str, language: str) -> TemplateSource:
    """The built-in template for ``kind`` in ``language`` (HR can override it)."""
    return _DEFAULTS[_kind(kind)][normalize_language(language)]


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
            raise SchedulingError("naive_datetime", field="template date")
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
    from datetime import UTC, timedelta  # local: only the validator needs these

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
    source = override or _DEFAULTS[kind][lang]

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
