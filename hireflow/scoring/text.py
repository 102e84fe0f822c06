"""Text utilities shared by the AI engine: language detection, sentences, tokens.

Everything here is deterministic and works on Chinese, English and the mix of the two
that candidates actually write ("我用 Python 做了一个 API"). Chinese is segmented with
jieba; runs of Latin letters and digits are kept out of jieba so that technical terms such
as ``C++``, ``C#``, ``node.js`` and ``e-commerce`` survive as single tokens.

Languages inside the engine are ``"zh"`` and ``"en"`` only (see :func:`engine_language`).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from types import ModuleType

__all__ = [
    "ENGINE_LANGUAGES",
    "EN_STOPWORDS",
    "ZH_STOPWORDS",
    "content_words",
    "count_han",
    "detect_language",
    "engine_language",
    "is_han",
    "keyword_overlap",
    "normalise_text",
    "split_sentences",
    "tokenize",
]

ENGINE_LANGUAGES = ("zh", "en")

# CJK Unified Ideographs plus Extension A and the compatibility block: what jieba treats
# as Chinese.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")

# One token: a run of Han characters (segmented later by jieba) or an ASCII word that may
# carry the punctuation of technical names: c++, c#, node.js, e-commerce, don't, 3.5, .net.
_TOKEN_RE = re.compile(
    rf"[{_HAN}]+"
    r"|\.?[a-z0-9]+(?:[+#]+|(?:['’.\-_/][a-z0-9]+)+)?",
)


def is_han(char: str) -> bool:
    """Whether a single character is a Chinese (Han) ideograph."""
    return bool(_HAN_RE.fullmatch(char))


def count_han(text: str) -> int:
    """Number of Han ideographs in ``text``."""
    return len(_HAN_RE.findall(text))


def normalise_text(text: str) -> str:
    """NFKC-normalise (full-width ASCII to half-width) and collapse runs of spaces.

    Line breaks are kept because they separate sentences and bullet points.
    """
    text = unicodedata.normalize("NFKC", text)
    # NFKC turns the ideographic full stop into itself but the full-width comma etc. into
    # ASCII; that is intended: one set of punctuation to handle afterwards.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v\u00a0\u3000]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def engine_language(code: str | None, default: str = "zh") -> str:
    """Map a platform language code to an engine language ("zh" or "en").

    ``zh``, ``zh-CN``, ``zh_TW``, ``zh-Hans`` map to ``zh``; ``en`` and its variants to ``en``;
    Japanese and any other language fall back to ``en`` until the engine has a model for it.
    """
    if not code:
        return default
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if base == "zh":
        return "zh"
    return "en"


def detect_language(text: str, default: str = "en") -> str:
    """Guess whether ``text`` is Chinese or English.

    A Chinese character carries about as much as three Latin letters, so Chinese wins when
    ``han * 3 >= latin letters``: "我用Python和Django开发了API" is Chinese, "I worked at 阿里巴巴
    for three years" is English. Text with neither returns ``default``.
    """
    han = count_han(text)
    latin = len(_LATIN_LETTER_RE.findall(text))
    if han == 0 and latin == 0:
        return default
    return "zh" if han * 3 >= latin else "en"


# ---------------------------------------------------------------------------- sentences

_ZH_TERMINATORS = set("。！？；…．")
_EN_TERMINATORS = set(".!?")
_CLOSERS = set("\"'”’」』）)]】》")
# Words that end with a full stop without ending the sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "dept",
    "approx",
    "fig",
    "no",
    "u.s",
    "u.k",
    "a.m",
    "p.m",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _is_sentence_end_dot(text: str, i: int) -> bool:
    """Decide whether the '.' at ``text[i]`` ends a sentence."""
    before = text[:i]
    after = text[i + 1 :]
    if after and after[0].isdigit() and before and before[-1].isdigit():
        return False  # decimal number 3.5
    if after and not after[0].isspace() and not is_han(after[0]) and after[0] not in _CLOSERS:
        return False  # node.js, e.g. "v1.2", a URL
    match = _WORD_BEFORE_DOT.search(before)
    if match:
        word = match.group(1).lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False  # "Dr. Li", "J. Smith", "e.g. this"
    stripped = after.lstrip(" ")
    # A lower-case continuation after a full stop is almost always an abbreviation we did not
    # list ("approx. three").
    return not (stripped and stripped[0].islower())


def _is_chinese_semicolon(text: str, i: int) -> bool:
    """A semicolon ends a sentence in Chinese prose (；) but not in English."""
    before = text[:i].rstrip()
    after = text[i + 1 :].lstrip()
    return bool((before and is_han(before[-1])) or (after and is_han(after[0])))


def split_sentences(text: str) -> list[str]:
    """Split Chinese, English or mixed text into sentences, keeping their punctuation.

    Boundaries: Chinese 。！？…… and ； between Chinese words, English . ! ? followed by a space,
    a Chinese character or the end (not decimals, ``node.js``, ``e.g.``, ``Dr.``, initials),
    and line breaks. Closing quotes and brackets stay with the sentence they close.
    Commas never split: a candidate's long Chinese sentence stays one sentence. The
    sentences are substrings of the input (only trimmed), so they can be quoted as evidence.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sentences: list[str] = []
    start = 0
    i = 0
    n = len(text)

    def flush(end: int) -> None:
        piece = text[start:end].strip()
        if piece and any(ch.isalnum() for ch in piece):
            sentences.append(piece)
        elif piece and sentences:
            sentences[-1] += piece  # stray punctuation belongs to the previous sentence

    while i < n:
        ch = text[i]
        if ch == "\n":
            flush(i)
            start = i + 1
            i += 1
            continue
        ends = (
            ch in _ZH_TERMINATORS
            or ch in "!?！？"
            or (ch == "." and _is_sentence_end_dot(text, i))
            or (ch == ";" and _is_chinese_semicolon(text, i))
        )
        if ends:
            j = i + 1
            # "?!", "...", "。”", "！）" all belong to the same ending.
            while j < n and (
                text[j] in _ZH_TERMINATORS or text[j] in _EN_TERMINATORS or text[j] == ";"
            ):
                j += 1
            while j < n and text[j] in _CLOSERS:
                j += 1
            flush(j)
            start = j
            i = j
            continue
        i += 1
    flush(n)
    return sentences


