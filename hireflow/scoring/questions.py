"""The built-in question bank and company question sets (SPEC B3).

The bank (``question_bank/*.yaml``) holds bilingual questions tied to the preset
competencies: behavioural (STAR) and situational questions for every competency, warm-up and
closing motivation questions, and technical questions on data structures, algorithms,
databases, networking, Python and systems with reference answers and key points. Every
question has a time limit and a rationale, and is validated on load (both languages required).

A company's own dimensions that match no preset get questions generated from their
behavioural indicators (:func:`questions_from_indicators`), so that any uploaded competency
dictionary yields a usable interview.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from hireflow.scoring.models import (
    Dimension,
    FieldError,
    ModelError,
    Question,
    question_from_dict,
    question_to_dict,
    read_structured_file,
    read_yaml,
)

__all__ = [
    "SECTIONS",
    "QuestionBank",
    "load_question_bank",
    "load_questions",
    "match_preset_competency",
    "questions_from_indicators",
    "questions_to_dicts",
    "section_of",
    "skill_tags",
]

# The order of an interview: warm-up motivation first, closing last.
SECTIONS = ("warmup", "behavioural", "situational", "technical", "closing")

# Job skills as HR writes them → the topic tags technical questions carry. A skill not listed
# here is matched by its own lower-cased name.
_SKILL_TAGS: dict[str, tuple[str, ...]] = {
    "python": ("python",),
    "python3": ("python",),
    "django": ("python", "web", "orm"),
    "flask": ("python", "web"),
    "fastapi": ("python", "web", "api"),
    "sqlalchemy": ("python", "orm", "databases"),
    "asyncio": ("python", "concurrency"),
    "mysql": ("mysql", "sql", "databases"),
    "postgresql": ("postgresql", "sql", "databases"),
    "postgres": ("postgresql", "sql", "databases"),
    "oracle": ("sql", "databases"),
    "sql server": ("sql", "databases"),
    "sql": ("sql", "databases"),
    "database": ("databases", "sql"),
    "databases": ("databases", "sql"),
    "数据库": ("databases", "sql"),
    "orm": ("orm", "databases"),
    "redis": ("redis", "caching", "databases"),
    "memcached": ("caching",),
    "cache": ("caching",),
    "caching": ("caching",),
    "缓存": ("caching",),
    "tcp/ip": ("networking", "tcp"),
    "tcp": ("networking", "tcp"),
    "http": ("http", "web", "networking"),
    "https": ("http", "security", "networking"),
    "dns": ("dns", "networking"),
    "network": ("networking",),
    "networking": ("networking",),
    "网络": ("networking",),
    "计算机网络": ("networking",),
    "网络编程": ("networking", "tcp"),
    "data structures": ("data_structures",),
    "data structure": ("data_structures",),
    "数据结构": ("data_structures",),
    "algorithms": ("algorithms",),
    "algorithm": ("algorithms",),
    "算法": ("algorithms",),
    "linux": ("linux", "operating_systems"),
    "操作系统": ("operating_systems",),
    "operating systems": ("operating_systems",),
    "concurrency": ("concurrency",),
    "multithreading": ("concurrency",),
    "多线程": ("concurrency",),
    "并发": ("concurrency",),
    "高并发": ("concurrency", "caching", "system_design"),
    "rest": ("api", "http"),
    "restful": ("api", "http"),
    "api": ("api", "http"),
    "接口设计": ("api", "http"),
    "web": ("web", "http"),
    "backend": ("web", "api", "databases"),
    "后端": ("web", "api", "databases"),
    "后端开发": ("web", "api", "databases"),
    "system design": ("system_design",),
    "系统设计": ("system_design",),
    "distributed systems": ("system_design", "concurrency"),
    "分布式": ("system_design", "concurrency"),
    "microservices": ("system_design", "api"),
    "微服务": ("system_design", "api"),
    "security": ("security",),
    "网络安全": ("security", "networking"),
}
# Computer-science fundamentals apply to any software job, named in the JD or not.
FUNDAMENTAL_TAGS = frozenset({"data_structures", "algorithms"})


def skill_tags(skills: Iterable[str]) -> dict[str, str]:
    """Map each topic tag to the job skill (as written) that brought it in."""
    tags: dict[str, str] = {}
    for skill in skills:
        key = " ".join(skill.strip().lower().split())
        if not key:
            continue
        for tag in _SKILL_TAGS.get(key, (key,)):
            tags.setdefault(tag, skill.strip())
    return tags


def section_of(question: Question) -> str:
    """Where a question belongs in the interview (one of :data:`SECTIONS`)."""
    if question.kind == "motivation":
        return "closing" if "closing" in question.tags else "warmup"
    return question.kind


@dataclass(frozen=True)
class QuestionBank:
    """An immutable, validated collection of questions with lookups."""

    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def get(self, question_id: str) -> Question:
        """The question with this id; KeyError if absent."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def filter(
        self,
        dimension: str | None = None,
        kind: str | None = None,
        tag: str | None = None,
        skills: Iterable[str] | None = None,
    ) -> list[Question]:
        """Questions matching every criterion given (skills: any topic tag in common)."""
        wanted_skills = set(skill_tags(skills)) if skills is not None else None
        result = []
        for question in self.questions:
            if dimension is not None and dimension not in question.dimensions:
                continue
            if kind is not None and question.kind != kind:
                continue
            if tag is not None and tag not in question.tags:
                continue
            if wanted_skills is not None and not wanted_skills & set(question.skills):
                continue
            result.append(question)
        return result

    def dimensions(self) -> set[str]:
        """Every dimension id some question assesses."""
        return {d for q in self.questions for d in q.dimensions}


