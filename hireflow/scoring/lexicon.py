"""Cue lexicons, patterns and example sentences of the answer analysis (Chinese, English).

What a sentence's words say before any embedding: STAR cues, hypotheticals, logic markers,
fillers, general claims, negative behaviour, first person, numbers and metrics, named things,
instructions to the grader, languages the engine cannot read; and the example sentences the
STAR elements and everyday topics are compared with. Used by :mod:`hireflow.scoring.analysis`.
"""

from __future__ import annotations

import re

from hireflow.scoring.text import count_han

# ---------------------------------------------------------------------- lexicons (cues)


def _rx(*patterns: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


_EN_ACTION_VERBS = (
    "decided|asked|talked|spoke|organi[sz]ed|built|wrote|created|set up|analy[sz]ed|called|met|"
    "proposed|suggested|introduced|worked|made|ran|led|implemented|changed|checked|collected|"
    "prepared|explained|trained|went|visited|took|started|designed|rewrote|replaced|pushed|gave|"
    "offered|listed|mapped|compared|broke|split|scheduled|negotiated|convinced|persuaded|"
    "contacted|invited|reviewed|tested|fixed|learned|learnt|studied|practi[sc]ed|focused|"
    "arranged|coordinated|tracked|measured|shared|sat|flew|reorgani[sz]ed|rearranged|paired|"
    "looked|found|discussed|agreed|told|showed|used|did|tried|applied|recorded|documented|"
    "categori[sz]ed|identified|planned|drafted|presented|escalated|volunteered|raised|"
    "restructured|automated|launched|hired|coached|mentored|delegated|calculated|worked out|"
    "sent|bought|rented|printed|turned|wrote up|followed up|went back|brought|moved|asked for|"
    "reached out|set|gathered|interviewed|surveyed|simplified|redesigned|built up|adjusted"
)
# Verbs of doing, for Chinese action cues.
_ZH_ACTION_VERBS = (
    "(把|用|找|约|组织|分析|提出|建议|设计|做了|制定|安排|召开|"
    "沟通|联系|协调|推动|整理|拆|列|收集|检查|打电话|打了|去|回去|"
    "带|写|请|申请|调整|改|建立|梳理|培训|演示|学|练|核对|排查|"
    "比较|算|选择|决定|统计|搭建|引入|发起|牵头|给|帮|跟|和|与|让|"
    "问|听|确认|解释|教|回访|跟进|复盘|总结|花|蹲|重新|查|发现|"
    "判断|说服|提议|承担|设定|定了|定下|拿|分成|分工|会后|约了|准备|"
    "看了|读|研究|测试|修|解决|处理|谈|汇报|反馈|争取|推广|上线|"
    "开发|搭|做成|制作|记录|规划|计划|考察|调研|走访|拜访|邀请|主持|"
    "负责起|接手|接下|开始)"
)
# What a candidate *did* (past, first person) or, for situational questions, *would do*.
_CUES: dict[str, dict[str, re.Pattern[str]]] = {
    "en": {
        "situation": _rx(
            r"\b(last|that|previous|this) (year|month|quarter|summer|autumn|fall|winter|spring)\b",
            r"\b(at|in) (my|our) (last|previous|current|first|old|former) (job|role|company|"
            r"position|team|employer|project)\b",
            r"\b(when|while) (i|we) (was|were|worked|joined|started|became|moved)\b",
            r"\b\d+ (years?|months?|weeks?) ago\b",
            r"\b(two|three|a few|several) (years?|months?) ago\b",
            r"\bthere (was|were)\b",
            r"\bin (19|20)\d\d\b",
            r"\b(had|faced|got) (a|an) (\w+ )?"
            r"(problem|issue|situation|challenge|complaint|conflict)\b",
            r"\bthe (problem|situation|issue|challenge) was\b",
            r"\bat the time\b|\bback then\b|\bonce\b",
        ),
        "task": _rx(
            r"\b(i was|i had been|i got) (asked|tasked|responsible|in charge|assigned|given|"
            r"expected|the one)\b",
            r"\bmy (task|job|goal|role|responsibility|target|objective|assignment) (was|is)\b",
            r"\bi (had|needed|wanted|was supposed) to\b",
            r"\b(the|our|a) (goal|target|task|objective|deadline|aim) (was|of)\b",
            r"\bresponsible for\b|\bin charge of\b",
            r"\b(asked|told|wanted) me to\b",
        ),
        "action": _rx(
            rf"\bi (then |first |also |immediately |personally |quickly |finally |later |"
            rf"actually |just |still )?({_EN_ACTION_VERBS})\b",
            r"\b(first|then|next|after that|finally|afterwards|so),? i\b",
            rf"\bwe (then |first |also |quickly |finally |later |)?({_EN_ACTION_VERBS})\b",
            r"\bi(?:'d| would| will| am going to| plan to| 'll|'ll) (\w+ )?\w+",
            r"\b(i would|i'd|i will) (first|then|also)\b",
        ),
        "result": _rx(
            r"\bas a result\b|\bin the end\b|\bresult(ed|s)?\b|\boutcome\b",
            r"\b(reduced|increased|improved|dropped|fell|rose|grew|saved|doubled|tripled|halved|"
            r"reached|achieved|exceeded|passed|won|renewed|recovered|went from|went up|went down|"
            r"went live|cut)\b",
            r"\bsince then\b|\bafter that\b|\bafterwards\b|\b(was|got) promoted\b",
            r"\bon time\b|\bahead of (schedule|the deadline|time)\b|\bbefore the deadline\b",
            r"\bi (learned|learnt|realised|realized)\b|\blessons?\b|\btaught me\b",
            r"\bsuccess(ful|fully)?\b|\b(finished|completed|delivered|approved)\b",
            r"\bfrom \S+ (to|down to|up to) \S+",
        ),
    },
    "zh": {
        "situation": _rx(
            r"去年|前年|今年|上个月|上半年|下半年|那年|当时|那时|之前|以前|曾经|有一次|有段时间|"
            r"年前|刚入职|刚加入|刚来|\d{4}年|[一二三四五六七八九十两]年前",
            r"在[\u4e00-\u9fffA-Za-z]{1,12}(公司|工作|的时候|期间|时)",
            r"遇到|出现了|发生了|面临",
        ),
        "task": _rx(
            r"负责|任务|目标|职责|指标|交给我|让我|派我|安排我|希望我|要求我|被派|我需要|需要我|"
            r"我必须|我要在|要在.{1,8}内",
        ),
        "action": _rx(
            # 我 (not 我们) followed, within a few characters, by an action verb: "我先把...",
            # "我回去和调度主管一起重新排了线路", "我每天早上给店长打电话".
            rf"我(?!们)[^，。；！？,;!?]{{0,8}}?{_ZH_ACTION_VERBS}",
            rf"我们[^，。；！？,;!?]{{0,6}}?{_ZH_ACTION_VERBS}",
            r"(于是|然后|接着|随后|之后|后来)(我|就|便|又)",
            r"我(会|将|可能会|打算|准备|要先|首先会|先会)",
            r"首先|其次|最后我",
        ),
        "result": _rx(
            r"结果|最后|最终|后来|之后|以后就|从此",
            r"提高(了|到)|提升(了|到)|降低(了|到)|降到|降至|减少(了|到)|增长|增加了|节省|省下|"
            r"缩短(了|到)|达成|完成了|达到|超过|超额|恢复(了|到)",
            r"成功|顺利|按时|如期|明白了|学到|体会|经验|教训|收获|认可|续约|满意|表扬",
            r"从[^，。]{0,12}(提高|降|减少|增加|缩短)?到",
        ),
    },
}

# "Would" sentences: a situational answer describes a plan, not a past event.
_HYPOTHETICAL = {
    "en": _rx(r"\b(would|i'd|i will|i'll|i am going to|i'm going to|i plan to|i might)\b"),
    "zh": _rx(r"我会|我将|我可能|我打算|我准备|如果|假如|我要先|我首先会"),
}

_LOGIC = {
    "en": _rx(
        r"\b(first(ly)?|second(ly)?|third(ly)?|then|next|after that|finally|because|since|"
        r"so that|therefore|as a result|however|although|instead|for example|for instance|"
        r"in order to|which meant|that is why|on the other hand|meanwhile|in the end|"
        r"to begin with|once)\b"
    ),
    "zh": _rx(
        r"首先|其次|然后|接着|最后|因为|所以|因此|于是|但是|不过|虽然|而是|比如|例如|为了|一方面|"
        r"另一方面|同时|从而|导致|接下来|第一|第二|第三|总之|这样"
    ),
}

_FILLERS = {
    "en": _rx(
        r"\b(um+|uh+|erm+|hmm+|ah+)\b|\byou know\b|\bi mean\b|\bkind of\b|\bsort of\b|"
        r"\bbasically\b|\blike,"
    ),
    "zh": _rx(r"嗯|呃|额|那个|就是说|怎么说呢|然后呢|反正|这个这个"),
}

# Generic self-descriptions ("I am a people person", "我这个人比较随和"): claims, not
# evidence. A behavioural answer made of them matches the level-2 anchors.
_GENERIC = {
    "en": _rx(
        r"\bi am (a |an |very |quite |really |always )*(good|great|strong|fast|quick|natural|"
        r"people|team|results|hard|calm|patient|positive|confident|organi[sz]ed|detail|target|"
        r"easy)",
        r"\bi('m| am)? ?(always|usually|often|never|generally|normally) (try|keep|stay|put|"
        r"explain|work|listen|do|deliver|achieve|learn|read)",
        r"\bi (think|believe|feel) (that )?(communication|teamwork|it is|good|the key|a good|"
        r"problem|learning|customers?|in today|only|people|most|everybody|everyone)",
        r"\b(is|are) (the key|very important|essential|crucial|one of my)\b",
        r"\b(my )?(colleagues|managers?|friends|people) (often |always )?(say|said|tell|told|"
        r"gave me|tend to)\b",
        r"\bin (today's|any|every) (world|team|company|job)\b",
        r"\bi (love|like|enjoy) (learning|challenges|working with people|people)\b",
    ),
    "zh": _rx(
        r"我(觉得|认为)?(自己)?.{0,8}(能力|性格|心态|为人).{0,6}(强|好|不错|随和|开朗|包容)",
        r"我(这个人|性格|一向)",
        r"我(一般|通常|平时|总是|经常|从来|一直都|向来)",
        r"(最重要|关键)的?(是|就是)|只要.{0,16}就",
        r"(我相信|我觉得|我认为).{0,24}(都|就|能|是)",
        r"(领导|同事|大家)(也|都)?(经常)?(夸|说)我",
        r"(理念|口号|宗旨)",
    ),
}

# Counter-indicators: blaming, giving up, hostility, refusing the task. The level-1 anchors
# describe them; their presence lowers a score.
_NEGATIVE = {
    "en": _rx(
        r"\b(lazy|stupid|useless|incompetent|idiots?)\b",
        r"\bnot (my|our) (problem|fault|job|responsibility)\b|\bthat is their job\b",
        r"\b(i|we) (just )?(quit|gave up|walked out|hung up|lost my temper|shouted|yelled|"
        r"refused)\b",
        r"\bnothing (you|i|we) can do\b|\bnot a team player\b|\bno point\b",
        r"\b(his|her|their) fault\b|\bblam(e|ed|ing) (him|her|them)\b",
        r"\b(have not|haven't|never) (really )?(led|needed to learn|learned|had to)\b",
        r"\bi do not want to\b|\bi don't want to\b",
    ),
    "zh": _rx(
        r"无理取闹|能力(特别|很|太)?差|找借口|懒|推卸|吵(起来|了一架|架)|骂|挂了电话|把电话挂了|"
        r"不干了|没干下去|辞职|放弃了|受不了",
        r"不是我的(事|问题|责任)|跟我(没|无)关|应该由(他们|别人)|不太清楚|没办法|讲不通|爱投诉就",
        r"(他|她)(就是|根本)不行",
    ),
}

_FIRST_SINGULAR = {
    "en": re.compile(r"\b(I|me|my|mine|myself)\b|\bI['’](m|ve|d|ll)\b"),
    "zh": re.compile(r"我(?!们)|本人|自己"),
}
_FIRST_PLURAL = {
    "en": re.compile(r"\b(we|us|our|ours|ourselves)\b|\bwe['’](re|ve|d|ll)\b", re.IGNORECASE),
    "zh": re.compile(r"我们|咱们|大家一起"),
}

# Specific details. Chinese numerals count only with a unit of time, money or measure:
# "一个同事" is not a detail, "三个月" and "两千多家" are.
_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*|[零一二两三四五六七八九十百千万几半]+(?:多)?"
    r"(?:个月|个人|个小时|年|月|周|天|小时|分钟|倍|成|元|万|亿|千|百|人|位|名|家|条|款|项|次|轮|"
    r"场|单|笔|套|台|所|门|个百分点)"
    r"|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|hundred|thousand|million|billion|dozen|half)\b",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"%|％|percent|per cent|百分之|百分点|[$€£¥￥]|\b(usd|rmb|eur|dollars?|euros?|yuan|million|"
    r"billion|kpi|nps|roi|sla|revenue|conversion|rate)\b|万元|亿元|[率额量数]",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|q[1-4]|"
    r"quarter|weeks?|months?|days?|hours?|minutes?|years?)\b"
    r"|\d+月|\d+日|周[一二三四五六日末]|星期|季度|年底|月底|年初|双十一|去年|前年|上个月|小时|"
    r"[一二两三四五六七八九十几半\d]+(个月|天|周|年|个小时|分钟)",
    re.IGNORECASE,
)
# Named things: capitalised words inside an English sentence, acronyms, Latin names inside
# Chinese text (App, ERP, Python), titles in 《》, and organisations ending in 公司/银行...
_NAMED_EN = re.compile(r"(?<=[a-z,;:] )[A-Z][a-zA-Z0-9+#&.-]+|\b[A-Z]{2,}[a-z]?\b")
_NAMED_ZH = re.compile(
    r"[A-Za-z][A-Za-z0-9+#.]+|《[^》]{1,30}》|「[^」]{1,30}」"
    r"|[\u4e00-\u9fff]{2,8}(?:公司|集团|银行|医院|大学|学校|系统|平台|App|软件)"
)

