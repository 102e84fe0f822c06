"""Nothing leaks: every route × every role × another tenant's and another department's objects.

The route list comes from the application itself, so a new route is covered the day it is added;
a route with a path parameter this test does not know how to fill fails the test until it does.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute

from hireflow.app import _routers
from hireflow.candidates.indexing import index_candidate
from hireflow.candidates.models import Application, Candidate
from hireflow.core.permissions import Role
from hireflow.discovery import DOMAINS
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org import schemas, service
from hireflow.org.auth import issue_token
from tests.conftest import Org, login, make_org, unique

# A valid body per (method, path) so that write routes reach their permission checks.
BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/api/v1/org/subsidiaries"): {"name": "x-sub", "region": "cn"},
    ("POST", "/api/v1/org/departments"): {"subsidiary_id": "{subsidiary_id}", "name": "x-dept"},
    ("POST", "/api/v1/org/users"): {
        "email": "new-user@example.com",
        "name": "New",
        "password": "Long-enough-1",
        "roles": [{"role": "interviewer", "department_id": "{department_id}"}],
    },
    ("PATCH", "/api/v1/org/users/{user_id}"): {"name": "Renamed"},
    ("POST", "/api/v1/org/users/{user_id}/roles"): {"role": "interviewer"},
    ("POST", "/api/v1/apikeys"): {"name": "key"},
}
# Public by design, or ending the caller's own token: covered in their own tests.
SKIP_API = {
    ("POST", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/token"),
    ("POST", "/api/v1/telemetry"),
}
FORMS: dict[tuple[str, str], dict] = {
    ("POST", "/org/subsidiaries"): {"name": "x-sub", "region": "cn"},
    ("POST", "/org/departments"): {"subsidiary_id": "{subsidiary_id}", "name": "x-dept"},
    ("POST", "/org/users"): {
        "email": "form-user@example.com",
        "name": "Form",
        "password": "Long-enough-1",
        "language": "en",
        "timezone": "UTC",
        "role": "interviewer",
        "department_id": "{department_id}",
    },
    ("POST", "/org/users/{user_id}"): {"name": "Renamed", "language": "en", "timezone": "UTC"},
    ("POST", "/org/users/{user_id}/roles"): {"role": "interviewer"},
}
PUBLIC = {"/login", "/logout", "/lang", "/tz", "/healthz", "/metrics"}


@dataclass
class World:
    home: Org
    foreign: Org
    # objects in the home tenant outside dept 0 (the hiring manager's department)
    other_dept_opening: Opening
    other_dept_candidate: Candidate
    own_opening: Opening
    own_candidate: Candidate
    foreign_opening: Opening
    foreign_candidate: Candidate
    foreign_key_id: int
    extra_params: dict[str, int]


def _opening(session, org: Org, dept_index: int, with_members: bool) -> Opening:
    dept = org.departments[dept_index]
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=unique("Opening"),
        status="open",
    )
    if with_members:
        opening.members = [
            OpeningMember(user_id=org.users["recruiter"].id, role="owner"),
            OpeningMember(user_id=org.users["interviewer"].id, role="interviewer"),
        ]
    session.add(opening)
    session.flush()
    return opening


def _candidate(session, org: Org, opening: Opening, user=None) -> Candidate:
    candidate = Candidate(
        tenant_id=org.tenant.id,
        name=unique("Person"),
        email=f"{unique('p')}@example.com",
        user_id=user.id if user else None,
    )
    candidate.applications = [Application(tenant_id=org.tenant.id, opening_id=opening.id)]
    session.add(candidate)
    session.flush()
    index_candidate(session, candidate)  # the talent pool lists what its index holds
    return candidate


@pytest.fixture
def world(session) -> World:
    home, foreign = make_org(session), make_org(session)
    own_opening = _opening(session, home, 0, with_members=True)
    other_opening = _opening(session, home, 2, with_members=False)
    foreign_opening = _opening(session, foreign, 0, with_members=True)
    own_candidate = _candidate(session, home, own_opening, user=home.users["candidate"])
    other_candidate = _candidate(session, home, other_opening)
    foreign_candidate = _candidate(
        session, foreign, foreign_opening, user=foreign.users["candidate"]
    )
    _raw, key = issue_token(session, foreign.users["it_auditor"], "api_key", name="foreign")
    extra: dict[str, int] = {}
    for hook in HOOKS:
        if hasattr(hook, "foreign_params"):
            extra.update(hook.foreign_params(session, foreign))
    session.commit()
    return World(
        home,
        foreign,
        other_opening,
        other_candidate,
        own_opening,
        own_candidate,
        foreign_opening,
        foreign_candidate,
        key.id,
        extra,
    )


def _domain_hooks() -> list:
    """``tests/<domain>/authz.py`` modules: how each domain's routes get foreign objects.

    Each may define ``foreign_params(session, org) -> dict[str, int]`` (objects it creates in the
    other tenant, by path-parameter name), ``API_BODIES``, ``FORM_BODIES`` and ``SKIP_API``.
    """
    modules = []
    for domain in DOMAINS:
        name = f"tests.{domain}.authz"
        if importlib.util.find_spec(f"tests.{domain}") and importlib.util.find_spec(name):
            modules.append(importlib.import_module(name))
    return modules


HOOKS = _domain_hooks()
for _hook in HOOKS:
    BODIES.update(getattr(_hook, "API_BODIES", {}))
    FORMS.update(getattr(_hook, "FORM_BODIES", {}))
    SKIP_API.update(getattr(_hook, "SKIP_API", set()))


def _foreign_params(world: World) -> dict[str, int]:
    """Path parameters pointing at the other tenant's objects."""
    foreign = world.foreign
    assignment = foreign.users["hr_admin"].roles[0].id
    return {
        **world.extra_params,
        "user_id": foreign.users["recruiter"].id,
        "assignment_id": assignment,
        "opening_id": world.foreign_opening.id,
        "candidate_id": world.foreign_candidate.id,
        "key_id": world.foreign_key_id,
        "subsidiary_id": foreign.subsidiaries[0].id,
        "department_id": foreign.departments[0].id,
    }


