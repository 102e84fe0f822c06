"""The page of stage templates per job family (``/workflow/stage-templates``, HR admins):
pick a family, edit the stages its new openings start with, or send it back to the company's
list. Imported by :mod:`hireflow.workflow.routes_web`, whose form helpers it uses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from hireflow.core.permissions import Principal, require
from hireflow.openings.models import JOB_TYPES
from hireflow.web.deps import DbSession, PageUser
from hireflow.web.forms import Form, Page, act_or_rerender, naming, rerender, submit_form
from hireflow.web.templating import render
from hireflow.workflow import schemas, stage_templates
from hireflow.workflow.models import STAGE_KINDS
from hireflow.workflow.web_router import router

PAGE = "/workflow/stage-templates"


def _family(value: str | None) -> str:
    return value if value in JOB_TYPES else JOB_TYPES[0]


def _context(session: DbSession, principal: Principal, family: str) -> dict[str, Any]:
    from hireflow.workflow.routes_web import KIND_LABELS  # the module that imports this one

    found = stage_templates.templates(session, principal)
    return {
        "templates": found,
        "chosen": next(t for t in found if t.family == family),
        "kinds": STAGE_KINDS,
        "kind_labels": KIND_LABELS,
        "errors": {},
    }


@router.get(PAGE)
def stage_templates_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "pipeline.configure")
    family = _family(request.query_params.get("family"))
    return render(request, "workflow/stage_templates.html", _context(session, principal, family))


def _page(request: Request, session: DbSession, principal: Principal, family: str) -> Page:
    return rerender(
        request, "workflow/stage_templates.html", lambda: _context(session, principal, family)
    )


@router.post(PAGE)
def save_stage_template(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    from hireflow.workflow.routes_web import LIST_FIELDS, _rows  # it imports this module

    require(principal, "pipeline.configure")
    family = str(form.get("family") or "")
    fields = {"family": family, "stages": _rows(form, "stage", with_kind=True)}

    def act(data: BaseModel) -> Response:
        assert isinstance(data, schemas.StageTemplateIn)
        stage_templates.set_template(session, principal, data.family, data)
        return RedirectResponse(f"{PAGE}?family={data.family}&saved=1", status_code=303)

    page = naming(_page(request, session, principal, _family(family)), LIST_FIELDS, request)
    return submit_form(request, schemas.StageTemplateIn, fields, act, page)


@router.post(f"{PAGE}/remove")
def remove_stage_template(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "pipeline.configure")
    family = str(form.get("family") or "")

    def act() -> Response:
        stage_templates.remove_template(session, principal, family)
        return RedirectResponse(f"{PAGE}?family={family}&removed=1", status_code=303)

    return act_or_rerender(request, act, _page(request, session, principal, _family(family)))