# Sentences addressed to the grader instead of the interviewer. They are removed before any
# feature is computed, so writing them can only lose content, never gain score.
_INJECTION = _rx(
    r"\bignore\b.{0,40}\b(rubric|instruction|prompt|criteria|scoring|rules?|guidelines?|"
    r"above|previous|everything)\b",
    r"\b(disregard|forget|override)\b.{0,40}\b(rubric|instruction|prompt|criteria|scoring|"
    r"rules?|guidelines?)\b",
    r"\b(give|award|grant|assign|rate|score|mark)\s+(me|this( answer)?|the candidate|my answer)"
    r"\b.{0,30}(\b(10|ten|five|5|100|full|maximum|max|perfect|top|highest)\b)",
    r"\b(full|perfect|maximum|top|highest) (marks|score|rating|points)\b",
    r"\b(system|developer) (prompt|message|instruction)s?\b",
    r"\byou are (now )?(an? |the )?(ai|assistant|grader|evaluator|scorer|language model)\b",
    r"\bas an ai\b|\bscore\s*[:=]\s*\d+|\"(score|level)\"\s*:",
    r"(忽略|无视|忽视|忘记|不要管|不用管).{0,12}(评分|标准|指令|规则|提示|要求|以上|之前|前面|规定)",
    r"(给|打|评)(我|这个回答|本回答|候选人)?.{0,6}(满分|最高分|高分|十分|10分|五分|5分|一百分|100分)",
    r"(系统提示|提示词|评分标准.{0,6}(作废|无效))",
    r"你(现在)?是.{0,10}(评分|考官|面试官|AI|人工智能|模型)",
)


