"""Message templates: three languages, recipient time zones, job-type advice, HR editing."""

from datetime import UTC, datetime

import pytest

from hireflow.core.timezones import TimeError
from hireflow.notifications.templates import (
    JOB_TYPES,
    LANGUAGES,
    TemplateError,
    TemplateKind,
    TemplateSource,
    default_template,
    job_tips,
    normalize_language,
    render_message,
    validate_template,
)

START = datetime(2025, 3, 31, 10, tzinfo=UTC)

CONTEXTS = {
    TemplateKind.INVITATION_AI: {
        "deadline": START,
        "link": "https://h.example/i/a",
        "duration_minutes": 25,
    },
    TemplateKind.INVITATION_LIVE: {
        "slot_start": START,
        "slot_end": START.replace(hour=11),
        "meeting_link": "https://meet.example/j/1",
        "interviewer_names": ["王芳", "Tom"],
        "reschedule_link": "https://h.example/r/a",
    },
    TemplateKind.INVITATION_NEXT_ROUND: {
        "round_name": "二面",
        "link": "https://h.example/s/a",
        "deadline": START,
    },
    TemplateKind.REMINDER_24H: {
        "slot_start": START,
        "link": "https://h.example/i/a",
        "job_type": "sales",
    },
    TemplateKind.REMINDER_1H: {
        "slot_start": START,
        "link": "https://h.example/i/a",
        "job_type": "technical",
    },
    TemplateKind.INTERVIEWER_REMINDER: {
        "interviewer_name": "王芳",
        "slot_start": START,
        "meeting_link": "https://meet.example/j/1",
        "profile_link": "https://h.example/p/1",
    },
    TemplateKind.FEEDBACK_REMINDER: {
        "interviewer_name": "王芳",
        "interview_end": START,
        "feedback_link": "https://h.example/f/1",
        "due": START.replace(day=31, hour=23),
    },
    TemplateKind.IDENTITY_CODE: {"code": "482913", "valid_minutes": 10},
    TemplateKind.GENERIC: {
        "title": "材料补充",
        "body": "请补充学历证明。",
        "link": "https://h.example/u/1",
    },
}
CONTEXTS[TemplateKind.INVITATION_SCHEDULE] = {
    "link": "https://h.example/i/a",
    "deadline": START,
    "round_name": "",
    "job_type": "technical",
    "duration_minutes": 45,
    "interviewer_names": ["王芳"],
}
CONTEXTS[TemplateKind.BOOKING_CANCELLED] = {"slot_start": START, "link": "https://h.example/i/a"}
CONTEXTS[TemplateKind.INTERVIEWER_NOTICE] = {
    "interviewer_name": "王芳",
    "slot_start": START,
    "slot_end": START.replace(hour=11),
    "meeting_link": "https://meet.example/j/1",
    "profile_link": "https://h.example/p/1",
    "change": "rescheduled",
}
CONTEXTS[TemplateKind.IDENTITY_LOCKED] = {
    "recipient_name": "张伟",
    "attempts": 5,
    "locked_until": START,
    "link": "https://h.example/scheduling/openings/1",
}
CONTEXTS[TemplateKind.GROUP_NOTICE] = {
    "interviewer_names": ["王芳", "Tom"],
    "slot_start": START,
    "slot_end": START.replace(hour=11),
    "meeting_link": "https://meet.example/j/1",
    "profile_link": "https://h.example/p/1",
    "change": "reminder",
}
COMMON = {"candidate_name": "李雷", "company_name": "海纳科技", "job_title": "数据分析师"}


@pytest.mark.parametrize("kind", list(TemplateKind))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_in_every_language(kind, language):
    msg = render_message(kind, language, {**COMMON, **CONTEXTS[kind]}, timezone="Asia/Shanghai")
    assert msg.subject and msg.text and msg.sms and msg.language == language
    assert "{{" not in msg.text and "{%" not in msg.text and "\n\n\n" not in msg.text
    assert msg.html.startswith("<!DOCTYPE html>")
    validate_template(kind, default_template(kind, language))


