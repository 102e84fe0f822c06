"""Identity neutralisation: who, where and which school never reach a feature or an embedding.

Before an answer's sentences are embedded or read for features, :func:`neutralise` replaces

* third-person pronouns with one neutral form (en: he/she → they, him/his/her → their,
  himself/herself → themselves; zh: 他/她 → TA) and drops titles (Mr, Mrs, Ms, Miss, Dr);
* person names with ``X`` / ``某某``: English given names from a multicultural list (with a
  following capitalised surname), a capitalised word after a title; Chinese names after a
  role word or a verb that takes a person (经理张伟让…, 请刘娜…), compound surnames (欧阳…),
  names with a middle dot (买买提·艾力) and common Uyghur, Tibetan and Mongolian given names;
* places with ``the city`` / ``某地`` (countries, US states and major cities; Chinese
  provinces and cities, with "a small town in", "农村", "县城" folded in);
* schools with ``a school`` / ``某校`` (University of …, … College, Harvard, a community
  college, a bootcamp; …大学, …学院, 大专, 中专);
* ethnic and national group words before a person noun (a Black family → a family;
  维吾尔族 → 某族).

The report still quotes the candidate's own words: only the text the engine measures is
neutral (:func:`hireflow.scoring.analysis.analyse_interview`). The lists are finite: after
them, :mod:`hireflow.scoring.neutral_open` finds names, places and schools they miss by the
words around them (a capitalised word after "in" or next to a role word; a Chinese run after
a role word that jieba's dictionary reads as no ordinary word; jieba's place words in a place
context). What neither catches keeps its influence on the embedding (docs/scoring.md,
"Counterfactual fairness", prints the change for held-out names and places).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from hireflow.scoring.neutral_open import open_en, open_zh_names, open_zh_places

__all__ = ["neutralise"]

# Common words that begin with a surname character (任务, 顾客, 周末): never a name. Written by
# scripts/build_neutral_words.py from jieba's dictionary.
ZH_WORDS_FILE = Path(__file__).with_name("neutral_zh_words.txt")

PERSON = {"en": "X", "zh": "某某"}
PLACE = {"en": "the city", "zh": "某地"}
SCHOOL = {"en": "a school", "zh": "某校"}

# --------------------------------------------------------------------------- English

_EN_GIVEN = """
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
Matthew Anthony Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott
Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron
Jose José Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Walter Christian
Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan
Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Liam Oliver
Lucas Harry Charlie Oscar Leo Alfie Freddie Archie Theo Mary Patricia Jennifer Linda Elizabeth
Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna
Michelle Carol Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura Cynthia Amy
Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen
Debra Rachel Carolyn Janet Maria María Catherine Heather Diane Olivia Julie Joyce Victoria
Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline
Martha Madison Teresa Gloria Sara Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy
Isabella Julia Grace Amber Denise Danielle Marilyn Beverly Charlotte Natalie Theresa Diana
Brittany Doris Kayla Alexis Lori Marie Amelia Isla Ava Mia Sophie Chloe Lily Ella Freya Jamal
DeShawn Darnell Tyrone Terrell Jermaine Malik Trevon Lakisha Latoya Tamika Keisha Aaliyah
Imani Ebony Shanice Tanisha Chinedu Emeka Obinna Chukwuemeka Oluwaseun Olumide Tunde Babajide
Ayodele Adebayo Kwame Kofi Kwabena Yaw Ngozi Chioma Adaeze Amaka Funmilayo Folake Yetunde
Abena Akosua Ama Amara Nneka Zainab Mohammed Muhammad Mohamed Ahmed Ahmad Ali Omar Hassan
Hussein Ibrahim Yusuf Mustafa Khalid Tariq Bilal Hamza Karim Rashid Fatima Aisha Ayesha Maryam
Khadija Noor Layla Leila Yasmin Samira Amina Salma Huda Rania Priya Anjali Pooja Neha Divya
Sunita Deepika Kavya Lakshmi Rahul Amit Rohit Vikram Arjun Sanjay Rajesh Suresh Anil Ravi
Arun Vijay Aditya Krishna Ramesh Carlos Luis Miguel Jorge Pedro Alejandro Diego Javier
Fernando Ricardo Eduardo Rafael Francisco Manuel Antonio Sofia Sofía Lucia Lucía Camila
Valentina Gabriela Daniela Fernanda Carmen Rosa Guadalupe Alejandra Ana Wei Ming Hao Lei
Jie Yan Ying Xin Fang Li Yu Hui Lin Mei Xiu Zhang Wang Liu Chen Yang Huang Zhao Zhou Wu
Xu Hiroshi Takeshi Kenji Yuki Haruka Sakura Aiko Minjun Jiwoo Seojun Jisoo Minji Dmitri
Ivan Sergei Olga Natasha Svetlana Anya Lars Sven Ingrid Astrid Giulia Giuseppe Marco Luca
Francesca Chiara Pierre Jean-Luc Camille Amélie Hans Jürgen Klaus Anke Eun Thanh Nguyen Minh
"""
# Given names that are also ordinary words at a sentence start stay out (May, June, Will, Mark,
# Bill, Sun).

_EN_PLACES = """
Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan Bangladesh
Belarus Belgium Bolivia Bosnia Brazil Bulgaria Cambodia Cameroon Canada Chile China Colombia
Congo Croatia Cuba Czechia Denmark Ecuador Egypt England Eritrea Estonia Ethiopia Finland
France Germany Ghana Greece Guatemala Haiti Honduras Hungary Iceland India Indonesia Iran Iraq
Ireland Israel Italy Jamaica Japan Jordan Kazakhstan Kenya Korea Kuwait Laos Latvia Lebanon
Libya Lithuania Malaysia Mali Mexico Mongolia Morocco Mozambique Myanmar Nepal Netherlands
Nicaragua Niger Nigeria Norway Pakistan Palestine Panama Peru Philippines Poland Portugal
Qatar Romania Russia Rwanda Scotland Senegal Serbia Singapore Slovakia Somalia Spain Sudan
Sweden Switzerland Syria Taiwan Tanzania Thailand Tunisia Turkey Uganda Ukraine Uruguay
Uzbekistan Venezuela Vietnam Wales Yemen Zambia Zimbabwe Alabama Alaska Arizona Arkansas
California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois Indiana Iowa
Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri
Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont
Virginia Washington Wisconsin Wyoming London Manchester Birmingham Liverpool Leeds Glasgow
Edinburgh Bristol Dublin Paris Berlin Munich Hamburg Frankfurt Madrid Barcelona Rome Milan
Amsterdam Brussels Vienna Zurich Geneva Stockholm Oslo Copenhagen Helsinki Warsaw Prague
Budapest Athens Istanbul Moscow Kyiv Kiev Lagos Abuja Accra Nairobi Cairo Johannesburg
Kinshasa Casablanca Dakar Kampala Kigali Mumbai Delhi Bangalore Bengaluru Chennai Kolkata
Hyderabad Pune Karachi Lahore Islamabad Dhaka Kathmandu Colombo Tehran Baghdad Riyadh Dubai
Doha Beirut Amman Jerusalem Tokyo Osaka Kyoto Seoul Busan Beijing Shanghai Shenzhen Guangzhou
Chengdu Wuhan Hangzhou Nanjing Chongqing Tianjin Xian Urumqi Lhasa Harbin Taipei Manila
Jakarta Bangkok Hanoi Singapore Sydney Melbourne Brisbane Perth Auckland Toronto Montreal
Vancouver Calgary Ottawa Chicago Houston Phoenix Philadelphia Dallas Austin Detroit Boston
Seattle Denver Atlanta Miami Baltimore Memphis Nashville Oakland Portland Cleveland
Pittsburgh Minneapolis Brooklyn Bronx Harlem Compton Caracas Lima Bogota Bogotá Santiago
Quito Havana
"""
_EN_PLACES_MULTI = (
    "Mexico City|New York(?: City)?|Los Angeles|San Francisco|San Diego|San Jose|San Antonio"
    "|Las Vegas|New Orleans|New Jersey|New Mexico|New Hampshire|North Carolina|South Carolina"
    "|North Dakota|South Dakota|West Virginia|Rhode Island|Hong Kong|Kuala Lumpur|Ho Chi Minh"
    " City|Buenos Aires|Rio de Janeiro|São Paulo|Sao Paulo|Cape Town|Addis Ababa|Dar es Salaam"
    "|Abu Dhabi|Tel Aviv|New Delhi|Sri Lanka|South Africa|South Korea|North Korea|Saudi Arabia"
    "|United States|United Kingdom|the US|the USA|the UK|New Zealand|Costa Rica|Puerto Rico"
    "|El Salvador|Ivory Coast|Sierra Leone|Burkina Faso"
)
_EN_LEADING = "After|At|In|From|When|Before|During|Since|While|The|A|An|My|Our|I|We|Then"
_EN_SCHOOL_NAMES = (
    "Harvard|Oxford|Cambridge|Stanford|Yale|Princeton|MIT|Caltech|Berkeley|UCLA|Cornell"
    "|Tsinghua|Peking|Fudan|Sorbonne|Imperial|Eton|Juilliard|Wharton|Dartmouth"
)
_EN_SCHOOL_KINDS = (
    r"community college|college|university|bootcamp|boot camp|vocational school|trade school"
    r"|polytechnic|academy|high school|school"
)
_EN_SCHOOL_WORDS = (
    r"online|coding|state|local|small|public|private|technical|vocational|community|trade"
    r"|top|elite|Ivy League|night|regional|historically black|top-tier|second-tier|famous"
)
_EN_GROUPS = (
    r"white|Black|black|Asian|Latino|Latina|Latinx|Hispanic|Arab|Native American|Indigenous"
    r"|African American|African-American|African|Caribbean|Jewish|Muslim|Christian|Hindu|Sikh"
    r"|Chinese|Indian|Nigerian|Mexican|Pakistani|Korean|Japanese|Filipino|Vietnamese|Roma"
    r"|immigrant"
)
_EN_GROUP_NOUNS = (
    r"family|families|colleague|colleagues|coworker|co-worker|person|people|man|woman|men"
    r"|women|guy|girl|boy|engineer|employee|student|customer|community|neighbourhood"
    r"|neighborhood|household|immigrant|kid|child|worker|manager|team member"
)


_EN_OBJECT_NEXT = (
    "to|that|what|which|who|how|why|when|where|whether|if|about|for|with|through|into|onto|in|on"
    "|at|by|from|up|down|out|off|back|over|around|again|a|an|the|this|these|those|some|I|we"
    "|you|they|it|and|but|or|so|because|as|before|after|until|once|too|first|directly|myself"
    "|later|today|yesterday|every|each|all|one|two|three|several|many|no"
)


def _words(block: str) -> str:
    return "|".join(sorted({re.escape(w) for w in block.split()}, key=len, reverse=True))


@cache
def _en_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    cap = r"[A-Z][a-zA-Z'’-]+"
    school = SCHOOL["en"]
    place = PLACE["en"]
    person = PERSON["en"]
    return (
        # Schools first: "University of Lagos" is a school, not a place.
        (re.compile(rf"\b(?:the )?University of {cap}(?: {cap})*"), school),
        (
            re.compile(
                rf"\b(?!(?:{_EN_LEADING})\b)(?:{cap} ){{1,3}}(?:State )?"
                rf"(?:University|College|Institute of Technology"
                rf"|Institute|Polytechnic|Academy|High School)\b"
            ),
            school,
        ),
        (
            re.compile(
                rf"\b(?:(?:a|an) (?:(?:{_EN_SCHOOL_WORDS}) ){{0,3}}"
                rf"|(?:the )?(?:(?:{_EN_SCHOOL_WORDS}) ){{1,3}})"
                rf"(?:{_EN_SCHOOL_KINDS})\b(?! of)",
                re.IGNORECASE,
            ),
            school,
        ),
        (re.compile(rf"\b(?:{_EN_SCHOOL_NAMES})\b(?: (?:University|College))?"), school),
        (
            re.compile(
                rf"\b(?:(?:a|an|the) )?(?:small |little |rural |poor |big )?"
                rf"(?:town|village|city|suburb|neighbourhood|neighborhood) (?:in|near|outside) "
                rf"(?={_EN_PLACES_MULTI}|(?:{_words(_EN_PLACES)})\b)"
            ),
            "",
        ),
        (re.compile(rf"\b(?:{_EN_PLACES_MULTI})\b"), place),
        (re.compile(rf"\b(?:{_words(_EN_PLACES)})\b"), place),
        # Groups before a person noun: "a Black family" → "a family".
        (
            re.compile(rf"\b(?:a|an) (?:{_EN_GROUPS}) (?=(?:{_EN_GROUP_NOUNS})\b)"),
            "a ",
        ),
        (re.compile(rf"\b(?:{_EN_GROUPS}) (?=(?:{_EN_GROUP_NOUNS})\b)"), ""),
        # Names: a title and the word after it, then given names (with a surname after).
        (re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Madam|Sir)\.? {cap}(?: {cap})?"), person),
        (re.compile(rf"\b(?:{_words(_EN_GIVEN)})\b(?: (?!I\b){cap})?"), person),
        # Pronouns (case kept at a sentence start).
        (re.compile(r"\b(?:he|she)\b"), "they"),
        (re.compile(r"\b(?:He|She)\b"), "They"),
        (re.compile(r"\b(?:himself|herself)\b", re.IGNORECASE), "themselves"),
        (re.compile(r"\b(?:hers)\b"), "theirs"),
        # him, his and her read by the word after them, never by their gender: "them" before
        # punctuation, a preposition, a determiner or a pronoun ("told her that", "asked him
        # to"), "their" before anything else ("her team", "his deposit").
        (re.compile(rf"\b(?:him|his|her)\b(?=[^\w]*$|[,.;:!?)]| (?:{_EN_OBJECT_NEXT})\b)"), "them"),
        (re.compile(r"\b(?:him|his|her)\b"), "their"),
        (re.compile(r"\b(?:His|Her|Him)\b"), "Their"),
    )


# --------------------------------------------------------------------------- Chinese

_ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁"
    "任卢姚沈钟姜崔谭陆范汪廖石金贾韦付方邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万覃武钱戴严"
    "欧莫孔向常汤康易乔赖文施洪辛柯庄"
)
_ZH_COMPOUND = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|独孤|南宫|西门"
)
# Common given-name parts of Uyghur, Tibetan, Mongolian, Kazakh and Hui names, written without
# a surname (阿依古丽, 扎西多吉, 卓玛, 巴特尔).
_ZH_MINORITY = (
    "阿依古丽|古丽|热依汗|热娜|迪丽|娜扎|买买提|艾力|阿不都|艾买提|努尔|吐尔逊|阿力木|帕提古丽|米热"
    "|扎西|多吉|卓玛|次仁|央金|德吉|拉姆|格桑|顿珠|平措|尼玛|达瓦|旺姆|措姆|白玛|巴特尔|其其格|乌兰"
    "|敖登|苏和|斯琴|哈斯|阿依|叶尔兰|阿斯哈尔"
)
# A name follows a role word or a verb that takes a person, and is followed by what follows a
# person (a verb or particle, a title, punctuation); that keeps 周五, 马上, 高效 out.
_ZH_ROLE = (
    "经理|主管|组长|同事|老师|导师|老板|主任|工程师|技术员|负责人|程序员|总监|客户|同学|朋友|领导"
    "|上司|店长|班长|队长|教授|医生|护士|师傅|叫|名叫"
)
_ZH_WEAK_ROLE = "的|请|问|让|找|和|跟|给|帮|带|告诉|约|向|对|当时|后来|然后|于是"
_ZH_AFTER = (
    "老师|经理|总|师傅|同学|姐|哥|[让用和跟把打对有每去病谈负说帮给也都就在是问带教觉提发要会能又还从"
    "被向同商一当今昨明后先再只不没主亲已马]|[，。、；！？,.]"
)
_ZH_NOT_GIVEN = (
    "的了是在不有这那个们上下中来去说和与及或就都也还又很最更让把被给对向从到为以而"
    "一二三四五六七八九十百千万两每各位"
)
_ZH_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南"
    "|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_ZH_CITIES = (
    "石家庄|唐山|保定|邯郸|太原|大同|沈阳|大连|长春|哈尔滨|齐齐哈尔|南京|苏州|无锡|徐州|杭州|宁波|温州"
    "|合肥|芜湖|阜阳|福州|厦门|泉州|南昌|赣州|济南|青岛|烟台|潍坊|临沂|郑州|洛阳|开封|周口|南阳|商丘"
    "|信阳|驻马店|武汉|宜昌|襄阳|长沙|株洲|衡阳|广州|深圳|东莞|佛山|珠海|汕头|湛江|海口|三亚|成都|绵阳"
    "|南充|贵阳|遵义|毕节|昆明|大理|丽江|西安|宝鸡|兰州|天水|西宁|银川|乌鲁木齐|喀什|和田|伊犁|阿克苏"
    "|吐鲁番|拉萨|日喀则|林芝|昌都|呼和浩特|包头|赤峰|南宁|柳州|桂林|百色|河池|玉林|延边|延吉|凉山"
)
_ZH_PLACE_TAIL = (
    "(?:的)?(?:一个|一座)?(?:小)?(?:县城|农村|乡下|小镇|山村|村里|村子|城市|县里|镇上|山区|老家)"
)
_ZH_GROUPS = (
    "汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜"
    "|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒"
    "|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ZH_SCHOOL_STOP = "我你他她是在从于读上考进到的了毕和与也就都还曾被"


@cache
def _zh_patterns() -> tuple[tuple[re.Pattern[str], Any], ...]:
    han = r"\u4e00-\u9fff"
    person = PERSON["zh"]
    given = rf"(?:[{han}](?<![{_ZH_NOT_GIVEN}]))"
    return (
        (
            re.compile(
                rf"(?:[县镇村市省]里的|一所|某所|一家)?(?:(?:[^{_ZH_SCHOOL_STOP}\W\d]){{0,8}}?)"
                rf"(?:职业技术学院|职业学院|大学|学院|院校|夜校|夜大|电大|函授班|大专|中专|职高|技校|高中"
                rf"|(?<!从)中学)"
            ),
            SCHOOL["zh"],
        ),
        (re.compile(rf"(?:{_ZH_GROUPS})族"), "某族"),
        (re.compile(rf"(?:{_ZH_MINORITY})+"), person),
        (re.compile(r"某某(?:·某某)+"), person),
        (
            re.compile(
                rf"(?:{_zh_role_lookbehinds(_ZH_ROLE + '|' + _ZH_WEAK_ROLE)}|^|(?<=[，。、；]))"
                rf"[{han}]{{2,4}}?·[{han}]{{2,4}}?(?={_ZH_AFTER})"
            ),
            person,
        ),
        (re.compile(rf"(?:{_ZH_COMPOUND}){given}{{1,2}}?(?={_ZH_AFTER})"), person),
        (_zh_name_after_role(), _zh_name),
        (
            re.compile(rf"(?:(?:{_ZH_PROVINCES})(?:省|市|自治区)?|(?:{_ZH_CITIES})(?:市|县)?)+"),
            "某地",
        ),
        (re.compile(rf"某地(?:某地)*(?:{_ZH_PLACE_TAIL})?"), "某地"),
        (re.compile("(?<![其吉])[他她]"), "TA"),
    )


def _zh_role_lookbehinds(roles: str = _ZH_ROLE) -> str:
    return "|".join(rf"(?<={r})" for r in roles.split("|"))


@cache
def _zh_name_after_role() -> re.Pattern[str]:
    han = r"\u4e00-\u9fff"
    given = rf"(?:[{han}](?<![{_ZH_NOT_GIVEN}]))"
    after_word = _ZH_AFTER.rsplit("|", 1)[0]  # what follows a name, punctuation aside
    return re.compile(
        rf"(?:(?:{_zh_role_lookbehinds()}|^|(?<=[，。、；]))"
        rf"[{_ZH_SURNAMES}]{given}{{1,2}}?(?={_ZH_AFTER})"
        rf"|(?:{_zh_role_lookbehinds(_ZH_WEAK_ROLE)})"
        rf"[{_ZH_SURNAMES}]{given}{{1,2}}?(?={after_word}))"
    )


@cache
def _zh_words() -> frozenset[str]:
    return frozenset(ZH_WORDS_FILE.read_text(encoding="utf-8").split())


def _zh_name(match: re.Match[str]) -> str:
    """A surname and given name, unless the characters are a common word (任务, 顾客)."""
    found = match.group(0)
    words = _zh_words()
    if found in words or found[:2] in words:
        return found
    return PERSON["zh"]


def neutralise(text: str, language: str) -> str:
    """``text`` with person names, third-person pronouns, places, schools and ethnic or
    national group words replaced by neutral forms (see the module docstring)."""
    if language == "zh":
        text = open_zh_places(text)
        for pattern, repl in _zh_patterns():
            text = pattern.sub(repl, text)
        return open_zh_names(text, _zh_words())
    for pattern, repl in _en_patterns():
        text = pattern.sub(repl, text)
    return open_en(re.sub(r" {2,}", " ", text))