def detect_injection(sentence: str) -> bool:
    """Whether a sentence addresses the grader ("ignore the rubric", "给我满分")."""
    return bool(_INJECTION.search(sentence))


# Scripts the engine does not read; their answers are reported instead of mis-scored.
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ']+", re.IGNORECASE)
_EN_FUNCTION = _words(
    "the and to of a in is i we was that it for with my on at this as but they were have "
    "had be are our me so did not"
)
_OTHER_FUNCTION = {
    "es": _words("el la los las de que y en un una por con para es fue mi nosotros pero"),
    "fr": _words("le la les de des et un une est je nous pour avec dans que qui pas sur"),
    "de": _words("der die das und ist ich wir nicht ein eine mit auf für dass zu den von"),
    "pt": _words("o os as de que e em um uma por com para eu nós foi não mas"),
    "it": _words("il lo gli le di che e un una per con sono io noi non ma della"),
    "nl": _words("de het een en is ik wij niet met op voor dat van zijn maar"),
}


def detect_unsupported_language(text: str) -> str | None:
    """The code of a language the engine cannot score ("ja", "ko", "ru", "fr"...), or None.

    Scripts are counted first (kana, Hangul, Cyrillic, Arabic...); Latin text is then checked
    for function words of other European languages, so French is not scored as poor English.
    """
    han = count_han(text)
    latin = len(re.findall(r"[A-Za-z]", text))
    for code, pattern in _SCRIPTS:
        count = len(pattern.findall(text))
        if code == "ja":
            # Japanese mixes kanji with kana; even a little kana means it is not Chinese.
            if count >= 3 and count >= 0.15 * (count + han):
                return "ja"
        elif count and count >= 0.3 * (count + han + latin):
            return code
    if latin and latin > 3 * han:
        words = [w.lower() for w in _LATIN_WORD.findall(text)]
        if len(words) >= 6:
            english = sum(w in _EN_FUNCTION for w in words)
            for code, vocabulary in _OTHER_FUNCTION.items():
                other = sum(w in vocabulary for w in words)
                if other >= 3 and other > 1.5 * english:
                    return code
    return None


