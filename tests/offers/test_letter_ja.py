"""The offer letter in Japanese (SPEC E7, H3): a real PDF whose text is Japanese."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from hireflow.core.errors import AppError
from hireflow.offers import portal, service
from hireflow.offers.pdf import digest, pdf_language
from hireflow.org.auth import principal_for
from tests.offers.factories import BODY, make_offer, make_template, sent_offer

KANA = re.compile(r"[\u3040-\u30ff]")


def _text(document: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_a_japanese_letter_without_company_text_uses_the_built_in_japanese_text(session, org):
    offer = make_offer(session, org, name="山田花子", language="ja")
    hr = principal_for(org.users["hr_admin"])
    text = _text(service.letter_pdf(session, hr, offer.id, "ja"))
    assert "内定通知書" in text and "山田花子 様" in text
    assert "試用期間" in text and "3 か月" in text and "上海" in text
    assert "ご一緒に働ける日を楽しみにしております" in text  # the built-in body, kana embedded
    assert len(KANA.findall(text)) > 40
    assert "录用通知书" not in text and "Offer letter" not in text


def test_the_company_japanese_text_is_used_when_the_template_has_one(session, org):
    body = {**BODY, "ja": "{name} 様、{position} としての内定をお知らせします。"}
    template = make_template(session, org, name="Engineer JP", body=body)
    assert template.body["ja"].startswith("{name} 様")
    offer = make_offer(session, org, name="佐藤健", language="ja")
    offer.body = dict(template.body)
    hr = principal_for(org.users["hr_admin"])
    text = _text(service.letter_pdf(session, hr, offer.id, "ja"))
    assert "佐藤健 様、" in text and "としての内定をお知らせします" in text


def test_a_japanese_candidate_is_sent_and_shown_the_japanese_letter(session, org):
    offer, _ = sent_offer(session, org, name="鈴木一郎", language="ja")
    assert pdf_language(offer.language) == "ja" and pdf_language("ja-JP") == "ja"
    document, filename = portal.letter_pdf(session, offer)
    assert filename == f"offer-{offer.id}-ja.pdf"
    assert offer.pdf_sha256 == digest(document)
    assert "鈴木一郎 様" in _text(document)


def test_an_unknown_letter_language_is_refused(session, org):
    offer = make_offer(session, org)
    hr = principal_for(org.users["hr_admin"])
    with pytest.raises(AppError) as refused:
        service.letter_pdf(session, hr, offer.id, "ko")
    assert refused.value.status == 422
