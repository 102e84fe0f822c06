"""The integration pages: who sees them, the forms, and their refusals."""

from __future__ import annotations

import re

from sqlalchemy import select

from hireflow.integrations.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import login
from tests.integrations.authz import foreign_params


def test_hr_adds_an_endpoint_on_the_page_and_sees_its_secret_once(client, org, session):
    login(client, org.users["hr_admin"])
    page = client.get("/integrations/webhooks")
    assert page.status_code == 200 and 'id="endpoint-form"' in page.text
    # The test machine resolves no public names: a local receiver, allowed on the page first.
    saved = client.post(
        "/integrations/settings", data={"allow_private_addresses": "on"}, follow_redirects=False
    )
    assert saved.status_code == 303
    made = client.post(
        "/integrations/webhooks",
        data={
            "url": "http://127.0.0.1:18449/hooks",
            "events": ["candidate.created", "stage.changed"],
        },
    )
    assert made.status_code == 200 and 'id="secret-value"' in made.text
    endpoint = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == org.tenant.id)
    ).one()
    assert endpoint.secret in made.text
    assert endpoint.events == ["candidate.created", "stage.changed"]
    again = client.get("/integrations/webhooks")
    assert endpoint.secret not in again.text and "http://127.0.0.1:18449/hooks" in again.text


def test_bad_input_rerenders_the_page_with_the_reason(client, org):
    login(client, org.users["hr_admin"])
    for data in (
        {"url": "ftp://example.com/x", "events": ["*"]},
        {"url": "http://127.0.0.1:18400/x", "events": ["*"]},
        {"url": "https://example.com/x", "events": ["made.up"]},
        {"url": "https://example.com/x"},
    ):
        answer = client.post("/integrations/webhooks", data=data)
        assert answer.status_code == 422, data
        assert 'id="webhook-error"' in answer.text
    missing = client.post("/integrations/import", data={"mapping": ""})
    assert missing.status_code == 422 and 'id="import-error"' in missing.text


def test_a_dry_run_on_the_page_lists_row_errors(client, org):
    login(client, org.users["hr_admin"])
    answer = client.post(
        "/integrations/import",
        data={"mapping": "moka", "dry_run": "on"},
        files={"file": ("moka.csv", "姓名,邮箱\n,a@example.com\n周杰,b@example.com\n".encode())},
    )
    assert answer.status_code == 200 and 'id="import-report"' in answer.text
    assert "<td>2</td><td>name</td>" in answer.text
    export = client.get("/integrations/export?kind=candidates&format=xlsx&mapping=beisen")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_roles_without_the_capability_get_403(client, org):
    for role in ("interviewer", "recruiter", "hiring_manager"):
        client.cookies.clear()
        client.headers.pop("X-CSRF-Token", None)
        login(client, org.users[role])
        assert client.get("/integrations/webhooks").status_code == 403, role
        answer = client.post("/integrations/webhooks", data={"url": "https://e.com", "events": "*"})
        assert answer.status_code == 403, role
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["it_auditor"])
    assert client.get("/integrations/webhooks").status_code == 200
    assert client.get("/integrations/transfer").status_code == 403


def _deliveries(session, org, failed: int, delivered: int) -> None:
    """An endpoint with one failed delivery (``authz.foreign_params``) and as many more as
    asked for."""
    endpoint_id = foreign_params(session, org)["endpoint_id"]
    statuses = ["failed"] * (failed - 1) + ["delivered"] * delivered
    session.add_all(
        WebhookDelivery(
            tenant_id=org.tenant.id,
            endpoint_id=endpoint_id,
            event_id=f"{n:032x}",
            event="candidate.created",
            subject=f"candidate:{n}",
            body="{}",
            status=status,
        )
        for n, status in enumerate(statuses)
    )
    session.commit()


def _shown(page) -> tuple[list[str], str]:
    rows = re.findall(r'data-delivery="(\d+)"', page.text)
    pager = re.search(r'<nav class="pager">(.*?)</nav>', page.text, re.S)
    return rows, " ".join(re.sub(r"<[^>]+>", " ", pager.group(1)).split()) if pager else ""


def test_the_delivery_pager_shows_the_page_it_lists_and_refuses_pages_that_are_not(
    client, org, session
):
    _deliveries(session, org, failed=55, delivered=3)
    login(client, org.users["hr_admin"])
    first, second = (
        client.get("/integrations/webhooks"),
        client.get("/integrations/webhooks?page=2"),
    )
    rows, pager = _shown(first)
    assert len(rows) == 50 and pager.endswith("1 / 2 Next")
    rows2, pager2 = _shown(second)
    assert len(rows2) == 8 and not set(rows) & set(rows2) and pager2.startswith("Previous 2 / 2")
    assert 'href="/integrations/webhooks?page=1"' in second.text
    # a filter is kept by the pager's links; a status that is none is no filter
    failed = client.get("/integrations/webhooks?status=failed&page=2")
    assert len(_shown(failed)[0]) == 5 and "status=failed&amp;page=1" in failed.text
    assert _shown(client.get("/integrations/webhooks?status=bogus"))[1].endswith("1 / 2 Next")
    # past the last page: an empty page, said so, with the way back to the last
    beyond = client.get("/integrations/webhooks?page=9")
    assert beyond.status_code == 200 and _shown(beyond) == ([], "Previous 9 / 2")
    assert 'href="/integrations/webhooks?page=2"' in beyond.text
    # not a page number: refused like on every other list page, never page 1 called "1 / N"
    for page in ("0", "-1", "abc", "1.5", "²", "", str(10**12)):
        answer = client.get("/integrations/webhooks", params={"page": page})
        assert answer.status_code == 422, (page, answer.status_code)


def test_a_refused_endpoint_names_the_field_in_the_user_s_language(client, org, session):
    hr = org.users["hr_admin"]
    expected = {
        "zh-CN": ("事件：取值无效。", "事件：请至少选择一项。"),
        "en": ("Events: Invalid value: unknown event", "Events: Choose at least one."),
    }
    for language, (unknown, none) in expected.items():
        hr.language = language
        session.commit()
        login(client, hr)
        refused = client.post(
            "/integrations/webhooks", data={"url": "https://example.com/x", "events": ["made.up"]}
        )
        assert refused.status_code == 422 and unknown in refused.text
        empty = client.post("/integrations/webhooks", data={"url": "https://example.com/x"})
        assert empty.status_code == 422 and none in empty.text
