"""What a report says in words: strengths, gaps, key behaviour examples, notes and the
summary, in Chinese and English, derived from the dimension scores and the answers' analysis.

Used by :mod:`hireflow.scoring.engine` when a report is built and by
:mod:`hireflow.scoring.adjust` when HR's final scores re-derive it.
"""

from __future__ import annotations

from collections.abc import Sequence

from hireflow.scoring import learned
from hireflow.scoring.analysis import AnswerAnalysis
from hireflow.scoring.answer_text import ANALYSIS_LIMITS
from hireflow.scoring.evidence import EVIDENCE_QUOTE
from hireflow.scoring.judge import fallback_reason_text
from hireflow.scoring.models import localised
from hireflow.scoring.report import DimensionScore, Evidence, Finding, Note

STRENGTH_MIN_SCORE = 6.0  # a strength meets its required level and scores at least this
MAX_KEY_EXAMPLES = 5

_REASONS = {
    "no_result": {
        "zh": "缺少可衡量的结果",
        "en": "no measurable result",
        "ja": "測定可能な成果がない",
    },
    "we_only": {
        "zh": "多用“我们”，个人作用不清楚",
        "en": "told as “we”; own part unclear",
        "ja": "「私たち」での説明が多く、本人の役割が不明確",
    },
    "vague": {
        "zh": "多为笼统表述，缺少具体事例",
        "en": "general claims rather than a concrete example",
        "ja": "一般的な主張が多く、具体的な事例がない",
    },
    "off_topic": {
        "zh": "回答偏离问题",
        "en": "the answer did not address the question",
        "ja": "回答が質問に答えていない",
    },
    "few_actions": {
        "zh": "本人行动描述较少",
        "en": "few concrete actions of the candidate's own",
        "ja": "本人の具体的な行動の記述が少ない",
    },
    "no_answer": {
        "zh": "有题目未作答",
        "en": "a question was not answered",
        "ja": "未回答の質問がある",
    },
}


# Phrases of the texts above (and of hireflow.scoring.adjust) that speak of the person in the
# third person, for HR, and how the person reads them about themselves (self-service report).
_OWN_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("few concrete actions of the candidate's own", "few concrete actions of your own"),
        ("told as “we”; own part unclear", "told as “we”; your own part unclear"),
        ("no sentence in the answers shows it", "no sentence in your answers shows it"),
    ),
    "zh": (
        ("多用“我们”，个人作用不清楚", "多用“我们”，您本人的作用不清楚"),
        ("本人行动描述较少", "对您本人行动的描述较少"),
        ("回答中没有能证明该能力的句子", "您的回答中没有能证明该能力的句子"),
    ),
    "ja": (
        ("本人の役割が不明確", "ご自身の役割が不明確"),
        ("本人の具体的な行動の記述が少ない", "ご自身の具体的な行動の記述が少ない"),
        ("回答にこの能力を示す文がありません", "ご自身の回答にこの能力を示す文がありません"),
    ),
}


def for_the_person(text: str) -> str:
    """A strength or gap as the interviewed person reads it about themselves ("your own
    part") rather than as HR reads it ("the candidate's own"), in whichever language it is
    (a report read in one language may fall back to another's text)."""
    for pairs in _OWN_WORDS.values():
        for theirs, own in pairs:
            text = text.replace(theirs, own)
    return text


def _weaknesses(analysis: AnswerAnalysis) -> list[str]:
    if analysis.status == "empty":
        return ["no_answer"]
    if analysis.status != "ok":
        return []
    f = analysis.features
    out = []
    if f["on_topic_share"] < 0.5:
        out.append("off_topic")
    if f["first_plural"] >= 2 and f["ownership"] < 0.35:
        out.append("we_only")
    if f["generic_share"] >= 0.3:
        out.append("vague")
    if analysis.kind == "behavioural" and f["result_quality"] < 0.4:
        out.append("no_result")
    if f["action_depth"] < 0.5:
        out.append("few_actions")
    return out


