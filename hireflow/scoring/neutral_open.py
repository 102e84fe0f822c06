"""Identity neutralisation beyond the lists: names, places and schools found by their place
in the sentence, not by being listed.

:mod:`hireflow.scoring.neutral` replaces the names, places and schools its lists know. A name
or a town the lists miss (Thandiwe, Tuscaloosa, 热合曼, 鄂尔多斯) still reached the embedding and
moved scores by points. The passes here run after the lists and catch an identity by what
surrounds it:

English: a capitalised word (``Thandiwe``, not ``API`` or ``JavaScript``) that the scoring
vocabulary does not hold, where only a proper noun can stand: after a locative preposition
(``in Flint``), before an office, team or branch (``the Flint office``), next to a role word
or apposition (``my manager, Thandiwe,``), before what a person does (``Thandiwe and I``,
``Thandiwe showed me``), and after an academic verb (``went to Spelman``, ``at Spelman`` in a
sentence about a course or a professor). A word at the start of a sentence is left alone
unless a person cue follows it, so ``During``, ``Last`` and ``Our`` stay.

Chinese: jieba's own dictionary (shipped in the wheel; no download) tags places (``ns``); a
place word in a place context (在/从/到/来自/我们… before, 的/分公司/机房/工厂… after) or any
run ending in 省/市/县/州/盟/旗 becomes 某地. A person is a run of two to four characters after
a role word (经理、主管、组长、同事、老师…, 叫/名叫) or a verb that takes a person (请、和、跟…) and
before what follows a person, when jieba's dictionary cannot read the run as ordinary words
(a name splits into single characters or is tagged as a name).

What is left out on purpose: an unknown capitalised word with no such context stays (the
engine counts named things as specific detail, and a product name must keep that), and a
Chinese name without a role word or person verb before it stays.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["open_en", "open_zh_names", "open_zh_places"]

_DATA_SUFFIXES = (".yaml", ".yml", ".json")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# ----------------------------------------------------------------------------- English

_CAP = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]*)*"
_RUN = rf"{_CAP}(?: {_CAP}){{0,2}}"
_CALENDAR = (
    "January February March April May June July August September October November December"
    " Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter"
)
# Tools a candidate works "in" or moves "to" that the scorer's data files do not name.
_PRODUCTS = (
    "Excel Word PowerPoint Outlook Access Visio Teams SharePoint OneDrive Jira Confluence Slack"
    " Zoom Figma Sketch Photoshop Illustrator Notion Trello Asana Kubernetes Docker Terraform"
    " Ansible Jenkins GitHub GitLab Bitbucket Git Salesforce HubSpot Tableau Looker Kafka Spark"
    " Hadoop Hive Airflow Linux Ubuntu Windows Android Swift Kotlin Rust Ruby Rails Scala Go"
    " React Angular Vue Node Django Flask Spring Laravel Oracle Postgres Mongo MongoDB Elastic"
    " Elasticsearch Grafana Prometheus Nginx Azure Google Microsoft Apple Amazon Workday Shopify"
    " Stripe Snowflake Databricks BigQuery Redshift Dynamics Kanban Scrum Agile Lean Sigma"
)
_LOCATIVE = r"in|from|near|outside|around|across|throughout|based in"
_UNIT = (
    r"office|offices|branch|plant|site|factory|warehouse|store|region|area|campus"
    r"|headquarters|hub|depot|clinic|hospital"
)
_ROLE = (
    r"manager|director|supervisor|professor|teacher|lecturer|tutor|lead|colleague|coworker"
    r"|co-worker|customer|client|developer|engineer|owner|technician|mentor|boss|officer"
    r"|nurse|doctor|friend|classmate|teammate|named|called|Mr|Mrs|Ms|Dr"
)
_APPOSITION = r", a\b|, an\b|, one of\b|, our\b|, my\b|, the\b"
_PERSON_NEXT = (
    r" and I\b| and another\b| and me\b|, who\b|, whose\b"
    r"| from (?:the|IT|HR|our|finance|sales)\b|'s\b|’s\b"
    r"| (?:showed|told|said|asked|let|fell|agreed|explained|helped|pointed|runs|ran|owned"
    r"|paired|called|wrote|sent|joined|left|came|took|gave|wanted|thought|felt|suggested"
    r"|complained|replied|answered|approved|refused|decided|insisted)\b"
)
_PERSON_BEFORE = (
    r"asked|told|phoned|called|emailed|messaged|met|thanked|join|joined|invited|helped|trained"
    r"|coached|mentored|introduced|reminded|warned|persuaded|convinced"
)
_ACADEMIC = re.compile(
    r"\b(?:studied|study|graduated|graduate|professor|lecturer|course|courses|class|classes"
    r"|degree|semester|campus|thesis|major|majored|diploma|exam|exams|tuition)\b",
    re.IGNORECASE,
)
_SCHOOL_BEFORE = r"went to|studied at|graduated from|attended|enrolled at|dropped out of"


@cache
def _en_vocabulary() -> frozenset[str]:
    """Capitalised words the scorer's own data holds (question bank, presets, reference
    model: Python, Redis, PostgreSQL), calendar words and ``I``: these are content, never an
    identity."""
    words = set(_CALENDAR.split()) | set(_PRODUCTS.split()) | {"I"}
    root = Path(__file__).parent
    for path in root.rglob("*"):
        if path.suffix in _DATA_SUFFIXES and path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            words.update(re.findall(r"\b[A-Z][A-Za-z0-9+#.]*[A-Za-z0-9+#]", text))
    return frozenset(words)


# Words that open a sentence and are followed by a verb as a name would be (They told, We asked).
_EN_OPENERS = _set(
    "They We You It He She I Their Our My Your His Her Its This That These Those There Then "
    "Everyone Everybody Someone Somebody Nobody Both Each All Most Some Many Few Nothing "
    "Everything One The A An And But So Because When While After Before Once If As Later Finally "
    "First Next Eventually Together Management Leadership Customers Users Engineers However "
    "Meanwhile Also Still Instead Otherwise Luckily Unfortunately Fortunately Today Yesterday Now "
    "Overall Sometimes Usually Later Soon Again Here Thanks Yes No Well"
)


def _identity(run: str) -> bool:
    words = [w for w in re.split(r"[ '’-]", run) if w]
    return words[0] not in _EN_OPENERS and not any(w in _en_vocabulary() for w in words)


def _sub_run(pattern: re.Pattern[str], text: str, replacement: str) -> str:
    """Replace the group ``run`` of each match that is an identity, keeping the rest."""

    def repl(match: re.Match[str]) -> str:
        if not _identity(match.group("run")):
            return match.group(0)
        start, end = match.span("run")
        whole = match.group(0)
        offset = match.start()
        return whole[: start - offset] + replacement + whole[end - offset :]

    return pattern.sub(repl, text)


@cache
def _en_rules() -> tuple[tuple[re.Pattern[str], str, bool], ...]:
    """(pattern with a ``run`` group, replacement, only in an academic sentence)."""
    run = rf"(?P<run>{_RUN})"
    lead = r"(?<![.!?:;\"(]\s)(?<=\S\s)"  # not the first word of the sentence
    return (
        (re.compile(rf"\b(?:{_SCHOOL_BEFORE}) {run}\b(?! (?:{_UNIT})\b)"), "a school", False),
        (re.compile(rf"\b(?:at|At|After|after) {run}\b(?! (?:{_UNIT})\b)"), "a school", True),
        (re.compile(rf"\b(?:{_LOCATIVE}) (?:the )?{run}\b"), "the city", False),
        (re.compile(rf"\b(?:the|our|their|your|a) {run}(?= (?:{_UNIT})\b)"), "the city", False),
        (re.compile(rf"\b(?:{_ROLE})\.?,? {run}\b"), "X", False),
        (re.compile(rf"\b(?:{_PERSON_BEFORE}) {run}\b(?! (?:{_UNIT})\b)"), "X", False),
        (re.compile(rf"\bwith {run}(?=, (?:the|our|a|an|my|one of)\b)"), "X", False),
        (re.compile(rf"(?:^|(?<=[,;] )|{lead}){run}(?={_PERSON_NEXT})"), "X", False),
        (re.compile(rf"(?:(?<=[,;] )|{lead}){run}(?={_APPOSITION})"), "X", False),
    )


def open_en(text: str) -> str:
    """``text`` with identities the lists missed replaced, by context (module docstring)."""
    academic = bool(_ACADEMIC.search(text))
    for pattern, replacement, needs_academic in _en_rules():
        if needs_academic and not academic:
            continue
        text = _sub_run(pattern, text, replacement)
    # A school's town says where the candidate comes from: "a school in the city" → "a school".
    text = re.sub(r"\ba school (?:in|near|outside) (?:the )?the city\b", "a school", text)
    return text.replace("the the city", "the city")


# ----------------------------------------------------------------------------- Chinese

_HAN = r"\u4e00-\u9fff"
_ZH_PLACE_BEFORE = "在|从|到|去|来自|给|于|我们|老家|老家在|位于|回到|来到|搬到|调到|派到|驻"
_ZH_PLACE_AFTER = (
    "分公司|分部|办事处|分行|分厂|机房|工厂|厂区|老厂区|研发中心|数据中心|基地|营业厅|门店|"
    "区域|一家|一所|一带|深处|附近|周边|地区|农村|县城|山区|乡下|实习|出差|工作|人|这里|那边"
)
# Place words too general to say where anyone comes from.
_ZH_GENERIC_PLACES = _set(
    "城市 山区 地区 农村 乡村 全国 国内 国外 海外 本地 当地 外地 各地 城区 市区 "
    "郊区 沿海 内地 南方 北方 东部 西部 中部 基层 一线 满意度 老家 家乡 全球 世界 中国"
)
_ZH_ADMIN = "省|市|县|州|自治州|自治区|盟|旗|地区"
# A site of a company: whatever proper noun stands before it is where the site is
# (攀枝花分公司, 克拉玛依的分公司), whichever tag jieba's dictionary gives the noun.
_ZH_SITE = (
    "(?:的)?(?:分公司|分部|办事处|分行|分厂|分店|机房|工厂|厂区|老厂区|研发中心|数据中心|基地|营业厅"
    "|门店|仓库|车间|项目部)"
)
# Tags of ordinary words (nouns, verbs, adjectives, adverbs, numerals, pronouns, particles...).
_ZH_ORDINARY_TAGS = _set(
    "n v vn vd a ad an d m q r p c u uj ul uz ug uv ud f t s b z e y o k h zg ng vg ag mq j"
)
_ZH_PERSON_ROLE = (
    "经理|主管|组长|同事|老师|导师|老板|主任|工程师|技术员|负责人|程序员|总监|客户|同学|朋友|领导"
    "|上司|店长|班长|队长|教授|医生|护士|师傅|开发|设计师|叫|名叫"
)
# After a verb that takes a person, an adverb of time, a particle or a comma a run is a name
# only before what a person does (请热合曼帮…, 行政的热合曼负责…, ，热合曼把…); 找出原因,
# 包装线的漏封率一直… are not.
_ZH_VERB_ROLES = "请|问|让|找|和|跟|帮|告诉|约|当时|后来|然后|于是"
_ZH_WEAK_ROLE = f"{_ZH_VERB_ROLES}|的|给|向|对|带|[，、；]"
_ZH_AGENT_AFTER = re.compile(
    "负责|把|说|让|帮|商量|同意|觉得|告诉|打电话|病|教|问|提出|对接|和我|跟我|和另一|老师|经理|师傅"
    "|同学|用|有没有|是否|能不能|要不要"
)
_ZH_PERSON_AFTER = re.compile(
    "老师|经理|总|师傅|同学|姐|哥|[让用和跟把打对有每去病谈负说帮给也都就在是问带教觉提发要会能又还从"
    "被向同商一当今昨明后先再只不没主亲已马]|[，。、；！？,.]"
)
# Characters no name holds: pronouns, particles, verbs and numerals that only look like one.
_ZH_NOT_NAME = set(
    "我你他她它们的了是在不有这那个上下中来去说与及或就都也还又很最更让把被给对向从到为以而"
    "一二三四五六七八九十百千万两每各位某TA"
)
_ZH_NAME_TAGS = ("nr", "nrt", "nrfg")
_ZH_COMMON_FREQ = 20  # a dictionary word seen this often in jieba's corpus is an ordinary word


@cache
def _zh_tags() -> dict[str, str]:
    from hireflow.scoring.startup import load_jieba_tags
    from hireflow.scoring.text import _jieba

    # jieba.posseg's table, from the start-up cache (posseg re-parses dict.txt on import).
    return load_jieba_tags(_jieba())


def _name_like(run: str, common: frozenset[str]) -> bool:
    """A run jieba's dictionary reads as a name, or cannot read as an ordinary word: 热合曼,
    仁增曲珍 split into rare pieces; 任务, 营业厅, 设备员 are (or begin with) ordinary words."""
    from hireflow.scoring.text import _jieba

    if _ZH_NOT_NAME & set(run) or run in common or run[:2] in common or _zh_roles().search(run):
        return False
    tags = _zh_tags()
    if run in tags:
        return tags[run] in _ZH_NAME_TAGS
    pieces = list(_jieba().cut(run, HMM=False))
    freq = _jieba().dt.FREQ
    # Any ordinary word inside (出原因, 主程序员, 人调整) makes it text, not a name.
    return not any(
        len(p) > 1 and freq.get(p, 0) >= _ZH_COMMON_FREQ and tags.get(p) not in _ZH_NAME_TAGS
        for p in pieces
    )


@cache
def _zh_roles() -> re.Pattern[str]:
    """Role nouns (not the verbs): a run holding one (老师傅, 客户经理) is not a name."""
    nouns = [r for r in _ZH_PERSON_ROLE.split("|") if len(r) > 1 and r not in _ZH_VERB_ROLES]
    return re.compile("|".join([*nouns, "师傅", "老师"]))


def _ends_in_word(text: str, end: int) -> bool:
    """The run's last character begins a common word with what follows (热合曼总是: 总是)."""
    from hireflow.scoring.text import _jieba

    pair = text[end - 1 : end + 1]
    return len(pair) == 2 and _jieba().dt.FREQ.get(pair, 0) >= _ZH_COMMON_FREQ * 50