def _fill(value, params: dict[str, int]):
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return params[value[1:-1]]
    return value


def _routes(app, api: bool) -> list[tuple[str, str]]:
    """(method, path) of every API route or every page route the application serves."""
    api_routers, page_routers = _routers()
    found = []
    for router in api_routers if api else page_routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = ("/api/v1" if api else "") + route.path
            if path in PUBLIC:
                continue
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                found.append((method, path))
    return found


def test_route_list_matches_the_published_api(app):
    published = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert published == set(_routes(app, api=True))
    assert len(_routes(app, api=True)) >= 20 and len(_routes(app, api=False)) >= 15


def _markers(world: World) -> list[str]:
    """Strings that exist only in the other tenant: none may appear in any response."""
    foreign = world.foreign
    return [
        foreign.tenant.name,
        world.foreign_opening.title,
        world.foreign_candidate.name,
        world.foreign_candidate.email,
        *(u.email for u in foreign.users.values()),
        *(s.name for s in foreign.subsidiaries),
        *(d.name for d in foreign.departments),
    ]


def _call(client, method: str, path: str, params: dict[str, int], body, headers, form: bool):
    url = path.format(**params)
    kwargs = {"headers": headers, "follow_redirects": False}
    if body is not None:
        kwargs["data" if form else "json"] = _fill(body, params)
    return client.request(method, url, **kwargs)


