"""Each application's language and time zone, guessed from the resume, the opening and the
company (SPEC A4, D1): an English resume from San Francisco is not invited in Chinese."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.candidates.language_zone import guess, text_language, zone_of_phone, zone_of_place
from hireflow.candidates.models import Application
from tests.conftest import bearer
from tests.openings.factories import en_resume, make_opening, txt_resume

EN_HEADER = """Emily Stone
San Francisco, CA · +1 (415) 555-0199 · emily.stone@example.com

Experience
Senior Backend Engineer, Acme Corp, 2019 – Present
Built payment services in Go and Python for two million users.
Education
University of California, Berkeley, B.S. Computer Science
"""
ZH = """张伟
手机：13912345609
现居住地：杭州
工作经历
2018.07 - 至今 杭州云栖数据科技有限公司 后端工程师
负责 Python、Redis 和 Kafka 服务的设计与开发，支撑日均千万级请求。
"""
JA = """山田 太郎
東京都渋谷区
職務経歴
2019年4月 株式会社サンプル 入社 バックエンドエンジニアとして、決済システムの開発を担当しました。
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EN_HEADER, "en"),
        (ZH, "zh-CN"),
        (JA, "ja"),
        # Chinese prose full of English skill names is still Chinese
        (
            "负责 Java、Spring Boot、MySQL、Redis、Kafka、Docker、Kubernetes 的后端开发和运维工作。",
            "zh-CN",
        ),
        ("", None),
        ("Python", None),
    ],
)
def test_the_language_of_the_text(text, expected):
    assert text_language(text) == expected


@pytest.mark.parametrize(
    ("place", "zone"),
    [
        ("San Francisco", "America/Los_Angeles"),
        ("Austin, TX 78701", "America/Chicago"),
        ("Brooklyn, NY", "America/New_York"),
        ("London, United Kingdom", "Europe/London"),
        ("杭州", "Asia/Shanghai"),
        ("香港", "Asia/Hong_Kong"),
        ("Shenzhen, China", "Asia/Shanghai"),
        ("東京都渋谷区", "Asia/Tokyo"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_places(place, zone):
    found = zone_of_place(place)
    assert (found[0] if found else None) == zone


def test_phone_numbers_give_a_country_and_for_north_america_an_area():
    assert zone_of_phone("+1 (415) 555-0199", "en") == ("America/Los_Angeles", "+1")
    assert zone_of_phone("+44 20 7946 0958", "en") == ("Europe/London", "+44")
    assert zone_of_phone("13912345609", "zh-CN") == ("Asia/Shanghai", "+86")
    # no country code: read as North American in an English resume
    assert zone_of_phone("(212) 555-0100", "en") == ("America/New_York", "+1")
    assert zone_of_phone("12345", "en") is None


def test_an_english_resume_from_san_francisco_applying_to_a_chinese_opening():
    found = guess(text=EN_HEADER, phone="+1 (415) 555-0199", opening_language="zh-CN")
    assert (found.language, found.timezone, found.source) == ("en", "America/Los_Angeles", "resume")
    codes = [r["code"] for r in found.reasons]
    assert codes[0] == "text_language" and "location_mentioned" in codes and "phone" in codes
    # the university further down the resume is not where the person lives
    assert all("Berkeley" not in str(r["value"]) for r in found.reasons)


def test_without_clues_the_opening_then_the_company_decides():
    found = guess(text="Python", opening_language="en", default_zone="Europe/Berlin")
    assert (found.language, found.timezone, found.source) == ("en", "Europe/Berlin", "opening")
    assert {r["code"] for r in found.reasons} == {"opening_language", "default_zone"}


def test_each_application_keeps_its_own_language(client, session, org, regional):
    """The same person applies to a Chinese opening and an English one: the language of each
    application follows what was sent for it, not the person's first application."""
    chinese = make_opening(session, org)
    chinese.language = "zh-CN"
    english = make_opening(session, org)
    english.language = "en"
    session.commit()
    headers = bearer(client, org.users["hr_admin"])

    def upload(opening, name, data):
        response = client.post(
            f"/api/v1/openings/{opening.id}/resumes",
            files=[("files", (name, data, "text/plain"))],
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return response.json()["results"][0]

    first = upload(chinese, "emily.txt", en_resume())
    second = upload(english, "emily-2.txt", en_resume())
    assert first["candidate_id"] == second["candidate_id"]  # one person
    apps = {
        a.opening_id: a
        for a in session.scalars(
            select(Application).where(Application.candidate_id == first["candidate_id"])
        )
    }
    for opening in (chinese, english):
        app = apps[opening.id]
        assert (app.language, app.timezone) == ("en", "America/Los_Angeles")
        assert app.locale_source == "resume"
    # a Chinese resume to the English opening stays Chinese, in China's zone
    third = upload(english, "wang.txt", txt_resume(name="王芳", email="wf2@example.com"))
    app = session.scalars(
        select(Application).where(Application.candidate_id == third["candidate_id"])
    ).one()
    assert (app.language, app.timezone) == ("zh-CN", "Asia/Shanghai")
