"""How the authorization sweep reaches the integration routes with another tenant's objects."""

from __future__ import annotations

from hireflow.integrations.models import WebhookDelivery, WebhookEndpoint
from hireflow.integrations.signing import new_secret


def foreign_params(session, org) -> dict[str, int | str]:
    endpoint = WebhookEndpoint(
        tenant_id=org.tenant.id,
        url="https://example.com/hook",
        description=org.tenant.name,
        events=["*"],
        secret=new_secret(),
    )
    session.add(endpoint)
    session.flush()
    row = WebhookDelivery(
        tenant_id=org.tenant.id,
        endpoint_id=endpoint.id,
        event_id="e" * 32,
        event="candidate.created",
        subject="candidate:1",
        body="{}",
        status="failed",
    )
    session.add(row)
    session.flush()
    # /imports/{kind}: what is imported, not an object of a tenant
    return {"endpoint_id": endpoint.id, "delivery_id": row.id, "kind": "employees"}


ENDPOINT = {"url": "https://example.com/hook", "events": ["*"]}
API_BODIES = {
    ("POST", "/api/v1/webhooks/endpoints"): ENDPOINT,
    ("PUT", "/api/v1/webhooks/endpoints/{endpoint_id}"): ENDPOINT,
    ("POST", "/api/v1/webhooks/endpoints/{endpoint_id}/rotate"): {"grace_hours": 1},
    ("PUT", "/api/v1/integrations/settings"): {"allow_private_addresses": False},
}
# The path names what is imported, no tenant's object; who may import what, the file checks
# and the scope of every row are tested in tests/integrations/test_people_import.py.
SKIP_API = {("POST", "/api/v1/imports/{kind}")}
