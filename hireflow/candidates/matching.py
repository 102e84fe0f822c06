"""Job matching (SPEC C4) and talent portraits (SPEC C5): pure functions, no database.

A candidate's match with an opening combines three parts, each 0-1, with reasons:

* **requirements fit**: education against the minimum (full marks at or above it, half one
  step below), years of experience against the required years (proportional, capped),
  required skills held (share), major among the wanted ones, years in the wanted industry;
* **semantic similarity** of the person's experience (titles, companies, work descriptions,
  skills) to the opening's title and description: cosine of sentence embeddings, rescaled
  from 0.1-0.6 to 0-1 (the range where unrelated and closely related texts fall for the
  multilingual encoder);
* **past interview scores**: the person's newest score per dimension (0-10), averaged with
  the opening's competency weights over the dimensions both have.

``match = 100 × (0.5 × fit + 0.3 × semantic + 0.2 × interview)``, the weights renormalised
over the parts that exist (no interview yet → fit and similarity only), so a person is never
penalised for data that does not exist, and the reasons say which parts were used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from hireflow.candidates.resume_model import DEGREE_LABELS, DEGREES, degree_rank, month_index
from hireflow.candidates.skills import normalise_skill
from hireflow.scoring.models import list_presets
from hireflow.scoring.presets import industry_labels

W_FIT, W_SEMANTIC, W_INTERVIEW = 0.5, 0.3, 0.2
SEMANTIC_LOW, SEMANTIC_HIGH = 0.1, 0.6


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


@lru_cache(maxsize=1)
def dimension_labels() -> dict[str, dict[str, str]]:
    """Names of the built-in competencies in both languages."""
    return {p["id"]: dict(p["name"]) for p in list_presets()}


def dimension_label(dimension: str, lang: str) -> str:
    names = dimension_labels().get(dimension)
    if not names:
        return dimension
    return names.get("zh" if lang.startswith("zh") else "en") or dimension


@dataclass(frozen=True)
class OpeningNeeds:
    """What an opening asks for, as matching needs it."""

    title: str
    description: str = ""
    min_degree: str | None = None
    years: float | None = None
    skills: tuple[str, ...] = ()
    majors: tuple[str, ...] = ()
    industry: str | None = None
    weights: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_opening(
        cls,
        title: str,
        description: str,
        requirements: Mapping[str, Any] | None,
        competency_model: Mapping[str, Any] | None,
    ) -> OpeningNeeds:
        requirements = requirements or {}
        weights: dict[str, float] = {}
        for dim in (competency_model or {}).get("dimensions", []) or []:
            if isinstance(dim, Mapping) and dim.get("id"):
                weights[str(dim["id"])] = float(dim.get("weight") or 1.0)
        years = requirements.get("years")
        return cls(
            title=title,
            description=description or "",
            min_degree=requirements.get("education")
            if requirements.get("education") in DEGREES
            else None,
            years=float(years) if isinstance(years, int | float) else None,
            skills=tuple(s for s in requirements.get("skills", []) or [] if isinstance(s, str)),
            majors=tuple(m for m in requirements.get("majors", []) or [] if isinstance(m, str)),
            industry=_industry_key(requirements.get("industry")),
            weights=weights,
        )

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"[:2000]


def _industry_key(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    wanted = value.strip().casefold()
    for key, names in industry_labels().items():
        if wanted == key or any(
            wanted in n.casefold() or n.casefold() in wanted for n in names.values() if n
        ):
            return key
    return None


def _fold(value: str) -> str:
    return "".join(value.split()).casefold()


@dataclass
class MatchPart:
    """One part of a match: score 0-1 (None when there is no data) and the reasons."""

    score: float | None
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _reason(ok: bool | None, zh: str, en: str) -> dict[str, Any]:
    return {"ok": ok, "zh": zh, "en": en}


def requirement_fit(profile: Mapping[str, Any], needs: OpeningNeeds) -> MatchPart:
    """How well the profile meets the stated requirements (see the module docstring)."""
    parts: list[float] = []
    reasons: list[dict[str, Any]] = []
    highest = profile.get("highest_degree")
    if needs.min_degree:
        have, want = degree_rank(highest), degree_rank(needs.min_degree)
        score = 1.0 if have >= want else (0.5 if have == want - 1 else 0.0)
        parts.append(score)
        label = DEGREE_LABELS.get(highest or "", {"zh": "未知", "en": "unknown"})
        wanted = DEGREE_LABELS[needs.min_degree]
        reasons.append(
            _reason(
                have >= want,
                f"学历 {label['zh']}（要求 {wanted['zh']}）",
                f"education {label['en']} (requires {wanted['en']})",
            )
        )
    years = float(profile.get("years_experience") or 0.0)
    if needs.years:
        parts.append(min(1.0, years / needs.years))
        reasons.append(
            _reason(
                years >= needs.years,
                f"工作 {years:g} 年（要求 {needs.years:g} 年）",
                f"{years:g} years of experience (requires {needs.years:g})",
            )
        )
    if needs.skills:
        held = {
            _fold(normalise_skill(s) or s)
            for s in profile.get("skills", []) or []
            if isinstance(s, str)
        }
        matched = [s for s in needs.skills if _fold(normalise_skill(s) or s) in held]
        missing = [s for s in needs.skills if s not in matched]
        parts.append(len(matched) / len(needs.skills))
        zh = f"技能 {len(matched)}/{len(needs.skills)}：{'、'.join(matched) or '无'}"
        en = f"skills {len(matched)}/{len(needs.skills)}: {', '.join(matched) or 'none'}"
        if missing:
            zh += f"；缺少 {'、'.join(missing)}"
            en += f"; missing {', '.join(missing)}"
        reasons.append(_reason(not missing, zh, en))
    if needs.majors:
        majors = [
            str(e.get("major"))
            for e in profile.get("education", []) or []
            if isinstance(e, Mapping) and e.get("major")
        ]
        wanted = {_fold(m) for m in needs.majors}
        hit = next(
            (m for m in majors if _fold(m) in wanted or any(w in _fold(m) for w in wanted)), None
        )
        parts.append(1.0 if hit else 0.0)
        reasons.append(
            _reason(
                bool(hit),
                f"专业：{hit or '、'.join(majors) or '未知'}",
                f"major: {hit or ', '.join(majors) or 'unknown'}",
            )
        )
    if needs.industry:
        by_industry = profile.get("years_by_industry", {}) or {}
        in_industry = float(by_industry.get(needs.industry) or 0.0)
        goal = needs.years or 1.0
        parts.append(min(1.0, in_industry / goal))
        names = industry_labels().get(needs.industry, {"zh": needs.industry, "en": needs.industry})
        reasons.append(
            _reason(
                in_industry > 0,
                f"{names.get('zh')}行业 {in_industry:g} 年",
                f"{in_industry:g} years in {names.get('en')}",
            )
        )
    if not parts:
        return MatchPart(None, [])
    return MatchPart(sum(parts) / len(parts), reasons)


def semantic_part(similarity: float | None) -> MatchPart:
    if similarity is None:
        return MatchPart(
            None, [_reason(None, "尚无可比较的经历描述", "no experience text to compare")]
        )
    score = min(1.0, max(0.0, (similarity - SEMANTIC_LOW) / (SEMANTIC_HIGH - SEMANTIC_LOW)))
    return MatchPart(
        score,
        [
            _reason(
                score >= 0.5,
                f"经历与岗位描述的语义相似度 {similarity:.2f}",
                f"experience is semantically {similarity:.2f} close to the description",
            )
        ],
    )


def interview_part(scores: Mapping[str, float], weights: Mapping[str, float]) -> MatchPart:
    """Past interview scores weighted by the opening's competency weights."""
    if not scores:
        return MatchPart(None, [_reason(None, "尚无面试成绩", "no interview scores yet")])
    common = (
        {d: w for d, w in weights.items() if d in scores} if weights else dict.fromkeys(scores, 1.0)
    )
    if not common:
        return MatchPart(
            None,
            [_reason(None, "面试维度与本岗位不同", "past interviews assessed other dimensions")],
        )
    total = sum(common.values())
    value = sum(scores[d] * w for d, w in common.items()) / total
    shown = sorted(common, key=lambda d: -common[d])[:3]
    zh = "、".join(f"{dimension_label(d, 'zh')} {scores[d]:.1f}" for d in shown)
    en = ", ".join(f"{dimension_label(d, 'en')} {scores[d]:.1f}" for d in shown)
    return MatchPart(
        value / 10.0, [_reason(value >= 7.0, f"历史面试：{zh}", f"past interviews: {en}")]
    )


