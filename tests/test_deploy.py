"""The deployment files cannot rot: every command they start is a real ``hireflow`` command
with options it accepts, every ``HIREFLOW_`` variable they set is a real setting, every
queue a worker unit may be started for exists, and every metric the dashboard charts is one
the product exports."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest
import typer.main
import yaml

from hireflow.cli import app
from hireflow.core.settings import Settings
from hireflow.core.tasks import QUEUES

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SETTINGS = {f"HIREFLOW_{name.upper()}" for name in Settings.model_fields}
# Variables the compose file names that are not Hireflow settings: the other services' own,
# and prometheus_client's multiprocess directory.
FOREIGN = {
    "PROMETHEUS_MULTIPROC_DIR",
    "POSTGRES_USER",
    "POSTGRES_DB",
    "POSTGRES_PASSWORD",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "HIREFLOW_DOMAIN",  # Caddy's site name, substituted by compose
}


def _check_command(argv: list[str]) -> None:
    """Parse ``hireflow ...`` with the real CLI (nothing runs): an unknown command, option
    or bad value raises."""
    assert argv[0].endswith("hireflow"), argv
    group = typer.main.get_command(app)
    name, *args = argv[1:]
    command = group.commands.get(name)
    assert command is not None, f"no command hireflow {name}"
    command.make_context(name, list(args))
    if "--queues" in args:
        for queue in args[args.index("--queues") + 1].split(","):
            assert queue in QUEUES, queue


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _hireflow_services() -> dict[str, dict]:
    return {
        name: service
        for name, service in _compose()["services"].items()
        if service.get("image") == "hireflow:latest"
    }


def test_every_compose_command_is_a_real_cli_command():
    services = _hireflow_services()
    assert {"web", "beat", "worker-scoring", "worker-speech", "worker-notifications"} <= set(
        services
    )
    for service in services.values():
        _check_command(service["command"])
    queues = {
        s["command"][s["command"].index("--queues") + 1]
        for s in services.values()
        if "--queues" in s["command"]
    }
    # every queue but the sandbox (its own command) has a worker
    assert queues == set(QUEUES) - {"sandbox"}


def test_every_variable_the_compose_file_sets_is_a_real_setting(monkeypatch, tmp_path):
    text = (DEPLOY / "docker-compose.yml").read_text()
    named = set(re.findall(r"\b(HIREFLOW_[A-Z0-9_]+)\b", text))
    assert named - SETTINGS - FOREIGN == set()
    for service in _compose()["services"].values():
        for variable in service.get("environment") or {}:
            assert variable in SETTINGS | FOREIGN or not variable.startswith("HIREFLOW_")
    # the values parse: the settings the web process would build from its environment
    for name, value in _hireflow_services()["web"]["environment"].items():
        if name.startswith("HIREFLOW_") and "${" not in str(value):
            monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("HIREFLOW_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.separate_queues and settings.storage_backend == "s3"
    assert settings.s3_endpoints == {"cn": "http://minio:9000"}


def test_the_example_environment_names_only_settings():
    lines = (DEPLOY / "hireflow.env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert names and names <= SETTINGS


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keep the keys' case
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


@pytest.mark.parametrize(
    "unit", ["hireflow-web.service", "hireflow-worker@.service", "hireflow-beat.service"]
)
def test_every_systemd_unit_starts_a_real_cli_command(unit):
    service = _unit(unit)["Service"]
    instances = QUEUES if "%i" in service["ExecStart"] else ("",)
    for queue in instances:
        _check_command(shlex.split(service["ExecStart"].replace("%i", queue)))
    assert service["EnvironmentFile"] == "/etc/hireflow/hireflow.env"
    for line in service.get("Environment", "").split("\n"):
        if line:
            assert line.split("=", 1)[0] in SETTINGS | FOREIGN


def test_the_dashboard_charts_only_metrics_the_product_exports():
    from hireflow.core import metrics
    from hireflow.web import middleware

    exported = {
        metric.name
        for module in (metrics, middleware)
        for metric in vars(module).values()
        if hasattr(metric, "_name") and hasattr(metric, "describe")
        for metric in metric.describe()
    }
    exported |= {
        "hireflow_queue_length",
        "hireflow_queue_oldest_age_seconds",
        "hireflow_backlog_items",
        "hireflow_backlog_oldest_seconds",
        "hireflow_asr_lag_seconds",
    }
    dashboard = json.loads((DEPLOY / "grafana" / "hireflow.json").read_text())
    charted = {
        re.sub(r"_(bucket|count|sum|total)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bhireflow_[a-z_]+", target["expr"])
    }
    bases = {re.sub(r"_total$", "", name) for name in exported}
    assert charted and charted <= bases, charted - bases
