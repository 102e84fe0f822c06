"""Pydantic shapes of openings and hiring requests (in and out)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hireflow.candidates.resume_model import normalise_degree
from hireflow.core.bounds import Count, Id
from hireflow.core.i18n import LANGUAGES
from hireflow.openings.models import JOB_TYPES

REGIONS = ("cn", "eu", "us", "sg")
# A title of spaces only is no title: refused as too short, like an empty one.
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
JobType = Literal["technical", "sales", "management", "production", "customer_service", "other"]
assert set(JobType.__args__) == set(JOB_TYPES)  # type: ignore[attr-defined]


def _clean_list(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))[:50]


def _split(value: Any) -> Any:
    """Lists may come as text ("Python, MySQL、Redis") from forms and scripts."""
    if isinstance(value, str):
        for separator in ("，", "、", ";", "；", "\n"):
            value = value.replace(separator, ",")
        return value.split(",")
    return value


class Requirements(BaseModel):
    """What a candidate must bring (SPEC B1); ``education`` is a degree key or 本科/硕士..."""

    education: str | None = Field(default=None, max_length=40)
    majors: list[str] = Field(default_factory=list)
    years: float | None = Field(default=None, ge=0, le=60)
    industry: str | None = Field(default=None, max_length=60)
    skills: list[str] = Field(default_factory=list)

    @field_validator("majors", "skills", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("majors", "skills")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _clean_list([v[:80] for v in value])

    @field_validator("education")
    @classmethod
    def _degree(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        degree = normalise_degree(value)
        if degree is None:
            raise ValueError(
                "use high_school, associate, bachelor, master, phd or 高中/大专/本科/硕士/博士"
            )
        return degree

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None


def _check_language(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")
    return value


def _check_region(value: str | None) -> str | None:
    if value is not None and value not in REGIONS:
        raise ValueError(f"use one of {', '.join(REGIONS)}")
    return value


class OpeningCreate(BaseModel):
    title: Title
    department_id: Id
    location: str = Field(default="", max_length=200)
    region: str | None = None  # empty: the region of the department's subsidiary
    job_type: JobType = "other"
    language: str = "zh-CN"
    description: str = Field(default="", max_length=20_000)
    requirements: Requirements = Field(default_factory=Requirements)
    pass_threshold: float = Field(default=7.0, ge=0, le=10)
    headcount: int = Field(default=1, ge=1, le=1000)
    owner_ids: list[Id] = Field(default_factory=list, max_length=20)
    interviewer_ids: list[Id] = Field(default_factory=list, max_length=50)
    generate_plan: bool = False
    plan_minutes: int = Field(default=30, ge=5, le=240)

    _lang = field_validator("language")(_check_language)
    _region = field_validator("region")(_check_region)


class OpeningUpdate(BaseModel):
    title: Title | None = None
    department_id: Id | None = None
    location: str | None = Field(default=None, max_length=200)
    region: str | None = None
    job_type: JobType | None = None
    language: str | None = None
    description: str | None = Field(default=None, max_length=20_000)
    requirements: Requirements | None = None
    pass_threshold: float | None = Field(default=None, ge=0, le=10)
    headcount: int | None = Field(default=None, ge=1, le=1000)

    _lang = field_validator("language")(_check_language)
    _region = field_validator("region")(_check_region)


class StatusIn(BaseModel):
    status: Literal["draft", "open", "closed"]


class MembersIn(BaseModel):
    owner_ids: list[Id] = Field(default_factory=list, max_length=20)
    interviewer_ids: list[Id] = Field(default_factory=list, max_length=50)


class CompetencyModelIn(BaseModel):
    """Where the opening's competency model comes from.

    ``job_type``: the preset of a job type (default: the opening's); ``competencies``: chosen
    built-in competencies; ``model``: a whole model as JSON (``model_to_dict`` format).
    ``industry`` picks industry variants (manufacturing, internet, retail...).
    """

    source: Literal["job_type", "competencies", "model"] = "job_type"
    job_type: JobType | None = None
    competencies: list[str] = Field(default_factory=list, max_length=30)
    industry: str | None = Field(default=None, max_length=60)
    model: dict[str, Any] | None = None


class PlanGenerateIn(BaseModel):
    budget_minutes: int = Field(default=30, ge=5, le=240)


class PlanIn(BaseModel):
    """An edited interview plan (``InterviewPlan.to_dict()`` format), validated on save."""

    plan: dict[str, Any]


class PlanEditIn(BaseModel):
    """One edit of the plan from a page: remove, move or add a question."""

    action: Literal["remove", "move", "add", "add_coding"]
    question_id: str = Field(default="", max_length=120)
    coding_id: str = Field(default="", max_length=80)
    position: int | None = Field(default=None, ge=0, le=200)
    text_zh: str = Field(default="", max_length=2000)
    text_en: str = Field(default="", max_length=2000)
    kind: Literal["behavioural", "situational", "motivation", "technical"] = "behavioural"
    dimension: str = Field(default="", max_length=80)
    time_limit_s: int = Field(default=120, ge=10, le=1800)


class ScreeningRuleIn(BaseModel):
    text: str = Field(max_length=4000)
    kind: Literal["knockout", "ranking"] = "knockout"
    weight: float = Field(default=1.0, ge=0, le=100)
    name: str = Field(default="", max_length=120)


class ScreeningRulesIn(BaseModel):
    rules: list[ScreeningRuleIn] = Field(default_factory=list, max_length=50)


class ScreeningFormIn(BaseModel):
    """Structured filters for HR who do not write rules (``screening.build_rule``)."""

    min_education: str | None = None
    majors: list[str] = Field(default_factory=list)
    min_years: float | None = Field(default=None, ge=0, le=60)
    industry: str | None = None
    min_industry_years: float | None = Field(default=None, ge=0, le=60)
    required_skills: list[str] = Field(default_factory=list)
    any_skills: list[str] = Field(default_factory=list)
    certificates: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    min_scores: dict[str, float] = Field(default_factory=dict)
    min_mentions: dict[str, Count] = Field(default_factory=dict)

    @field_validator(
        "majors",
        "required_skills",
        "any_skills",
        "certificates",
        "locations",
        "keywords",
        mode="before",
    )
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _split(value)

    @field_validator(
        "majors", "required_skills", "any_skills", "certificates", "locations", "keywords"
    )
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _clean_list(value)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    user_id: int
    role: str


class OpeningPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subsidiary_id: int
    department_id: int
    title: str
    location: str
    region: str
    job_type: str
    language: str
    description: str
    requirements: dict[str, Any]
    pass_threshold: float
    headcount: int
    status: str
    created_at: datetime
    updated_at: datetime


class OpeningDetail(OpeningPublic):
    competency_model: dict[str, Any] | None
    interview_plan: dict[str, Any] | None
    screening_rules: list[dict[str, Any]]
    members: list[MemberOut]


class HiringRequestIn(BaseModel):
    department_id: Id
    title: Title
    job_type: JobType = "other"
    location: str = Field(default="", max_length=200)
    region: str | None = None  # empty: the region of the department's subsidiary
    language: str = "zh-CN"
    headcount: int = Field(default=1, ge=1, le=1000)
    description: str = Field(default="", max_length=20_000)
    requirements: Requirements = Field(default_factory=Requirements)
    dimensions: list[str] = Field(default_factory=list, max_length=20)

    _lang = field_validator("language")(_check_language)
    _region = field_validator("region")(_check_region)

    @field_validator("dimensions", mode="before")
    @classmethod
    def _dims(cls, value: Any) -> Any:
        return _split(value)

    @field_validator("dimensions")
    @classmethod
    def _clean_dims(cls, value: list[str]) -> list[str]:
        return _clean_list(value)


class ReviewIn(BaseModel):
    comment: str = Field(default="", max_length=4000)


class ApproveIn(ReviewIn):
    owner_ids: list[Id] = Field(default_factory=list, max_length=20)
    open_now: bool = True


class HiringRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    department_id: int
    subsidiary_id: int
    submitted_by_id: int
    title: str
    job_type: str
    location: str
    region: str
    language: str
    headcount: int
    description: str
    requirements: dict[str, Any]
    dimensions: list[str]
    status: str
    review_comment: str
    reviewed_by_id: int | None
    reviewed_at: datetime | None
    opening_id: int | None
    history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


class ModelVersionOut(BaseModel):
    """A version of an opening's competency model (``model`` as ``model_to_dict``)."""

    model_config = ConfigDict(from_attributes=True)
    opening_id: int
    number: int
    source: str
    note: str
    active: bool
    model: dict[str, Any]
    created_at: datetime
    activated_at: datetime | None