# ------------------------------------------------------------------ example sentences

# Short examples of each STAR element; a sentence close to them (by embedding) carries the
# element even when it uses none of the cue words. Situational answers use the "plan" set
# for actions.
_STAR_EXAMPLES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "situation": (
            "Last year at my previous company we had a serious problem with late deliveries.",
            "When I joined the team, the project was already three months behind schedule.",
            "At the time, customers were complaining about the new billing system.",
        ),
        "task": (
            "My task was to fix the problem before the end of the quarter.",
            "I was responsible for getting the project back on track.",
            "My manager asked me to prepare the team for the launch.",
        ),
        "action": (
            "I analysed the data and found the root cause.",
            "I talked to each person on the team and proposed a new plan.",
            "I called the customer, listened to the complaint and offered a solution.",
            "I would first talk to both sides and then agree on a plan together.",
        ),
        "result": (
            "As a result, complaints fell by 40 percent within two months.",
            "In the end we delivered the project on time and the client renewed the contract.",
            "I learned that it is important to listen first.",
        ),
    },
    "zh": {
        "situation": (
            "去年在上一家公司，我们遇到了交货严重延迟的问题。",
            "我刚加入团队的时候，项目已经落后了三个月。",
            "当时客户一直在投诉新的计费系统。",
        ),
        "task": (
            "我的任务是在季度结束前解决这个问题。",
            "我负责让项目重新回到正轨。",
            "领导让我在上线前把团队培训好。",
        ),
        "action": (
            "我分析了数据，找到了问题的根本原因。",
            "我和团队每个人单独沟通，然后提出了新的计划。",
            "我给客户打电话，听完投诉后提出了解决办法。",
            "我会先和双方沟通，然后一起制定计划。",
        ),
        "result": (
            "结果两个月内投诉减少了百分之四十。",
            "最后项目按时交付，客户续签了合同。",
            "这件事让我明白了先倾听的重要性。",
        ),
    },
}