# ----------------------------------------------------------------------------- tokens

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> ModuleType:
    """Import and initialise jieba once, quietly (its start-up banner goes to stderr), its
    dictionary from the start-up cache (:mod:`hireflow.scoring.startup`)."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                module = _import_jieba()
                module.setLogLevel(logging.WARNING)
                from hireflow.scoring.startup import prime_jieba

                prime_jieba(module)
                _jieba_ready = True
    import jieba

    return jieba


def _import_jieba() -> ModuleType:
    """``import jieba`` without ``pkg_resources``: jieba only uses it to open its own data
    files (it falls back to plain paths without it), and importing it costs about 0.5 s of
    a cold start. Hidden only while jieba is imported, and only if nothing loaded it yet."""
    import sys

    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of Chinese, English or mixed text, punctuation dropped.

    Chinese runs are segmented by jieba (HMM on, so unknown names are still grouped);
    Latin runs are kept whole, including ``c++``, ``c#``, ``node.js``.
    """
    text = normalise_text(text).lower()
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        piece = match.group(0)
        if is_han(piece[0]):
            tokens.extend(w for w in _jieba().lcut(piece, HMM=True) if w.strip())
        else:
            tokens.append(piece.replace("’", "'"))
    return tokens


_EN_STOPWORDS_TEXT = """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's with
    won't would wouldn't you you'd you'll you're you've your yours yourself yourselves also
    just like really will well get got one two us via e.g i.e etc
    """

_ZH_STOPWORDS_TEXT = """
    的 了 和 是 在 我 我们 你 你们 他 她 他们 她们 它 它们 这 那 这个 那个 这些 那些 有 也 就 都
    而 及 与 或 一个 一些 一下 一种 没有 不 很 还 又 要 会 能 可以 把 被 让 给 对 从 向 到 为 为了
    以 以及 并 并且 但 但是 然后 因为 所以 如果 虽然 可是 而且 或者 还是 就是 只是 这样 那样 怎么
    什么 哪 哪些 哪个 吗 呢 吧 啊 呀 嗯 哦 着 过 地 得 之 其 其中 该 每 各 某 自己 大家 比较 非常
    已经 正在 通过 进行 时候 时 后 前 中 上 下 里 之后 之前 当时 然后 一直 所有 这里 那里 请 您
    如何 是否 一次 一位 您的 多少 当 即 却 则 再 更 最 太 些 个 位 次 等 等等
    """

EN_STOPWORDS: frozenset[str] = frozenset(_EN_STOPWORDS_TEXT.split())
ZH_STOPWORDS: frozenset[str] = frozenset(_ZH_STOPWORDS_TEXT.split())

_PLURAL_KEEP = ("ss", "us", "is", "os", "as")


def _fold_english(word: str) -> str:
    """Conservative plural folding so "complaints" matches "complaint".

    Only plurals are folded: a real stemmer would also merge "organisation" with "organ".
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_PLURAL_KEEP):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: stop words, lone digits and one-letter words removed.

    English plurals are folded ("complaints" → "complaint"); Chinese single characters are
    kept only when they are not stop words (many, like 钱 or 车, do carry meaning).
    """
    words: list[str] = []
    for token in tokenize(text):
        if token in EN_STOPWORDS or token in ZH_STOPWORDS:
            continue
        if is_han(token[0]):
            words.append(token)
            continue
        if token.isdigit() or (len(token) == 1 and token not in {"c", "r"}):
            continue
        words.append(_fold_english(token))
    return words


def keyword_overlap(query: str | Iterable[str], document: str | Iterable[str]) -> set[str]:
    """Content words that ``query`` and ``document`` share (either side: text or words)."""
    left = set(content_words(query) if isinstance(query, str) else query)
    right = set(content_words(document) if isinstance(document, str) else document)
    return left & right
