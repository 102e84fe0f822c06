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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hireflow.candidates.parsing import DEGREE_LABELS, DEGREES, degree_rank, industry_labels

W_FIT, W_SEMANTIC, W_INTERVIEW = 0.5, 0.3, 0.2
SEMANTIC_LOW, SEMANTIC_HIGH = 0.1, 0.6


def text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


@lru_cache(maxsize=1)
def dimension_labels() -> dict[str, dict[str, str]]:
    """Names of the built-in competencies in both languages."""
    from hireflow.scoring.models import list_presets

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
    from hireflow.candidates.skills import normalise_skill

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

# Title words that say which kind of job a person has done.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "technical": (
        "工程师", "开发", "程序员", "架构", "算法", "测试", "运维", "engineer", "developer",
        "programmer", "architect", "scientist", "devops", "analyst",
    ),
    "sales": (
        "销售", "客户经理", "大客户", "商务", "业务", "sales", "account", "business development",
    ),
    "management": (
        "经理", "总监", "主管", "负责人", "总经理", "manager", "director", "head of", "lead",
        "chief",
    ),
    "production": (
        "生产", "班组", "车间", "工艺", "质量", "操作工", "技工", "production", "plant", "operator",
        "manufacturing", "quality", "shift",
    ),
    "customer_service": (
        "客服", "客户服务", "售后", "服务专员", "customer service", "support", "call center",
        "helpdesk",
    ),
}  # fmt: skip


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


# Industries whose experience counts towards a job type besides job titles.
ROLE_INDUSTRIES: dict[str, tuple[str, ...]] = {
    "production": ("manufacturing", "energy"),
    "technical": ("internet", "telecom"),
    "customer_service": ("retail", "logistics"),
    "sales": ("retail",),
}


def _role_experience(profile: Mapping[str, Any]) -> dict[str, float]:
    """0-1 per job type: the share of jobs with such titles, or 0.7 × the share of years in
    such industries, whichever is larger."""
    jobs = [e for e in profile.get("work", []) or [] if isinstance(e, Mapping)]
    shares: dict[str, float] = {}
    if jobs:
        for role, words_ in ROLE_WORDS.items():
            hits = sum(any(w in str(e.get("title") or "").casefold() for w in words_) for e in jobs)
            if hits:
                shares[role] = hits / len(jobs)
    years = float(profile.get("years_experience") or 0.0)
    by_industry = profile.get("years_by_industry") or {}
    if years > 0:
        for role, industries in ROLE_INDUSTRIES.items():
            # An industry says less than a job title: a retail company also employs buyers.
            share = 0.7 * min(
                1.0, sum(float(by_industry.get(i) or 0.0) for i in industries) / years
            )
            if share > 0:
                shares[role] = max(shares.get(role, 0.0), share)
    return shares


def portrait(
    profile: Mapping[str, Any],
    scores: Mapping[str, float],
    job_types: Sequence[Mapping[str, Any]],
) -> Portrait:
    """Strengths and the job types a person suits, from the profile and interview scores.

    ``job_types`` is ``hireflow.scoring.models.list_job_types()``: each job type's
    competencies and weights. A job type's suitability is 60% the weighted interview score
    over its competencies (when at least 40% of its weight was assessed; else a neutral 0.5)
    and 40% experience in such roles: the share of jobs with such titles, or 0.7 × the share of
    years in such industries (else a weak 0.3). Job types with neither are not listed.
    """
    strengths: list[dict[str, str]] = []
    development: list[dict[str, str]] = []
    for dim, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        label = text(dimension_label(dim, "zh"), dimension_label(dim, "en"))
        if score >= 7.5:
            strengths.append(text(f"{label['zh']} {score:.1f} 分", f"{label['en']} {score:.1f}"))
        elif score < 6.0:
            development.append(text(f"{label['zh']} {score:.1f} 分", f"{label['en']} {score:.1f}"))
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
    experience = _role_experience(profile)
    suits: list[dict[str, Any]] = []
    for job_type in job_types:
        weights = {c["id"]: float(c["weight"]) for c in job_type.get("competencies", [])}
        total = sum(weights.values()) or 1.0
        assessed = {d: w for d, w in weights.items() if d in scores}
        score_part: float | None = None
        if sum(assessed.values()) >= 0.4 * total:
            weighted = sum(scores[d] * w for d, w in assessed.items())
            score_part = weighted / sum(assessed.values()) / 10
        experience_part = experience.get(job_type["id"])
        if score_part is None and experience_part is None:
            continue
        # What is unknown counts as neutral (scores) or weak (experience), never as a match.
        value = 0.6 * (score_part if score_part is not None else 0.5) + 0.4 * (
            experience_part if experience_part is not None else 0.3
        )
        name = dict(job_type["name"])
        suits.append({"job_type": job_type["id"], "name": name, "percent": round(100 * value)})
    suits.sort(key=lambda s: -s["percent"])
    suits = suits[:3]
    name = str(profile.get("name") or "")
    if suits:
        best = suits[0]["name"]
        summary = text(
            f"{name}最适合{best.get('zh')}岗位（{suits[0]['percent']}%）。",
            f"{name} suits {best.get('en', '').lower()} roles best ({suits[0]['percent']}%).",
        )
    else:
        summary = text(
            f"{name}的信息还不足以判断适合的岗位。", f"Not enough is known about {name} yet."
        )
    return Portrait(summary, strengths[:8], development[:5], suits)
