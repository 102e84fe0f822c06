"""Pydantic shapes of candidates, applications, intake results and the talent pool."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApplicationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opening_id: int
    stage: str
    source: str = "upload"
    screening_status: str = ""
    screening_score: float | None = None
    created_at: datetime


class ApplicationScreened(ApplicationPublic):
    """An application with the full screening verdict (every rule and why)."""

    candidate_id: int
    candidate_name: str
    screening: dict[str, Any] | None = None
    screened_at: datetime | None = None


class CandidatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str
    phone: str
    location: str
    language: str
    timezone: str
    source: str
    is_internal: bool = False
    years_experience: float = 0.0
    profile: dict[str, Any]
    profile_parsed: dict[str, Any] = Field(default_factory=dict)
    corrections: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    applications: list[ApplicationPublic]


class CandidateSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    location: str
    source: str
    years_experience: float = 0.0
    highest_degree_rank: int = 0
    is_internal: bool = False
    created_at: datetime


class PoolHitOut(CandidateSummary):
    relevance: float | None = None
    skills: list[str] = Field(default_factory=list)


class PoolPageOut(BaseModel):
    total: int
    capped: bool
    items: list[PoolHitOut]


class ProfileCorrection(BaseModel):
    """Corrected fields (only those given change); lists replace the parsed ones whole."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    location: str | None = Field(default=None, max_length=200)
    years_experience: float | None = Field(default=None, ge=0, le=60)
    skills: list[str] | None = Field(default=None, max_length=100)
    education: list[dict[str, Any]] | None = Field(default=None, max_length=40)
    work: list[dict[str, Any]] | None = Field(default=None, max_length=40)
    languages: list[dict[str, Any]] | None = Field(default=None, max_length=40)


class ResumeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    opening_id: int | None
    attachment_id: int | None
    filename: str
    kind: str
    size: int
    source: str
    text: str
    parsed: dict[str, Any]
    created_at: datetime


@dataclass
class IntakeResult:
    """What happened to one uploaded file: a row of the upload result table and of the
    API's answer."""

    filename: str
    ok: bool
    code: str | None = None
    message: dict[str, str] = field(default_factory=dict)
    candidate_id: int | None = None
    application_id: int | None = None
    name: str | None = None
    merged: bool = False
    merged_by: str | None = None
    same_file: bool = False
    new_application: bool = False
    screening_status: str | None = None
    screening_score: float | None = None
    size: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class IntakeOut(BaseModel):
    accepted: int
    refused: int
    results: list[IntakeResult]


class RatingIn(BaseModel):
    period: str = Field(min_length=1, max_length=20)
    rating: float = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    period: str
    rating: float
    comment: str
    created_at: datetime


class InternalIn(BaseModel):
    internal: bool


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    params: dict[str, Any] = Field(default_factory=dict)


class SavedSearchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    params: dict[str, Any]
    created_at: datetime


class MatchOut(BaseModel):
    candidate_id: int
    name: str
    percent: float
    fit: float | None
    semantic: float | None
    interview: float | None
    applied: bool
    reasons: list[dict[str, Any]]


class MergeSideOut(BaseModel):
    id: int
    name: str
    email: str
    phone: str
    location: str
    birth_date: str | None
    work: list[str]
    schools: list[str]
    openings: list[str]
    merged_into_id: int | None


class MergeOut(BaseModel):
    """A merge of two resumes into one person: proposed, merged, rejected or undone."""

    id: int
    status: Literal["proposed", "merged", "rejected", "undone"]
    automatic: bool
    matched_by: str
    agree: list[str]
    conflict: list[str]
    created_at: datetime
    decided_at: datetime | None
    undone_at: datetime | None
    survivor: MergeSideOut | None
    other: MergeSideOut | None
