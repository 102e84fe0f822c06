"""What questions and passages about a job are about (bilingual topic word lists) and what kind
of thing a question asks for; the word lists of :mod:`hireflow.interviews.qa`."""

from __future__ import annotations

import re
from importlib import resources

from hireflow.candidates.skills import find_skills, vocabulary
from hireflow.scoring.models import read_yaml

_T = dict[str, tuple[str, str]]


def _load_words() -> dict[str, _T]:
    """The word lists of ``qa_topics.yaml``: table -> entry -> (Chinese, English) pattern."""
    raw = resources.files("hireflow.interviews").joinpath("qa_topics.yaml").read_text("utf-8")
    data = read_yaml(raw, "interviews/qa_topics.yaml", "candidate question topics")

    def pattern(value: str | list[str]) -> str:
        return value if isinstance(value, str) else "".join(value)

    return {
        table: {key: (pattern(entry["zh"]), pattern(entry["en"])) for key, entry in rows.items()}
        for table, rows in data.items()
    }


def _bilingual(table: _T) -> dict[str, re.Pattern[str]]:
    """One pattern per entry: the Chinese words as written, the English ones in any case."""
    return {key: re.compile(f"(?:{zh})|(?i:{en})") for key, (zh, en) in table.items()}


_WORDS = _load_words()


#: topic -> (Chinese pattern, English pattern); English is matched case-insensitively.
TOPICS: _T = _WORDS["topics"]


BROAD = frozenset({"duties", "requirements", "benefits"})


#: Topics that name a thing (a country, a tool, a language) rather than what is asked about
#: it: "Can I work from Europe?" asks about remote work, and a passage that only names a region
#: does not answer it.
ENTITY = frozenset({"territory", "tech", "language"})


#: What such a question may ask about a named thing.
INTENT = frozenset(
    {"remote", "location", "salary", "hours", "visa", "relocation", "travel", "start", "process"}
)


#: What a passage on one topic also speaks to: shifts are working hours, a bonus is pay, a
#: meal allowance is a benefit.
IMPLIES = {
    "shift": {"hours"},
    "overtime": {"hours"},
    "overtime_pay": {"overtime", "hours"},
    "weekend": {"hours"},
    "base": {"salary"},
    "bonus": {"salary", "benefits"},
    "annual_bonus": {"bonus", "salary", "benefits"},
    "commission": {"salary"},
    # the housing fund (公积金) is a benefit of its own beside social insurance (社保, 五险)
    "housing_fund": {"insurance", "benefits"},
    "parental": {"leave", "benefits"},
    "sick": {"leave", "benefits"},
    "allowance": {"benefits"},
    **{
        t: {"benefits"}
        for t in (
            "insurance",
            "leave",
            "meals",
            "transport",
            "housing",
            "gym",
            "training",
            "raise",
            "equity",
            "parking",
            "discount",
        )
    },
}


#: Languages a question or passage may name: asking about one the passage does not name is
#: not answered by it ("do I need English?" is not answered by "standard Mandarin").
LANGUAGES = {
    "en": r"英语|英文|\benglish\b",
    "zh": r"普通话|中文|汉语|\bmandarin\b|\bchinese\b",
    "de": r"德语|\bgerman\b",
    "ms": r"马来语|印尼语|\bmalay\b|bahasa",
    "ja": r"日语|\bjapanese\b",
}


_LANGUAGE_NAMES = {code: re.compile(p, re.IGNORECASE) for code, p in LANGUAGES.items()}


#: Skill categories of the skills vocabulary that make a passage about the technology used.
TECH_CATEGORIES = frozenset(
    {
        "language",
        "framework",
        "data",
        "database",
        "devops",
        "cloud",
        "architecture",
        "ai",
        "office",
        "erp",
        "software",
        "design",
        "engineering",
    }
)


PAY_PARTS = frozenset({"base", "bonus", "annual_bonus", "commission", "probation"})


AMOUNT_QUESTION = re.compile(
    r"多少|几个|几成|具体|比例|怎么算|如何算|怎么计算|如何计算|计算方式|how much|how many"
    r"|what is the (?:amount|rate|percentage)|\brange\b|\bcalculated\b|worked out",
    re.IGNORECASE,
)


DIGIT = re.compile(r"\d")


# A quantity as job ads write it: digits, Chinese numerals ("两年", "一周", "十三薪"), English
# number words ("four years", "a week"); "one of our vans" counts nothing.
NUMBER = re.compile(
    r"\d|[两二三四五六七八九十百千万半]|一(?:[个名位天年月周次倍成]|百|千|万)"
    r"|(?i:\b(?:one(?!\s+of\b)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|hundred|thousand|half|dozen|a (?:day|week|month|year))\b)"
)


# Where a pay part's figure may sit: in the same piece of a "base 6000 + commission" line.
PAY_PIECES = re.compile(r"[，,；;、+＋]|加|以及|另有|\bplus\b|\band\b", re.IGNORECASE)


#: What kind of thing a question asks for (an answer type), and what a passage must contain to
#: give it: "how much is the base pay?" needs a quantity, "where?" a place, "who?" a person,
#: "when?" a time. A passage on the right topic without it is not an answer ("底薪加提成" does
#: not say how much the commission is; "you will visit clinics" does not say where the job is).
ANSWER_TYPES: _T = _WORDS["answer_types"]


