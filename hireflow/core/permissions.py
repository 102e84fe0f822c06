"""Authorisation in one place (DESIGN rule 4, SPEC A2).

Two questions decide every access:

1. *May this role do this at all?*  The capability matrix below says, per capability, which
   roles hold it and how far their reach goes: the whole tenant, one department, only objects
   the user is a member of (an opening they own or interview for), or only the user's own data.
2. *Which rows?*  :func:`restrict` turns the principal's grants into a WHERE clause on any
   model that registered a :class:`Scope`. A row outside the clause simply does not exist for
   the caller, so a forbidden object answers 404 exactly like a missing one.

A role assignment may be narrowed to a subsidiary or a department; that narrows every reach
it grants. Anything a model did not declare a way to scope is refused (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import Session

from hireflow.core.errors import Forbidden, NotFound


class Role(StrEnum):
    HR_ADMIN = "hr_admin"
    RECRUITER = "recruiter"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"
    IT_AUDITOR = "it_auditor"
    CANDIDATE = "candidate"
    EMPLOYEE = "employee"


STAFF_ROLES = frozenset(
    {Role.HR_ADMIN, Role.RECRUITER, Role.HIRING_MANAGER, Role.INTERVIEWER, Role.IT_AUDITOR}
)


class Reach(StrEnum):
    TENANT = "tenant"  # everything in the tenant (narrowed by the assignment's unit, if any)
    DEPARTMENT = "department"  # the assignment's department (or subsidiary) only
    MEMBER = "member"  # objects the user is attached to (owner, panel member)
    SELF = "self"  # the user's own data


H, R, M, I, A, C, E = (  # noqa: E741 - one letter per role keeps the matrix readable
    Role.HR_ADMIN,
    Role.RECRUITER,
    Role.HIRING_MANAGER,
    Role.INTERVIEWER,
    Role.IT_AUDITOR,
    Role.CANDIDATE,
    Role.EMPLOYEE,
)
T, D, MB, S = Reach.TENANT, Reach.DEPARTMENT, Reach.MEMBER, Reach.SELF

# capability -> {role: reach}. Read it as a table: columns are roles, cells are reach.
MATRIX: dict[str, dict[Role, Reach]] = {
    "org.read": {H: T, R: T, M: T, A: T},
    "org.manage": {H: T},
    "users.read": {H: T, A: T},
    "users.manage": {H: T},
    "audit.read": {H: T, A: T},
    "techlog.read": {H: T, A: T},
    "system.read": {H: T, A: T},
    "apikeys.manage": {H: T, A: T},
    "openings.read": {H: T, R: MB, M: D, I: MB},
    "openings.manage": {H: T, R: MB},
    "openings.create": {H: T, R: T},
    "candidates.read": {H: T, R: MB, M: D, I: MB, C: S},
    "candidates.search": {H: T, R: MB, M: D, I: MB},  # the talent pool is for staff only
    "candidates.manage": {H: T, R: MB},
    "candidates.create": {H: T, R: T},
    "scores.read": {H: T, R: MB, M: D, I: MB, C: S},
    "scores.adjust": {H: T, R: MB},
    "hiring_requests.submit": {M: D},
    "hiring_requests.review": {H: T},
    "hiring_requests.read": {H: T, M: D},
    # internal candidates' performance ratings (SPEC C6): HR, and managers of their department
    "performance.read": {H: T, M: D},
    "performance.manage": {H: T},
    "self.read": {C: S, E: S},
    # the HR record (SPEC G1-G7): IT/auditors verify integrity but never see personal data
    "records.read": {H: T, R: MB, M: D, I: MB},
    "records.write": {H: T, R: MB},
    "records.review": {H: T, R: MB, M: D, I: MB},
    "records.files": {H: T, R: MB, M: D, I: MB},
    "records.consent": {H: T, R: MB, C: S},
    "records.export": {H: T, C: S, E: S},
    "records.manage": {H: T},
    "records.integrity": {H: T, A: T},
    # scheduling and notifications (SPEC D1-D5)
    "invitations.read": {H: T, R: MB, M: D, I: MB, C: S},
    "invitations.send": {H: T, R: MB},
    "invitations.complete": {H: T, R: MB, I: MB},
    "availability.manage": {H: T, R: S, M: S, I: S},
    "scheduling.configure": {H: T},
    "notifications.read": {H: T, R: MB},
    "notifications.resend": {H: T, R: MB},
    "notifications.channels": {H: T, A: T},
    "notifications.templates": {H: T},
    # the one-way AI interview (SPEC E1-E9): answers and reports follow the opening's scope
    "interviews.read": {H: T, R: MB, M: D, I: MB},
    "interviews.live": {H: T, R: MB},
    "interviews.review": {H: T, R: MB},
    "interviews.respond": {H: T, R: MB},
    "interviews.faq": {H: T, R: T},
    "interviews.calibrate": {H: T},
    # hiring analytics (SPEC I1; hireflow.analytics): figures over the openings in scope
    "analytics.read": {H: T, R: MB, M: D},
    # the bias audit: group figures over self-identification, HR administrators only
    "analytics.audit": {H: T},
    # adopting the weights the validity analysis proposes as a new competency model version
    "validity.adopt": {H: T},
    # the hiring pipeline and interviewer scorecards (SPEC H1, H2, F6; hireflow.workflow)
    "pipeline.read": {H: T, R: MB, M: D, I: MB},
    "pipeline.move": {H: T, R: MB},
    "pipeline.stages": {H: T, R: MB},  # an opening's own stage list
    "pipeline.configure": {H: T},  # the company's stages, rejection reasons, blind scorecards
    "pipeline.rules": {H: T, R: MB},  # an opening's rules: write, dry-run; HR's rule list
    "pipeline.rules_log": {H: T, R: MB, M: D},  # rules and what they did (shows AI scores)
    "scorecards.submit": {H: T, R: MB, M: D, I: MB},
    "scorecards.read": {H: T, R: MB, M: D, I: MB},
    # offers, hire and onboarding (SPEC H3, H4; hireflow.offers)
    "offers.read": {H: T, R: MB, M: D},
    "offers.manage": {H: T, R: MB},  # make, submit, send, withdraw
    "offers.approve": {H: T, M: D},  # a step of the chain, by its role
    "offers.configure": {H: T},  # templates, the approval chain, the onboarding checklist
    "employees.read": {H: T, M: D, E: S},
    "employees.manage": {H: T},  # department, manager, start date (the employee import)
    # IT (the IT/auditor role) sees only the onboarding tasks assigned to it
    "onboarding.read": {H: T, M: D, A: MB, E: S},
    "onboarding.complete": {H: T, M: D, A: MB},
    # what became of the people hired (SPEC I2): ratings per period, probation, leaving
    "employees.outcomes": {H: T, M: D},
    # the integration surface (SPEC H5; hireflow.integrations): webhooks, export and import
    "webhooks.read": {H: T, A: T},
    "webhooks.manage": {H: T, A: T},
    "data.export": {H: T, R: MB, M: D},  # rows narrowed further by candidates.read
    "data.import": {H: T, R: T},
    # live interviews with the assistant (SPEC E2; hireflow.live): the panel joins rooms of
    # the openings it interviews for, recruiters open and end them, HR sets company options
    "live.join": {H: T, R: MB, M: D, I: MB},
    "live.manage": {H: T, R: MB},
    "live.configure": {H: T},
    # self-service (SPEC J1-J3; hireflow.selfservice): one's own report, plan and requests;
    # HR and department managers follow development in their scope
    "self.report": {C: S, E: S},
    "self.development": {E: S},
    "self.requests": {C: S, E: S},
    "development.read": {H: T, M: D},
    "development.manage": {H: T, M: D},  # schedule a re-assessment, record a completion
    "training.manage": {H: T},  # the course catalogue and what people see of their report
    "selfservice.requests": {H: T},  # answer explanation, review, correction, erasure requests
}

CAPABILITIES = frozenset(MATRIX)


@dataclass(frozen=True)
class Grant:
    """One role assignment as the permission layer sees it."""

    role: Role
    subsidiary_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (or API key holder) with their grants."""

    user_id: int
    tenant_id: int
    name: str
    grants: tuple[Grant, ...]
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    auth: str = "session"  # session | bearer | api_key
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)

    def has(self, capability: str) -> bool:
        return can(self, capability)

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