@dataclass
class Match:
    """A candidate's match with an opening: percent, the three parts, and every reason."""

    candidate_id: int
    percent: float
    fit: MatchPart
    semantic: MatchPart
    interview: MatchPart

    @property
    def reasons(self) -> list[dict[str, Any]]:
        return [*self.fit.reasons, *self.semantic.reasons, *self.interview.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate_id": self.candidate_id,
            "percent": self.percent,
            "fit": self.fit.score,
            "semantic": self.semantic.score,
            "interview": self.interview.score,
            "reasons": self.reasons,
        }


def combine(candidate_id: int, fit: MatchPart, semantic: MatchPart, interview: MatchPart) -> Match:
    weighted = [
        (part.score, weight)
        for part, weight in ((fit, W_FIT), (semantic, W_SEMANTIC), (interview, W_INTERVIEW))
        if part.score is not None
    ]
    total = sum(w for _s, w in weighted)
    percent = round(100 * sum(s * w for s, w in weighted) / total, 1) if total else 0.0
    return Match(candidate_id, percent, fit, semantic, interview)


def match(
    candidate_id: int,
    profile: Mapping[str, Any],
    needs: OpeningNeeds,
    similarity: float | None,
    scores: Mapping[str, float],
) -> Match:
    return combine(
        candidate_id,
        requirement_fit(profile, needs),
        semantic_part(similarity),
        interview_part(scores, needs.weights),
    )