def _read_bank_files() -> list[tuple[str, Any]]:
    root = resources.files("hireflow.scoring.question_bank")
    files: list[tuple[str, Any]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.is_dir():
                pending.append(item)
            elif item.name.endswith(".yaml"):
                raw = item.read_text(encoding="utf-8")
                files.append((item.name, read_yaml(raw, f"question_bank/{item.name}")))
    return sorted(files, key=lambda pair: pair[0])


@functools.cache
def load_question_bank() -> QuestionBank:
    """The built-in bank, validated (bilingual, unique ids, known dimensions)."""
    from hireflow.scoring.presets import describe_competencies

    known = {entry["id"] for entry in describe_competencies()}
    errors: list[FieldError] = []
    questions: list[Question] = []
    seen: set[str] = set()
    for name, items in _read_bank_files():
        for i, item in enumerate(items or []):
            location = f"{name}[{i}]"
            try:
                question = question_from_dict(
                    item, require_bilingual=True, location=location, known_dimensions=known
                )
            except ModelError as exc:
                errors.extend(exc.errors)
                continue
            if question.id in seen:
                errors.append(FieldError(f"{location}.id", f"{question.id!r} is used twice"))
            seen.add(question.id)
            questions.append(question)
    if errors:
        raise ModelError(errors, "question bank")
    return QuestionBank(tuple(questions))


def load_questions(
    source: str | Path | Sequence[Any] | Mapping[str, Any],
    known_dimensions: Iterable[str] | None = None,
    require_bilingual: bool = False,
) -> tuple[Question, ...]:
    """A company's own question set from YAML/JSON (a list, or ``{questions: [...]}``).

    All problems are reported together, each as ``questions[i].field``.
    """
    data = (
        read_structured_file(Path(source), "question set")
        if isinstance(source, str | Path)
        else source
    )
    if isinstance(data, Mapping):
        data = data.get("questions")
    if not isinstance(data, list | tuple):
        raise ModelError([FieldError("questions", "must be a list of questions")], "question set")
    known = list(known_dimensions) if known_dimensions is not None else None
    errors: list[FieldError] = []
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        location = f"questions[{i}]"
        ident = item.get("id") if isinstance(item, Mapping) else None
        # Duplicates are reported even for questions that have other problems too.
        if isinstance(ident, str) and ident.strip():
            if ident.strip() in seen:
                errors.append(
                    FieldError(
                        f"{location}.id",
                        f"{ident.strip()!r} is already used by questions[{seen[ident.strip()]}]",
                    )
                )
            else:
                seen[ident.strip()] = i
        try:
            questions.append(question_from_dict(item, require_bilingual, location, known))
        except ModelError as exc:
            errors.extend(exc.errors)
    if errors:
        named = f" {source}" if isinstance(source, str | Path) else ""
        raise ModelError(errors, f"question set{named}")
    return tuple(questions)


def questions_to_dicts(questions: Iterable[Question]) -> list[dict[str, Any]]:
    """Plain data for a question set; :func:`load_questions` reads it back."""
    return [question_to_dict(q) for q in questions]


def match_preset_competency(dimension: Dimension) -> str | None:
    """The preset competency a company dimension corresponds to, by id, name or alias.

    "沟通能力", "Communication skills" and "communication" all match ``communication``. A
    name containing a known alias also matches ("客户服务意识与技巧" → customer orientation)
    as long as exactly one competency claims it.
    """
    from hireflow.scoring.presets import competency_aliases

    aliases = competency_aliases()
    candidates = [dimension.id, *dimension.name.values()]
    keys = [" ".join(c.strip().lower().replace("_", " ").split()) for c in candidates if c]
    for key in keys:
        for ident, names in aliases.items():
            if key == ident or key in names:
                return ident
    # Containment: the longest alias found inside a name wins; ambiguity means no match.
    best: tuple[int, str] | None = None
    tied = False
    for key in keys:
        for ident, names in sorted(aliases.items()):
            for name in names:
                if len(name) >= 2 and name in key:
                    if best is None or len(name) > best[0]:
                        best, tied = (len(name), ident), False
                    elif len(name) == best[0] and ident != best[1]:
                        tied = True
    if best is None or tied:
        return None
    return best[1]


def questions_from_indicators(dimension: Dimension, limit: int = 3) -> list[Question]:
    """Behavioural (STAR) questions built from a dimension's indicators.

    Used for a company dimension the bank has no questions for. Only the languages the
    indicator is written in are produced (zh, en, ja); the rationale is in all three, as the
    bank's are, naming the dimension in the reader's language when the model has it (a
    Japanese reader otherwise reads its English, then Chinese name).
    """
    questions: list[Question] = []
    first_name = next(iter(dimension.name.values()), dimension.id)
    name_zh = dimension.name.get("zh") or first_name
    name_en = dimension.name.get("en") or first_name
    name_ja = dimension.name.get("ja") or dimension.name.get("en") or first_name
    for i, indicator in enumerate(dimension.indicators[:limit], start=1):
        text: dict[str, str] = {}
        if "zh" in indicator.text:
            text["zh"] = (
                f"请举一个你工作中的具体例子，说明你是如何做到“{indicator.text['zh']}”的："
                "当时的情境和你的任务是什么？你采取了哪些行动？结果如何？"
            )
        if "en" in indicator.text:
            text["en"] = (
                "Give me a specific example from your work that shows this behaviour: "
                f"“{indicator.text['en']}”. What was the situation and your task, what did "
                "you do, and what was the result?"
            )
        if "ja" in indicator.text:
            text["ja"] = (
                f"「{indicator.text['ja']}」という行動を示す、あなたの仕事での具体的な例を"
                "教えてください。そのときの状況と役割、あなたが取った行動、そしてその結果は"
                "どうでしたか？"
            )
        if not text:
            continue
        questions.append(
            Question(
                id=f"{dimension.id}.gen{i}",
                kind="behavioural",
                text=text,
                dimensions=(dimension.id,),
                time_limit_s=180,
                reference_answers={},
                key_points={},
                rationale={
                    "zh": f"根据“{name_zh}”维度的行为指标生成，按 STAR 结构考察该行为。",
                    "en": (
                        f"Generated from a behavioural indicator of '{name_en}'; asks for a "
                        "STAR example of that behaviour."
                    ),
                    "ja": (
                        f"「{name_ja}」の行動指標から生成した質問。その行動の具体例を "
                        "STAR の構成で確認する。"
                    ),
                },
                tags=("generated",),
            )
        )
    return questions


def remap_dimensions(
    question: Question, mapping: Mapping[str, Sequence[str]], first: str
) -> Question:
    """The question with bank dimension ids replaced by model dimension ids.

    ``mapping`` maps a bank id to the model dimensions that correspond to it; ids with no
    counterpart are dropped; ``first`` (the dimension it was chosen for) leads.
    """
    mapped: list[str] = [first]
    for ident in question.dimensions:
        for target in mapping.get(ident, ()):
            if target not in mapped:
                mapped.append(target)
    return replace(question, dimensions=tuple(mapped))
