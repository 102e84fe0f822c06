"""What questions and passages about a job are about (bilingual topic word lists) and what kind
of thing a question asks for; the word lists of :mod:`hireflow.interviews.qa`."""

from __future__ import annotations

import re

from hireflow.candidates.skills import find_skills, vocabulary

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
        r"insurance|\bpension|social security|retirement|\bdental\b"
        r"|\b(?:health|medical) (?:and dental )?(?:coverage|cover|plan)\b",
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
        r"周末|双休|单休|周六|周日|周一至周五|大小周|做[一二三四五六七]休[一二三四五六七]|休几天|休息几天"
        r"|[一每]周休",
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
        r"|\b(?:job|role|position) (?:is )?in\b|(?<!home )(?<!home-)\boffice\b(?! days| hours|-)",
    ),
    "travel": (r"出差|出国|外派|展会", r"\btravel(?:l?ing)?\b(?! allowance)|business trips?"),
    "visa": (
        r"签证|工作许可|外籍|外国人",
        r"\bvisas?\b|work permits?|\bsponsor|(?:entitled|eligible|authori[sz]ed) to work"
        r"|right to work|work authori[sz]ation",
    ),
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
        r"|\bteam of (?:about |around |over |some )?(?:\d|(?:two|three|four|five|six|seven|eight"
        r"|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty)\b)",
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


AMOUNT_QUESTION = re.compile(
    r"多少|几个|几成|具体|比例|怎么算|如何算|怎么计算|如何计算|计算方式|how much|how many"
    r"|what is the (?:amount|rate|percentage)|\brange\b|\bcalculated\b|worked out",
    re.IGNORECASE,
)


DIGIT = re.compile(r"\d")


# A quantity as job ads write it: digits, Chinese numerals ("两年", "一周", "十三薪"), English
# number words ("four years", "a week").
NUMBER = re.compile(
    r"\d|[两二三四五六七八九十百千万半]|一(?:[个名位天年月周次倍成]|百|千|万)"
    r"|(?i:\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty"
    r"|thirty|forty|fifty|sixty|hundred|thousand|half|dozen|a (?:day|week|month|year))\b)"
)


# Where a pay part's figure may sit: in the same piece of a "base 6000 + commission" line.
PAY_PIECES = re.compile(r"[，,；;、+＋]|加|以及|另有|\bplus\b|\band\b", re.IGNORECASE)


#: What kind of thing a question asks for (an answer type), and what a passage must contain to
#: give it: "how much is the base pay?" needs a quantity, "where?" a place, "who?" a person,
#: "when?" a time. A passage on the right topic without it is not an answer ("底薪加提成" does
#: not say how much the commission is; "you will visit clinics" does not say where the job is).
ANSWER_TYPES = {
    "quantity": (
        r"多少|几[个天年月周轮次名位人成倍号]|多久|多长|多大|多高|几成|比例|规模",
        r"how (?:much|many|long|big|large)|\bwhat percentage\b|\bsize\b",
    ),
    # "how often?" is answered by a count per period or by "every night", "weekly"
    "frequency": (r"多久一次|多长时间一次|频率|多频繁", r"how often|how frequently"),
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


ANSWER_TYPE_PATTERNS = {
    k: re.compile(f"(?:{zh})|(?i:{en})") for k, (zh, en) in ANSWER_TYPES.items()
}


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


TOPIC_PATTERNS = {topic: re.compile(f"(?:{zh})|(?i:{en})") for topic, (zh, en) in TOPICS.items()}


def topic_hits(text: str) -> list[tuple[int, str]]:
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