# What an API key may do: scope -> the capabilities it opens. A key caller holds a capability
# only when one of the key's scopes lists it AND the key's user holds it; a capability no scope
# lists (self-service, candidates' own pages) is never reachable with a key. Documented in
# docs/integrations.md; ``tests/integrations/test_scopes.py`` fails on a capability that is
# neither listed here nor in KEY_NEVER.
API_SCOPES: dict[str, frozenset[str]] = {
    "org.read": frozenset({"org.read", "users.read"}),
    "org.manage": frozenset({"org.manage"}),
    "users.manage": frozenset({"users.manage"}),
    "apikeys.manage": frozenset({"apikeys.manage"}),
    "audit.read": frozenset({"audit.read", "techlog.read", "system.read", "records.integrity"}),
    "openings.read": frozenset({"openings.read", "hiring_requests.read"}),
    "openings.write": frozenset(
        {
            "openings.manage",
            "openings.create",
            "hiring_requests.submit",
            "hiring_requests.review",
            "validity.adopt",
        }
    ),
    "candidates.read": frozenset({"candidates.read", "candidates.search", "performance.read"}),
    "candidates.write": frozenset({"candidates.manage", "candidates.create", "performance.manage"}),
    "reports.read": frozenset({"scores.read", "interviews.read", "scorecards.read"}),
    "results.write": frozenset(
        {"scores.adjust", "interviews.review", "interviews.respond", "scorecards.submit"}
    ),
    "interviews.manage": frozenset({"interviews.live", "interviews.faq", "interviews.calibrate"}),
    "pipeline.read": frozenset({"pipeline.read", "pipeline.rules_log"}),
    "pipeline.write": frozenset(
        {"pipeline.move", "pipeline.stages", "pipeline.configure", "pipeline.rules"}
    ),
    "offers.read": frozenset({"offers.read", "employees.read", "onboarding.read"}),
    "offers.write": frozenset(
        {
            "offers.manage",
            "offers.approve",
            "offers.configure",
            "onboarding.complete",
            "employees.outcomes",
            "employees.manage",
        }
    ),
    "analytics.read": frozenset({"analytics.read", "analytics.audit"}),
    "records.read": frozenset({"records.read", "records.files", "records.export"}),
    "records.write": frozenset(
        {"records.write", "records.review", "records.consent", "records.manage"}
    ),
    "scheduling.read": frozenset({"invitations.read"}),
    "scheduling.write": frozenset(
        {"invitations.send", "invitations.complete", "availability.manage", "scheduling.configure"}
    ),
    "notifications.manage": frozenset(
        {
            "notifications.read",
            "notifications.resend",
            "notifications.channels",
            "notifications.templates",
        }
    ),
    "webhooks.manage": frozenset({"webhooks.read", "webhooks.manage"}),
    "data.export": frozenset({"data.export"}),
    "data.import": frozenset({"data.import"}),
    "development.read": frozenset({"development.read"}),
    "development.write": frozenset(
        {"development.manage", "training.manage", "selfservice.requests"}
    ),
}
# Capabilities no key ever holds: a person's own pages, not an integration's business.
# A live room needs a person in a browser (consent on screen, a microphone): no integration
# joins or runs one; its result reaches integrations through the record and the reports.
KEY_NEVER = frozenset(
    {"self.read", "self.report", "self.development", "self.requests"}
    | {"live.join", "live.manage", "live.configure"}
)
# Kept for readers of the old name: the scopes that mint keys and users.
KEY_SCOPED = frozenset({"apikeys.manage", "users.manage"})