def _findings(
    dimensions: Sequence[DimensionScore], analyses: Sequence[AnswerAnalysis], lang: str
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    strengths: list[tuple[float, Finding]] = []
    gaps: list[tuple[float, Finding]] = []
    by_question = {a.question_id: a for a in analyses}
    for d in dimensions:
        if d.score is None:
            continue
        name_zh, name_en = localised(d.name, "zh"), localised(d.name, "en")
        name_ja = localised(d.name, "ja")
        quote = d.evidence[0].quote if d.evidence else ""
        if d.score >= d.required_level and d.score >= STRENGTH_MIN_SCORE:
            example_zh = f"，例如：“{_short(quote)}”" if quote else ""
            example_en = f", e.g. “{_short(quote)}”" if quote else ""
            example_ja = f"。例：「{_short(quote)}」" if quote else ""
            text = {
                "zh": f"{name_zh}：{d.score:.1f} 分（要求 {d.required_level:.1f}）{example_zh}",
                "en": f"{name_en}: {d.score:.1f} (required {d.required_level:.1f}){example_en}",
                "ja": f"{name_ja}：{d.score:.1f} 点（要求 {d.required_level:.1f}）{example_ja}",
            }
            strengths.append(
                (d.score - d.required_level, Finding(d.id, d.score, d.required_level, text))
            )
        elif d.score < d.required_level:
            reasons: list[str] = []
            for qid in d.questions:
                for reason in _weaknesses(by_question[qid]):
                    if reason not in reasons:
                        reasons.append(reason)
            why_zh = "；".join(_REASONS[r]["zh"] for r in reasons[:3])
            why_en = "; ".join(_REASONS[r]["en"] for r in reasons[:3])
            why_ja = "、".join(_REASONS[r]["ja"] for r in reasons[:3])
            text = {
                "zh": f"{name_zh}：{d.score:.1f} 分，低于要求 {d.required_level:.1f}"
                + (f"（{why_zh}）" if why_zh else ""),
                "en": f"{name_en}: {d.score:.1f}, below the required {d.required_level:.1f}"
                + (f" ({why_en})" if why_en else ""),
                "ja": f"{name_ja}：{d.score:.1f} 点、要求 {d.required_level:.1f} を下回る"
                + (f"（{why_ja}）" if why_ja else ""),
            }
            gaps.append(
                (d.required_level - d.score, Finding(d.id, d.score, d.required_level, text))
            )
    strengths.sort(key=lambda x: (-x[0], x[1].dimension_id))
    gaps.sort(key=lambda x: (-x[0], x[1].dimension_id))
    return tuple(f for _, f in strengths[:4]), tuple(f for _, f in gaps[:4])


def _count(n: int, one: str, many: str) -> str:
    """A count with its English noun ("1 question", "3 questions"), never "question(s)"."""
    return f"{n} {one if n == 1 else many}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_examples(
    dimensions: Sequence[DimensionScore], analyses: Sequence[AnswerAnalysis]
) -> tuple[Evidence, ...]:
    """The best quote per assessed dimension, preferring sentences with actions or results."""
    picks: list[Evidence] = []
    seen: set[str] = set()
    for d in dimensions:
        ranked = sorted(
            d.evidence,
            key=lambda e: (-(("action" in e.star) or ("result" in e.star)), -e.similarity),
        )
        for item in ranked:
            if item.quote not in seen and item.similarity >= EVIDENCE_QUOTE:
                seen.add(item.quote)
                picks.append(item)
                break
    picks.sort(key=lambda e: (-e.similarity, e.dimension_id))
    return tuple(picks[:MAX_KEY_EXAMPLES])


# ---------------------------------------------------------------------------- notes