ANSWER_TYPE_PATTERNS = _bilingual(ANSWER_TYPES)


PLACE = re.compile(
    r"[\u4e00-\u9fff]{1,10}(?:省|市(?!场)|区(?!域|别)|县|镇|路(?!径|线)|街|园|大厦|广场|店|校区|基地|仓)"
    r"|(?:\b(?:in|at|near|from|based in|office in)\s+[A-Z][\w-]+)|\bremote\b|\bhome\b"
    r"|北京|上海|深圳|广州|杭州|成都|南京|武汉|西安|苏州|天津|重庆|远程|在家|线上"
)


PERSON = re.compile(
    r"经理|总监|主管|负责人|老板|创始人|总裁|组长|领导|上级|导师|人事|HR"
    r"|(?i:\b(?:manager|director|head|lead|ceo|cto|cfo|founder|supervisor|mentor|team|vp"
    r"|recruiter|hr|colleagues?|engineers?|owner|principal)\b)"
)


CLOCK = re.compile(r"\d{1,2}\s*[:：点时]|[上下]午\s*\d|(?i:\d\s*(?:am|pm)\b|\bnoon\b|\bmidnight\b)")


# A sum of money: a currency, a figure in 元/万/k, a share of pay.
MONEY = re.compile(
    r"[¥￥$€£]|\d\s*(?:元|块|万|千|k\b|K\b|%|％)|个月(?:的)?(?:工资|薪)|薪"
    r"|(?i:\b(?:rmb|cny|usd|eur|gbp|sgd|cad|aud|hkd|jpy|chf)\b|\bper cent\b|\bpercent\b)"
)


# A point in time, not only a length of time: "两个月工资" says how much, not when.
WHEN = re.compile(
    r"\d{1,2}\s*[月日号]|[一二三四五六七八九十]+[月日号]|之内|以内|之后|以后|之前|以前|[年月]底|[年月]初|当[天日月]"
    r"|春节|元旦|内|后|前|随时|马上|立即|尽快|每[年月周]|第\S{1,3}[天周个]"
    r"|(?i:\b(?:within|after|before|by|until|end of|start of|beginning of|once|immediately"
    r"|asap|as soon as|every|monday|tuesday|wednesday|thursday|friday|january|february|march"
    r"|april|may|june|july|august|september|october|november|december)\b)"
)


# How often: a count per period, or a word for it.
FREQUENCY = re.compile(
    r"每[天日晚周月年季]|每隔|一次|(?i:\bevery\b|\beach (?:day|night|week|month|year)\b|\bdaily\b"
    r"|\bnightly\b|\bweekly\b|\bmonthly\b|\bhourly\b|\byearly\b|\bannually\b"
    r"|\b(?:a|per) (?:day|night|week|month|year|hour|quarter)\b|\bonce\b|\btwice\b)"
)


TIME = re.compile(
    r"[点时日天周月年]|工作日|之内|以内|之后|以后|马上|立即|尽快|随时|上午|下午|早|晚"
    r"|(?i:\b(?:days?|weeks?|months?|years?|hours?|minutes?|within|after|before|immediately"
    r"|asap|soon|morning|afternoon|evening|night|monday|tuesday|wednesday|thursday|friday"
    r"|january|february|march|april|may|june|july|august|september|october|november|december)\b)"
)


COUNTED = re.compile(
    r"(?i:how many ([a-z][a-z-]+(?: [a-z][a-z-]+)?))"
    r"|(?:多少|几)(?![点天年月周轮次岁号时分倍成险])[个名位条家间所种座张辆台套本只件门节篇份]?+"
    r"([\u4e00-\u9fff]{2,4})"
)


def answer_types(question: str) -> frozenset[str]:
    """What kind of thing the question asks for: ``quantity``, ``place``, ``person``, ``time``."""
    return frozenset(
        kind for kind, pattern in ANSWER_TYPE_PATTERNS.items() if pattern.search(question)
    )


TOPIC_PATTERNS = _bilingual(TOPICS)


# Where an English word meets a Chinese one ("salary大概多少"): a word boundary for the lists.
_MIXED = re.compile(r"(?<=[A-Za-z])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[A-Za-z])")


def topic_hits(text: str) -> list[tuple[int, str]]:
    text = _MIXED.sub(" ", text)
    hits = []
    for topic, pattern in TOPIC_PATTERNS.items():
        found = pattern.search(text)
        if found:
            hits.append((found.start(), topic))
    return sorted(hits)


def question_topics(text: str) -> frozenset[str]:
    """What a question (or passage) is about, from the bilingual word lists."""
    return frozenset(topic for _pos, topic in topic_hits(text))


_PRODUCT = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")  # HubSpot, WeChat, PostgreSQL


def tech_topics(text: str) -> set[str]:
    """A passage naming a technical skill of the shared vocabulary or a product (mixed case)
    is about the tools of the job."""

    skills = vocabulary().by_name
    found = [skills[name] for name in find_skills(text) if name in skills]
    if any(s.category in TECH_CATEGORIES for s in found) or _PRODUCT.search(text):
        return {"tech"}
    return set()


def languages_named(text: str) -> set[str]:
    return {code for code, pattern in _LANGUAGE_NAMES.items() if pattern.search(text)}