def key_allows(principal: Principal, capability: str) -> bool:
    """False when ``principal`` is an API key whose scopes do not open ``capability``."""
    key_scopes = principal.extra.get("key_scopes")
    if key_scopes is None:
        return True
    return any(capability in API_SCOPES.get(scope, ()) for scope in key_scopes)


def can(principal: Principal, capability: str) -> bool:
    """Whether any of the principal's roles holds ``capability`` at all (for an API key: and
    one of the key's scopes opens it)."""
    if capability not in MATRIX:
        raise KeyError(f"unknown capability {capability!r}")
    holders = MATRIX[capability]
    if not key_allows(principal, capability):
        return False
    return any(grant.role in holders for grant in principal.grants)


def require(principal: Principal, capability: str) -> None:
    """Refuse a whole action (a page, a command) the principal's roles do not include."""
    if not can(principal, capability):
        raise Forbidden()


@dataclass(frozen=True)
class Scope:
    """How rows of one model map to the organisation, for :func:`restrict`.

    Each callable returns a SQL condition; leave one out and that reach grants nothing.
    """

    tenant: Any
    in_subsidiaries: Callable[[list[int]], ColumnElement[bool]] | None = None
    in_departments: Callable[[list[int]], ColumnElement[bool]] | None = None
    member_of: Callable[[int], ColumnElement[bool]] | None = None
    is_self: Callable[[int], ColumnElement[bool]] | None = None


