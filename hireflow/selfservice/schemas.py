"""API shapes of self-service (SPEC J1–J3). Inputs live with their services
(``training.CourseIn``, ``development.ReassessmentIn``, ``requests.RequestIn``...)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from hireflow.core.bounds import Id


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id


class DimensionOut(BaseModel):
    id: str
    name: str
    score: float | None
    required: float
    below: bool
    quotes: list[str]


class ReportOut(BaseModel):
    interview_id: int
    opening_title: str
    taken_at: datetime
    development: bool
    job_match: float | None
    dimensions: list[DimensionOut]
    strengths: list[str]
    suggestions: list[str]
    examples: list[str]


class CourseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    competency: str
    title: dict[str, Any]
    description: dict[str, Any]
    mode: str
    location: str
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int
    active: bool


class EnrolmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    course_id: int
    status: str
    progress: int
    enrolled_at: datetime
    completed_at: datetime | None


class PlanItemOut(BaseModel):
    dimension: str
    name: str
    score: float | None
    required: float
    suggestion: str
    course_ids: list[int]


class PointOut(BaseModel):
    at: datetime
    score: float
    interview_id: int
    development: bool
    quote: str


class SeriesOut(BaseModel):
    dimension: str
    name: str
    points: list[PointOut]


class ReassessmentOut(BaseModel):
    id: int
    person_id: int
    dimensions: list[str]
    state: str
    created_at: datetime
    link: str | None = None


class DevelopmentOut(BaseModel):
    plan: list[PlanItemOut]
    enrolments: list[EnrolmentOut]
    progress: list[SeriesOut]
    reassessments: list[ReassessmentOut]


class EmployeeProgressOut(BaseModel):
    employee_id: int
    employee_number: str
    department: str
    enrolments: list[EnrolmentOut]
    progress: list[SeriesOut]
    reassessments: list[ReassessmentOut]


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    interview_id: int | None
    kind: str
    message: str | None
    status: str
    answer: str | None
    created_at: datetime
    answered_at: datetime | None