# Everyday topics that are not interview evidence. A sentence much closer to one of them than
# to the question and competency is off topic, however it is linked to the rest: this is
# what keeps padding ("pandas eat bamboo", "our canteen serves five cuisines") and answers
# about salary or hobbies from counting as evidence.
_DISTRACTORS: dict[str, tuple[str, ...]] = {
    "en": (
        "The weather was very hot and sunny last summer.",
        "My favourite football team won the championship this season.",
        "Pandas eat bamboo and sleep most of the day.",
        "The Great Wall is a famous tourist attraction in China.",
        "I like cooking Italian food at home at the weekend.",
        "In my free time I enjoy hiking, reading and photography.",
        "My parents live in my hometown and want me to move back.",
        "I am looking for a job with a higher salary and a shorter commute.",
        "The company was founded decades ago and has thousands of employees.",
        "Most employees take the metro to the office and eat in the canteen.",
        "At the weekend I watch films and play video games.",
    ),
    "zh": (
        "去年夏天天气非常热。",
        "我最喜欢的球队这个赛季拿了冠军。",
        "大熊猫吃竹子，一天大部分时间都在睡觉。",
        "长城是中国著名的旅游景点。",
        "我周末喜欢在家做意大利菜。",
        "我业余时间喜欢爬山、看书和摄影。",
        "我父母在老家，希望我回去发展。",
        "我希望找一份工资更高、离家更近的工作。",
        "公司成立于几十年前，现在有几千名员工。",
        "大部分员工坐地铁上班，在食堂吃午饭。",
        "周末我喜欢看电影、打游戏。",
    ),
}
DISTRACTOR_MIN = 0.35  # closeness to an everyday topic that makes a sentence suspect ...
DISTRACTOR_MARGIN = 0.10  # ... when it beats the question/competency by this much