# --------------------------------------------------------------------------- portraits

# Job families a person's titles belong to, most specific first: the first family whose
# pattern matches a title is its family ("Product Manager" is product work, not management;
# "Account Manager" is sales; "Sales Engineer" is sales). ``template`` is the job-type
# competency template whose interview scores speak for the family; ``key`` the competency
# an interview must have assessed before it alone may suggest the family.
JOB_FAMILIES: dict[str, dict[str, Any]] = {
    "product": {
        "name": text("产品类", "Product"),
        "template": "other",
        "pattern": r"产品经理|产品总监|产品负责人|产品专员|产品助理|产品主管|"
        r"product\s+(?:manager|owner|lead|director|management|specialist)|"
        r"head\s+of\s+product|\bapm\b",
    },
    "project": {
        "name": text("项目管理类", "Project management"),
        "template": "management",
        "pattern": r"项目经理|项目总监|项目主管|\bpmo\b|project\s+manager|program(?:me)?\s+manager|"
        r"scrum\s+master|delivery\s+manager",
    },
    "sales": {
        "name": text("销售类", "Sales"),
        "template": "sales",
        "key": "customer_orientation",
        "pattern": r"销售|客户经理|大客户|商务|业务员|业务代表|业务经理|渠道经理|招商|"
        r"\bbd\b|"
        r"account\s+(?:manager|executive|director)|sales|business\s+development|key\s+account",
    },
    "marketing": {
        "name": text("市场营销类", "Marketing"),
        "template": "sales",
        "pattern": r"市场|营销|品牌|推广|公关|marketing|brand|growth|\bseo\b|public\s+relations",
    },
    "customer_service": {
        "name": text("客服类", "Customer service"),
        "template": "customer_service",
        "key": "customer_orientation",
        "pattern": r"客服|客户服务|售后|客户成功|customer\s+(?:service|support|success|care)|"
        r"support\s+(?:agent|specialist|representative)|call\s+cent(?:er|re)|help\s*desk",
    },
    "data": {
        "name": text("数据分析类", "Data and analysis"),
        "template": "technical",
        "pattern": r"数据分析|数据科学|分析师|数据挖掘|商业智能|"
        r"data\s+(?:analyst|scientist|analytics)|"
        r"business\s+analyst|\banalyst\b|analytics|quantitative|\bbi\b",
    },
    "design": {
        "name": text("设计类", "Design"),
        "template": "other",
        "pattern": r"设计师|交互设计|视觉设计|\bui\b|\bux\b|designer|design\s+lead",
    },
    "production": {
        "name": text("生产类", "Production"),
        "template": "production",
        "key": "safety_awareness",
        "pattern": r"生产|车间|班组|工艺|质量|品质|质检|设备|厂长|操作工|技工|维修|"
        r"plant|production|"
        r"manufactur|process\s+engineer|quality|operator|technician|shift\s+(?:lead|supervisor)|"
        r"maintenance|foreman",
    },
    "hr": {
        "name": text("人力资源类", "Human resources"),
        "template": "other",
        "pattern": r"人力资源|人事|招聘|培训|薪酬|绩效|\bhrbp\b|\bhr\b|recruit|"
        r"talent\s+acquisition|human\s+resources|people\s+(?:partner|operations)",
    },
    "finance": {
        "name": text("财务类", "Finance"),
        "template": "other",
        "pattern": r"财务|会计|出纳|审计|税务|finance|financial|accountant|accounting|auditor|"
        r"controller|treasur|\bcfo\b",
    },
    "operations": {
        "name": text("运营类", "Operations"),
        "template": "other",
        "pattern": r"运营|operations\s+(?:manager|specialist|lead)|\bops\b",
    },
    "technical": {
        "name": text("技术类", "Technical"),
        "template": "technical",
        "key": "technical_depth",
        "pattern": r"工程师|研发|开发|程序员|架构|算法|测试|运维|技术|"
        r"engineer|developer|programmer|architect|devops|\bsre\b|scientist|\bqa\b|tester|\bcto\b|software",
    },
    "management": {
        "name": text("管理类", "Management"),
        "template": "management",
        "key": "leadership",
        "pattern": r"总经理|总监|经理|主管|负责人|厂长|director|manager|head\s+of|\bvp\b|"
        r"vice\s+president|chief|general\s+manager|team\s+lead",
    },
}
_FAMILY_RE = {key: re.compile(f["pattern"], re.IGNORECASE) for key, f in JOB_FAMILIES.items()}
# Titles that lead people besides doing their family's work ("研发经理", "Sales Director"); a
# product, project or account manager manages a product, a project or accounts, not people.
_LEADS_RE = re.compile(
    r"总监|总经理|负责人|厂长|主管|director|head\s+of|\bvp\b|vice\s+president|chief|team\s+lead|"
    r"(?<!产品)(?<!项目)(?<!客户)经理|(?<!product\s)(?<!project\s)(?<!account\s)manager",
    re.IGNORECASE,
)
# Industries whose engineers and technicians do production work too.
_PRODUCTION_INDUSTRIES = frozenset({"manufacturing", "energy"})


