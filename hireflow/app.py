"""Builds the FastAPI application from the domains' routers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

import hireflow.models  # noqa: F401 - registers every table and permission scope
from hireflow import __version__
from hireflow.core.db import Database, get_database, set_database
from hireflow.core.logging import configure_logging
from hireflow.core.settings import Settings, get_settings
from hireflow.core.tasks import load_task_modules
from hireflow.discovery import domain_modules
from hireflow.web import routes as web
from hireflow.web import routing_index
from hireflow.web.deps import csrf_protect, csrf_protect_api, releasing_connection
from hireflow.web.errors import API_ERROR_RESPONSES, install_error_handlers
from hireflow.web.middleware import HireflowMiddleware

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def _routers() -> tuple[list[APIRouter], list[APIRouter]]:
    """(API routers, page routers): the shell's, then each domain's that has them."""
    api = [web.api_router] + [m.router for m in domain_modules("routes_api")]
    pages = [web.router] + [m.router for m in domain_modules("routes_web")]
    return api, pages


def _release_connections_in_threads(router: APIRouter) -> None:
    """Sync endpoints give the database connection back before leaving their thread (see
    ``releasing_connection``); done before ``include_router`` copies the routes."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            route.endpoint = releasing_connection(route.endpoint)


def _prepare_routing(app: FastAPI) -> None:
    """Work out the routes now rather than on the first request.

    FastAPI prepares each included router's routes (dependencies, parameters) when the first
    request is matched against it: seconds for all the domains' routes, spent on the event
    loop, so the first request after a start would stall every other. Matching one request
    here prepares them all.
    """
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    for route in app.router.routes:
        route.matches(scope)


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The whole web application; tests pass their own settings and database."""
    settings = settings or get_settings()
    if database is not None:
        set_database(database)
    configure_logging(settings.log_level, settings.log_json)
    app = FastAPI(
        title="Hireflow",
        version=__version__,
        docs_url=None,  # served by hireflow.web.routes from vendored assets (offline installs)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    api_routers, page_routers = _routers()
    for router in (*api_routers, *page_routers):
        _release_connections_in_threads(router)
    for router in api_routers:
        app.include_router(
            router,
            prefix="/api/v1",
            dependencies=[Depends(csrf_protect_api)],
            responses=API_ERROR_RESPONSES,
        )
    for router in page_routers:
        app.include_router(router, dependencies=[Depends(csrf_protect)])
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    app.add_middleware(HireflowMiddleware, settings=settings, database_getter=get_database)
    routing_index.install()
    _prepare_routing(app)
    load_task_modules()
    return app
