"""Follow-up questions drawn from the candidate's own answers (SPEC E4).

Each rule reads the features of one answer and, when it fires, asks for what is missing,
in the candidate's words where possible:

* no answer, or an answer in a language the engine cannot read: ask again;
* off topic: bring the candidate back to the question (never for an introduction, motivation
  or closing question: those are not about one past situation);
* a copy of another answer: ask for a different example for this question;
* "we" only: ask what the candidate personally did;
* no result: ask for the measurable outcome of what they described;
* a project, campaign or system is mentioned: ask its return on investment and the hardest
  problem in it (the article's example: a short-video project → its ROI and challenge);
* vague (generic claims, no concrete actions or details): ask for a concrete example;
* a competency below the job's requirement that no answer gave evidence for: ask for an
  example of its first behavioural indicator.

Questions come in Chinese, English and Japanese; the report shows the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from hireflow.scoring.analysis import AnswerAnalysis, SentenceAnalysis
from hireflow.scoring.models import CompetencyModel, localised
from hireflow.scoring.report import FollowUp

__all__ = ["MAX_FOLLOW_UPS", "copy_follow_up", "detect_topic", "suggest_follow_ups"]

MAX_FOLLOW_UPS = 6
PER_ANSWER = 2

_PROJECT_EN = re.compile(
    r"\b(?:the|a|an|our|my|this|that|new)\s+((?:[\w'-]+\s+){0,3}?"
    r"(?:project|campaign|launch|migration|rollout|programme|program|initiative|pilot|"
    r"integration|release|app|platform|system|product))\b",
    re.IGNORECASE,
)
_PROJECT_ZH = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(项目|活动|系统|App|APP|平台|改版|迁移|产品|账号)"
)
_LEADING_ZH = re.compile(r"^.*[的了在把将要对给和与或者是有做个些这那]")


def detect_topic(sentences: Sequence[str], language: str) -> str:
    """The first project, campaign or system the answer names ("库存管理App"), or ""."""
    for sentence in sentences:
        if language == "zh":
            for match in _PROJECT_ZH.finditer(sentence):
                head = _LEADING_ZH.sub("", match.group(1))
                if len(head) >= 2:
                    return head + match.group(2)
        else:
            match = _PROJECT_EN.search(sentence)
            if match:
                return "the " + match.group(1).strip()
    return ""


def _quote(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _answer_follow_ups(analysis: AnswerAnalysis, question_text: dict[str, str]) -> list[FollowUp]:
    def ask(reason: str, text: dict[str, str], topic: str = "") -> FollowUp:
        return FollowUp(analysis.question_id, analysis.dimensions, reason, text, topic)

    if analysis.status == "empty":
        return [
            ask(
                "no_answer",
                {
                    "zh": f"这道题没有作答，请再回答一次：{localised(question_text, 'zh')}",
                    "en": f"This question was not answered. Could you answer it: "
                    f"{localised(question_text, 'en')}",
                    "ja": "この質問には回答がありませんでした。改めてお答えください："
                    f"{localised(question_text, 'ja')}",
                },
            )
        ]
    if analysis.status == "unsupported_language":
        return [
            ask(
                "unsupported_language",
                {
                    "zh": f"请用中文或英文重新回答：{localised(question_text, 'zh')}",
                    "en": "Please answer again in English or Chinese: "
                    f"{localised(question_text, 'en')}",
                    "ja": "AI 採点は中国語と英語の回答にのみ対応しています。面接官が日本語で"
                    f"直接確認するか、中国語または英語での回答をお願いしてください："
                    f"{localised(question_text, 'ja')}",
                },
            )
        ]
    on_topic = [s for s in analysis.sentences if s.on_topic]
    if analysis.kind != "motivation" and (
        not on_topic or analysis.features["on_topic_share"] < 0.5
    ):
        return [
            ask(
                "off_topic",
                {
                    "zh": "您的回答与问题关系不大。请结合具体经历回答："
                    f"{localised(question_text, 'zh')}",
                    "en": "Your answer did not address the question. Could you answer it with a "
                    f"concrete experience: {localised(question_text, 'en')}",
                    "ja": "ご回答は質問にあまり答えていませんでした。具体的な経験をもとに"
                    f"お答えください：{localised(question_text, 'ja')}",
                },
            )
        ]
    if not on_topic:
        return []
    return _story_follow_ups(analysis, on_topic, ask)


def _story_follow_ups(
    analysis: AnswerAnalysis,
    on_topic: Sequence[SentenceAnalysis],
    ask: Callable[..., FollowUp],
) -> list[FollowUp]:
    """What to ask about an on-topic answer: the candidate's own part, the result, the
    project's return, a concrete example."""
    f = analysis.features
    out: list[FollowUp] = []
    topic = detect_topic([s.text for s in on_topic], analysis.language)
    behavioural = analysis.kind == "behavioural"
    if f["first_plural"] >= 2 and f["ownership"] < 0.35:
        out.append(
            ask(
                "we_only",
                {
                    "zh": "您多次提到“我们”做了什么。"
                    "在这件事中，您个人具体负责什么、亲自做了哪些事？",
                    "en": "You described what the team did. What did you personally do, and what "
                    "were you responsible for?",
                    "ja": "「私たち」が何をしたかを何度か話されました。その中で、あなたご自身は"
                    "何を担当し、具体的に何をしましたか？",
                },
                topic,
            )
        )
    if behavioural and (f["star_result"] < 0.5 or f["result_quality"] < 0.4):
        what_zh = f"“{_quote(topic)}”" if topic else "这件事"
        what_en = topic or "what you described"
        what_ja = f"「{_quote(topic)}」" if topic else "そのこと"
        out.append(
            ask(
                "no_result",
                {
                    "zh": f"{what_zh}最终的结果如何？有没有可以量化的数据，比如提升或节省了多少？",
                    "en": f"What was the measurable outcome of {what_en}? For example, how much "
                    "did it improve or save?",
                    "ja": f"{what_ja}の最終的な結果はどうでしたか？どれだけ改善・削減できたかなど、"
                    "数値で示せるデータはありますか？",
                },
                topic,
            )
        )
    if topic and behavioural and len(out) < PER_ANSWER:
        out.append(
            ask(
                "project_roi",
                {
                    "zh": f"您提到了“{_quote(topic)}”。它的投入产出比（ROI）如何？"
                    "过程中最大的挑战是什么，您是怎么解决的？",
                    "en": f"You mentioned {topic}. What was its return on investment, and what "
                    "was the hardest problem in it and how did you solve it?",
                    "ja": f"「{_quote(topic)}」について触れられました。その投資対効果（ROI）は"
                    "どうでしたか？最大の課題は何で、どのように解決しましたか？",
                },
                topic,
            )
        )
    vague = f["generic_share"] >= 0.3 or (f["action_depth"] < 0.3 and f["specificity"] < 0.15)
    if vague and len(out) < PER_ANSWER:
        out.append(
            ask(
                "vague",
                {
                    "zh": "能否举一个具体的例子：什么时间、什么情况、您具体做了什么、结果如何？",
                    "en": "Could you give a concrete example: when it was, what the situation was, "
                    "what you did and what happened?",
                    "ja": "具体的な例を挙げていただけますか：いつ、どのような状況で、"
                    "あなたが何をし、どうなりましたか？",
                },
            )
        )
    return out[:PER_ANSWER]


