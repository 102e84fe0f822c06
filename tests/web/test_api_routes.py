"""Routes declared through ``ServiceRoutes``: the service gets the path ids, the body and the
settings in order, the answer goes through ``out``, and the API description names and
describes each operation as a written-out endpoint would."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from hireflow.core.permissions import Principal
from hireflow.core.rows import shaped
from hireflow.web.api_routes import ServiceRoutes


class PetIn(BaseModel):
    name: str


class PetOut(BaseModel):
    id: int
    name: str
    owner: int = 0


calls: list[tuple[Any, ...]] = []


def rename_pet(session: Any, principal: Principal, owner_id: int, pet_id: int, data: PetIn) -> dict:
    calls.append((session, principal.user_id, owner_id, pet_id, data.name))
    return {"id": pet_id, "name": data.name}


def remove_pet(session: Any, principal: Principal, pet_id: int) -> str:
    calls.append(("removed", pet_id))
    return "ignored"


def _app() -> FastAPI:
    router = APIRouter()
    pets = ServiceRoutes(
        router, __name__, PetOut, out=lambda pet, _s, p: {**pet, "owner": p.user_id}
    )
    pets.put("/owners/{owner_id}/pets/{pet_id}", rename_pet, PetIn, doc="Rename a pet.")
    pets.delete("/pets/{pet_id}", remove_pet, name="delete_pet")
    app = FastAPI()

    @app.middleware("http")
    async def signed_in(request: Request, call_next):  # what the real middleware sets
        request.state.db = "the session"
        request.state.principal = Principal(user_id=7, tenant_id=1, name="HR", grants=())
        return await call_next(request)

    app.include_router(router, prefix="/api/v1")
    return app


def test_the_service_gets_ids_body_and_caller_and_out_shapes_the_answer() -> None:
    calls.clear()
    client = TestClient(_app())
    answer = client.put("/api/v1/owners/3/pets/5", json={"name": "Rex"})
    assert answer.status_code == 200
    assert answer.json() == {"id": 5, "name": "Rex", "owner": 7}
    assert calls == [("the session", 7, 3, 5, "Rex")]
    gone = client.delete("/api/v1/pets/5")
    assert (gone.status_code, gone.content) == (204, b"")
    assert calls[-1] == ("removed", 5)


def test_bad_ids_and_bodies_are_refused_before_the_service() -> None:
    calls.clear()
    client = TestClient(_app())
    assert client.put("/api/v1/owners/x/pets/5", json={"name": "Rex"}).status_code == 422
    assert client.put("/api/v1/owners/3/pets/5", json={}).status_code == 422
    assert client.delete("/api/v1/pets/0").status_code == 422  # ids are positive
    assert calls == []


def test_the_api_description_reads_as_written_out_endpoints() -> None:
    spec = _app().openapi()
    rename = spec["paths"]["/api/v1/owners/{owner_id}/pets/{pet_id}"]["put"]
    assert rename["operationId"] == "rename_pet_api_v1_owners__owner_id__pets__pet_id__put"
    assert rename["summary"] == "Rename Pet"
    assert rename["description"] == "Rename a pet."
    assert [p["name"] for p in rename["parameters"]] == ["owner_id", "pet_id"]
    assert rename["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PetIn"
    }
    answer = rename["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/PetOut"}
    delete = spec["paths"]["/api/v1/pets/{pet_id}"]["delete"]
    assert delete["operationId"] == "delete_pet_api_v1_pets__pet_id__delete"
    assert list(delete["responses"]) == ["204", "422"]


def test_an_answer_is_shaped_from_its_row_with_the_given_fields_over_it() -> None:
    class Row:
        id, name, owner, secret = 7, "Rex", 3, "never shown"

    assert shaped(PetOut, Row()) == PetOut(id=7, name="Rex", owner=3)
    assert shaped(PetOut, Row(), owner=9) == PetOut(id=7, name="Rex", owner=9)