@cache
def _zh_role() -> re.Pattern[str]:
    return re.compile(rf"(?:(?P<strong>{_ZH_PERSON_ROLE})|{_ZH_WEAK_ROLE})(?=[{_HAN}])")


def _zh_names(text: str, common: frozenset[str]) -> str:
    """After each role word, the longest run of two to four characters that a person-follower
    ends and that reads as a name becomes 某某."""
    out: list[str] = []
    pos = 0
    for role in _zh_role().finditer(text):
        start = role.end()
        if role.start() < pos:
            continue
        follower = _ZH_PERSON_AFTER if role.group("strong") else _ZH_AGENT_AFTER
        for length in (6, 5, 4, 3, 2):
            run = text[start : start + length]
            if (
                len(run) == length
                and re.fullmatch(rf"[{_HAN}]+", run)
                and follower.match(text, start + length)
                and not _ends_in_word(text, start + length)
                and _name_like(run, common)
            ):
                out.append(text[pos:start] + "某某")
                pos = start + length
                break
    out.append(text[pos:])
    return _zh_name_tails("".join(out), common)


_ZH_AFTER_CHARS = re.compile(_ZH_PERSON_AFTER.pattern.split("|[，")[0].rsplit("|", 1)[1])


def _zh_name_tails(text: str, common: frozenset[str]) -> str:
    """The rest of a name whose listed part was replaced (古丽娜尔 → 某某娜尔 → 某某)."""

    def repl(match: re.Match[str]) -> str:
        run = match.group("run")
        if _ZH_AFTER_CHARS.search(run) or not _name_like(run, common):
            return match.group(0)
        return "某某"

    return re.sub(rf"某某(?P<run>[{_HAN}]{{2}})(?={_ZH_PERSON_AFTER.pattern})", repl, text)


