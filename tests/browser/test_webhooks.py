"""HR connects a webhook receiver on the page, a new candidate reaches it signed, the delivery
log shows it and replays it, and a secret rotation keeps the old secret signing meanwhile."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.integrations.receiver import Receiver
from tests.openings.factories import txt_resume

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
PASSWORD = "Hireflow-demo-2026"


def _new_candidate(server: str) -> None:
    """Upload one resume through the public API: the candidates domain publishes
    candidate.created."""
    with httpx.Client(base_url=server, timeout=60) as api:
        token = api.post("/api/v1/auth/token", json={"email": HR, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        department = api.get("/api/v1/org/departments").json()[0]["id"]
        opening = api.post(
            "/api/v1/openings",
            json={"title": f"Webhook {secrets.token_hex(2)}", "department_id": department},
        ).json()["id"]
        assert api.post(f"/api/v1/openings/{opening}/status", json={"status": "open"}).is_success
        name = f"网钩{secrets.token_hex(2)}"
        files = [
            ("files", (f"{name}.txt", txt_resume(name, f"{secrets.token_hex(4)}@example.cn", None)))
        ]
        assert api.post(f"/api/v1/openings/{opening}/resumes", files=files).json()["accepted"] == 1


def _wait(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_connect_a_receiver_see_deliveries_replay_and_rotate(page: Page, server: str):
    receiver = Receiver().start()
    try:
        sign_in(page, HR)
        page.goto("/integrations/webhooks")
        expect(page.locator("h1")).to_be_visible()
        page.locator('#settings-form input[name="allow_private_addresses"]').check()
        page.locator("#settings-form button").click()
        page.wait_for_url("**/integrations/webhooks?saved=1")

        form = page.locator("#endpoint-form")
        form.locator('input[name="url"]').fill(receiver.url)
        form.locator('input[value="candidate.created"]').check()
        form.locator("#add-endpoint").click()
        secret = page.locator("#secret-value").inner_text().strip()
        assert secret.startswith("whsec_")
        receiver.secrets = [secret]
        expect(page.locator("#endpoints")).to_contain_text(receiver.url)

        _new_candidate(server)
        _wait(lambda: len(receiver.received) >= 1)
        first = receiver.received[0]
        assert first.event == "candidate.created" and receiver.refused == 0
        assert set(first.body["data"]) == {"candidate_id", "opening_id", "source"}

        page.goto("/integrations/webhooks?status=delivered")
        row = page.locator('#deliveries tr[data-status="delivered"]', has_text=first.event_id)
        expect(row).to_be_visible()
        row.locator("button.replay").click()
        expect(page.locator("#replayed")).to_be_visible()
        _wait(lambda: len(receiver.received) >= 2)
        assert receiver.received[1].event_id == first.event_id

        endpoint_row = page.locator("#endpoints tr", has_text=receiver.url)
        endpoint_row.locator('input[name="grace_hours"]').fill("1")
        endpoint_row.locator("button.rotate").click()
        new_secret = page.locator("#secret-value").inner_text().strip()
        assert new_secret != secret
        receiver.secrets = [secret, new_secret]
        _new_candidate(server)
        _wait(lambda: len(receiver.received) >= 3)
        assert receiver.received[2].valid_with == [secret, new_secret]
        expect(page.locator("h1")).to_contain_text("Webhook")
    finally:
        receiver.stop()