def job_families(title: str | None, industry: str | None = None) -> list[str]:
    """The job families a title belongs to: its own, plus management for leading roles and
    production for engineers in manufacturing ("机械工程师" in a factory)."""
    title = (title or "").strip()
    if not title:
        return []
    own = next((key for key, regex in _FAMILY_RE.items() if regex.search(title)), None)
    if own is None:
        return []
    found = [own]
    if own not in ("management", "product", "project") and _LEADS_RE.search(title):
        found.append("management")
    if own == "technical" and industry in _PRODUCTION_INDUSTRIES:
        found.append("production")
    return found


@dataclass
class Portrait:
    """A talent portrait: summary, strengths, areas to develop, roles the person suits."""

    summary: dict[str, str]
    strengths: list[dict[str, str]]
    development: list[dict[str, str]]
    suits: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "strengths": self.strengths,
            "development": self.development,
            "suits": self.suits,
        }


def _months_of(entry: Mapping[str, Any], as_of: date) -> int:
    start = entry.get("start")
    if not start:
        return 0
    try:
        begin = month_index(str(start), is_end=False)
        if entry.get("is_current"):
            finish = as_of.year * 12 + as_of.month
        elif entry.get("end"):
            finish = month_index(str(entry["end"]), is_end=True)
        else:
            return 0
    except ValueError:
        return 0
    return max(finish - begin, 0)


