"""Pydantic shapes of the organisation API (in and out)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from hireflow.core.bounds import Id
from hireflow.core.errors import N_
from hireflow.core.i18n import LANGUAGES, is_timezone
from hireflow.core.permissions import API_SCOPES, Role

REGIONS = ("cn", "eu", "us", "sg")


def _check_language(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")
    return value


def _check_zone(value: str | None) -> str | None:
    if value is not None and not is_timezone(value):
        # a fixed text, so that the form can show it in the reader's language
        raise ValueError(N_("Choose a time zone from the list, such as Asia/Shanghai."))
    return value


class RoleGrantIn(BaseModel):
    role: Role
    subsidiary_id: Id | None = None
    department_id: Id | None = None


class RoleGrantOut(RoleGrantIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class UserCreate(BaseModel):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    roles: list[RoleGrantIn] = Field(default_factory=list)

    _lang = field_validator("language")(_check_language)
    _zone = field_validator("timezone")(_check_zone)


class UserUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: str | None = None
    timezone: str | None = None
    is_active: bool | None = None

    _lang = field_validator("language")(_check_language)
    _zone = field_validator("timezone")(_check_zone)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    language: str
    timezone: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None
    roles: list[RoleGrantOut]


class SubsidiaryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    # Empty: the company's own region (data residency follows the owner, never a constant).
    region: str | None = None

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and value not in REGIONS:
            raise ValueError(f"unknown region {value!r}; use one of {', '.join(REGIONS)}")
        return value


class SubsidiaryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    region: str


class DepartmentCreate(BaseModel):
    subsidiary_id: Id
    name: str = Field(min_length=1, max_length=200)


class DepartmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subsidiary_id: int
    name: str


class TokenRequest(BaseModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime | None


def _check_scopes(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - set(API_SCOPES))
    if unknown:
        raise ValueError(f"unknown scope {unknown[0]!r}")
    return sorted(set(value))


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    # Every key expires; the deployment's HIREFLOW_API_KEY_MAX_DAYS may lower the maximum.
    days: int = Field(default=90, ge=1, le=365)
    # What the key may reach (core.permissions.API_SCOPES), within its user's roles; a key
    # without scopes reaches nothing but /api/v1/me. Making keys and users are scopes too.
    scopes: list[str] = Field(default_factory=list, max_length=len(API_SCOPES))

    _scopes = field_validator("scopes")(_check_scopes)


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    scopes: list[str]

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value


class ApiKeyCreated(ApiKeyPublic):
    key: str


class ProfileUpdate(BaseModel):
    language: str | None = None
    timezone: str | None = None

    _lang = field_validator("language")(_check_language)
    _zone = field_validator("timezone")(_check_zone)


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)