_LANG_NAMES = {
    "zh": ("中文", "Chinese", "中国語"),
    "en": ("英文", "English", "英語"),
    "ja": ("日文", "Japanese", "日本語"),
    "ko": ("韩文", "Korean", "韓国語"),
    "ru": ("俄文", "Russian", "ロシア語"),
    "ar": ("阿拉伯文", "Arabic", "アラビア語"),
    "hi": ("印地文", "Hindi", "ヒンディー語"),
    "th": ("泰文", "Thai", "タイ語"),
    "el": ("希腊文", "Greek", "ギリシャ語"),
    "he": ("希伯来文", "Hebrew", "ヘブライ語"),
    "es": ("西班牙文", "Spanish", "スペイン語"),
    "fr": ("法文", "French", "フランス語"),
    "de": ("德文", "German", "ドイツ語"),
    "pt": ("葡萄牙文", "Portuguese", "ポルトガル語"),
    "it": ("意大利文", "Italian", "イタリア語"),
    "nl": ("荷兰文", "Dutch", "オランダ語"),
}


def _lang_name(code: str) -> tuple[str, str, str]:
    return _LANG_NAMES.get(code, (code, code, code))


def _notes(
    analyses: Sequence[AnswerAnalysis],
    dimensions: Sequence[DimensionScore],
    fallbacks: Sequence[tuple[str, str, str]],
    lang: str,
) -> list[Note]:
    """Notes for HR, answer by answer (status, relevance gate, text set aside), then the
    dimensions not assessed and the questions the LLM judge could not score."""
    notes: list[Note] = []
    # HR reads a question by its number in the interview (as the rendered report numbers
    # the answers), never by its bank id.
    numbers = {a.question_id: i for i, a in enumerate(analyses, 1)}
    for a in analyses:
        number = numbers[a.question_id]
        notes.extend(_status_notes(a, number))
        notes.extend(_gate_notes(a, number, dimensions))
        notes.extend(_cleaning_notes(a, number))
    for d in dimensions:
        if not d.assessed:
            notes.append(
                Note(
                    "not_assessed",
                    {
                        "zh": f"“{localised(d.name, 'zh')}”没有可评分的回答，未计入岗位匹配度。",
                        "en": f"“{localised(d.name, 'en')}” had no scorable answer and is left out "
                        "of the job match.",
                        "ja": f"「{localised(d.name, 'ja')}」には採点できる回答がなく、"
                        "職務適合度に含めていません。",
                    },
                )
            )
    names = {d.id: d.name for d in dimensions}
    for qid, dim_id, reason in fallbacks:
        number = numbers[qid]  # every fallback is of an analysed answer
        name = names.get(dim_id, {})
        zh_dim, en_dim = localised(name, "zh") or dim_id, localised(name, "en") or dim_id
        ja_dim = localised(name, "ja") or dim_id
        notes.append(
            Note(
                "judge_fallback",
                {
                    "zh": f"第 {number} 题（{zh_dim}）的大模型评分不可用"
                    f"（{fallback_reason_text(reason, 'zh')}），已使用内置评分。",
                    "en": f"The LLM judge was not usable for question {number} ({en_dim}: "
                    f"{fallback_reason_text(reason, 'en')}); the embedded scorer was used.",
                    "ja": f"質問 {number}（{ja_dim}）では LLM 採点が使えなかったため"
                    f"（{fallback_reason_text(reason, 'ja')}）、内蔵の採点を使いました。",
                },
                qid,
            )
        )
    return notes


