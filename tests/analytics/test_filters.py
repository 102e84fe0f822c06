"""One parser for the dashboards' filters: the pages and the API accept and refuse the same
URLs, blank values mean "all", and every refusal names its field."""

from __future__ import annotations

from datetime import date

import pytest

from hireflow.analytics.queries import Filters, parse_filters
from hireflow.core.errors import ValidationFailed
from tests.conftest import bearer, login, make_org

BAD = {
    "opening=abc": "opening",
    "opening=0": "opening",
    "department=99999999999999": "department",
    "start=2026-13-01": "start",
    "end=yesterday": "end",
    "start=2026-05-02&end=2026-05-01": "start",
    "start=2020-01-01&end=2026-01-01": "start",
}


def test_parse_filters_reads_blanks_as_all_and_names_bad_fields():
    assert parse_filters({}) == Filters()
    assert parse_filters({"opening": "", "start": " ", "end": None}) == Filters()
    assert parse_filters({"opening": "7", "end": "2026-05-01"}) == Filters(
        opening_id=7, end=date(2026, 5, 1)
    )
    for query, field in BAD.items():
        values = dict(part.split("=") for part in query.split("&"))
        with pytest.raises(ValidationFailed) as refused:
            parse_filters(values)
        assert field in refused.value.fields, query


def test_pages_and_api_refuse_the_same_urls(session, client):
    org = make_org(session)
    headers = bearer(client, org.users["hr_admin"])
    login(client, org.users["hr_admin"])
    for query in BAD:
        assert client.get(f"/analytics?{query}").status_code == 422, query
        assert client.get(f"/api/v1/analytics?{query}", headers=headers).status_code == 422, query
    for query in ("", "opening=&department=&start=&end=", "start=2026-01-01"):
        assert client.get(f"/analytics?{query}").status_code == 200, query
        assert client.get(f"/api/v1/analytics?{query}", headers=headers).status_code == 200, query
