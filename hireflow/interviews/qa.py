"""Answers to the candidate's questions about the job, quoted from the opening and the company
FAQ, or honestly forwarded to HR (SPEC E6).

Nothing is generated: an answer *is* a passage of the opening's own text (its description,
its location) or of the company's FAQ, quoted verbatim with its source. When no passage says
it, the question goes to HR. Pure apart from the embedder it is given; deterministic.

How a passage is found:

1. **Passages.** The description is read the way job ads are written: headed sections
   (``【岗位职责】``, ``任职要求：``, ``What you will do``, ``Location: …``), numbered or bulleted
   items, prose sentences, and the clauses of long lines (``；``/``;``), so one fact of a run-on
   Chinese sentence can be quoted alone. A whole section is a passage too (for "what does this
   job involve?"), the location field is one, and each FAQ entry is one (its answer is
   quoted; its question tells what it is about).
2. **Topics.** Questions and passages are tagged with what they are about (pay, location,
   remote work, duties, requirements, leave, probation, the interview process…) by bilingual
   word lists, so a Chinese FAQ answers an English question. A question with a topic is answered
   only by a passage on that topic, and pay only by a passage *about* pay (a heading or FAQ
   question on pay, or pay as its first subject): the company's FAQ on probation pay is not an
   answer to "what is the salary?". A question about a part of pay (base, bonus, commission,
   probation pay) asking how much is answered only by a passage that names that part and a
   figure.
3. **Broad or specific.** "岗位职责是什么" / "What are the responsibilities?" (a section topic and
   nothing more specific) is answered by the whole section; other questions by the single item,
   sentence or clause that scores best.
4. **Score.** Cosine similarity of the sentence vectors (multilingual) + shared content words
   weighted by how rare they are in this opening's passages + agreement of topics, + a little
   for the opening's own text over the company-wide FAQ. A question with no recognised topic
   needs a higher score and at least one shared specific word or a close vector. The thresholds
   were set on the development splits of the labelled set
   (tests/data/interviews/candidate_questions/); ``bench/candidate_questions.py`` prints the
   held-out figures.

A company-wide FAQ entry answers only its own subject (its question's topics), and yields to
the opening's own text where that specifies the same subject with a figure (this job's shifts
over the company's standard hours).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hireflow.scoring.embedding import Embedder, cosine_matrix
from hireflow.scoring.text import content_words, is_han, split_sentences

__all__ = [
    "MIN_SCORE",
    "Passage",
    "QaResult",
    "answer_question",
    "passages_for",
    "question_topics",
]

# Score a passage needs when the question's topic matched its own; without a recognised topic
# the question must reach UNTOPICAL_MIN_SCORE (a looser match is too often about something else).
MIN_SCORE = 0.3
UNTOPICAL_MIN_SCORE = 0.5
# ... and, sharing no specific word with the passage, a sentence vector this close: meaning
# alone, across languages, is the least reliable evidence there is.
UNTOPICAL_SIMILARITY = 0.5
ASPECT_SIMILARITY = 0.5
TOPIC_BONUS = 0.2
OPENING_BONUS = 0.12
PRIMARY_BONUS = 0.15
FIELD_PENALTY = 0.15
OTHER_SUBJECT_PENALTY = 0.3
LEXICAL_WEIGHT = 0.1
MAX_LEXICAL = 0.6
MAX_QUESTION_CHARS = 500
MAX_PASSAGE_CHARS = 600
MAX_SECTION_CHARS = 1200

# --------------------------------------------------------------------------------- topics

_T = dict[str, tuple[str, str]]
#: topic -> (Chinese pattern, English pattern); English is matched case-insensitively.
TOPICS: _T = {
    "salary": (
        r"工资|薪资|薪水|薪酬|月薪|年薪|时薪|底薪|收入|税前|税后|工资待遇"
        r"|\d[\d,.]*(?:[–\-~至]\d[\d,.]*)?元/(?:月|小时|时|年)",
        r"\bsalar(?:y|ies)\b|\bcompensation\b|\bwages?\b|\bremuneration\b"
        r"|\bpay (?:range|scale|band)\b|how much (?:\w+ ){0,4}(?:pay|earn)|\bearn\b"
        r"|\bbase pay\b|\bpackage\b|\bhourly (?:rate|wage)|\bthe pay\b|\bpaid how much\b"
        r"|\d[\d,.]*(?:\s*[–\-]\s*\d[\d,.]*)? (?:per|an|a) (?:hour|year|annum|month)\b",
    ),
    "base": (r"底薪|基本工资|固定工资", r"\bbase (?:salary|pay)\b"),
    "bonus": (r"奖金|年终奖|双薪|十三薪|13薪|绩效奖", r"\bbonus(?:es)?\b"),
    "annual_bonus": (r"年终奖|年底双薪|十三薪|13薪", r"annual bonus|year-end bonus|13th[- ]month"),
    "commission": (r"提成|佣金", r"\bcommissions?\b"),
    "probation": (r"试用期|转正", r"\bprobation"),
    "insurance": (
        r"[五六七几\d]险[一二几\d]金|社保|公积金|医疗保险|商业保险|养老|保险",
        r"insurance|\bpension|social security|retirement",
    ),
    "leave": (
        r"年假|带薪假|假期|休假|病假",
        r"\bvacation|annual leave|paid leave|\bholidays?\b|days off|\bpto\b|time off",
    ),
    "parental": (r"产假|陪产假|育儿假", r"parental leave|maternity|paternity"),
    "meals": (
        r"午餐|午饭|晚餐|食堂|餐补|管饭|包吃|三餐|餐厅|吃饭|伙食|饭补|工作餐",
        r"\blunch|\bmeals?\b|canteen|cafeteria",
    ),
    "transport": (
        r"班车|交通|车补|通勤",
        r"public transport|\bcommut|\btransport|car allowance|shuttle|travel allowance",
    ),
    "parking": (r"停车|车位", r"\bparking"),
    "housing": (r"宿舍|住宿|住房|包住", r"\bhousing|accommodation|dormitor"),
    "gym": (r"健身", r"\bgym\b|fitness"),
    "pets": (r"宠物|带狗|带猫", r"\bpets?\b|\bdogs?\b|\bcats?\b"),
    "equity": (
        r"期权|股票|股权|上市",
        r"\bstock(?: options?)?|\bequity|\bshares\b|\bipo\b|go public",
    ),
    "training": (r"培训|学习预算|进修|学习机会", r"training|learning budget|\bcourses?\b"),
    "promotion": (
        r"晋升|升职|职级|发展路径|职业发展",
        r"promot(?:ion|ed)|career (?:path|progression|growth|development)",
    ),
    "raise": (r"调薪|涨薪|加薪", r"salary review|\braises?\b|pay rise"),
    "hours": (
        r"几点|上班时间|下班|工时|工作时间|作息|上下班|朝九|周一至周五"
        r"|\d{1,2}[:：]\d{2}\s*[–\-~至到]\s*\d{1,2}[:：]\d{2}",
        r"working hours|office hours|work(?:ing)? hours|what time|\bhours\b|\b9 to\b|nine to"
        r"|time ?zones?|\butc\b|\bgmt\b"
        r"|monday to friday|\bweekdays\b|\d{1,2}:\d{2}\s*(?:–|-|to)\s*\d{1,2}:\d{2}",
    ),
    "shift": (r"倒班|轮班|早班|晚班|夜班|班次", r"\bshifts?\b"),
    "overtime": (r"加班", r"overtime"),
    "weekend": (
        r"周末|双休|单休|周六|周日|周一至周五",
        r"weekends?|saturday|sunday|monday to friday|\bweekdays\b",
    ),
    "remote": (
        r"远程|在家|居家|线上办公",
        r"\bremote(?:ly)?\b|from home|\bwfh\b|\bhybrid\b|office days|days in the office"
        r"|in the office|\b(?:do|work|doing) (?:this |the )?(?:job |role )?from (?!home)",
    ),
    "location": (
        r"工作地点|地点|在哪|哪里上班|哪个城市|地址|位置|哪个区",
        r"\bwhere\b|\blocat(?:ion|ed)\b|\bcity\b|\baddress\b|\bbased in\b"
        r"|\b(?:job|role|position) (?:is )?in\b|(?<!home )\boffice\b(?! days| hours)",
    ),
    "travel": (r"出差|出国|外派|展会", r"\btravel(?:l?ing)?\b(?! allowance)|business trips?"),
    "visa": (r"签证|工作许可|外籍|外国人", r"\bvisas?\b|work permits?|\bsponsor"),
    "relocation": (r"搬迁|安家|落户|搬家", r"relocat|moving (?:costs?|expenses)"),
    "start": (
        r"入职时间|到岗|何时入职|什么时候入职|什么时候开始上班|开始日期",
        r"start date|\bstart (?:next|on|in|work)|when (?:can|could|do|would) i start",
    ),
    "equipment": (
        r"电脑|笔记本|设备",
        r"\blaptop|\bcomputer(?! science)|equipment|hardware|\bscreens?\b",
    ),
    "process": (
        r"面试|招聘流程|应聘流程|几轮|复试|录用结果|下一步|后续安排",
        r"interview|\brounds?\b|next steps?|hiring process|hear back|\bdecision\b|\bdecide\b",
    ),
    "team": (
        r"团队|小组|同事",
        r"\bteam\b(?! (?:for|of) )|colleagues|team size|how big is the (?:\w+ )?team"
        r"|\bteam of (?:about |around |over |some )?\d",
    ),
    "report_to": (
        r"直属|领导|上级|汇报|主管是谁|向.{0,6}(?:经理|总监|主管|负责人)(?:汇报|报告|提交)",
        r"report(?:ing)? to|\bmy (?:manager|boss)\b|who (?:would|will) be my (?:manager|boss)",
    ),
    "manage": (
        r"带团队|带人|下属|管理\d+名|管理几|管理.{0,2}人|管理.{0,12}\d+名|管多少|管几|带多少",
        r"manage (?:a |the )?team|lead (?:a |the )?team|direct reports|people management",
    ),
    "education": (
        r"学历|本科|大专|硕士|博士|专业|毕业",
        r"\bdegrees?\b|bachelor|\bmaster|education|diploma|\bmajor\b",
    ),
    "experience": (r"经验|工作年限|几年|年以上", r"experience|\byears\b"),
    "language": (
        r"英语|普通话|中文|德语|日语|马来语|印尼语|外语|语言能力|说.{0,2}话",
        r"\benglish\b|mandarin|\bchinese (?:language|speaker)|\bgerman\b|\bmalay\b|bahasa"
        r"|(?<!programming )\blanguages?\b(?! such)|\bspeak\b|\bfluent\b",
    ),
    "tech": (
        r"技术栈|编程语言|开发语言|框架|数据库|工具|用什么技术|什么技术",
        r"programming language|tech stack|technolog|framework|database|\btools?\b"
        r"|\bstack\b|\bcrm\b|which language",
    ),
    "territory": (
        r"区域|地区|片区|华南|华东|华北|华中|西南|西北|东北|东南亚|海外市场",
        r"\bregions?\b|\bregional\b|territor|\bcountries\b|\bcountry\b|southeast asia|\bapac\b"
        r"|\bemea\b|\bcover\b|singapore|malaysia|indonesia|thailand|vietnam|philippines|japan"
        r"|korea|\bindia\b|australia|germany|france|\bspain\b|\bitaly\b|netherlands|europe"
        r"|新加坡|马来西亚|印尼|印度尼西亚|泰国|越南|菲律宾|日本|韩国|印度|澳大利亚|德国|法国|欧洲",
    ),
    "company": (
        r"公司规模|(?<![管带])多少员工|成立于|总部|办公室|哪些城市",
        r"company size|how many employees|\bfounded|headquarter|\boffices\b",
    ),
    # Broad: a section's subject, answered by the whole section when nothing narrower is asked.
    "duties": (
        r"职责|负责什么|负责哪些|工作内容|做什么|做哪些|主要工作|日常工作|具体工作|工作是什么|负责"
        r"|岗位描述|你将|您将",
        r"responsib|\bduties\b|day-to-day|day to day|what (?:will|would) i (?:be )?do"
        r"|\binvolve|what you will do|what i will do|\btasks\b|your role\b|\bin this role\b"
        r"|\byou will\b|what you'll (?:do|work on)|what (?:will|would) i (?:be )?work(?:ing)? on\b",
    ),
    "requirements": (
        r"任职要求|岗位要求|任职资格|要求|条件|资格|希望你",
        r"requirement|qualification|\bprofile\b|looking for|\bcriteria\b|what do you expect",
    ),
    "benefits": (r"福利|待遇|我们提供", r"\bbenefits?\b|\bperks\b|what we offer|\boffer\b"),
}
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
    "weekend": {"hours"},
    "base": {"salary"},
    "bonus": {"salary", "benefits"},
    "annual_bonus": {"bonus", "salary", "benefits"},
    "commission": {"salary"},
    "parental": {"leave", "benefits"},
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
_AMOUNT_QUESTION = re.compile(
    r"多少|几个|几成|具体|比例|怎么算|如何算|怎么计算|如何计算|计算方式|how much|how many"
    r"|what is the (?:amount|rate|percentage)|\brange\b|\bcalculated\b|worked out",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
# A quantity as job ads write it: digits, Chinese numerals ("两年", "一周", "十三薪"), English
# number words ("four years", "a week").
_NUMBER = re.compile(
    r"\d|[两二三四五六七八九十百千万半]|一(?:[个名位天年月周次倍成]|百|千|万)"
    r"|(?i:\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|hundred|thousand|half|dozen|a (?:day|week|month|year))\b)"
)
# Where a pay part's figure may sit: in the same piece of a "base 6000 + commission" line.
_PAY_PIECES = re.compile(r"[，,；;、+＋]|加|以及|另有|\bplus\b|\band\b", re.IGNORECASE)

#: What kind of thing a question asks for (an answer type), and what a passage must contain to
#: give it: "how much is the base pay?" needs a quantity, "where?" a place, "who?" a person,
#: "when?" a time. A passage on the right topic without it is not an answer ("底薪加提成" does
#: not say how much the commission is; "you will visit clinics" does not say where the job is).
ANSWER_TYPES = {
    "quantity": (
        r"多少|几[个天年月周轮次名位人成倍号]|多久|多长|多大|多高|几成|比例|规模",
        r"how (?:much|many|long|big|large|often)|\bwhat percentage\b|\bsize\b",
    ),
    "place": (
        r"哪里|哪儿|在哪|什么地方|哪个城市|哪个区|哪座|地址",
        r"\bwhere\b|which (?:city|office|campus|site|country)|\baddress\b",
    ),
    "person": (r"谁|哪位", r"\bwho\b|\bwhom\b"),
    "clock": (r"几点", r"what time|\bat what hour"),
    "time": (r"多久", r"how long"),
    "when": (r"什么时候|何时|哪天|几号", r"\bwhen\b|how soon|what date"),
    "country": (
        r"哪些国家|哪个国家|哪些市场|哪个市场|哪些地区",
        r"which (?:countries|country|markets?|regions?)|what (?:countries|markets)",
    ),
}
_ANSWER_TYPES = {k: re.compile(f"(?:{zh})|(?i:{en})") for k, (zh, en) in ANSWER_TYPES.items()}
_PLACE = re.compile(
    r"[\u4e00-\u9fff]{1,10}(?:省|市(?!场)|区(?!域|别)|县|镇|路(?!径|线)|街|园|大厦|广场|店|校区|基地|仓)"
    r"|(?:\b(?:in|at|near|from|based in|office in)\s+[A-Z][\w-]+)|\bremote\b|\bhome\b"
    r"|北京|上海|深圳|广州|杭州|成都|南京|武汉|西安|苏州|天津|重庆|远程|在家|线上"
)
_PERSON = re.compile(
    r"经理|总监|主管|负责人|老板|创始人|总裁|组长|领导|上级|导师|人事|HR"
    r"|(?i:\b(?:manager|director|head|lead|ceo|cto|cfo|founder|supervisor|mentor|team|vp"
    r"|recruiter|hr|colleagues?|engineers?|owner|principal)\b)"
)
_CLOCK = re.compile(
    r"\d{1,2}\s*[:：点时]|[上下]午\s*\d|(?i:\d\s*(?:am|pm)\b|\bnoon\b|\bmidnight\b)"
)
# A sum of money: a currency, a figure in 元/万/k, a share of pay.
_MONEY = re.compile(
    r"[¥￥$€£]|\d\s*(?:元|块|万|千|k\b|K\b|%|％)|个月(?:的)?(?:工资|薪)|薪"
    r"|(?i:\b(?:rmb|cny|usd|eur|gbp|sgd|cad|aud|hkd|jpy|chf)\b|\bper cent\b|\bpercent\b)"
)
# A point in time, not only a length of time: "两个月工资" says how much, not when.
_WHEN = re.compile(
    r"\d{1,2}\s*[月日号]|[一二三四五六七八九十]+[月日号]|之内|以内|之后|以后|之前|以前|[年月]底|[年月]初|当[天日月]"
    r"|春节|元旦|内|后|前|随时|马上|立即|尽快|每[年月周]|第\S{1,3}[天周个]"
    r"|(?i:\b(?:within|after|before|by|until|end of|start of|beginning of|once|immediately"
    r"|asap|as soon as|every|monday|tuesday|wednesday|thursday|friday|january|february|march"
    r"|april|may|june|july|august|september|october|november|december)\b)"
)
_TIME = re.compile(
    r"[点时日天周月年]|工作日|之内|以内|之后|以后|马上|立即|尽快|随时|上午|下午|早|晚"
    r"|(?i:\b(?:days?|weeks?|months?|years?|hours?|minutes?|within|after|before|immediately"
    r"|asap|soon|morning|afternoon|evening|night|monday|tuesday|wednesday|thursday|friday"
    r"|january|february|march|april|may|june|july|august|september|october|november|december)\b)"
)


_COUNTED = re.compile(
    r"(?i:how many ([a-z][a-z-]+(?: [a-z][a-z-]+)?))"
    r"|(?:多少|几)(?![点天年月周轮次岁号时分倍成险])[个名位条家间所种座张]?+([\u4e00-\u9fff]{2,4})"
)


def _counted(question: str) -> set[str]:
    """What a "how many X?" question counts (``X``): English stems, or one Chinese word of
    two or more characters (a unit such as 天 or 轮 is not what is counted)."""
    found = _COUNTED.search(question)
    if not found:
        return set()
    if found.group(1):
        return {w.rstrip("s") for w in content_words(found.group(1)) if w not in _GENERIC}
    words = [w for w in content_words(found.group(2)) if len(w) >= 2]
    return set(words[:1])


def _counts(counted: set[str], passage: Passage) -> bool:
    folded = passage.text.casefold()
    return not counted or any(word in folded for word in counted)


def answer_types(question: str) -> frozenset[str]:
    """What kind of thing the question asks for: ``quantity``, ``place``, ``person``, ``time``."""
    return frozenset(kind for kind, pattern in _ANSWER_TYPES.items() if pattern.search(question))


def _gives(passage: Passage, kind: str, question: str = "") -> bool:
    """Whether the passage contains the kind of thing asked for."""
    text = passage.quote
    if kind == "quantity":
        return bool(_NUMBER.search(text))
    if kind == "place":
        return "location" in passage.primary or bool(_PLACE.search(text))
    if kind == "person":
        # someone other than who the question names: "区域经理是谁？" is not answered by
        # "向区域经理提交报表"
        named = {m.group(0).lower() for m in _PERSON.finditer(question)}
        return any(m.group(0).lower() not in named for m in _PERSON.finditer(text))
    if kind == "clock":
        return bool(_CLOCK.search(text))
    if kind == "time":
        return bool(_NUMBER.search(text) or _TIME.search(text))
    if kind == "when":
        return bool(_WHEN.search(text))
    if kind == "money":
        return bool(_MONEY.search(text))
    if kind == "country":
        return "territory" in passage.topics
    return True


_COMPILED = {topic: re.compile(f"(?:{zh})|(?i:{en})") for topic, (zh, en) in TOPICS.items()}


def _topic_hits(text: str) -> list[tuple[int, str]]:
    hits = []
    for topic, pattern in _COMPILED.items():
        found = pattern.search(text)
        if found:
            hits.append((found.start(), topic))
    return sorted(hits)


def question_topics(text: str) -> frozenset[str]:
    """What a question (or passage) is about, from the bilingual word lists."""
    return frozenset(topic for _pos, topic in _topic_hits(text))


_PRODUCT = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")  # HubSpot, WeChat, PostgreSQL


def _tech_topics(text: str) -> set[str]:
    """A passage naming a technical skill of the shared vocabulary or a product (mixed case)
    is about the tools of the job."""
    from hireflow.candidates.skills import find_skills, vocabulary

    skills = vocabulary().by_name
    found = [skills[name] for name in find_skills(text) if name in skills]
    if any(s.category in TECH_CATEGORIES for s in found) or _PRODUCT.search(text):
        return {"tech"}
    return set()


def _languages(text: str) -> set[str]:
    return {code for code, pattern in _LANGUAGE_NAMES.items() if pattern.search(text)}


# ------------------------------------------------------------------------------- passages


@dataclass(frozen=True)
class Passage:
    """A piece of text that may answer a question, and what to quote from it.

    ``kind``: ``item`` (a line, sentence or clause), ``section`` (a heading and its items),
    ``field`` (the opening's location) or ``faq``. ``topics`` say what it is about;
    ``primary`` what it is mainly about (its heading, its FAQ question, its first subject).
    """

    source: str  # "opening" | "faq"
    text: str  # what is embedded and matched
    quote: str  # what the candidate is shown (verbatim)
    faq_id: int | None = None
    question: str = ""  # an FAQ's own question
    kind: str = "item"
    topics: frozenset[str] = field(default_factory=frozenset)
    primary: frozenset[str] = field(default_factory=frozenset)
    subject: frozenset[str] = field(default_factory=frozenset)  # from its heading / FAQ question


@dataclass(frozen=True)
class QaResult:
    """The outcome: ``answered`` with the passage, or ``forwarded`` to HR."""

    status: str
    passage: Passage | None
    score: float
    similarity: float
    #: How far the passage quoted led the best passage that says something else.
    margin: float = 0.0
    #: Why a question was forwarded although a passage came close (empty when answered).
    reason: str = ""


_BULLET = re.compile(r"^\s*(?:[-•*·▪◦●○■□]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*")
_BRACKET_HEADING = re.compile(r"^\s*【([^】]{1,20})】\s*(.*)$")
# "Location: Munich", "工作地点：上海"; not the colon of a time ("9:30").
_COLON_HEADING = re.compile(r"^\s*([^：:。.!！?？；;]{1,24}?)\s*(?<!\d)[：:](?!\d)\s*(.*)$")
_TERMINAL = "。.!！?？；;…"
_CLAUSE = re.compile(r"(?<=[；;])")


def _is_heading_text(text: str) -> bool:
    words = text.split()
    if any(ch in text for ch in _TERMINAL) or not text.strip():
        return False
    if re.search(r"[\u4e00-\u9fff]", text):
        return len(text.strip()) <= 12
    return len(words) <= 6 and text.strip()[0].isupper()


@dataclass
class _Section:
    heading: str
    start: int  # offset of the heading (or first line) in the description
    end: int
    lines: list[tuple[str, int, int]]  # (line, offset, length of an inline heading in it)


def _sections(description: str) -> list[_Section]:
    """Split a description into (heading, lines); lines before any heading form one section
    with an empty heading, as does each paragraph of prose."""
    sections: list[_Section] = []
    current: _Section | None = None
    offset = 0
    raw_lines = description.splitlines(keepends=True)
    for index, raw in enumerate(raw_lines):
        line = raw.strip()
        start = offset + (len(raw) - len(raw.lstrip()))
        offset += len(raw)
        if not line:
            if current is not None and current.lines and not current.heading:
                current = None  # a blank line ends an untitled paragraph
            continue
        heading, rest = None, ""
        bracket = _BRACKET_HEADING.match(line)
        colon = _COLON_HEADING.match(line) if not _BULLET.match(line) else None
        if bracket:
            heading, rest = bracket.group(1), bracket.group(2)
        elif colon and (
            not colon.group(2)
            or question_topics(colon.group(1))
            or _is_heading_text(colon.group(1))
        ):
            heading, rest = colon.group(1), colon.group(2)
        elif (
            _is_heading_text(line)
            and not _BULLET.match(line)
            and index + 1 < len(raw_lines)
            and raw_lines[index + 1].strip()
        ):
            heading = line
        if heading is not None:
            current = _Section(heading.strip(), start, start + len(line), [])
            sections.append(current)
            if rest.strip():
                # "Salary range: EUR 50,000" is quoted whole, heading included
                current.lines.append((line, start, line.index(rest.strip())))
                current.end = start + len(line)
            continue
        if current is None:
            current = _Section("", start, start + len(line), [])
            sections.append(current)
        current.lines.append((line, start, 0))
        current.end = start + len(line)
    return sections


def _passage(
    source: str,
    text: str,
    quote: str,
    *,
    kind: str = "item",
    context: Iterable[str] = (),
    faq_id: int | None = None,
    question: str = "",
    first: str | None = None,
) -> Passage:
    topics = set(question_topics(text)) | _tech_topics(text)
    primary: set[str] = set()
    for extra in context:
        primary |= question_topics(extra)
    subject = frozenset(primary - BROAD)
    if not subject:
        # No heading (or only a broad one such as "what we offer"): its first subject.
        hits = _topic_hits(first if first is not None else quote)
        if hits:
            primary |= {topic for pos, topic in hits if pos == hits[0][0]}
    topics |= primary
    for topic in list(topics):
        topics |= IMPLIES.get(topic, set())
    return Passage(
        source=source,
        text=text,
        quote=quote,
        faq_id=faq_id,
        question=question,
        kind=kind,
        topics=frozenset(topics),
        primary=frozenset(primary),
        subject=subject,
    )


def passages_for(
    description: str, faqs: Sequence[tuple[int, str, str]], *, location: str = ""
) -> list[Passage]:
    """The passages of one opening: its description's sections, items, sentences and clauses,
    its location field, then the company FAQ entries ``(id, question, answer)``."""
    text = description or ""
    out: list[Passage] = []
    for section in _sections(text):
        context = (section.heading,) if section.heading else ()
        heading = f"{section.heading}: " if section.heading else ""
        units: list[str] = []
        for line, _start, inline in section.lines:
            body = _BULLET.sub("", line).strip()
            if not body:
                continue
            pieces = [line] if _BULLET.match(line) else split_sentences(line) or [line]
            for piece in pieces:
                piece = piece.strip()[:MAX_PASSAGE_CHARS]
                if not piece:
                    continue
                units.append(piece)
                # what the piece itself is about, after an inline heading ("我们提供：底薪…")
                own = piece[inline:] if inline and piece.startswith(line[:inline]) else piece
                out.append(_passage("opening", heading + own, piece, context=context, first=own))
                clauses = [c.strip() for c in _CLAUSE.split(piece) if len(c.strip()) >= 4]
                if len(clauses) > 1:
                    out.extend(
                        _passage("opening", heading + c, piece, context=context, first=c)
                        for c in clauses
                    )
        if section.heading and units:
            quote = text[section.start : section.end].strip()[:MAX_SECTION_CHARS]
            out.append(
                _passage("opening", quote, quote, kind="section", context=(section.heading,))
            )
    if location.strip():
        value = location.strip()[:200]
        out.append(
            _passage(
                "opening", f"工作地点 location: {value}", value, kind="field", context=("location",)
            )
        )
    for faq_id, question, answer in faqs:
        question, answer = (question or "").strip(), (answer or "").strip()
        if not answer:
            continue
        out.append(
            _passage(
                "faq",
                f"{question} {answer}"[: 2 * MAX_PASSAGE_CHARS],
                answer,
                kind="faq",
                context=(question,),
                faq_id=faq_id,
                question=question[:MAX_PASSAGE_CHARS],
            )
        )
    return out


# -------------------------------------------------------------------------------- scoring

# Words every question about a job uses: they say nothing about which passage answers it.
_GENERIC_TEXT = (
    "需要 可以 公司 岗位 职位 工作 这个 我们 你们 是否 有没有 请问 有 吗 呢 "
    "job role position work company need would could please use used using get will"
)
_GENERIC = frozenset(_GENERIC_TEXT.split())
# How questions are asked, in either language: not what they ask about.
_ASKING_TEXT = (
    "什么 怎么 怎样 怎么样 如何 哪些 哪个 哪家 哪里 多少 一般 主要 具体 提供 能否 是不是 有无 目前 "
    "现在 这份 构成 上班 休息 经常 平时 通常 often usually "
    "what which how many much offer provide get give allowed available there any involved "
    "required expected"
)
_ASKING = frozenset(_ASKING_TEXT.split())
_NAMED = re.compile(r"\b[A-Z][\w-]*")


def _aspect(question: str, words: set[str]) -> set[str]:
    """What a yes/no or open question asks *about* its topic: its words that are neither how it
    asks, nor the words that gave its topics, nor names ("the vesting schedule" of stock
    options, the "补贴" of business trips, the "空调" of the dormitory)."""
    folded = question.casefold()
    spans = [m.span() for pattern in _COMPILED.values() for m in pattern.finditer(question)]
    named = {m.group(0).casefold() for m in _NAMED.finditer(question) if m.start() > 0}
    out = set()
    for word in words - _ASKING:
        if _NUMBER.search(word) or "几" in word or (len(word) == 1 and is_han(word)):
            continue
        if word.casefold() in named:
            continue
        at = folded.find(word.casefold())
        if at >= 0 and any(a < at + len(word) and at < b for a, b in spans):
            continue
        out.add(word)
    return out


def _idf(passages: Sequence[Passage]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for p in passages:
        counts.update(set(content_words(p.text)))
    n = len(passages) or 1
    return {word: math.log(1.0 + n / df) for word, df in counts.items()}


def _matched(q_topics: frozenset[str], passage: Passage, question: str) -> frozenset[str]:
    """The question's topics this passage is about; empty when it may not answer it (the
    topic gate). A question with a narrow topic ("parental leave") is not answered by a
    passage that only shares its broad one ("what we offer")."""
    fine = q_topics - BROAD
    matched = (fine or q_topics) & passage.topics
    if not matched or (fine & INTENT and not matched - ENTITY):
        return frozenset()
    # An FAQ entry answers its own question: "how long is the probation?" is not answered by
    # the entry on stock options that mentions the probation period.
    if (
        passage.kind == "faq"
        and passage.subject
        and fine
        and not _implied(fine) & _implied(passage.subject)
    ):
        return frozenset()
    asked, named = _languages(question), _languages(passage.text)
    if asked and named and not asked & named:
        return frozenset()
    return matched if _pay_allowed(q_topics, passage, question) else frozenset()


def _implied(topics: frozenset[str]) -> set[str]:
    out = set(topics)
    for topic in topics:
        out |= IMPLIES.get(topic, set())
    return out - BROAD


def _pay_allowed(q_topics: frozenset[str], passage: Passage, question: str) -> bool:
    """Pay is answered only from what the company published about pay, part by part."""
    parts = q_topics & PAY_PARTS
    if (
        "salary" in q_topics
        and not parts
        and not ("salary" in passage.primary and "salary" in question_topics(passage.quote))
    ):
        return False  # pay is answered only by what is about pay, in its own words
    if parts and not parts <= passage.topics:
        return False
    asked = parts - {"probation"}
    if asked and _AMOUNT_QUESTION.search(question):
        # "how much is the commission?" needs a figure beside the commission, not the base's
        # figure in "底薪6000元加业绩提成"; an FAQ entry on that part speaks of nothing else.
        if passage.kind == "faq" and asked & _implied(passage.subject):
            return bool(_NUMBER.search(passage.quote))
        return any(
            _NUMBER.search(piece) and asked & question_topics(piece)
            for piece in _PAY_PIECES.split(passage.quote)
        )
    return True


def answer_question(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    min_score: float = MIN_SCORE,
) -> QaResult:
    """The passage that answers ``question``, or ``forwarded`` when none may.

    Ties are broken by passage order (the description before the FAQ), so the result is
    deterministic.
    """
    text = (question or "").strip()[:MAX_QUESTION_CHARS]
    if not text or not passages:
        return QaResult("forwarded", None, 0.0, 0.0)
    q_topics = question_topics(text)
    broad = bool(q_topics) and q_topics <= BROAD
    alternates = [p.question for p in passages if p.question]
    vectors = embedder.embed([text, *[p.text for p in passages], *alternates])
    everything = cosine_matrix(vectors[:1], vectors[1:])[0]
    similarities = everything[: len(passages)].copy()
    extra = iter(everything[len(passages) :])
    for i, passage in enumerate(passages):
        if passage.question:
            similarities[i] = max(similarities[i], next(extra))
    idf = _idf(passages)
    words = {w for w in content_words(text) if w not in _GENERIC}
    kinds = answer_types(text)
    if "quantity" in kinds and q_topics & (PAY_PARTS | {"salary"}) - {"probation"}:
        kinds |= {"money"}  # "how much is the pay after probation?" needs a sum, not "3 months"
    counted = _counted(text)
    # Checked only where no answer type is (that check already asks for the thing itself) and
    # the topic is not a named thing (a tool, a language, a region).
    aspect = (
        _aspect(text, words) if q_topics - BROAD - ENTITY and not kinds and not broad else set()
    )
    # Words that say what a question without a recognised topic is about: not numbers or
    # units ("一年", "几天", "月"), which any passage with a figure shares.
    specific = {w for w in words if not _NUMBER.search(w) and not (len(w) == 1 and is_han(w))}
    has_section = broad and any(p.kind == "section" and q_topics & p.primary for p in passages)
    # The location field speaks only when the description says nothing about the place.
    described = any(p.kind != "field" and "location" in p.primary for p in passages)
    # What the opening's own text specifies (with a figure): a company-wide FAQ entry on the
    # same subject (standard office hours) yields to it (this job's shifts). A mere mention
    # ("base + commission") does not: the FAQ's commission rates still answer.
    covered: set[str] = set()
    for p in passages:
        if p.kind == "item" and _DIGIT.search(p.quote):
            covered |= p.topics
    candidates: list[tuple[float, int, float, float, bool]] = []
    for i, passage in enumerate(passages):
        if passage.kind == "section" and not has_section:
            continue
        if passage.kind == "field" and described:
            continue
        if passage.kind == "faq" and passage.subject and passage.subject <= covered:
            continue
        if has_section and (passage.kind != "section" or not q_topics & passage.primary):
            continue
        if passage.kind != "section" and not all(_gives(passage, k, text) for k in kinds):
            continue  # on the topic, but without what was asked (a figure, a place, a person)
        passage_words = set(content_words(passage.text))
        shared = words & passage_words
        if not _counts(counted, passage):
            continue  # "how many students?" is not answered by a number of campuses
        lexical = min(MAX_LEXICAL, LEXICAL_WEIGHT * sum(min(3.0, idf.get(w, 1.0)) for w in shared))
        score = float(similarities[i]) + lexical
        if q_topics:
            matched = _matched(q_topics, passage, text)
            if not matched:
                continue
            score += TOPIC_BONUS + 0.1 * (len(matched) - 1)
            # Mainly about what was asked, or mainly about something else (the company's
            # offices for "where is the job?")?
            if matched & passage.primary:
                score += PRIMARY_BONUS
            if aspect and not aspect & passage_words and similarities[i] < ASPECT_SIMILARITY:
                continue
            if passage.kind == "faq":
                score -= OTHER_SUBJECT_PENALTY * min(2, len(passage.subject - q_topics))
        else:
            # A passage mainly about a subject the word lists know (probation, commission,
            # housing) is not the answer to a question they do not recognise as about it.
            if passage.primary - BROAD - ENTITY and not shared & specific & set(
                content_words(passage.question or passage.text)
            ):
                continue
            score += min_score - UNTOPICAL_MIN_SCORE  # the stricter bar, on the same scale
            if not shared & specific and similarities[i] < UNTOPICAL_SIMILARITY:
                continue
        if passage.kind == "field":
            score -= FIELD_PENALTY  # a bare place name, when a sentence may say more
        elif passage.source == "opening":
            score += OPENING_BONUS
        candidates.append((score, i, float(similarities[i]), lexical, bool(shared & specific)))
    if not candidates:
        return QaResult("forwarded", None, 0.0, 0.0, reason="no passage on the subject")
    # Highest score first; ties by passage order (deterministic).
    candidates.sort(key=lambda c: (-c[0], c[1]))
    best_score, best, best_sim, lexical, _words = candidates[0]
    quote = passages[best].quote
    margin = next(
        (
            best_score - c[0]
            for c in candidates[1:]
            if passages[c[1]].quote not in quote and quote not in passages[c[1]].quote
        ),
        best_score,
    )
    found = QaResult(
        "answered", passages[best], round(best_score, 4), round(best_sim, 4), round(margin, 4)
    )
    if best_score < min_score:
        return QaResult("forwarded", None, found.score, found.similarity, found.margin, "score")
    return found
