"""Settings: embedded defaults in development, refusal of weak secrets in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hireflow.core.settings import ConfigurationError, Settings, resolve_secrets


def test_development_generates_and_keeps_secrets(tmp_path):
    first = resolve_secrets(Settings(data_dir=tmp_path))
    second = resolve_secrets(Settings(data_dir=tmp_path))
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert first.master_key == second.master_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{tmp_path / 'hireflow.db'}"
    assert first.broker_url.startswith("sqla+sqlite:///")


@pytest.mark.parametrize(
    "secret", ["", "change-me", "dev-secret-dev-secret-dev-secret-00", "short"]
)
def test_production_refuses_weak_secret_keys(tmp_path, secret):
    settings = Settings(data_dir=tmp_path, env="production", secret_key=secret, master_key="x" * 44)
    with pytest.raises(ConfigurationError, match="HIREFLOW_SECRET_KEY"):
        resolve_secrets(settings)


def test_production_requires_a_master_key(tmp_path):
    settings = Settings(data_dir=tmp_path, env="production", secret_key="k" * 10 + "Zq8" * 10)
    with pytest.raises(ConfigurationError, match="HIREFLOW_MASTER_KEY"):
        resolve_secrets(settings)


def test_unknown_language_and_zone_are_rejected(tmp_path):
    with pytest.raises(ValidationError, match="default_language"):
        Settings(data_dir=tmp_path, default_language="fr")
    with pytest.raises(ValidationError, match="default_timezone"):
        Settings(data_dir=tmp_path, default_timezone="Moon/Crater")


def test_redis_broker_uses_redis_for_results(tmp_path):
    settings = Settings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/3")
    assert settings.result_backend == "redis://127.0.0.1:6379/3"
