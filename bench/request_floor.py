"""The floor under a candidate request: the load bench's bare endpoint behind Hireflow's own
request pipeline, to tell what the framework around an endpoint costs from what the endpoint
does (issue 17: "each middleware adds per request").

Two apps, each serving ``ENDPOINT``, the bare endpoint of ``interviews_load.BARE_APP`` (same
body, same answer):

- ``middleware``: a bare FastAPI app with Hireflow's middleware (request id, size limit, the
  request's database session, caller and language, CSRF cookie, security headers, metrics,
  held Celery messages), nothing else;
- ``app``: the whole Hireflow application (every domain's routes, error handlers, the same
  middleware) with the bare endpoint added as its last route, so a request to it is matched
  against the whole routing table first, as a candidate's is.

The bench starts each as its own uvicorn process on the installation under test and drives it
exactly like the bare endpoint; the ratios bare/floor and floor/product split the cost.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import interviews_world as world_module

ROUTE = "/bare"
QUIET = ("--log-level", "warning", "--app-dir")

ENDPOINT = """
from pydantic import BaseModel, Field


class Body(BaseModel):
    tab: str = Field(pattern=r"^[A-Za-z0-9_-]{8,40}$")
    text: str = Field(default="", max_length=20000)
    final: bool = False


def bare(body: Body) -> dict:
    return {"ok": True, "chars": len(body.text)}
"""

APPS = {
    "middleware": ENDPOINT
    + """
from fastapi import FastAPI

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.web.middleware import HireflowMiddleware

app = FastAPI()
app.post("/bare")(bare)
app.add_middleware(HireflowMiddleware, settings=get_settings(), database_getter=get_database)
""",
    "app": ENDPOINT
    + """
from hireflow.app import create_app

app = create_app()
app.post("/bare")(bare)
""",
}


def start(kind: str, data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """One floor app as its own server on the installation in ``data_dir``; (process, port)."""
    module = f"floor_{kind}"
    (data_dir / f"{module}.py").write_text(APPS[kind])
    port = world_module.free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            f"{module}:app",
            "--port",
            str(port),
            *QUIET,
            str(data_dir),
        ],
        env=env,
        cwd=world_module.ROOT,
        stdout=(data_dir / f"{module}.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    return process, port


def check(base_url: str) -> None:
    """The floor route answers as the bare one does (not some other route of the app)."""
    import httpx
    from interviews_load import TAB

    response = httpx.post(f"{base_url}{ROUTE}", json={"tab": TAB, "text": "x"}, timeout=60)
    if response.status_code != 200 or response.json() != {"ok": True, "chars": 1}:
        raise RuntimeError(f"floor route answered {response.status_code}: {response.text[:200]}")
