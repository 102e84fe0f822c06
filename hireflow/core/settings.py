"""Typed settings from the environment (prefix ``HIREFLOW_``) and an optional ``.env`` file.

Development runs on embedded defaults: an SQLite file, a local Celery broker, and secrets that
are generated once and kept in the data directory. Production refuses to start without real
secrets (DESIGN rule 6): a missing or development secret there is a configuration error, never
a silent fallback.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_LANGUAGES = ("zh-CN", "en", "ja")
DEV_SECRET_MARKERS = ("change-me", "dev", "development", "secret", "insecure")


class ConfigurationError(RuntimeError):
    """The settings cannot run the product safely; the message says which one and why."""


class Settings(BaseSettings):
    """All process-level configuration. Per-company policy lives in the database instead."""

    model_config = SettingsConfigDict(env_prefix="HIREFLOW_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"))
    database_url: str = ""
    secret_key: str = ""
    master_key: str = ""
    broker_url: str = ""
    result_backend: str = ""
    default_language: str = "zh-CN"
    default_timezone: str = "Asia/Shanghai"
    base_url: str = "http://127.0.0.1:8000"
    max_upload_bytes: int = 20 * 1024 * 1024
    max_request_bytes: int = 210 * 1024 * 1024
    session_hours: int = 12
    login_max_failures: int = 5
    login_lockout_seconds: int = 60
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    mail_from: str = "Hireflow <no-reply@hireflow.example>"
    log_level: str = "INFO"
    log_json: bool = True
    embedded_worker: bool = True
    queue_alert_seconds: int = 600  # queued work older than this is an alert (IT page, log)
    # Production shape (docs/deploy.md): each kind of task on its own queue (scoring, speech,
    # notifications; the sandbox always), served by a ``hireflow worker --queues`` per queue.
    separate_queues: bool = False
    # Redis broker: a message taken by a worker that died (kill -9) is handed out again once
    # it has been unacknowledged this long; longer than the slowest task, or it runs twice.
    broker_visibility_timeout: int = 3600
    # Speech recognition (faster-whisper): "cpu" or "cuda", and CTranslate2's compute type
    # ("int8" on CPUs; "float16" or "int8_float16" on GPUs).
    asr_device: Literal["cpu", "cuda", "auto"] = "cpu"
    asr_compute_type: str = "int8"
    asr_cpu_threads: int = 2
    # HR record (hireflow.records): key rotation, regional storage, checkpoints, file access.
    previous_master_keys: str = ""  # comma-separated older keys, kept only to decrypt old data
    storage_regions: str = "cn,eu,us,sg"  # residency regions this deployment stores data in
    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoints: dict[str, str] = Field(default_factory=dict)  # region -> endpoint URL
    s3_buckets: dict[str, str] = Field(default_factory=dict)  # region -> bucket
    s3_signing_regions: dict[str, str] = Field(default_factory=dict)  # region -> S3 region
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_prefix: str = ""
    checkpoint_key_path: Path | None = None  # Ed25519 key; default <data dir>/checkpoint_key
    checkpoint_dir: Path | None = None  # signed chain checkpoints; default <data dir>/checkpoints
    checkpoint_public_keys: str = ""  # comma-separated extra trusted public keys (base64)
    download_code_minutes: int = 10  # lifetime of a one-time code for opening an attachment
    # Sign-in throttling (hireflow.org.auth): per address and account, per address, per account.
    login_address_max_failures: int = 30  # failures from one address (any accounts) per window
    login_account_max_failures: int = 20  # failures for one account (any addresses) per window
    login_window_seconds: int = 900
    login_max_lockout_seconds: int = 900
    # API keys: the longest lifetime a key may be given (days).
    api_key_max_days: int = 365
    # Models behind interfaces (hireflow.scoring): an OpenAI-compatible endpoint or embedded.
    judge_url: str = ""
    judge_model: str = "default"
    judge_api_key: str = ""
    judge_timeout: float = 20.0
    embedder: str = "use"  # use | e5 | openai
    embedder_url: str = ""
    embedder_model: str = "text-embedding-3-small"
    embedder_api_key: str = ""
    embedder_threads: int = 1
    translator: str = "none"  # none | openai
    translator_url: str = ""
    translator_model: str = "gpt-4o-mini"
    translator_api_key: str = ""
    translator_timeout: float = 60.0
    # Scoring engine 1.1 (learned sentence roles, relevance gate); off: see docs/scoring.md.
    scoring_learned: bool = False
    # Live interview rooms (docs/live.md): STUN URLs, comma-separated; a TURN server (coturn)
    # with its shared secret, from which each participant gets credentials valid a few hours.
    live_stun_urls: str = ""
    live_turn_urls: str = ""
    live_turn_secret: str = ""
    live_turn_hours: int = 6
    live_chunk_max_bytes: int = 2 * 1024 * 1024  # one utterance of audio (WebM/Opus, Ogg, WAV)
    live_chunk_max_seconds: float = 30.0
    # The encoder's window for an utterance: "fitted" (twice its speech, at least 10 s) or
    # "30s" (Whisper's full window, as the AI interview; 3-4 times the CPU per utterance).
    live_asr_window: Literal["fitted", "30s"] = "fitted"

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'hireflow.db'}"
        if not self.broker_url:
            self.broker_url = f"sqla+sqlite:///{self.data_dir / 'broker.db'}"
        if not self.result_backend:
            if self.broker_url.startswith(("redis://", "rediss://")):
                self.result_backend = self.broker_url
            else:
                self.result_backend = f"db+sqlite:///{self.data_dir / 'results.db'}"
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"


def _looks_like_dev_secret(value: str) -> bool:
    lowered = value.lower()
    return len(value) < 32 or any(marker in lowered for marker in DEV_SECRET_MARKERS)


def _stored_secret(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    """Read a generated secret, creating it (mode 0600) on first run."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def resolve_secrets(settings: Settings) -> Settings:
    """Fill in development secrets, or refuse weak ones in production."""
    if settings.is_production:
        if not settings.secret_key or _looks_like_dev_secret(settings.secret_key):
            raise ConfigurationError(
                "HIREFLOW_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not settings.master_key:
            raise ConfigurationError(
                "HIREFLOW_MASTER_KEY must be set in production: 32 random bytes, base64-encoded."
            )
        if not settings.smtp_host:
            # The mail drop would write invitations and sign-in codes into files on this
            # machine and report them sent: nobody would ever receive them.
            raise ConfigurationError(
                "HIREFLOW_SMTP_HOST must be set in production: without a mail server, "
                "invitations, codes and notices would only be written to the maildrop folder "
                "and never reach anyone (also set HIREFLOW_SMTP_PORT, HIREFLOW_SMTP_SECURITY, "
                "HIREFLOW_SMTP_USERNAME / HIREFLOW_SMTP_PASSWORD and HIREFLOW_MAIL_FROM)."
            )
        return settings
    if not settings.secret_key:
        settings.secret_key = _stored_secret(
            settings.data_dir / "secret_key", lambda: secrets.token_urlsafe(48)
        )
    if not settings.master_key:
        settings.master_key = _stored_secret(
            settings.data_dir / "master_key",
            lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
        )
    return settings


def export_environment(name: str, value: str, *, override: bool = True) -> None:
    """Put a value into this process's environment for child processes and native libraries.

    The product itself reads settings only through ``Settings``; this is the one place that
    writes the environment (the embedded worker inherits it; some libraries read only it).
    """
    if override:
        os.environ[name] = value
    else:
        os.environ.setdefault(name, value)
    if name.startswith("HIREFLOW_"):
        get_settings.cache_clear()


def metrics_directory() -> Path | None:
    """prometheus_client's multiprocess directory (``PROMETHEUS_MULTIPROC_DIR``, its own name,
    read by the library itself at import): None when processes count on their own."""
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    return Path(value) if value else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return resolve_secrets(settings)
