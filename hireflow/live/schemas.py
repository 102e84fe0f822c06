"""Shapes of the live room API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hireflow.core.bounds import Id


class RoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    application_id: Id
    mode: Literal["webrtc", "capture"] = "webrtc"
    planned_minutes: int | None = Field(default=None, ge=5, le=240)


class RoomOut(BaseModel):
    id: int
    application_id: int
    opening_id: int
    candidate_id: int
    mode: str
    status: str
    language: str
    planned_minutes: int
    candidate_path: str = ""
    job_match: float | None = None
    scores: dict[str, Any] | None = None


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agree: Literal[True]
    for_others: bool = False


class SignalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")
    kind: Literal["offer", "answer", "ice", "bye"]
    payload: dict[str, Any] = Field(default_factory=dict)


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str | None = Field(default=None, max_length=64)


class NotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: str = Field(default="", max_length=20_000)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    voice_observations: bool