_SCOPES: dict[type, Scope] = {}

ModelT = TypeVar("ModelT")


def register_scope(model: type, scope: Scope) -> None:
    """Declare how ``model`` is scoped; done once, next to the model's definition."""
    _SCOPES[model] = scope


def scope_of(model: type) -> Scope:
    try:
        return _SCOPES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no registered Scope") from None


def _unit_condition(scope: Scope, grant: Grant) -> ColumnElement[bool] | None:
    """The organisational unit an assignment is narrowed to, or None for the whole tenant."""
    if grant.department_id is not None:
        return scope.in_departments([grant.department_id]) if scope.in_departments else false()
    if grant.subsidiary_id is not None:
        return scope.in_subsidiaries([grant.subsidiary_id]) if scope.in_subsidiaries else false()
    return None


def condition_for(principal: Principal, capability: str, model: type) -> ColumnElement[bool]:
    """The WHERE clause selecting exactly the rows of ``model`` the principal may touch."""
    holders = MATRIX[capability]
    scope = scope_of(model)
    if not key_allows(principal, capability):
        return false()
    alternatives: list[ColumnElement[bool]] = []
    for grant in principal.grants:
        reach = holders.get(grant.role)
        if reach is None:
            continue
        unit = _unit_condition(scope, grant)
        if reach is Reach.TENANT:
            alternatives.append(unit if unit is not None else true())
        elif reach is Reach.DEPARTMENT:
            # A department reach without a department on the assignment sees nothing: safer
            # than silently widening a hiring manager to the whole company.
            if unit is not None:
                alternatives.append(unit)
        elif reach is Reach.MEMBER and scope.member_of is not None:
            member = scope.member_of(principal.user_id)
            alternatives.append(member if unit is None else (member & unit))
        elif reach is Reach.SELF and scope.is_self is not None:
            alternatives.append(scope.is_self(principal.user_id))
    if not alternatives:
        return false()
    return (scope.tenant == principal.tenant_id) & or_(*alternatives)


def restrict(stmt: Select[Any], principal: Principal, capability: str, model: type) -> Select[Any]:
    """Narrow a SELECT over ``model`` to what ``principal`` may see for ``capability``."""
    return stmt.where(condition_for(principal, capability, model))


def get_visible(
    session: Session, model: type[ModelT], object_id: int, principal: Principal, capability: str
) -> ModelT:
    """Fetch one object the principal may access, or raise NotFound (never Forbidden)."""
    stmt = restrict(select(model).where(model.id == object_id), principal, capability, model)  # type: ignore[attr-defined]
    obj = session.scalars(stmt).first()
    if obj is None:
        raise NotFound()
    return obj


def require_visible(
    session: Session, model: type[ModelT], object_id: int, principal: Principal, capability: str
) -> ModelT:
    """:func:`require` the capability, then :func:`get_visible` the object: Forbidden when the
    principal's roles lack it, NotFound when the object is out of their reach."""
    require(principal, capability)
    return get_visible(session, model, object_id, principal, capability)


def reaches_unit(
    principal: Principal,
    capability: str,
    subsidiary_id: int | None,
    department_id: int | None,
) -> bool:
    """Whether the principal may act on a new object placed in this unit (creates, moves)."""
    holders = MATRIX[capability]
    if not key_allows(principal, capability):
        return False
    for grant in principal.grants:
        reach = holders.get(grant.role)
        if reach not in (Reach.TENANT, Reach.DEPARTMENT):
            continue
        if grant.department_id is not None:
            if grant.department_id == department_id:
                return True
        elif grant.subsidiary_id is not None:
            if grant.subsidiary_id == subsidiary_id:
                return True
        elif reach is Reach.TENANT:
            return True
    return False


def visible_ids(grants: Iterable[Grant], attr: str) -> set[int]:
    return {getattr(g, attr) for g in grants if getattr(g, attr) is not None}
