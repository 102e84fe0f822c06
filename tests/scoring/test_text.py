"""Tests for the shared text utilities (language, sentences, tokens)."""

from __future__ import annotations

import pytest

from hireflow.scoring.text import (
    content_words,
    count_han,
    detect_language,
    engine_language,
    is_han,
    keyword_overlap,
    normalise_text,
    split_sentences,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我负责处理客户投诉。", "zh"),
        ("I handled customer complaints.", "en"),
        ("我用Python和Django开发了一个API", "zh"),
        ("I worked at 阿里巴巴 for three years", "en"),
        ("We used 微服务 architecture for the payment system", "en"),
        ("当时的KPI是把NPS提高到60", "zh"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_without_letters_uses_default() -> None:
    assert detect_language("123 456 !!!") == "en"
    assert detect_language("", default="zh") == "zh"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh", "zh"), ("zh-CN", "zh"), ("zh_TW", "zh"), ("en-US", "en"), ("ja", "en"), (None, "zh")],
)
def test_engine_language(code: str | None, expected: str) -> None:
    assert engine_language(code) == expected


def test_han_helpers() -> None:
    assert is_han("中") and not is_han("a") and not is_han("。")
    assert count_han("我用Python写了3个服务") == 7


def test_normalise_text_full_width_and_spaces() -> None:
    assert (
        normalise_text("ＡＢＣ１２３\u3000  多个   空格\r\n下一行 ") == "ABC123 多个 空格\n下一行"
    )


def test_split_chinese_sentences_keeps_punctuation() -> None:
    text = "我负责客户投诉处理。当时客户非常生气！我先道歉；然后提出方案……最后客户满意了。"
    assert split_sentences(text) == [
        "我负责客户投诉处理。",
        "当时客户非常生气！",
        "我先道歉；",
        "然后提出方案……",
        "最后客户满意了。",
    ]


def test_split_chinese_commas_do_not_split() -> None:
    text = "当时项目延期了两周，客户很不满意，我主动打电话沟通，重新排了计划"
    assert split_sentences(text) == [text]


def test_split_english_abbreviations_decimals_and_names() -> None:
    text = (
        "I met Dr. Li at 3.5 p.m. yesterday. We used node.js, e.g. for the API! "
        "Was it good? Yes. J. Smith agreed."
    )
    assert split_sentences(text) == [
        "I met Dr. Li at 3.5 p.m. yesterday.",
        "We used node.js, e.g. for the API!",
        "Was it good?",
        "Yes.",
        "J. Smith agreed.",
    ]


def test_split_quotes_lines_and_mixed_text() -> None:
    text = "他说：“我们明天上线。”然后就走了。\n- 第一点\r\n- second point\nIt worked.我很开心"
    assert split_sentences(text) == [
        "他说：“我们明天上线。”",
        "然后就走了。",
        "- 第一点",
        "- second point",
        "It worked.",
        "我很开心",
    ]


def test_split_ellipsis_and_repeated_marks() -> None:
    assert split_sentences("I was... uh, nervous. Then it worked...") == [
        "I was... uh, nervous.",
        "Then it worked...",
    ]
    assert split_sentences("真的吗？！好的") == ["真的吗？！", "好的"]


def test_split_semicolon_only_in_chinese() -> None:
    assert split_sentences("We shipped on time; the client was happy.") == [
        "We shipped on time; the client was happy."
    ]
    assert split_sentences("先稳定情绪;再解决问题") == ["先稳定情绪;", "再解决问题"]


def test_split_empty_and_punctuation_only() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n \n") == []
    assert split_sentences("好的。。。！") == ["好的。。。！"]


def test_tokenize_mixed_keeps_technical_terms() -> None:
    tokens = tokenize("我用Python和C++开发了一个node.js服务，处理客户投诉。C# .NET e-commerce")
    assert tokens == [
        "我用",
        "python",
        "和",
        "c++",
        "开发",
        "了",
        "一个",
        "node.js",
        "服务",
        "处理",
        "客户",
        "投诉",
        "c#",
        ".net",
        "e-commerce",
    ]


def test_tokenize_full_width_ascii_and_apostrophes() -> None:
    assert tokenize("ＰＹＴＨＯＮ don’t 3.5") == ["python", "don't", "3.5"]


def test_tokenize_is_deterministic() -> None:
    text = "在生产线上发现安全隐患时，我立即停机并上报班长。"
    assert tokenize(text) == tokenize(text)


def test_content_words_drop_stopwords_and_fold_plurals() -> None:
    words = content_words(
        "We handled the customer complaints and the angry clients 我们处理了客户的投诉"
    )
    assert words == ["handled", "customer", "complaint", "angry", "client", "处理", "客户", "投诉"]


def test_content_words_plural_folding_is_conservative() -> None:
    assert content_words("process analysis status companies boxes") == [
        "process",
        "analysis",
        "status",
        "company",
        "box",
    ]


def test_keyword_overlap_accepts_text_or_words() -> None:
    assert keyword_overlap("handle customer complaints", "Complaint handling for customers") == {
        "customer",
        "complaint",
    }
    assert keyword_overlap(["客户", "投诉"], "负责客户投诉处理") == {"客户", "投诉"}