def _zh_place_word(word: str, before: str, after: str) -> bool:
    if len(word) < 2 or "某" in word or word in _ZH_GENERIC_PLACES:
        return False
    tags = _zh_tags()
    if re.fullmatch(rf"[{_HAN}]{{1,6}}(?:{_ZH_ADMIN})", word) and tags.get(word[:-1]) != "n":
        return tags.get(word) in (None, "ns") or tags.get(word[:-1]) in (None, "ns")
    if re.match(_ZH_SITE, after) and tags.get(word) not in _ZH_ORDINARY_TAGS:
        return bool(re.fullmatch(rf"[{_HAN}]+", word))
    if tags.get(word) != "ns":
        return False
    # 的 after a word says little (关联的数据); only a longer place word takes it as context.
    return bool(
        re.search(rf"(?:{_ZH_PLACE_BEFORE})$", before)
        or re.match(rf"(?:{_ZH_PLACE_AFTER})", after)
        or (len(word) >= 3 and after.startswith("的"))
    )


def _zh_places(text: str) -> str:
    from hireflow.scoring.text import _jieba

    words = list(_jieba().cut(text, HMM=True))
    out: list[str] = []
    for i, word in enumerate(words):
        before = "".join(out)[-4:]
        after = "".join(words[i + 1 : i + 4])
        out.append("某地" if _zh_place_word(word, before, after) else word)
    text = "".join(out)
    return re.sub(r"某地(?:某地)*(?:深处|一带|附近|周边|地区)?", "某地", text)


def open_zh_places(text: str) -> str:
    """``text`` with place words jieba's dictionary knows replaced in a place context; runs
    before the lists, so that 大凉山 is one place and not 大 + a listed 凉山."""
    return _zh_places(text)


def open_zh_names(text: str, common: frozenset[str]) -> str:
    """``text`` with names the lists missed replaced, by context (module docstring);
    ``common`` holds everyday words that begin with a surname character (never a name)."""
    return _zh_names(text, common)