def test_the_language_files_hold_the_same_texts():
    """A translator adding a kind or job type to one language's file adds it to every one."""
    from hireflow.notifications import templates

    shapes = set()
    for language in LANGUAGES:
        data = templates._builtin(language)
        kinds = frozenset(key for key in data if key != "tips")
        assert kinds == {kind.value for kind in TemplateKind}, language
        assert all(set(data[kind]) == {"subject", "body", "sms"} for kind in kinds), language
        shapes.add(frozenset(data["tips"]))
    assert shapes == {frozenset(JOB_TYPES)}


def test_times_are_in_the_recipients_zone_and_language():
    ctx = {**COMMON, **CONTEXTS[TemplateKind.INVITATION_LIVE]}
    zh = render_message("invitation_live", "zh-CN", ctx, timezone="Asia/Shanghai")
    assert "2025年3月31日星期一 18:00(中国标准时间)" in zh.text
    # CLDR puts a narrow no-break space before AM/PM; compare with plain spaces.
    en = render_message("invitation_live", "en", ctx, timezone="Europe/Berlin")
    en_text = en.text.replace("\u202f", " ")
    assert "Monday, March 31, 2025, 12:00 PM (Central European Summer Time)" in en_text
    assert "to 1:00 PM" in en_text
    ja = render_message("invitation_live", "ja", ctx, timezone="Asia/Tokyo")
    assert "19:00" in ja.text and "日本標準時" in ja.text
    ny = render_message("invitation_live", "en", ctx, timezone="America/New_York")
    assert "6:00 AM (Eastern Daylight Time)" in ny.text.replace("\u202f", " ")


def test_reminders_carry_job_type_advice_and_materials():
    base = {**COMMON, "slot_start": START, "link": "https://h.example/i/a"}
    tech = render_message(
        "reminder_24h", "zh-CN", {**base, "job_type": "technical"}, timezone="Asia/Shanghai"
    )
    sales = render_message(
        "reminder_24h",
        "en",
        {
            **base,
            "job_type": "sales",
            "materials": ["ID card", "Sales report 2024"],
            "notes": "Bring a pen",
        },
        timezone="Asia/Shanghai",
    )
    # technical advice, and no coding exercise that no plan contains
    assert "技术项目" in tech.text and "代码" not in tech.text
    assert (
        "past results" in sales.text
        and "- Sales report 2024" in sales.text
        and "Bring a pen" in sales.text
    )
    one_hour = render_message(
        "reminder_1h", "en", {**base, "job_type": "technical"}, timezone="UTC"
    )
    assert "one hour" in one_hour.subject and "one hour" in one_hour.sms
    tips = {job_type: job_tips(job_type, "zh-CN") for job_type in JOB_TYPES}
    assert len(set(tips.values())) == len(JOB_TYPES)  # each type has its own advice
    assert job_tips("astronaut", "en") == job_tips("other", "en")


def test_html_is_escaped_and_links_are_clickable():
    ctx = {
        **COMMON,
        "candidate_name": "<script>alert(1)</script>",
        **CONTEXTS[TemplateKind.INVITATION_AI],
    }
    msg = render_message("invitation_ai", "en", ctx, timezone="UTC")
    assert "<script>" not in msg.html and "&lt;script&gt;" in msg.html
    assert '<a href="https://h.example/i/a">https://h.example/i/a</a>' in msg.html


def test_hr_override_is_used():
    custom = TemplateSource(
        subject="{{ job_title }} 面试提醒",
        body="{{ candidate_name }}:请于 {{ slot_start|datetime }} 准时参加。{% for t in job_tips %}\n* {{ t }}{% endfor %}",
        sms="{{ slot_start|time }} 面试",
    )
    validate_template("reminder_1h", custom)
    ctx = {**COMMON, "slot_start": START, "link": "https://x", "job_type": "production"}
    msg = render_message("reminder_1h", "zh-CN", ctx, timezone="Asia/Shanghai", override=custom)
    assert msg.subject == "数据分析师 面试提醒" and msg.sms == "18:00 面试"
    assert "设备" in msg.text