def suggest_follow_ups(
    analyses: Sequence[AnswerAnalysis],
    questions: Mapping[str, dict[str, str]],
    model: CompetencyModel,
    dimension_scores: Mapping[str, float | None],
    max_items: int = MAX_FOLLOW_UPS,
) -> tuple[FollowUp, ...]:
    """Follow-up questions for the whole interview, the weakest dimensions' answers first.

    ``questions`` maps question id to its localised text; ``dimension_scores`` holds each
    dimension's score (None when not assessed).
    """
    shortfall: dict[str, float] = {}
    for dimension in model.dimensions:
        score = dimension_scores.get(dimension.id)
        if score is not None:
            shortfall[dimension.id] = dimension.required_level - score

    def priority(analysis: AnswerAnalysis) -> tuple[float, str]:
        gap = max((shortfall.get(d, 0.0) for d in analysis.dimensions), default=0.0)
        return (-gap, analysis.question_id)

    candidates: list[FollowUp] = []
    for analysis in sorted(analyses, key=priority):
        candidates.extend(_answer_follow_ups(analysis, questions.get(analysis.question_id, {})))

    # A dimension below its requirement with no evidence at all: ask for its first indicator.
    covered = {d for f in candidates for d in f.dimension_ids}
    for dimension in model.dimensions:
        gap = shortfall.get(dimension.id)
        if gap is None or gap <= 0 or dimension.id in covered or not dimension.indicators:
            continue
        indicator = dimension.indicators[0]
        candidates.append(
            FollowUp(
                "",
                (dimension.id,),
                "gap_example",
                {
                    "zh": f"请举一个能体现“{localised(indicator.text, 'zh')}”的具体事例。",
                    "en": "Tell me about a specific time that shows this: "
                    f"“{localised(indicator.text, 'en')}”.",
                    "ja": "次のことが表れている具体的な経験を教えてください："
                    f"「{localised(indicator.text, 'ja')}」",
                },
            )
        )
    seen: set[tuple[str, str]] = set()
    out: list[FollowUp] = []
    for item in candidates:
        key = (item.question_id, item.reason)
        if key in seen:
            continue
        seen.add(key)
        out.append(item)
        if len(out) >= max_items:
            break
    return tuple(out)


def copy_follow_up(
    question_id: str,
    dimension_ids: tuple[str, ...],
    question_text: dict[str, str],
    original_number: int | str,
) -> FollowUp:
    """Ask again, for a different example, where an answer repeated another one."""
    return FollowUp(
        question_id,
        dimension_ids,
        "copied_answer",
        {
            "zh": f"这道题的回答与第 {original_number} 题相同。请换一个经历来回答："
            f"{localised(question_text, 'zh')}",
            "en": f"Your answer here repeated your answer to question {original_number}. "
            f"Could you answer with a different experience: {localised(question_text, 'en')}",
            "ja": f"この回答は質問 {original_number} の回答と同じです。別の経験でお答えください："
            f"{localised(question_text, 'ja')}",
        },
    )