@dataclass
class FamilyExperience:
    share: float  # 0-1: 0.7 × share of working time in the family + 0.3 if the latest job is
    years: float
    titles: list[str]


def family_experience(profile: Mapping[str, Any]) -> dict[str, FamilyExperience]:
    """Per job family: how much of the person's working life it was, from their job titles
    (time-weighted, internships left out; the latest job counts extra)."""
    jobs = [
        e
        for e in profile.get("work", []) or []
        if isinstance(e, Mapping) and e.get("title") and not e.get("is_internship")
    ]
    if not jobs:
        return {}
    try:
        as_of: date | None = date.fromisoformat(str(profile.get("as_of") or ""))
    except ValueError:
        as_of = None  # a profile without its parse date: jobs count by number, not time
    months = [_months_of(job, as_of) if as_of else 0 for job in jobs]
    # Without dates every job counts the same.
    weights = months if sum(months) > 0 else [1] * len(jobs)
    total = sum(weights)
    latest = max(
        range(len(jobs)),
        key=lambda i: (bool(jobs[i].get("is_current")), str(jobs[i].get("start") or "")),
    )
    found: dict[str, FamilyExperience] = {}
    for index, job in enumerate(jobs):
        for family in job_families(str(job.get("title")), job.get("industry")):
            entry = found.setdefault(family, FamilyExperience(0.0, 0.0, []))
            entry.share += 0.7 * weights[index] / total + (0.3 if index == latest else 0.0)
            entry.years += months[index] / 12
            if str(job["title"]) not in entry.titles:
                entry.titles.append(str(job["title"]))
    for entry in found.values():
        entry.share = min(entry.share, 1.0)
    return found


