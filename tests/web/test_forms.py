"""The form layer every page uses: read, validate, act, re-render with field errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from hireflow.core.errors import AppError, Conflict, NotFound, ValidationFailed
from hireflow.web.forms import (
    Form,
    PostedForm,
    act_or_rerender,
    local_datetime,
    redirect_to_new,
    submit_form,
)
from hireflow.web.listing import Days


class Pet(BaseModel):
    name: str = Field(min_length=2)
    legs: int


def _app() -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def language(request: Request, call_next):  # what the real middleware sets
        request.state.language = "en"
        request.state.timezone = "Asia/Shanghai"
        return await call_next(request)

    @app.post("/pets")
    def add_pet(request: Request, form: Form) -> Response:
        def act(pet: Pet) -> Response:
            if pet.name == "gone":
                raise NotFound()
            if pet.name == "taken":
                raise ValidationFailed(fields={"name": "taken"})
            if pet.name == "twin":
                raise Conflict()
            size = len(form.read_file("photo", 10) or b"")
            return JSONResponse({"saved": pet.name, "tags": form.getlist("tag"), "photo": size})

        def page(errors: dict[str, str]) -> Response:
            return JSONResponse({"errors": errors}, status_code=422)

        fields = {"name": form.get("name"), "legs": form.get("legs")}
        return submit_form(request, Pet, fields, act, page)

    @app.post("/pets/{name}/adopt")
    def adopt(request: Request, name: str) -> Response:
        def act() -> Response:
            if name == "gone":
                raise Gone()
            return JSONResponse({"adopted": name})

        def page(errors: dict[str, str]) -> Response:
            return JSONResponse({"errors": errors}, status_code=422)

        return act_or_rerender(request, act, page)

    @app.post("/pets/new")
    def new_pet(request: Request, form: Form) -> Response:
        made = redirect_to_new(lambda pet: Row(len(pet.name)), "/pets/{id}?new=1")
        fields = {"name": form.get("name"), "legs": "4"}
        return submit_form(
            request, Pet, fields, made, lambda errors: JSONResponse(errors, status_code=422)
        )

    @app.get("/visits")
    def visits(days: Days) -> Response:
        return JSONResponse(
            {
                "typed": [days.since, days.until],
                "bounds": [str(days.start), str(days.end)],
                "not_understood": days.not_understood,
            }
        )

    return app


class Row:
    def __init__(self, id: int) -> None:
        self.id = id


class Gone(AppError):
    status = 410
    code = "gone"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app(), raise_server_exceptions=False)


def test_a_valid_form_runs_the_action_with_repeated_fields_and_files(client):
    answer = client.post(
        "/pets",
        data={"name": "Rex", "legs": "4", "tag": ["a", "b"]},
        files={"photo": ("p.png", b"0123456789abc", "image/png")},
    )
    assert answer.status_code == 200
    assert answer.json() == {"saved": "Rex", "tags": ["a", "b"], "photo": 10}


def test_invalid_fields_re_render_with_one_message_per_field(client):
    answer = client.post("/pets", data={"name": "R", "legs": "many"})
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"name", "legs"}


def test_a_refused_action_re_renders_on_its_field(client):
    answer = client.post("/pets", data={"name": "taken", "legs": "4"})
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["name"]


def test_not_found_is_not_turned_into_a_form_error(client):
    with pytest.raises(AppError):
        TestClient(_app()).post("/pets", data={"name": "gone", "legs": "4"})


def test_a_refused_action_re_renders_with_the_refusals_own_status(client):
    answer = client.post("/pets", data={"name": "twin", "legs": "4"})
    assert answer.status_code == 409
    assert answer.json()["errors"] == {"form": "This conflicts with existing data."}


def test_an_action_without_a_schema_re_renders_with_the_refusals_status(client):
    refused = client.post("/pets/gone/adopt")
    assert refused.status_code == 410
    assert list(refused.json()["errors"]) == ["form"]
    assert client.post("/pets/rex/adopt").json() == {"adopted": "rex"}


def test_a_new_row_s_page_follows_its_form(client):
    answer = client.post("/pets/new", data={"name": "Rex"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/pets/3?new=1"
    assert client.post("/pets/new", data={"name": "R"}).status_code == 422


def test_day_filters_bound_whole_days_in_the_viewer_s_zone(client):
    shown = client.get("/visits", params={"since": "2026-03-01", "until": "2026-03-02"}).json()
    assert shown == {
        "typed": ["2026-03-01", "2026-03-02"],
        "bounds": ["2026-03-01 00:00:00+08:00", "2026-03-03 00:00:00+08:00"],
        "not_understood": False,
    }
    typo = client.get("/visits", params={"until": "March"}).json()
    assert typo["bounds"] == ["None", "None"] and typo["not_understood"] is True
    assert client.get("/visits").json()["not_understood"] is False


def test_a_local_date_and_time_is_read_in_the_zone_it_was_typed_in():
    assert str(local_datetime("2026-03-01T09:30", "Europe/Berlin")) == "2026-03-01 09:30:00+01:00"
    assert (
        str(local_datetime("2026-03-01T09:30+00:00", "Asia/Tokyo")) == "2026-03-01 09:30:00+00:00"
    )
    assert local_datetime("", "UTC") is None and local_datetime("soon", "UTC") is None


def test_a_repeated_field_is_read_with_or_without_brackets():
    assert PostedForm(lists={"ids[]": ["1", "2"]}).listed("ids") == ["1", "2"]
    assert PostedForm(values={"ids": "3"}).listed("ids") == ["3"]
    assert PostedForm().listed("ids") == []


class Stage(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    seats: int = Field(ge=1, le=10)


class Stages(BaseModel):
    stages: list[Stage]
    url: str = Field(min_length=8)


def _errors(language: str, data: dict) -> dict[str, str]:
    from pydantic import ValidationError

    from hireflow.core.i18n import gettext_for
    from hireflow.web.forms import field_errors

    with pytest.raises(ValidationError) as caught:
        Stages.model_validate(data)
    return field_errors(caught.value, gettext_for(language))


BAD = {"stages": [{"key": "ok", "seats": 1}, {"key": "Bad Key", "seats": "many"}], "url": "x"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-CN",
            {
                "stages.1.key": "请使用小写字母、数字和下划线（_），并以字母开头。",
                "stages.1.seats": "请输入数字。",
                "url": "内容过短。",
            },
        ),
        (
            "en",
            {
                "stages.1.key": "Use lower-case letters, digits and _, starting with a letter.",
                "stages.1.seats": "Enter a number.",
                "url": "This field is too short.",
            },
        ),
    ],
)
def test_pydantic_errors_read_in_the_page_s_language(language: str, expected: dict) -> None:
    assert _errors(language, BAD) == expected


def test_an_english_validator_reason_is_not_shown_on_a_chinese_page() -> None:
    from pydantic import ValidationError, field_validator

    from hireflow.core.i18n import gettext_for
    from hireflow.web.forms import field_errors

    class Hook(BaseModel):
        events: list[str]

        @field_validator("events")
        @classmethod
        def _known(cls, value: list[str]) -> list[str]:
            raise ValueError("unknown event 'x.y'")

    with pytest.raises(ValidationError) as caught:
        Hook.model_validate({"events": ["x.y"]})
    zh = field_errors(caught.value, gettext_for("zh-CN"))
    en = field_errors(caught.value, gettext_for("en"))
    assert zh == {"events": "取值无效。"}
    assert en == {"events": "Invalid value: unknown event 'x.y'"}


def test_named_errors_say_which_field_and_row_in_both_languages() -> None:
    from hireflow.core.errors import N_
    from hireflow.core.i18n import gettext_for
    from hireflow.web.forms import named_errors

    labels = {"stages": N_("Stages"), "stages.*": N_("Stage %(row)s"), "key": N_("Key")}
    labels |= {"url": N_("URL"), "seats": N_("Seats")}
    zh = named_errors(_errors("zh-CN", BAD), labels, gettext_for("zh-CN"))
    en = named_errors(_errors("en", BAD), labels, gettext_for("en"))
    assert en["stages.1.key"].startswith("Stage 2 · Key: Use lower-case letters")
    assert en["url"] == "URL: This field is too short."
    assert zh["stages.1.key"].startswith("第 2 个阶段 · 标识：请使用小写字母")
    assert zh["url"] == "地址：内容过短。"
    # a field without a label keeps its bare message: never an internal name
    assert named_errors({"form": "x", "secret_id": "y"}, labels, gettext_for("en")) == {
        "form": "x",
        "secret_id": "y",
    }
