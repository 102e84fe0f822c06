"""Numbers in paths, queries and bodies are range-checked: huge ones are invalid input."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from tests.conftest import bearer, login

HUGE = 198571894998098771968
DATABASE_LIMIT = 2**63 - 1


def _integer_schemas(schema: Any) -> list[dict[str, Any]]:
    """Integer schemas that are not a fixed list of choices."""
    found = []
    if isinstance(schema, dict):
        if schema.get("type") == "integer" and "enum" not in schema and "const" not in schema:
            found.append(schema)
        for value in schema.values():
            found.extend(_integer_schemas(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_integer_schemas(value))
    return found


def _adapter(info: Any) -> TypeAdapter:
    if info.metadata:
        return TypeAdapter(Annotated[(info.annotation, *info.metadata)])
    return TypeAdapter(info.annotation)


def _api_routes(routes: Any) -> list[APIRoute]:
    """Every endpoint, including those of included routers (FastAPI keeps them nested)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found


def _parameters(dependant: Any) -> list[Any]:
    """Path, query and header parameters of a route and of all its dependencies."""
    fields = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    for sub in dependant.dependencies:
        fields.extend(_parameters(sub))
    return fields


def test_every_integer_in_a_path_or_query_is_bounded(routes_app):
    """Pages too (they are not in the API schema): read each route's own parameters."""
    unbounded = []
    routes = _api_routes(routes_app.routes)
    assert len(routes) > 150
    for route in routes:
        for field in _parameters(route.dependant):
            info = field.field_info
            adapter = _adapter(info)
            for schema in _integer_schemas(adapter.json_schema()):
                if not (
                    "minimum" in schema
                    and schema.get("maximum", DATABASE_LIMIT + 1) <= DATABASE_LIMIT
                ):
                    unbounded.append(f"{route.path} {field.name}")
    assert unbounded == []


def test_every_integer_parameter_in_the_api_schema_is_bounded(client):
    schema = client.get("/api/v1/openapi.json").json()
    unbounded = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                for integer in _integer_schemas(parameter["schema"]):
                    if integer.get("maximum", DATABASE_LIMIT + 1) > DATABASE_LIMIT:
                        unbounded.append(f"{method} {path} {parameter['name']}")
    assert unbounded == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/invitations/{HUGE}",
        f"/api/v1/candidates/{HUGE}",
        f"/api/v1/org/users/{HUGE}",
        "/api/v1/candidates?offset=416384338034187871191040",
        "/api/v1/org/users?offset=416384338034187871191040",
        f"/api/v1/org/departments?subsidiary_id={HUGE}",
        "/api/v1/candidates/-1",
    ],
)
def test_huge_numbers_in_api_paths_and_queries_are_invalid_input(client, org, path):
    headers = bearer(client, org.users["hr_admin"])
    response = client.get(path, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid"


def test_huge_numbers_in_pages_are_invalid_input(client, org):
    login(client, org.users["hr_admin"])
    for path in (f"/org/users/{HUGE}", f"/candidates/{HUGE}", f"/audit?page={HUGE}"):
        assert client.get(path).status_code == 422, path


def test_huge_numbers_in_bodies_are_invalid_input(client, org):
    headers = bearer(client, org.users["hr_admin"])
    department = client.post(
        "/api/v1/org/departments", json={"subsidiary_id": HUGE, "name": "X"}, headers=headers
    )
    assert department.status_code == 422, department.text
    grant = client.post(
        f"/api/v1/org/users/{org.users['recruiter'].id}/roles",
        json={"role": "recruiter", "subsidiary_id": HUGE},
        headers=headers,
    )
    assert grant.status_code == 422, grant.text


def test_every_integer_in_a_request_body_is_bounded(routes_app):
    unbounded = []
    routes = [route for route in _api_routes(routes_app.routes) if route.body_field is not None]
    assert len(routes) > 40
    for route in routes:
        info = route.body_field.field_info
        adapter = _adapter(info)
        schema = adapter.json_schema(mode="validation")
        for integer in _integer_schemas(schema):
            if "minimum" not in integer or integer.get("maximum", DATABASE_LIMIT + 1) > (
                DATABASE_LIMIT
            ):
                unbounded.append(f"{route.path} {integer.get('title', '?')}")
    assert sorted(set(unbounded)) == [], "\n".join(sorted(set(unbounded)))


def test_moments_in_queries_are_iso_8601_only(client, org):
    headers = bearer(client, org.users["hr_admin"])
    for value in ("-6636", "1700000000", "1.5e9"):
        response = client.get(f"/api/v1/audit?until={value}", headers=headers)
        assert response.status_code == 422, value
    ok = client.get("/api/v1/audit?since=2026-01-01T00:00:00%2B08:00", headers=headers)
    assert ok.status_code == 200
