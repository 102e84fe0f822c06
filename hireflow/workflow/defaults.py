"""The built-in pipeline a company starts with, and its rejection reasons (SPEC H1).

Names are per language (``zh``, ``en``, ``ja``); a company's own list may give only some.
"""

from __future__ import annotations

from typing import Any

DEFAULT_STAGES: tuple[dict[str, Any], ...] = (
    {"key": "applied", "kind": "applied", "name": {"zh": "已投递", "en": "Applied", "ja": "応募"}},
    {
        "key": "screened",
        "kind": "screened",
        "name": {"zh": "已筛选", "en": "Screened", "ja": "書類選考通過"},
    },
    {
        "key": "ai_interview",
        "kind": "ai_interview",
        "name": {"zh": "AI 面试", "en": "AI interview", "ja": "AI 面接"},
    },
    {
        "key": "round_1",
        "kind": "interview",
        "name": {"zh": "第一轮面试", "en": "Interview round 1", "ja": "一次面接"},
    },
    {
        "key": "round_2",
        "kind": "interview",
        "name": {"zh": "第二轮面试", "en": "Interview round 2", "ja": "二次面接"},
    },
    {"key": "offer", "kind": "offer", "name": {"zh": "录用通知", "en": "Offer", "ja": "内定"}},
    {"key": "hired", "kind": "hired", "name": {"zh": "已入职", "en": "Hired", "ja": "採用"}},
    {
        "key": "rejected",
        "kind": "rejected",
        "name": {"zh": "未通过", "en": "Rejected", "ja": "不採用"},
    },
    {
        "key": "withdrawn",
        "kind": "withdrawn",
        "name": {"zh": "候选人放弃", "en": "Withdrawn", "ja": "辞退"},
    },
)

DEFAULT_REASONS: tuple[dict[str, Any], ...] = (
    {
        "key": "requirements",
        "name": {
            "zh": "不符合岗位要求",
            "en": "Does not meet the requirements",
            "ja": "応募要件を満たさない",
        },
    },
    {
        "key": "skills",
        "name": {"zh": "专业能力不足", "en": "Skills below the bar", "ja": "専門スキル不足"},
    },
    {
        "key": "interview",
        "name": {
            "zh": "面试表现未达标",
            "en": "Interview below the bar",
            "ja": "面接評価が基準未満",
        },
    },
    {
        "key": "salary",
        "name": {
            "zh": "薪资期望不匹配",
            "en": "Salary expectations differ",
            "ja": "給与条件の不一致",
        },
    },
    {
        "key": "filled",
        "name": {"zh": "岗位已招满", "en": "Position filled", "ja": "募集終了"},
    },
    {
        "key": "no_show",
        "name": {"zh": "未参加面试", "en": "Did not attend", "ja": "面接欠席"},
    },
    {"key": "other", "name": {"zh": "其他原因", "en": "Other", "ja": "その他"}},
)

# What the candidates domain's coarse ``Application.stage`` reads for each kind of stage, so
# lists that filter on it (the worklist, the talent pool) follow the pipeline.
APPLICATION_STAGE = {
    "applied": "applied",
    "screened": "screening",
    "ai_interview": "interview",
    "interview": "interview",
    "offer": "offer",
    "hired": "hired",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}

# The person's record status (``hireflow.records.models.STATUSES``) a move into a stage of this
# kind sets. The AI interview's statuses belong to the interviews domain, which sets them.
RECORD_STATUS = {
    "applied": "applied",
    "screened": "screening",
    "interview": "interviewing",
    "offer": "offer",
    "hired": "hired",
    "rejected": "rejected",
    "withdrawn": "withdrawn",
}


def pick(name: dict[str, Any] | None, language: str) -> str:
    """A stage or reason name in ``language`` (zh-CN → zh), else English, else any."""
    if not name:
        return ""
    short = language.split("-")[0].lower()
    for code in (short, "en", "zh"):
        value = name.get(code)
        if isinstance(value, str) and value:
            return value
    return next((v for v in name.values() if isinstance(v, str) and v), "")