def test_every_path_parameter_is_known(app, world):
    known = set(_foreign_params(world))
    for _method, path in _routes(app, api=True) + _routes(app, api=False):
        for name in re.findall(r"\{(\w+)\}", path):
            assert name in known, f"{path}: teach this test how to fill {{{name}}}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_api_never_reveals_another_tenant(client, app, session, world, role):
    user = world.home.users[role]
    raw, _row = issue_token(session, user, "bearer", hours=1)
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    params = _foreign_params(world)
    markers = _markers(world)
    for method, path in _routes(app, api=True):
        if (method, path) in SKIP_API:
            continue
        body = BODIES.get((method, path), {} if method in ("POST", "PATCH", "PUT") else None)
        response = _call(client, method, path, params, body, headers, form=False)
        where = f"{role} {method} {path}"
        if "{" in path or (body and any(str(v).startswith("{") for v in body.values())):
            assert response.status_code in (403, 404), (
                f"{where}: {response.status_code} {response.text[:200]}"
            )
        else:
            assert response.status_code < 500, f"{where}: {response.status_code}"
        for marker in markers:
            assert marker not in response.text, f"{where} leaked {marker!r}"


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_pages_never_reveal_another_tenant(client, app, world, role):
    login(client, world.home.users[role])
    params = _foreign_params(world)
    markers = _markers(world)
    for method, path in _routes(app, api=False):
        body = FORMS.get((method, path), {} if method == "POST" else None)
        response = _call(client, method, path, params, body, {}, form=True)
        where = f"{role} {method} {path}"
        if "{" in path or (body and any(str(v).startswith("{") for v in body.values())):
            assert response.status_code in (403, 404), f"{where}: {response.status_code}"
        else:
            assert response.status_code < 500, f"{where}: {response.status_code}"
        for marker in markers:
            assert marker not in response.text, f"{where} leaked {marker!r}"


# Who may see an object of their own tenant in another department (dept 2, no membership)?
OTHER_DEPARTMENT = {
    "hr_admin": 200,
    "recruiter": 404,  # recruiters see openings they own
    "hiring_manager": 404,  # dept 0 only
    "interviewer": 404,  # not on this opening's panel
    "it_auditor": 404,  # no personal data, no results: such objects do not exist for them
    "candidate": 404,
    "employee": 404,
}
# ...and an object in their own reach (dept 0, recruiter owns it, interviewer on the panel)?
OWN_OBJECT = {
    "hr_admin": 200,
    "recruiter": 200,
    "hiring_manager": 200,
    "interviewer": 200,
    "it_auditor": 404,
    "candidate": 404,
    "employee": 404,
}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_department_and_membership_scope(client, session, world, role):
    raw, _row = issue_token(session, world.home.users[role], "bearer", hours=1)
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    other = client.get(f"/api/v1/openings/{world.other_dept_opening.id}", headers=headers)
    own = client.get(f"/api/v1/openings/{world.own_opening.id}", headers=headers)
    assert other.status_code == OTHER_DEPARTMENT[role], other.text
    assert own.status_code == OWN_OBJECT[role], own.text
    other_c = client.get(f"/api/v1/candidates/{world.other_dept_candidate.id}", headers=headers)
    own_c = client.get(f"/api/v1/candidates/{world.own_candidate.id}", headers=headers)
    expected_other = OTHER_DEPARTMENT[role] if role != "candidate" else 404
    expected_own = OWN_OBJECT[role] if role != "candidate" else 200  # their own record
    assert other_c.status_code == expected_other, (role, other_c.text)
    assert own_c.status_code == expected_own, (role, own_c.text)
    listed = client.get("/api/v1/candidates", headers=headers)
    if listed.status_code == 200:
        names = {row["name"] for row in listed.json()}
        assert (world.other_dept_candidate.name in names) == (role == "hr_admin")


def test_hr_admin_scoped_to_a_subsidiary_sees_only_it(client, session, world):
    home = world.home
    scoped = service.create_user(
        session,
        None,
        schemas.UserCreate(
            email=f"{unique('scoped')}@example.com",
            name="Scoped HR",
            password="Long-enough-1",
            roles=[schemas.RoleGrantIn(role=Role.HR_ADMIN, subsidiary_id=home.subsidiaries[0].id)],
        ),
        tenant_id=home.tenant.id,
        send_welcome=False,
    )
    raw, _row = issue_token(session, scoped, "bearer", hours=1)
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert (
        client.get(f"/api/v1/openings/{world.own_opening.id}", headers=headers).status_code == 200
    )
    # dept 2 belongs to the second subsidiary
    assert (
        client.get(f"/api/v1/openings/{world.other_dept_opening.id}", headers=headers).status_code
        == 404
    )
    subs = client.get("/api/v1/org/subsidiaries", headers=headers).json()
    assert [s["id"] for s in subs] == [home.subsidiaries[0].id]