def _status_notes(a: AnswerAnalysis, number: int) -> list[Note]:
    """Not answered, in a language the engine cannot read, or in the other language."""
    notes: list[Note] = []
    qid = a.question_id
    if a.status == "empty":
        notes.append(
            Note(
                "empty_answer",
                {
                    "zh": f"第 {number} 题未作答，计 0 分。",
                    "en": f"Question {number} was not answered and scores 0.",
                    "ja": f"質問 {number} は未回答のため 0 点です。",
                },
                qid,
            )
        )
    if a.status == "unsupported_language":
        zh, en, ja = _lang_name(a.language)
        notes.append(
            Note(
                "unsupported_language",
                {
                    "zh": f"第 {number} 题的回答使用{zh}，引擎暂不支持，未评分（没有按低分处理）。",
                    "en": f"The answer to question {number} is in {en}, which the engine does not "
                    "support; it was not scored (not treated as a poor answer).",
                    "ja": f"質問 {number} の回答は{ja}で、採点エンジンは{ja}に対応していないため"
                    "採点していません（低評価としては扱っていません）。人が回答を読んで評価してください。",
                },
                qid,
            )
        )
    elif a.status == "ok" and a.language != a.interview_language:
        zh, en, ja = _lang_name(a.language)
        notes.append(
            Note(
                "other_language",
                {
                    "zh": f"第 {number} 题用{zh}作答，已按{zh}分析。",
                    "en": f"Question {number} was answered in {en} and analysed in {en}.",
                    "ja": f"質問 {number} は{ja}で回答されたため、{ja}として分析しました。",
                },
                qid,
            )
        )
    return notes


def _gate_notes(a: AnswerAnalysis, number: int, dimensions: Sequence[DimensionScore]) -> list[Note]:
    """One note per dimension the relevance gate capped (the answer is not about it)."""
    notes: list[Note] = []
    qid = a.question_id
    for evidence in a.dimension_evidence if a.status == "ok" else ():
        if evidence.addresses or not evidence.gate:
            continue
        dim_name = next((d.name for d in dimensions if d.id == evidence.dimension_id), {})
        zh_dim = dim_name.get("zh", evidence.dimension_id)
        en_dim = dim_name.get("en", evidence.dimension_id)
        ja_dim = localised(dim_name, "ja") or evidence.dimension_id
        nearest = evidence.nearest_other
        zh_near = f"更像是{learned.preset_label(nearest, 'zh')}方面的经历，" if nearest else ""
        en_near = (
            f" it reads as evidence of {learned.preset_label(nearest, 'en').lower()};"
            if nearest
            else ""
        )
        ja_near = (
            f"むしろ{learned.preset_label(nearest, 'ja')}に関する経験と読めます。"
            if nearest
            else ""
        )
        match, cap = _gate_reason(evidence.gate, zh_dim, en_dim, ja_dim)
        notes.append(
            Note(
                "not_the_question_asked",
                {
                    "zh": f"第 {number} 题的回答没有回应所问的问题（{zh_dim}）：{zh_near}"
                    f"与该题的相关度 {evidence.gate['gate_probability']:.0%}。{match['zh']}"
                    f"{cap['zh']}",
                    "en": f"The answer to question {number} does not address what was asked "
                    f"({en_dim}):{en_near} relevance to the question "
                    f"{evidence.gate['gate_probability']:.0%}.{match['en']} {cap['en']}",
                    "ja": f"質問 {number} の回答は問われた内容（{ja_dim}）に答えていません。"
                    f"{ja_near}"
                    f"この質問との関連度 {evidence.gate['gate_probability']:.0%}。{match['ja']}"
                    f"{cap['ja']}",
                },
                qid,
            )
        )
    return notes


