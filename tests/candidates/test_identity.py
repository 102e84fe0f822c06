"""Duplicate keys, birth dates and the language check of uploads."""

from __future__ import annotations

from datetime import date

import pytest

from hireflow.candidates.documents import check_upload
from hireflow.candidates.files import unsupported_language
from hireflow.candidates.identity import email_key, find_birth_date, name_key, school_keys

TODAY = date(2025, 6, 30)


def test_name_and_email_keys():
    assert name_key("Emily  Carter") == name_key("EMILY CARTER") == "emilycarter"
    assert name_key("王 芳") == name_key("王芳") == "王芳"
    assert name_key("Jean-Luc Picard") == "jeanlucpicard"
    assert name_key(None) == ""
    assert email_key(" Wang.Fang@Example.COM ") == "wang.fang@example.com"
    assert email_key("not an address") == "" and email_key("a@b@c") == ""
    assert school_keys(["浙江 大学", None, ""]) == {"浙江大学"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("出生日期：1992年5月3日", "1992-05-03"),
        ("出生年月: 1990.07", "1990-07"),
        ("Date of birth: 1988-11-30", "1988-11-30"),
        ("DOB 1995/02/28", "1995-02-28"),
        ("2012.09 - 2016.06 浙江大学", None),  # a date range is not a birth date
        ("出生日期：2030-01-01", None),
        ("出生日期：1990-13-01", None),
        ("出生日期：1990-02-30", None),
    ],
)
def test_birth_dates(text, expected):
    assert find_birth_date(text, today=TODAY) == expected


ENGLISH = (
    "Emily Carter\nSenior Software Engineer with experience in Python and PostgreSQL. "
    "Led the migration of the billing system and managed a team of five engineers at Acme. "
    "Education: Stanford University. Skills: Python, Redis, Kubernetes. " * 3
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("王芳\n工作经历\n2016.07 - 至今 苏州精密机械制造有限公司 机械工程师\n" * 5, None),
        (ENGLISH, None),
        (ENGLISH + "Worked with Siemens AG und Bosch GmbH in München.", None),
        ("山田太郎\n職務経歴\n株式会社トヨタで生産管理を担当しました。" * 10, "日本語 Japanese"),
        (
            "김민수\n경력 사항\n삼성전자에서 소프트웨어 엔지니어로 근무했습니다." * 10,
            "한국어 Korean",
        ),
        (
            "Иван Петров\nОпыт работы\nРазработчик программного обеспечения " * 10,
            "Кириллица Cyrillic",
        ),
        (
            "Max Müller\nBerufserfahrung\nIch bin Softwareentwickler und arbeite seit 2015 bei der "
            "Firma mit einem Team von zehn Entwicklern für die Kunden in der Region und nicht nur "
            "für das Inland. " * 4,
            "Deutsch German",
        ),
        (
            "Marie Dupont\nExpérience professionnelle\nJe suis ingénieure et je travaille dans une "
            "entreprise pour les clients avec des équipes sur les projets du groupe et des "
            "partenaires. " * 4,
            "Français French",
        ),
    ],
)
def test_resume_language(text, language):
    assert unsupported_language(text) == language


def test_upload_refuses_other_languages_with_a_message():
    check = check_upload(("김민수\n경력 사항\n삼성전자 근무" * 20).encode(), "kim.txt", 1 << 20)
    assert not check.ok and check.code == "language_unsupported"
    assert "한국어" in check.message["zh"] and "only Chinese and English" in check.message["en"]
