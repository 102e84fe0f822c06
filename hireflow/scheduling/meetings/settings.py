"""The company's meeting provider and its credentials (HR admins only).

Secrets are stored encrypted (``scheduling_policies.meeting_secrets``), never shown back (only
which are set), never logged or audited (the audit row names what changed, not to what).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, require
from hireflow.scheduling import schemas
from hireflow.scheduling.meetings.base import PROVIDER_LABELS, PROVIDERS, SPECS
from hireflow.scheduling.models import SchedulingPolicy
from hireflow.scheduling.policies import policy_for


def meeting_settings(session: Session, principal: Principal) -> schemas.MeetingSettingsOut:
    require(principal, "scheduling.configure")
    policy = policy_for(session, principal.tenant_id)
    _ = gettext_for(principal.language)
    config = policy.meeting_config or {}
    secrets = policy.meeting_secrets or {}
    return schemas.MeetingSettingsOut(
        provider=policy.meeting_provider or "pasted",
        providers=[
            schemas.MeetingProviderOut(
                name=name,
                label=_(PROVIDER_LABELS[name]),
                config_keys=list(SPECS[name].config),
                secret_keys=list(SPECS[name].secrets),
                required=list(SPECS[name].required),
                config={k: str(v) for k, v in (config.get(name) or {}).items()},
                secrets_set=sorted(k for k, v in (secrets.get(name) or {}).items() if v),
            )
            for name in PROVIDERS
        ],
    )


def _clean_config(name: str, raw: dict[str, str]) -> dict[str, str]:
    spec = SPECS[name]
    unknown = sorted(set(raw) - set(spec.config))
    if unknown:
        raise ValidationFailed(
            N_("Unknown setting: %(name)s"),
            params={"name": ", ".join(unknown)},
            fields={"config": "unknown"},
        )
    clean = {k: v for k, v in raw.items() if v}
    for key in ("base_url", "oauth_url", "login_url"):
        if key in clean and not clean[key].startswith(("https://", "http://")):
            raise ValidationFailed(
                N_("The address must start with https://"), fields={f"config.{key}": "url"}
            )
    if "timeout_seconds" in clean:
        value = clean["timeout_seconds"]
        if not re.fullmatch(r"[0-9]{1,2}", value) or not 1 <= int(value) <= 30:
            raise ValidationFailed(
                N_("The timeout must be 1 to 30 seconds."),
                fields={"config.timeout_seconds": "1-30"},
            )
    return clean


def _merged_secrets(name: str, stored: dict[str, str], raw: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(raw) - set(SPECS[name].secrets))
    if unknown:
        raise ValidationFailed(
            N_("Unknown setting: %(name)s"),
            params={"name": ", ".join(unknown)},
            fields={"secrets": "unknown"},
        )
    # An empty field keeps the stored secret: the page never has it to send back.
    return {**stored, **{k: v for k, v in raw.items() if v}}


def save_meeting_settings(
    session: Session, principal: Principal, data: schemas.MeetingSettingsIn
) -> schemas.MeetingSettingsOut:
    """Choose the provider and save its settings; refuses an unknown provider or one whose
    required credentials are missing, so a booking never finds it half set up."""
    require(principal, "scheduling.configure")
    name = data.provider
    if name not in PROVIDERS:
        raise ValidationFailed(
            N_("Unknown meeting provider: %(name)s"),
            params={"name": name[:20]},
            fields={"provider": "unknown"},
        )
    policy = _own_policy(session, principal)
    all_config: dict[str, Any] = dict(policy.meeting_config or {})
    all_secrets: dict[str, Any] = dict(policy.meeting_secrets or {})
    config = _clean_config(name, data.config)
    secret = _merged_secrets(name, dict(all_secrets.get(name) or {}), data.secrets)
    missing = [k for k in SPECS[name].required if not (config.get(k) or secret.get(k))]
    if missing:
        raise ValidationFailed(
            N_("Missing credentials for this meeting provider: %(names)s"),
            params={"names": ", ".join(missing)},
            fields=dict.fromkeys(missing, "required"),
        )
    before = {"provider": policy.meeting_provider, "config": all_config.get(name) or {}}
    changed_secrets = sorted(k for k in secret if secret[k] != (all_secrets.get(name) or {}).get(k))
    if SPECS[name].config or SPECS[name].secrets:
        all_config[name] = config
        all_secrets[name] = secret
    policy.meeting_provider = name
    policy.meeting_config = all_config
    policy.meeting_secrets = all_secrets
    session.flush()
    old, new = audit.diff(before, {"provider": name, "config": config})
    audit.commit_recorded(
        session,
        "scheduling.meeting_provider_saved",
        actor=principal,
        target_type="scheduling_policy",
        target_id=policy.id,
        old=old,
        new={**(new or {}), "secrets_changed": changed_secrets},
    )
    return meeting_settings(session, principal)


def _own_policy(session: Session, principal: Principal) -> SchedulingPolicy:
    row = session.scalars(
        select(SchedulingPolicy).where(SchedulingPolicy.tenant_id == principal.tenant_id)
    ).first()
    if row is None:
        row = policy_for(session, principal.tenant_id)
        session.add(row)
    return row
