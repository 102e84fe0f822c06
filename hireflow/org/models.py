"""Organisation tables (SPEC A1, A2): tenants, subsidiaries, departments, users and roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, or_, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hireflow.core.db import Base, TenantRow, TimestampMixin, UTCDateTime
from hireflow.core.permissions import Scope, register_scope


class Tenant(TimestampMixin, Base):
    """A group company (集团): the outermost boundary no data ever crosses."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    region: Mapped[str] = mapped_column(String(10), default="cn")
    default_language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    default_timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")

    subsidiaries: Mapped[list[Subsidiary]] = relationship(
        back_populates="tenant", order_by="Subsidiary.name"
    )


class Subsidiary(TenantRow, TimestampMixin, Base):
    """A subsidiary (子公司) with its own data scope and storage region."""

    __tablename__ = "subsidiaries"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(10), default="cn")

    tenant: Mapped[Tenant] = relationship(back_populates="subsidiaries")
    departments: Mapped[list[Department]] = relationship(
        back_populates="subsidiary", order_by="Department.name"
    )


class Department(TenantRow, TimestampMixin, Base):
    """A department inside a subsidiary; hiring managers and openings belong to one."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("subsidiary_id", "name"),)

    subsidiary_id: Mapped[int] = mapped_column(ForeignKey("subsidiaries.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    subsidiary: Mapped[Subsidiary] = relationship(back_populates="departments")


class User(TenantRow, TimestampMixin, Base):
    """A person who signs in: staff, candidates and employees alike.

    Sign-in names (emails) are unique across tenants so a login page needs no tenant picker.
    """

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id"
    )
    tenant: Mapped[Tenant] = relationship()


class RoleAssignment(Base):
    """One role of a user, optionally narrowed to a subsidiary or a department (SPEC A2)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "subsidiary_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    subsidiary_id: Mapped[int | None] = mapped_column(ForeignKey("subsidiaries.id"), nullable=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)

    user: Mapped[User] = relationship(back_populates="roles")


class AccessToken(TimestampMixin, Base):
    """A browser session, a bearer token or an API key; only a SHA-256 of the secret is kept."""

    __tablename__ = "access_tokens"
    __table_args__ = (Index("ix_access_tokens_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # session | bearer | api_key
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # API keys only: the space-separated scopes the key was given (core.permissions.API_SCOPES);
    # a key reaches nothing outside them, whatever its user's roles allow.
    scopes: Mapped[str] = mapped_column(String(1000), default="")

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins counted per client address, per account, and per both together.

    ``key`` is a keyed hash of the scope and value (an address, an email, or both), so the
    table holds neither addresses nor email addresses; unknown emails are counted exactly like
    known ones, which keeps the answers the same. ``scope`` ``trusted`` rows remember that an
    address signed in to an account successfully: those addresses skip the per-account
    back-off, so an attack spread over many addresses cannot lock the owner out.
    """

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))  # pair | address | account | trusted
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


# --- permission scopes (hireflow.core.permissions.restrict) -----------------------------------


def _user_in_subsidiaries(ids: list[int]) -> object:
    return User.id.in_(
        select(RoleAssignment.user_id).where(
            or_(
                RoleAssignment.subsidiary_id.in_(ids),
                RoleAssignment.department_id.in_(
                    select(Department.id).where(Department.subsidiary_id.in_(ids))
                ),
            )
        )
    )


def _user_in_departments(ids: list[int]) -> object:
    return User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.department_id.in_(ids)))


register_scope(
    Tenant,
    Scope(tenant=Tenant.id, in_subsidiaries=lambda ids: true(), in_departments=lambda ids: true()),
)
register_scope(
    Subsidiary,
    Scope(
        tenant=Subsidiary.tenant_id,
        in_subsidiaries=lambda ids: Subsidiary.id.in_(ids),
        in_departments=lambda ids: Subsidiary.id.in_(
            select(Department.subsidiary_id).where(Department.id.in_(ids))
        ),
    ),
)
register_scope(
    Department,
    Scope(
        tenant=Department.tenant_id,
        in_subsidiaries=lambda ids: Department.subsidiary_id.in_(ids),
        in_departments=lambda ids: Department.id.in_(ids),
    ),
)
register_scope(
    User,
    Scope(
        tenant=User.tenant_id,
        in_subsidiaries=_user_in_subsidiaries,
        in_departments=_user_in_departments,
        is_self=lambda user_id: User.id == user_id,
    ),
)
