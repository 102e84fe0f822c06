"""The ``hireflow`` command's own decisions (the server itself is tested in test_cli_serve)."""

from __future__ import annotations

from hireflow.cli import listening_base_url
from hireflow.core.settings import Settings


def test_links_follow_the_port_the_server_listens_on(tmp_path, monkeypatch):
    monkeypatch.delenv("HIREFLOW_BASE_URL", raising=False)
    settings = Settings(data_dir=tmp_path)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert listening_base_url(settings, "127.0.0.1", 18810) == "http://127.0.0.1:18810"
    assert listening_base_url(settings, "0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert listening_base_url(settings, "::1", 9000) == "http://[::1]:9000"
    assert listening_base_url(settings, "hr.example.cn", 80) == "http://hr.example.cn:80"


def test_a_configured_base_url_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("HIREFLOW_BASE_URL", "https://jobs.example.cn")
    settings = Settings(data_dir=tmp_path)
    assert listening_base_url(settings, "127.0.0.1", 18810) is None
    assert settings.base_url == "https://jobs.example.cn"