def _gate_reason(
    gate: dict[str, float], zh_dim: str, en_dim: str, ja_dim: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The second key of engine 1.0's gate (how close the story comes to the question's own
    text), if it has one, and what the gate did to the score: capped at level 1.5, or the
    share of the level above 1.5 that still counts."""
    match = {"zh": "", "en": "", "ja": ""}
    if "gate_question_match" in gate:
        value = gate["gate_question_match"]
        match = {
            "zh": f"回答中没有与题目本身相近的句子（最接近的两句相似度 {value:.2f}）。",
            "en": f" No sentence of the story comes close to the question itself (closeness "
            f"of the two closest sentences {value:.2f}).",
            "ja": f"質問そのものに近い文がありません（最も近い二文の類似度 {value:.2f}）。",
        }
    cap_level = learned.GATE_CAP_LEVEL
    weight = float(gate.get("gate_weight", 0.0))
    if weight <= 0.0:
        cap = {
            "zh": f"该题在{zh_dim}上的得分上限为 {cap_level} 级。",
            "en": f"Its {en_dim} score is capped at level {cap_level}.",
            "ja": f"この質問の{ja_dim}の得点はレベル {cap_level} が上限です。",
        }
    else:
        cap = {
            "zh": f"该题在{zh_dim}上 {cap_level} 级以上的部分只计 {weight:.0%}。",
            "en": f"Only {weight:.0%} of its {en_dim} level above {cap_level} counts.",
            "ja": f"この質問の{ja_dim}の得点はレベル {cap_level} を超える部分の"
            f" {weight:.0%} だけを数えます。",
        }
    return match, cap


def _cleaning_notes(a: AnswerAnalysis, number: int) -> list[Note]:
    """Text set aside: instructions to the grader, repeats, what lay beyond the length limit."""
    notes: list[Note] = []
    qid = a.question_id
    injected = [i for i in a.ignored if i.reason == "instruction_to_grader"]
    if injected:
        notes.append(
            Note(
                "instruction_removed",
                {
                    "zh": f"第 {number} 题中有 {len(injected)} 句话是对评分系统的指令"
                    f"（如“{_short(injected[0].text, 30)}”），"
                    "已忽略，不影响评分。",
                    "en": (
                        f"1 sentence in the answer to question {number} addressed the grader "
                        f"(e.g. “{_short(injected[0].text, 30)}”); it was ignored and does not "
                        "affect the score."
                        if len(injected) == 1
                        else f"{len(injected)} sentences in the answer to question {number} "
                        f"addressed the grader (e.g. “{_short(injected[0].text, 30)}”); they "
                        "were ignored and do not affect the score."
                    ),
                    "ja": f"質問 {number} の回答の {len(injected)} 文は採点システムへの指示でした"
                    f"（例：「{_short(injected[0].text, 30)}」）。"
                    "無視したため、採点には影響しません。",
                },
                qid,
            )
        )
    repeated = [i for i in a.ignored if i.reason == "repeated"]
    if repeated:
        notes.append(
            Note(
                "repeated_removed",
                {
                    "zh": f"第 {number} 题中有 {len(repeated)} 句重复内容，只计一次。",
                    "en": (
                        f"1 repeated sentence in the answer to question {number} was counted once."
                        if len(repeated) == 1
                        else f"{len(repeated)} repeated sentences in the answer to question "
                        f"{number} were counted once."
                    ),
                    "ja": f"質問 {number} の回答の繰り返された {len(repeated)} 文は"
                    "一度だけ数えました。",
                },
                qid,
            )
        )
    if a.truncated:
        chars = ANALYSIS_LIMITS["max_answer_chars"]
        sentences = ANALYSIS_LIMITS["max_sentences"]
        notes.append(
            Note(
                "truncated",
                {
                    "zh": f"第 {number} 题回答过长（{a.original_chars} 字符），"
                    f"只分析了前 {chars} 字符以内、最多 {sentences} 句。",
                    "en": f"The answer to question {number} was very long "
                    f"({a.original_chars} characters); only the first {chars} characters "
                    f"(at most {sentences} sentences) were analysed.",
                    "ja": f"質問 {number} の回答は非常に長いため（{a.original_chars} 文字）、"
                    f"最初の {chars} 文字以内（最大 {sentences} 文）だけを分析しました。",
                },
                qid,
            )
        )
    return notes


def _summary(
    dimensions: Sequence[DimensionScore],
    match: float | None,
    coverage: float,
    analyses: Sequence[AnswerAnalysis],
    lang: str,
) -> dict[str, str]:
    assessed = [d for d in dimensions if d.score is not None]
    answered = sum(a.status == "ok" for a in analyses)
    unread = _unread_clause(analyses)
    if not assessed:
        return _joined(
            unread,
            {
                "zh": f"共 {len(analyses)} 道题，没有可评分的回答，无法给出评估。",
                "en": f"{_count(len(analyses), 'question', 'questions')}, no scorable "
                "answer: no assessment is possible.",
                "ja": f"全 {len(analyses)} 問に採点できる回答がなく、評価できません。",
            },
        )
    above = sorted(
        (d for d in assessed if d.score >= d.required_level),  # type: ignore[operator]
        key=lambda d: (-(d.score or 0), d.id),
    )
    below = sorted(
        (d for d in assessed if d.score < d.required_level),  # type: ignore[operator]
        key=lambda d: (d.score - d.required_level, d.id),  # type: ignore[operator]
    )
    zh_parts = [f"岗位匹配度 {match:.0f}%"]
    en_parts = [f"Job match {match:.0f}%"]
    ja_parts = [f"職務適合度 {match:.0f}%"]
    if coverage < 0.999:
        zh_parts[0] += f"（覆盖 {coverage * 100:.0f}% 的权重）"
        en_parts[0] += f" (covering {coverage * 100:.0f}% of the weight)"
        ja_parts[0] += f"（重みの {coverage * 100:.0f}% を評価）"
    if above:
        zh_parts.append(
            "达到要求的维度："
            + "、".join(f"{localised(d.name, 'zh')} {d.score:.1f}" for d in above[:3])
        )
        en_parts.append(
            "meets the requirement in "
            + ", ".join(f"{localised(d.name, 'en')} {d.score:.1f}" for d in above[:3])
        )
        ja_parts.append(
            "要求を満たす項目："
            + "、".join(f"{localised(d.name, 'ja')} {d.score:.1f}" for d in above[:3])
        )
    if below:
        zh_parts.append(
            "低于要求："
            + "、".join(
                f"{localised(d.name, 'zh')} {d.score:.1f}（要求 {d.required_level:.1f}）"
                for d in below[:3]
            )
        )
        en_parts.append(
            "below the requirement in "
            + ", ".join(
                f"{localised(d.name, 'en')} {d.score:.1f} (required {d.required_level:.1f})"
                for d in below[:3]
            )
        )
        ja_parts.append(
            "要求を下回る項目："
            + "、".join(
                f"{localised(d.name, 'ja')} {d.score:.1f}（要求 {d.required_level:.1f}）"
                for d in below[:3]
            )
        )
    zh_parts.append(f"共分析 {answered}/{len(analyses)} 道题的回答")
    en_parts.append(f"{answered} of {len(analyses)} answers analysed")
    ja_parts.append(f"{len(analyses)} 問中 {answered} 問の回答を分析")
    return _joined(
        unread,
        {
            "zh": "；".join(zh_parts) + "。",
            "en": "; ".join(en_parts) + ".",
            "ja": "、".join(ja_parts) + "。",
        },
    )


def _unread_clause(analyses: Sequence[AnswerAnalysis]) -> dict[str, str]:
    """A sentence for answers in a language the engine cannot score (e.g. Japanese), so a
    reader never takes the score for an assessment of them."""
    unread = [a for a in analyses if a.status == "unsupported_language"]
    if not unread:
        return {}
    zh, en, ja = _lang_name(unread[0].language)
    n = len(unread)
    return {
        "zh": f"{n} 道题的回答使用{zh}等引擎不支持的语言，未评分，请人工阅读评估。",
        "en": (
            f"1 answer is in {en} or another language the engine cannot score: it was not "
            "scored, so read and assess it yourself."
            if n == 1
            else f"{n} answers are in {en} or another language the engine cannot score: they "
            "were not scored, so read and assess them yourself."
        ),
        "ja": f"{n} 問の回答は{ja}など採点エンジンが対応していない言語のため採点していません。"
        "回答を読んで人が評価してください。",
    }


def _joined(extra: dict[str, str], summary: dict[str, str]) -> dict[str, str]:
    if not extra:
        return summary
    sep = {"zh": "", "ja": "", "en": " "}
    return {k: v + sep.get(k, " ") + extra.get(k, "") for k, v in summary.items()}


# -------------------------------------------------------------------- answer report