def _score_notes(scores: Mapping[str, float]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Interview strengths (7.5 and up) and development areas (under 6), best first."""
    strengths: list[dict[str, str]] = []
    development: list[dict[str, str]] = []
    for dim, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        label = text(dimension_label(dim, "zh"), dimension_label(dim, "en"))
        if score >= 7.5:
            strengths.append(text(f"{label['zh']} {score:.1f} 分", f"{label['en']} {score:.1f}"))
        elif score < 6.0:
            development.append(text(f"{label['zh']} {score:.1f} 分", f"{label['en']} {score:.1f}"))
    return strengths, development


def _profile_strengths(profile: Mapping[str, Any]) -> list[dict[str, str]]:
    """Experience (with the main industry), skills and the highest degree."""
    strengths: list[dict[str, str]] = []
    years = float(profile.get("years_experience") or 0.0)
    industries = industry_labels()
    by_industry = sorted((profile.get("years_by_industry") or {}).items(), key=lambda kv: -kv[1])
    if years:
        top = by_industry[0] if by_industry else None
        if top and top[0] in industries:
            names = industries[top[0]]
            strengths.append(
                text(
                    f"{years:g} 年工作经验，其中{names['zh']} {top[1]:g} 年",
                    f"{years:g} years of experience, {top[1]:g} in {names['en']}",
                )
            )
        else:
            strengths.append(text(f"{years:g} 年工作经验", f"{years:g} years of experience"))
    skills = [str(s) for s in profile.get("skills", []) or []][:6]
    if skills:
        strengths.append(text(f"技能：{'、'.join(skills)}", f"skills: {', '.join(skills)}"))
    degree = profile.get("highest_degree")
    if degree in DEGREE_LABELS:
        schools = [
            str(e.get("school"))
            for e in profile.get("education", []) or []
            if isinstance(e, Mapping) and e.get("school")
        ]
        school = f"（{schools[0]}）" if schools else ""
        strengths.append(
            text(
                f"最高学历 {DEGREE_LABELS[degree]['zh']}{school}",
                f"highest degree: {DEGREE_LABELS[degree]['en']}"
                + (f" ({schools[0]})" if schools else ""),
            )
        )
    return strengths


def _suited_families(
    profile: Mapping[str, Any],
    scores: Mapping[str, float],
    job_types: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Every job family the person's experience or key interview score points to, with why."""
    experience = family_experience(profile)
    templates = {t["id"]: t for t in job_types}
    suits: list[dict[str, Any]] = []
    for family, info in JOB_FAMILIES.items():
        template = templates.get(info["template"]) or {}
        weights = {c["id"]: float(c["weight"]) for c in template.get("competencies", [])}
        total = sum(weights.values()) or 1.0
        assessed = {d: w for d, w in weights.items() if d in scores}
        interview: float | None = None
        if sum(assessed.values()) >= 0.4 * total:
            interview = sum(scores[d] * w for d, w in assessed.items()) / sum(assessed.values())
        had = experience.get(family)
        # Interview scores alone suggest a family only through its own key competency:
        # general ones (communication, teamwork) say nothing about which job to do.
        key = info.get("key")
        if had is None and not (key and key in scores and interview is not None):
            continue
        # What is unknown counts as neutral (no interview) or as none (no experience).
        value = 0.6 * (had.share if had else 0.0) + 0.4 * (
            interview / 10 if interview is not None else 0.5
        )
        why_zh, why_en = [], []
        if had:
            titles_zh, titles_en = "、".join(had.titles[:2]), ", ".join(had.titles[:2])
            if had.years >= 0.1:
                why_zh.append(f"任{titles_zh}共 {had.years:.1f} 年")
                why_en.append(f"{had.years:.1f} years as {titles_en}")
            else:
                why_zh.append(f"曾任{titles_zh}")
                why_en.append(f"worked as {titles_en}")
        if interview is not None:
            why_zh.append(f"面试评分 {interview:.1f}")
            why_en.append(f"interview score {interview:.1f}")
        suits.append(
            {
                "job_type": family,
                "name": dict(info["name"]),
                "percent": round(100 * value),
                "why": text("；".join(why_zh), "; ".join(why_en)),
            }
        )
    return suits


def portrait(
    profile: Mapping[str, Any],
    scores: Mapping[str, float],
    job_types: Sequence[Mapping[str, Any]],
) -> Portrait:
    """Strengths and the job types a person suits, from the profile and interview scores.

    ``job_types`` is ``hireflow.scoring.models.list_job_types()``: each job type's
    competencies and weights. Suggestions are job families (:data:`JOB_FAMILIES`: product,
    sales, technical, management…) read from the person's job titles, not keywords of their
    resume: 60% experience in the family (0.7 × the share of working time in such jobs + 0.3
    when the latest job is one) and 40% the weighted interview score over the competencies of
    the family's job-type template (when at least 40% of its weight was assessed; else a
    neutral 0.5). A family without experience is suggested by an interview alone only when
    the interview assessed the family's key competency (safety awareness for production…).
    Every suggestion says why.
    """
    strengths, development = _score_notes(scores)
    strengths += _profile_strengths(profile)
    suits = _suited_families(profile, scores, job_types)
    suits.sort(key=lambda s: (-s["percent"], s["job_type"]))
    suits = suits[:3]
    name = str(profile.get("name") or "")
    if suits:
        best, why = suits[0]["name"], suits[0]["why"]
        summary = text(
            f"{name}最适合{best.get('zh')}岗位（{suits[0]['percent']}%，{why['zh']}）。",
            f"{name} suits {best.get('en', '').lower()} roles best "
            f"({suits[0]['percent']}%, {why['en']}).",
        )
    else:
        summary = text(
            f"{name}的信息还不足以判断适合的岗位。", f"Not enough is known about {name} yet."
        )
    return Portrait(summary, strengths[:8], development[:5], suits)
