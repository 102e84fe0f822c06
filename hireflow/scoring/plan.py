"""Interview plans: which questions to ask for a job, in what order, and why (SPEC B3).

:func:`generate_plan` turns a job (title, description, type, skills) and its competency
model into a timed question list:

1. Each model dimension is matched to a preset competency (by id, name or alias) so that the
   bank's questions apply to a company's own model; a dimension with no match gets STAR
   questions generated from its behavioural indicators.
2. Every candidate question gets a relevance score from the job: keyword overlap between
   the description and the question (jieba for Chinese, rarer words count more), semantic
   similarity from the sentence embedder (one batched call for the whole pool), matching
   skills for technical questions, and fit with the job's industry and type.
3. Time is shared out in proportion to the normalised dimension weights: first one question
   for each dimension (heaviest first), then repeatedly the dimension furthest below its
   share gets its next best question, until nothing more fits the budget.
4. The plan is ordered warm-up → behavioural → situational → technical → closing, and every
   question carries a bilingual explanation of why it was chosen.

Everything is deterministic: ties are broken by question id and the embedder returns
rounded vectors, so the same input gives the same plan. HR can edit a plan (add, remove,
move, reorder) through methods that validate and return a new plan.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from hireflow.scoring.models import (
    CompetencyModel,
    Dimension,
    FieldError,
    Question,
    localised,
)
from hireflow.scoring.plan_model import (
    MAX_BUDGET_MINUTES,
    MIN_BUDGET_MINUTES,
    PER_QUESTION_OVERHEAD_S,
    InterviewPlan,
    JobSpec,
    PlanError,
    PlannedQuestion,
)
from hireflow.scoring.questions import (
    FUNDAMENTAL_TAGS,
    SECTIONS,
    QuestionBank,
    load_question_bank,
    match_preset_competency,
    questions_from_indicators,
    remap_dimensions,
    section_of,
    skill_tags,
)
from hireflow.scoring.text import content_words, engine_language

__all__ = ["generate_plan"]

TECHNICAL_DIMENSIONS = frozenset({"technical_depth", "coding"})

# Relevance weights (documented in docs/competency-models.md).
W_EMBEDDING = 0.45
W_KEYWORDS = 0.35
W_SKILLS = 0.5
W_FUNDAMENTALS = 0.15
W_INDUSTRY = 0.15
W_JOB_TYPE = 0.1
PENALTY_UNKNOWN_INDUSTRY = 0.15
PENALTY_SAME_KIND = 0.15
PENALTY_SAME_TOPIC = 0.25
BONUS_TECHNICAL_KIND = 0.3
# A question written for a competency beats one that touches it only on the side.
BONUS_PRIMARY = 0.25

# Words every job description contains; they say nothing about which question fits.
_JD_BOILERPLATE_TEXT = """
    工作 岗位 职位 公司 负责 能力 要求 具有 具备 良好 相关 以上 经验 优先 熟悉 任职 职责 年 及以上
    处理 问题 情况 方面 事情 具体 时间 开展 确保 保证 实现 通过 结果 方式 方法 需要 能够
    本科 学历 专业 优秀 较强 一定 能够 进行 完成 提供 参与 协助 根据 日常 各类 做好 积极 主动
    job role position company responsible responsibility requirement requirements experience
    year years strong good excellent ability able skill skills plus preferred degree work working
    candidate member join ensure including include various daily new use using based within
    across make like looking
    """
_JD_BOILERPLATE = frozenset(_JD_BOILERPLATE_TEXT.split())


# ------------------------------------------------------------------------ planning


@dataclass
class _Candidate:
    question: Question  # dimensions already mapped to the model's ids
    dimension: str  # the model dimension whose pool it is in
    source: str
    primary: bool = True  # the pool's competency is the question's first dimension
    relevance: float = 0.0
    keywords: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()  # job skills (as written) it matches
    industry_match: bool = False
    similarity: float = 0.0
    keyword_strength: float = 0.0  # idf of the meaningful words it shares with the job


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _job_text(job: JobSpec) -> str:
    return "\n".join(part for part in (job.title, job.description, " ".join(job.skills)) if part)


def _question_words(question: Question) -> set[str]:
    parts = [
        *question.text.values(),
        *(t.replace("_", " ") for t in question.tags),
        *question.skills,
    ]
    return set(content_words(" ".join(parts)))


def _warmup_and_closing(
    bank: QuestionBank, job: JobSpec, budget_s: int
) -> tuple[list[Question], list[Question]]:
    """Warm-up and closing questions, fewer when the budget is short."""
    if budget_s < 10 * 60:
        warm_count, closing_count = 0, 0
    elif budget_s < 20 * 60:
        warm_count, closing_count = 1, 0
    elif budget_s < 45 * 60:
        warm_count, closing_count = 2, 1
    else:
        warm_count, closing_count = 3, 1
    # A fixed order keeps plans predictable; a question written for this job type comes first.
    priority = ["motivation.why_us", "motivation.intro", "motivation.career", "motivation.leaving"]
    warmups = bank.filter(kind="motivation", tag="warmup")
    typed = sorted(
        (q for q in warmups if q.job_types and job.job_type in q.job_types), key=lambda q: q.id
    )
    ordered = typed + [q for ident in priority for q in warmups if q.id == ident and q not in typed]
    closing = sorted(
        bank.filter(kind="motivation", tag="closing"),
        key=lambda q: q.id != "motivation.closing_questions",
    )
    chosen_warm = ordered[:warm_count]
    # The introduction, when asked, opens the interview.
    chosen_warm.sort(key=lambda q: q.id != "motivation.intro")
    return chosen_warm, closing[:closing_count]


def _idf(pool: Sequence[set[str]]) -> dict[str, float]:
    """Inverse document frequency over the candidate pool: rare words say more."""
    counts: dict[str, int] = {}
    for words in pool:
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    n = max(len(pool), 1)
    return {word: math.log(1 + n / count) for word, count in counts.items()}


def generate_plan(
    job: JobSpec,
    model: CompetencyModel,
    budget_minutes: int = 30,
    lang: str = "zh",
    bank: QuestionBank | None = None,
    embedder: Any | None = None,
) -> InterviewPlan:
    """Choose, order and explain the questions of an interview for ``job``.

    ``lang`` is the interview language (platform codes such as "zh-CN" or "ja" are mapped to
    the engine's "zh"/"en"). ``bank`` defaults to the built-in question bank and ``embedder``
    to :func:`hireflow.scoring.embedding.get_embedder`; any object with
    ``embed(list[str]) -> array of unit rows`` will do. Raises :class:`PlanError` for a
    budget outside 5..240 minutes.
    """
    _check_budget(budget_minutes)
    lang = engine_language(lang)
    bank = bank or load_question_bank()
    budget_s = budget_minutes * 60
    weights = model.normalised_weights()
    industry = _industry(job, model)
    notes: list[dict[str, str]] = []

    # 1. Map the model's dimensions to bank competencies.
    to_bank, from_bank = _bank_competencies(bank, model)
    technical_job = job.job_type == "technical" or any(
        to_bank.get(d) in TECHNICAL_DIMENSIONS for d in model.dimension_ids
    )
    if job.job_type == "technical" and not any(
        to_bank.get(d) in TECHNICAL_DIMENSIONS for d in model.dimension_ids
    ):
        notes.append(
            {
                "zh": "这是技术岗位，但胜任力模型中没有技术或编程维度，因此没有加入技术问题。",
                "en": "This is a technical job but the competency model has no technical or "
                "coding dimension, so no technical questions were included.",
            }
        )

    # 2. Candidate pools per model dimension.
    warmups, closings = _warmup_and_closing(bank, job, budget_s)
    reserved = {q.id for q in warmups + closings}
    pools = {
        dim.id: _pool(dim, to_bank[dim.id], from_bank, bank, job, reserved, industry, technical_job)
        for dim in model.dimensions
    }

    # 3. Relevance: one batched embedding call for the job and every candidate.
    _score_all(
        [c for pool in pools.values() for c in pool], job, lang, embedder, industry, technical_job
    )

    # 4. Allocate time in proportion to the weights.
    fixed_s = sum(q.time_limit_s + PER_QUESTION_OVERHEAD_S for q in warmups + closings)
    chosen = _allocate(weights, pools, budget_s - fixed_s)
    notes.extend(_coverage_notes(model, chosen))

    # 5. Order and explain.
    items = _ordered_items(chosen, warmups, closings, from_bank, model, weights, job)
    return InterviewPlan(
        job_title=job.title,
        language=lang,
        budget_minutes=budget_minutes,
        model_id=model.id,
        items=tuple(items),
        dimension_weights={k: round(v, 6) for k, v in weights.items()},
        notes=tuple(notes),
    )


def _ordered_items(
    chosen: Sequence[_Candidate],
    warmups: Sequence[Question],
    closings: Sequence[Question],
    from_bank: dict[str, list[str]],
    model: CompetencyModel,
    weights: Mapping[str, float],
    job: JobSpec,
) -> list[PlannedQuestion]:
    """Warm-ups, then the chosen questions by section, dimension weight and relevance, each
    with the reason it was chosen, then the closing questions."""
    order = {
        d.id: i
        for i, d in enumerate(sorted(model.dimensions, key=lambda d: (-weights[d.id], d.id)))
    }
    body = sorted(
        chosen,
        key=lambda c: (
            SECTIONS.index(section_of(c.question)),
            order[c.dimension],
            -c.relevance,
            c.question.id,
        ),
    )
    return [
        *(_fixed_item(question, "warmup", from_bank) for question in warmups),
        *(
            PlannedQuestion(
                question=candidate.question,
                section=section_of(candidate.question),
                reason=_explain(candidate, model, weights, job),
                relevance=round(candidate.relevance, 4),
                matched_keywords=candidate.keywords,
                source=candidate.source,
            )
            for candidate in body
        ),
        *(_fixed_item(question, "closing", from_bank) for question in closings),
    ]


def _check_budget(budget_minutes: object) -> None:
    if isinstance(budget_minutes, bool) or not isinstance(budget_minutes, int):
        raise PlanError([FieldError("budget_minutes", "must be a whole number of minutes")])
    if not MIN_BUDGET_MINUTES <= budget_minutes <= MAX_BUDGET_MINUTES:
        raise PlanError(
            [
                FieldError(
                    "budget_minutes",
                    f"must be {MIN_BUDGET_MINUTES}..{MAX_BUDGET_MINUTES} (got {budget_minutes})",
                )
            ]
        )


def _bank_competencies(
    bank: QuestionBank, model: CompetencyModel
) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """Each model dimension's bank competency (None: the bank has none), and the model
    dimensions of each bank competency."""
    bank_ids = bank.dimensions()
    to_bank: dict[str, str | None] = {}
    for dim in model.dimensions:
        matched = dim.id if dim.id in bank_ids else match_preset_competency(dim)
        to_bank[dim.id] = matched if matched in bank_ids else None
    from_bank: dict[str, list[str]] = {}
    for dim_id, bank_id in to_bank.items():
        if bank_id is not None:
            from_bank.setdefault(bank_id, []).append(dim_id)
    return to_bank, from_bank


def _pool(
    dim: Dimension,
    bank_id: str | None,
    from_bank: dict[str, list[str]],
    bank: QuestionBank,
    job: JobSpec,
    reserved: set[str],
    industry: str | None,
    technical_job: bool,
) -> list[_Candidate]:
    """The questions that may assess ``dim``: the bank's for its competency, else questions
    generated from its indicators."""
    pool: list[_Candidate] = []
    if bank_id is not None:
        for question in bank:
            if question.id in reserved or bank_id not in question.dimensions:
                continue
            if question.kind == "motivation":
                continue
            if question.kind == "technical" and not technical_job:
                continue
            if question.industries and industry and industry not in question.industries:
                continue
            # A question written for other job types (a sales metric) never goes to this one.
            if question.job_types and job.job_type not in question.job_types:
                continue
            mapped = remap_dimensions(question, from_bank, first=dim.id)
            primary = question.dimensions[0] == bank_id
            pool.append(_Candidate(mapped, dim.id, "bank", primary=primary))
    if not pool:
        pool = [_Candidate(q, dim.id, "generated") for q in questions_from_indicators(dim, limit=4)]
    return pool


def _score_all(
    candidates: list[_Candidate],
    job: JobSpec,
    lang: str,
    embedder: Any | None,
    industry: str | None,
    technical_job: bool,
) -> None:
    """Score every candidate's relevance to the job, with one batched embedding call."""
    unique: dict[str, _Candidate] = {}
    for candidate in candidates:
        unique.setdefault(candidate.question.id, candidate)
    word_sets = {ident: _question_words(c.question) for ident, c in unique.items()}
    idf = _idf(list(word_sets.values()))
    job_words = {w for w in content_words(_job_text(job)) if w not in _JD_BOILERPLATE}
    similarities = _similarities(job, [c.question for c in unique.values()], lang, embedder)
    job_tags = skill_tags(job.skills)
    for candidate in candidates:
        _score(
            candidate,
            job,
            job_words,
            word_sets,
            idf,
            similarities,
            job_tags,
            industry,
            technical_job,
        )


def _coverage_notes(model: CompetencyModel, chosen: Sequence[_Candidate]) -> list[dict[str, str]]:
    """Notes on dimensions the budget left out and on questions generated for lack of any."""
    notes: list[dict[str, str]] = []
    uncovered = [d for d in model.dimensions if not any(c.dimension == d.id for c in chosen)]
    for dim in uncovered:
        notes.append(
            {
                "zh": f"时间预算不足，维度“{localised(dim.name, 'zh')}”没有安排问题。",
                "en": f"The time budget left no room for a question on "
                f"'{localised(dim.name, 'en')}'.",
            }
        )
    if any(c.source == "generated" for c in chosen):
        generated_dims = sorted({c.dimension for c in chosen if c.source == "generated"})
        notes.append(
            {
                "zh": "题库中没有以下维度的题目，已根据其行为指标生成问题："
                + "、".join(localised(model.dimension(d).name, "zh") for d in generated_dims),
                "en": "The question bank has nothing for these dimensions, so questions were "
                "generated from their behavioural indicators: "
                + ", ".join(localised(model.dimension(d).name, "en") for d in generated_dims),
            }
        )
    return notes


def _industry(job: JobSpec, model: CompetencyModel) -> str | None:
    from hireflow.scoring.presets import normalise_industry

    return normalise_industry(job.industry or model.industry)


def _similarities(
    job: JobSpec, questions: Sequence[Question], lang: str, embedder: Any | None
) -> dict[str, float]:
    """Cosine similarity of each question to the job, from one batched embedding call."""
    if not questions or not (job.description or job.title):
        return {q.id: 0.0 for q in questions}
    if embedder is None:
        from hireflow.scoring.embedding import get_embedder

        embedder = get_embedder()
    texts = [_job_text(job)] + [localised(q.text, lang) for q in questions]
    vectors = np.asarray(embedder.embed(texts), dtype=np.float64)
    sims = np.round(vectors[1:] @ vectors[0], 6)
    return {q.id: float(s) for q, s in zip(questions, sims, strict=True)}


def _score(
    candidate: _Candidate,
    job: JobSpec,
    job_words: set[str],
    word_sets: Mapping[str, set[str]],
    idf: Mapping[str, float],
    similarities: Mapping[str, float],
    job_tags: Mapping[str, str],
    industry: str | None,
    technical_job: bool,
) -> None:
    question = candidate.question
    overlap = job_words & word_sets[question.id]
    ranked = sorted(overlap, key=lambda w: (-idf.get(w, 0.0), w))
    candidate.keywords = tuple(ranked[:3])
    candidate.keyword_strength = sum(idf.get(w, 0.0) for w in overlap if _meaningful(w))
    # Three rare shared words (idf about 3 each) saturate the keyword score.
    keyword_score = min(1.0, sum(idf.get(w, 0.0) for w in overlap) / 9.0)
    similarity = similarities.get(question.id, 0.0)
    candidate.similarity = similarity
    # Sentence-embedding cosines for related texts sit around 0.2-0.6; rescale to 0..1.
    embedding_score = min(1.0, max(0.0, (similarity - 0.1) / 0.5))
    score = W_EMBEDDING * embedding_score + W_KEYWORDS * keyword_score
    if candidate.primary:
        score += BONUS_PRIMARY
    if question.kind == "technical":
        matched = [job_tags[tag] for tag in question.skills if tag in job_tags]
        candidate.skills = tuple(dict.fromkeys(matched))
        if matched:
            score += W_SKILLS * len(set(matched)) / max(len(question.skills), 1) + W_SKILLS / 2
        elif FUNDAMENTAL_TAGS & set(question.skills):
            score += W_FUNDAMENTALS
        if technical_job:
            # Knowledge questions are the best evidence for technical dimensions.
            score += BONUS_TECHNICAL_KIND
    if question.industries:
        if industry in question.industries:
            candidate.industry_match = True
            score += W_INDUSTRY
        elif industry is None:
            score -= PENALTY_UNKNOWN_INDUSTRY
    if question.job_types:  # only questions for this job type reach the pools
        score += W_JOB_TYPE
    candidate.relevance = score


def _allocate(
    weights: Mapping[str, float],
    pools: Mapping[str, list[_Candidate]],
    remaining_s: int,
) -> list[_Candidate]:
    """Share ``remaining_s`` out across dimensions in proportion to their weights."""
    targets = {d: weights[d] * remaining_s for d in weights}
    used = dict.fromkeys(weights, 0)
    kinds: dict[str, list[str]] = {d: [] for d in weights}
    topics: list[str] = []  # main topic of each technical question chosen so far
    chosen: list[_Candidate] = []
    taken: set[str] = set()
    left = remaining_s

    def best(dim: str) -> _Candidate | None:
        options = []
        for candidate in pools[dim]:
            if candidate.question.id in taken:
                continue
            if _cost(candidate) > left:
                continue
            value = candidate.relevance
            # A second question of the same kind says less than a different angle.
            value -= PENALTY_SAME_KIND * kinds[dim].count(candidate.question.kind)
            # Spread technical questions over the job's topics (Python, databases, ...).
            if candidate.question.skills:
                value -= PENALTY_SAME_TOPIC * topics.count(_topic(candidate))
            options.append((-value, candidate.question.id, candidate))
        return min(options, key=lambda o: (o[0], o[1]))[2] if options else None

    def take(dim: str, candidate: _Candidate) -> None:
        nonlocal left
        cost = _cost(candidate)
        chosen.append(candidate)
        taken.add(candidate.question.id)
        used[dim] += cost
        kinds[dim].append(candidate.question.kind)
        if candidate.question.skills:
            topics.append(_topic(candidate))
        left -= cost

    # Every dimension whose share is worth at least half a question first gets one,
    # heaviest first; a 5% dimension in a short interview may go without.
    for dim in sorted(weights, key=lambda d: (-weights[d], d)):
        candidate = best(dim)
        if candidate is not None and 2 * targets[dim] >= _cost(candidate):
            take(dim, candidate)
    # Then the dimension with the most time still owed gets its next best question, until
    # nothing more fits (largest-remainder apportionment of the time).
    while True:
        options = []
        for dim in weights:
            candidate = best(dim)
            if candidate is not None:
                options.append((used[dim] - targets[dim], -weights[dim], dim, candidate))
        if not options:
            break
        _, _, dim, candidate = min(options, key=lambda o: (o[0], o[1], o[2]))
        take(dim, candidate)
    return chosen


def _cost(candidate: _Candidate) -> int:
    return candidate.question.time_limit_s + PER_QUESTION_OVERHEAD_S


def _topic(candidate: _Candidate) -> str:
    """The topic a technical question is mainly about: its first job-matched skill tag."""
    question = candidate.question
    return candidate.skills[0] if candidate.skills else question.skills[0]


def _fixed_item(
    question: Question, section: str, from_bank: Mapping[str, list[str]]
) -> PlannedQuestion:
    first = next((d for b in question.dimensions for d in from_bank.get(b, ())), None)
    if first is not None:
        question = remap_dimensions(question, from_bank, first=first)
    else:
        question = replace(question, dimensions=())
    if section == "warmup":
        reason = {
            "zh": "开场热身：帮助候选人进入状态，并了解其求职动机。",
            "en": "Warm-up: eases the candidate in and shows their motivation for the role.",
        }
    else:
        reason = {
            "zh": "结束问题：给候选人提问或补充的机会。",
            "en": "Closing: gives the candidate a chance to ask questions or add anything missed.",
        }
    return PlannedQuestion(question=question, section=section, reason=reason, source="bank")


# Words that match between a description and a question without saying anything about the job
# (a verb every description uses, "go" in "go about"): never a reason on their own.
_GENERIC_MATCHES_TEXT = """
    使用 用 做 负责 参与 进行 业务 工作 相关 能力 问题 情况 需要 提升 保证 保障 完成 要求 时候
    use using used make work working job role go get way help team teams new own
    """
_GENERIC_MATCHES = frozenset(_GENERIC_MATCHES_TEXT.split())
_CLAUSES = re.compile(r"[。！？；;!?\n]+|(?<=[，,])|(?<=\.)\s+")
# A shared word said this much (idf summed: one word found in a handful of questions, or two
# more common ones) before the description is quoted as the reason.
MIN_QUOTE_STRENGTH = 3.0


def _meaningful(word: str) -> bool:
    if word in _GENERIC_MATCHES:
        return False
    if re.search(r"[\u3400-\u9fff]", word):
        return len(word) >= 2
    return len(word) >= 4


def _quote_from(job: JobSpec, keywords: Sequence[str]) -> tuple[str, str] | None:
    """("description" | "title", the phrase of the job that holds the question's keywords)."""
    wanted = [w for w in keywords if _meaningful(w)]
    if not wanted:
        return None
    best: tuple[int, str] | None = None
    for clause in _CLAUSES.split(job.description or ""):
        clause = clause.strip(" ，,、：:.")
        if not clause:
            continue
        words = set(content_words(clause))
        hits = sum(1 for w in wanted if w in words)
        if hits and (best is None or hits > best[0]):
            best = (hits, clause)
    if best is not None:
        clause = best[1]
        limit = 36 if re.search(r"[\u3400-\u9fff]", clause) else 80
        if len(clause) > limit:
            clause = clause[: limit - 1].rstrip(" ，,") + "…"
        return "description", clause
    if any(w in set(content_words(job.title)) for w in wanted):
        return "title", job.title
    return None


def _join_en(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _explain(
    candidate: _Candidate,
    model: CompetencyModel,
    weights: Mapping[str, float],
    job: JobSpec,
) -> dict[str, str]:
    """Why a question was chosen, in Chinese and English sentences a recruiter can read."""
    dim = model.dimension(candidate.dimension)
    weight = _percent(weights[dim.id])
    name_zh, name_en = localised(dim.name, "zh"), localised(dim.name, "en")
    zh = [f"考察「{name_zh}」（占胜任力模型的 {weight}）。"]
    en = [f"Assesses {name_en} ({weight} of the competency model)."]
    if candidate.source == "generated":
        zh.append(f"题库中没有考察「{name_zh}」的题目，这道题根据其行为指标生成。")
        en.append(
            f"The question bank has nothing for {name_en}, so this question was generated "
            "from its behavioural indicators."
        )
    if candidate.skills:
        zh.append("题目涉及岗位要求的技能：" + "、".join(candidate.skills) + "。")
        noun = "skill" if len(candidate.skills) == 1 else "skills"
        en.append(f"It covers the required {noun} " + _join_en(list(candidate.skills)) + ".")
    skill_words = {s.lower() for s in candidate.skills}
    quote = (
        _quote_from(job, [w for w in candidate.keywords if w not in skill_words])
        if candidate.keyword_strength >= MIN_QUOTE_STRENGTH
        else None
    )
    if quote is not None and quote[0] == "description":
        zh.append(f"对应岗位描述中的“{quote[1]}”。")
        en.append(f"It matches “{quote[1]}” in the job description.")
    elif quote is not None:
        zh.append(f"与职位“{quote[1]}”直接相关。")
        en.append(f"It relates directly to the job title “{quote[1]}”.")
    elif not candidate.skills and candidate.similarity >= 0.3:
        zh.append("题目内容与岗位描述相近。")
        en.append("Its content is close to the job description.")
    if candidate.industry_match:
        from hireflow.scoring.presets import INDUSTRIES

        names = [
            INDUSTRIES.get(i, {}).get("name", {"zh": i, "en": i})
            for i in candidate.question.industries
        ]
        zh.append("题目按" + "、".join(n["zh"] for n in names) + "行业的场景编写。")
        en.append(
            "It is written for the " + _join_en([n["en"].lower() for n in names]) + " industry."
        )
    other = [d for d in candidate.question.dimensions[1:] if d in weights]
    if other:
        names_zh = "、".join(localised(model.dimension(d).name, "zh") for d in other)
        names_en = _join_en([localised(model.dimension(d).name, "en") for d in other])
        zh.append(f"同时考察{names_zh}。")
        en.append(f"It also assesses {names_en}.")
    return {"zh": "".join(zh), "en": " ".join(en)}