def test_unknown_variable_is_rejected_on_save():
    bad = TemplateSource(subject="Hi {{ candidate_nmae }}", body="{{ salary }}", sms="ok")
    with pytest.raises(TemplateError) as err:
        validate_template("invitation_ai", bad)
    assert err.value.code == "unknown_variable"
    assert "candidate_nmae" in err.value.message_en and "salary" in err.value.message_en
    assert "candidate_name" in err.value.message_en  # the allowed list helps fix the typo
    assert "未知变量" in err.value.message("zh-CN")


def test_loop_variables_are_not_unknown():
    ok = TemplateSource(
        subject="x",
        body="{% for m in materials %}{{ m }}{% endfor %}{% set y = 1 %}{{ y }}",
        sms="x",
    )
    validate_template("reminder_24h", ok)


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (TemplateSource("{{ job_title ", "b", "s"), "syntax_error"),
        (TemplateSource("s", "{% if %}", "s"), "syntax_error"),
        (TemplateSource("s", "{{ deadline|shout }}", "s"), "syntax_error"),
        (TemplateSource("s", "{{ job_title.__class__.__mro__ }}", "s"), "unsafe_template"),
        (TemplateSource("s", "{{ link.__init__.__globals__ }}", "s"), "unsafe_template"),
        (TemplateSource("s", "x" * 30_000, "s"), "too_long"),
    ],
)
def test_broken_or_unsafe_templates(source, code):
    with pytest.raises(TemplateError) as err:
        validate_template("invitation_ai", source)
    assert err.value.code == code


def test_syntax_error_reports_the_line():
    with pytest.raises(TemplateError) as err:
        validate_template("generic", TemplateSource("s", "line one\nline two {% endfor %}", "s"))
    assert err.value.params["line"] == 2


def test_render_errors():
    with pytest.raises(TemplateError, match="missing_variable"):
        render_message("invitation_live", "en", {**COMMON, "slot_start": START}, timezone="UTC")
    with pytest.raises(TemplateError, match="unknown_variable"):
        render_message(
            "identity_code",
            "en",
            {"code": "1", "valid_minutes": 5, "password": "x"},
            timezone="UTC",
        )
    with pytest.raises(TemplateError, match="unknown_kind"):
        render_message("birthday", "en", {}, timezone="UTC")
    with pytest.raises(TimeError, match="invalid_timezone"):
        render_message(
            "identity_code", "en", {"code": "1", "valid_minutes": 5}, timezone="Moon/Base"
        )
    naive = datetime(2025, 3, 31, 10)  # noqa: DTZ001 - on purpose
    with pytest.raises(TimeError, match="naive_datetime"):
        render_message(
            "reminder_1h", "en", {**COMMON, "slot_start": naive, "link": "x"}, timezone="UTC"
        )


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh", "zh-CN"),
        ("zh_Hans_CN", "zh-CN"),
        ("ZH-tw", "zh-CN"),
        ("ja-JP", "ja"),
        ("en-GB", "en"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_normalize_language(tag, expected):
    assert normalize_language(tag) == expected


@pytest.mark.parametrize(
    ("coding", "technical", "line"),
    [
        (1, 0, "- 1 question asks you to write and run code"),
        (3, 0, "- 3 questions ask you to write and run code"),
        (0, 1, "- 1 question is about technical knowledge"),
        (0, 2, "- 2 questions are about technical knowledge"),
    ],
)
def test_an_english_invitation_counts_questions_in_plain_plurals(coding, technical, line):
    context = {
        **COMMON,
        **CONTEXTS[TemplateKind.INVITATION_AI],
        "coding_questions": coding,
        "technical_questions": technical,
    }
    msg = render_message("invitation_ai", "en", context, timezone="Europe/Berlin")
    assert line in msg.text and "(s)" not in msg.text
