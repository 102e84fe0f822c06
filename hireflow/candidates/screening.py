"""Screening rules per opening (SPEC C2), written in the ``rule-engine`` expression language.

HR writes rules such as::

    education >= "bachelor" and major in ["机械工程", "mechanical engineering"]
        and years_in_industry("manufacturing") >= 3
    score("communication") >= 8.5 and mentions("customer case") >= 2

Rules are parsed and type-checked by rule-engine (no ``eval``, no parser of our own). On top of
it this module adds:

* the vocabulary of symbols and functions HR needs (:data:`SYMBOLS`, :data:`FUNCTIONS`), typed,
  so an unknown name or a wrong argument is refused when the rule is saved, not when it runs;
* degrees compared on the ordered scale high_school < associate < bachelor < master < phd:
  after compiling, every string literal that ``education`` is compared with is checked
  ("bachelors" is refused) and replaced by its rank, and ``education`` resolves to the rank
  of the candidate's highest degree, so ``education >= "本科"`` means what it says;
* majors compared case- and space-insensitively the same way;
* compile errors with line, column and a caret excerpt, in Chinese and English;
* knock-out rules (must pass) and ranking rules (a weight each), and for every rule an
  explanation of each comparison with the values it saw, e.g.
  ``education: master ≥ bachelor ✓; years_in_industry(manufacturing) = 2 < 3 ✗``;
* a form builder turning structured filters into rule text for HR who do not write rules.

Personal attributes that must not drive hiring decisions (age, gender, ethnicity, marital
status) are deliberately not symbols, so no rule can use them.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import rule_engine
import rule_engine.ast as rast
from rule_engine import DataType
from rule_engine import errors as rerrors

from hireflow.candidates.matching import dimension_label
from hireflow.candidates.parsing import (
    DEGREE_LABELS,
    DEGREES,
    ResumeProfile,
    degree_rank,
    industry_labels,
    normalise_degree,
)
from hireflow.candidates.skills import normalise_skill, skill_label

KNOCKOUT = "knockout"
RANKING = "ranking"

# name -> (type, zh label, en label)
SYMBOLS: dict[str, tuple[Any, str, str]] = {
    "education": (DataType.STRING, "学历", "education"),
    "major": (DataType.STRING, "专业", "major"),
    "majors": (DataType.ARRAY(DataType.STRING), "所有专业", "majors"),
    "school": (DataType.STRING, "学校", "school"),
    "schools": (DataType.ARRAY(DataType.STRING), "所有学校", "schools"),
    "years_experience": (DataType.FLOAT, "工作年限", "years of experience"),
    "years": (DataType.FLOAT, "工作年限", "years of experience"),
    "skills": (DataType.ARRAY(DataType.STRING), "技能", "skills"),
    "companies": (DataType.ARRAY(DataType.STRING), "任职公司", "companies"),
    "titles": (DataType.ARRAY(DataType.STRING), "职位", "titles"),
    "location": (DataType.STRING, "所在地", "location"),
    "languages": (DataType.ARRAY(DataType.STRING), "语言", "languages"),
    "has_interview": (DataType.BOOLEAN, "已完成面试", "interview done"),
}


def _fn(name: str, ret: Any, *args: Any) -> Any:
    return DataType.FUNCTION(name, return_type=ret, argument_types=tuple(args))


# name -> (type, zh template, en template); {0} is the first argument's display form
FUNCTIONS: dict[str, tuple[Any, str, str]] = {
    "years_in_industry": (
        _fn("years_in_industry", DataType.FLOAT, DataType.STRING),
        "{0}行业年限",
        "years in {0}",
    ),
    "has_skill": (
        _fn("has_skill", DataType.BOOLEAN, DataType.STRING),
        "技能「{0}」",
        "skill “{0}”",
    ),
    "has_language": (
        _fn("has_language", DataType.BOOLEAN, DataType.STRING),
        "语言「{0}」",
        "language “{0}”",
    ),
    "has_certificate": (
        _fn("has_certificate", DataType.BOOLEAN, DataType.STRING),
        "证书「{0}」",
        "certificate “{0}”",
    ),
    "keyword": (
        _fn("keyword", DataType.BOOLEAN, DataType.STRING),
        "关键词「{0}」",
        "keyword “{0}”",
    ),
    "worked_at": (
        _fn("worked_at", DataType.BOOLEAN, DataType.STRING),
        "曾任职「{0}」",
        "worked at “{0}”",
    ),
    "score": (
        _fn("score", DataType.FLOAT, DataType.STRING),
        "面试得分（{0}）",
        "interview score ({0})",
    ),
    "mentions": (
        _fn("mentions", DataType.FLOAT, DataType.STRING),
        "提及「{0}」次数",
        "mentions of “{0}”",
    ),
}
INTERVIEW_FUNCTIONS = frozenset({"score", "mentions"})

_TYPES: dict[str, Any] = {k: v[0] for k, v in SYMBOLS.items()} | {
    k: v[0] for k, v in FUNCTIONS.items()
}
_CONTEXT = rule_engine.Context(type_resolver=_TYPES, default_timezone="UTC")


# ---------------------------------------------------------------------------------------------
# Rules and errors
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScreeningRule:
    """A rule of an opening: ``kind`` is "knockout" (must pass) or "ranking" (adds ``weight``)."""

    text: str
    kind: str = KNOCKOUT
    weight: float = 1.0
    id: str = ""
    name: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningRule:
        return cls(
            text=str(data["text"]),
            kind=str(data.get("kind", KNOCKOUT)),
            weight=float(data.get("weight", 1.0)),
            id=str(data.get("id", "")),
            name=dict(data.get("name", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind,
            "weight": self.weight,
            "name": dict(self.name),
        }


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """One reason a rule does not compile, with where it is (1-based line and column)."""

    code: str
    message: dict[str, str]
    rule_id: str = ""
    line: int | None = None
    column: int | None = None
    excerpt: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": dict(self.message),
            "rule_id": self.rule_id,
            "line": self.line,
            "column": self.column,
            "excerpt": self.excerpt,
        }


class RuleCompileError(ValueError):
    """Raised by :func:`compile_rules` with every problem found (``errors``)."""

    def __init__(self, errors: list[RuleProblem]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.rule_id or 'rule'}: {e.message['en']}" for e in errors))


def _position(text: str, offset: int) -> tuple[int, int, str]:
    """1-based line and column of ``offset`` and the line with a caret under it."""
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    line_no = text.count("\n", 0, offset) + 1
    column = offset - line_start + 1
    line = text[line_start:line_end]
    # Wide (CJK) characters take two columns in a terminal; pad the caret to match.
    pad = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line[: column - 1])
    return line_no, column, f"{line}\n{' ' * pad}^"


def _find_name(text: str, name: str) -> int:
    """Offset of the first use of ``name`` as an identifier outside string literals."""
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_][A-Za-z0-9_]*', text):
        if m.group(0) == name:
            return m.start()
    return 0


def _find_literal(text: str, value: str) -> int:
    for quote in ('"', "'"):
        pos = text.find(quote + value + quote)
        if pos >= 0:
            return pos
    return 0


def _problem(rule: ScreeningRule, code: str, zh: str, en: str, offset: int | None) -> RuleProblem:
    if offset is None:
        return RuleProblem(code, {"zh": zh, "en": en}, rule.id)
    line, column, excerpt = _position(rule.text, offset)
    return RuleProblem(
        code,
        {"zh": f"{zh}（第 {line} 行第 {column} 列）", "en": f"{en} (line {line}, column {column})"},
        rule.id,
        line,
        column,
        excerpt,
    )


# ---------------------------------------------------------------------------------------------
# AST helpers: walking, rewriting degree/major literals, rendering
# ---------------------------------------------------------------------------------------------


def _children(node: Any) -> list[Any]:
    if isinstance(node, rast.FunctionCallExpression):
        return [node.function, *node.arguments]
    if isinstance(node, rast.ContainsExpression):
        return [node.member, node.container]
    if isinstance(node, (rast.ArrayExpression, rast.SetExpression)):
        return list(node.value)
    if isinstance(node, rast.UnaryExpression):
        return [node.right]
    if isinstance(node, rast.TernaryExpression):
        return [node.condition, node.case_true, node.case_false]
    kids = [getattr(node, name, None) for name in ("left", "right", "container", "item", "object")]
    return [k for k in kids if isinstance(k, rast.ExpressionBase)]


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def _is_symbol(node: Any, *names: str) -> bool:
    return isinstance(node, rast.SymbolExpression) and node.name in names


def _rank_key(degree: str | None) -> str:
    # Single digits compare correctly as strings, and rule-engine only orders equal types.
    return str(degree_rank(degree))


def _major_key(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


def _string_literals(node: Any) -> bool:
    """A string literal, or an array or set literal of string literals."""
    if isinstance(node, rast.StringExpression):
        return True
    if isinstance(node, (rast.ArrayExpression, rast.SetExpression)):
        return bool(node.value) and all(isinstance(m, rast.StringExpression) for m in node.value)
    return False


class _Rewriter:
    """Replaces the literals compared with ``education`` (degree ranks) and with
    ``major``/``majors`` (case-folded), and records literals that are not degrees."""

    def __init__(self) -> None:
        self.bad_degrees: list[str] = []
        self.education_nodes: set[int] = set()

    def _map(self, node: Any, mapper: Callable[[str], str | None]) -> Any:
        if isinstance(node, rast.StringExpression):
            mapped = mapper(node.value)
            if mapped is None:
                return node
            return rast.StringExpression(node.context, mapped)
        if isinstance(node, (rast.ArrayExpression, rast.SetExpression)):
            members = [self._map(m, mapper) for m in node.value]
            return type(node)(node.context, members)
        return node

    def _degree(self, value: str) -> str | None:
        degree = normalise_degree(value)
        if degree is None:
            self.bad_degrees.append(value)
            return None
        return _rank_key(degree)

    def visit(self, node: Any) -> None:
        if isinstance(node, rast.FuzzyComparisonExpression):
            # Regular expressions over degree ranks would be meaningless: leave education
            # unregistered here so compile_rule reports it.
            pass
        elif isinstance(node, rast.ComparisonExpression):
            for mine, other in (("left", "right"), ("right", "left")):
                if _is_symbol(getattr(node, mine), "education"):
                    if _string_literals(getattr(node, other)):
                        self.education_nodes.add(id(getattr(node, mine)))
                    setattr(node, other, self._map(getattr(node, other), self._degree))
                elif _is_symbol(getattr(node, mine), "major"):
                    setattr(node, other, self._map(getattr(node, other), _major_key))
        elif isinstance(node, rast.ContainsExpression):
            if _is_symbol(node.member, "education"):
                if _string_literals(node.container):
                    self.education_nodes.add(id(node.member))
                node.container = self._map(node.container, self._degree)
            elif _is_symbol(node.member, "major"):
                node.container = self._map(node.container, _major_key)
            elif _is_symbol(node.container, "majors"):
                node.member = self._map(node.member, _major_key)
        for child in _children(node):
            self.visit(child)


_OPS = {
    "eq": "==",
    "ne": "!=",
    "ge": ">=",
    "gt": ">",
    "le": "<=",
    "lt": "<",
    "eq_fzm": "=~",
    "eq_fzs": "=~~",
    "ne_fzm": "!~",
    "ne_fzs": "!~~",
}
_SHOWN = {
    "==": "=",
    "!=": "≠",
    ">=": "≥",
    "<=": "≤",
    ">": ">",
    "<": "<",
    "=~": "=~",
    "=~~": "=~~",
    "!~": "!~",
    "!~~": "!~~",
}
_NEGATED = {
    "==": "!=",
    "!=": "==",
    ">=": "<",
    "<=": ">",
    ">": "<=",
    "<": ">=",
    "=~": "!~",
    "!~": "=~",
    "=~~": "!~~",
    "!~~": "=~~",
}


def _literal_text(node: Any) -> str | None:
    if isinstance(node, rast.StringExpression):
        return node.value
    if isinstance(node, rast.FloatExpression):
        return _fmt_number(node.value)
    if isinstance(node, rast.BooleanExpression):
        return "true" if node.value else "false"
    return None


def _fmt_number(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:.2f}".rstrip("0").rstrip(".")
    return str(value)


# ---------------------------------------------------------------------------------------------
# Compiling
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule that passed compilation, ready for :func:`screen`."""

    rule: ScreeningRule
    engine_rule: rule_engine.Rule
    symbols: frozenset[str]
    uses_interview: bool


def compile_rule(rule: ScreeningRule | Mapping[str, Any] | str) -> CompiledRule:
    """Compile one rule or raise :class:`RuleCompileError`."""
    if isinstance(rule, str):
        rule = ScreeningRule(text=rule)
    elif not isinstance(rule, ScreeningRule):
        rule = ScreeningRule.from_dict(rule)
    problems: list[RuleProblem] = []
    if rule.kind not in (KNOCKOUT, RANKING):
        problems.append(
            _problem(
                rule,
                "bad_kind",
                f"规则类型须为 {KNOCKOUT} 或 {RANKING}",
                f"rule kind must be {KNOCKOUT} or {RANKING}",
                None,
            )
        )
    if rule.kind == RANKING and not rule.weight > 0:
        problems.append(
            _problem(
                rule,
                "bad_weight",
                "排序规则的权重须大于 0",
                "a ranking rule needs a weight > 0",
                None,
            )
        )
    if not rule.text.strip():
        problems.append(_problem(rule, "empty", "规则为空", "the rule is empty", None))
        raise RuleCompileError(problems)
    try:
        engine_rule = rule_engine.Rule(rule.text, context=_CONTEXT)
    except rerrors.RuleSyntaxError as exc:
        offset = exc.token.lexpos if exc.token is not None else len(rule.text)
        near = repr(exc.token.value) if exc.token is not None else "end of rule"
        near_zh = f"「{exc.token.value}」" if exc.token is not None else "规则结尾"
        problems.append(
            _problem(
                rule, "syntax", f"语法错误，位于{near_zh}附近", f"syntax error near {near}", offset
            )
        )
        raise RuleCompileError(problems) from None
    except rerrors.SymbolResolutionError as exc:
        hint_en = f"; did you mean {exc.suggestion!r}?" if exc.suggestion else ""
        hint_zh = f"，是否要写「{exc.suggestion}」？" if exc.suggestion else ""
        problems.append(
            _problem(
                rule,
                "unknown_name",
                f"未知名称「{exc.symbol_name}」{hint_zh}",
                f"unknown name {exc.symbol_name!r}{hint_en}",
                _find_name(rule.text, exc.symbol_name),
            )
        )
        raise RuleCompileError(problems) from None
    except rerrors.FunctionCallError as exc:
        problems.append(
            _problem(
                rule,
                "bad_arguments",
                f"函数参数有误：{exc.message}",
                f"bad function arguments: {exc.message}",
                _find_name(rule.text, exc.function_name) if exc.function_name else None,
            )
        )
        raise RuleCompileError(problems) from None
    except rerrors.SyntaxError as exc:
        problems.append(
            _problem(
                rule, "syntax", f"语法错误：{exc.message}", f"syntax error: {exc.message}", None
            )
        )
        raise RuleCompileError(problems) from None
    except rerrors.EvaluationError as exc:
        problems.append(
            _problem(
                rule,
                "type_mismatch",
                f"类型不匹配：{exc.message}（例如把数字与文字比较）",
                f"type mismatch: {exc.message} (e.g. a number compared with text)",
                None,
            )
        )
        raise RuleCompileError(problems) from None

    rewriter = _Rewriter()
    rewriter.visit(engine_rule.statement.expression)
    for value in rewriter.bad_degrees:
        allowed = ", ".join(DEGREES)
        problems.append(
            _problem(
                rule,
                "unknown_degree",
                f"未知学历「{value}」，可用：{allowed} 或 高中/大专/本科/硕士/博士",
                f"unknown degree {value!r}; use one of {allowed}",
                _find_literal(rule.text, value),
            )
        )
    symbols: set[str] = set()
    for node in _walk(engine_rule.statement.expression):
        if isinstance(node, rast.SymbolExpression):
            symbols.add(node.name)
            if node.name == "education" and id(node) not in rewriter.education_nodes:
                problems.append(
                    _problem(
                        rule,
                        "education_usage",
                        '学历只能与学历名称比较，例如 education >= "bachelor"',
                        "education can only be compared with a degree, "
                        'e.g. education >= "bachelor"',
                        _find_name(rule.text, "education"),
                    )
                )
    if problems:
        raise RuleCompileError(problems)
    return CompiledRule(rule, engine_rule, frozenset(symbols), bool(symbols & INTERVIEW_FUNCTIONS))


def compile_rules(rules: Sequence[ScreeningRule | Mapping[str, Any] | str]) -> list[CompiledRule]:
    """Compile all rules, collecting every problem before raising :class:`RuleCompileError`."""
    compiled: list[CompiledRule] = []
    problems: list[RuleProblem] = []
    for index, rule in enumerate(rules):
        if isinstance(rule, str):
            rule = ScreeningRule(text=rule, id=f"rule{index + 1}")
        elif not isinstance(rule, ScreeningRule):
            rule = ScreeningRule.from_dict({"id": f"rule{index + 1}", **rule})
        try:
            compiled.append(compile_rule(rule))
        except RuleCompileError as exc:
            problems.extend(exc.errors)
    if problems:
        raise RuleCompileError(problems)
    return compiled


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterviewResults:
    """What screening needs from an interview: scores per dimension (0-10) and answer texts."""

    scores: Mapping[str, float]
    answers: Sequence[str] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InterviewResults:
        return cls(
            scores={str(k): float(v) for k, v in data.get("scores", {}).items()},
            answers=tuple(str(a) for a in data.get("answers", ())),
        )


class _NotAvailable(Exception):
    """A rule needs data the candidate does not have yet (no interview, no such score)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message = {"zh": zh, "en": en}


def _industry_key(value: str) -> str:
    labels = industry_labels()
    lowered = value.strip().lower()
    for key, names in labels.items():
        if lowered in (key, names["en"].lower(), names["zh"]) or lowered.replace(" ", "_") == key:
            return key
        if names["zh"].endswith("业") and lowered == names["zh"][:-1]:
            return key
    return lowered


def _strings(value: Any) -> Iterator[str]:
    """Every string value inside nested dicts and lists (keys left out: keyword("school")
    must not match the field name)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


class _Facts:
    """The values a rule sees, computed from the profile (and interview results)."""

    def __init__(
        self,
        profile: ResumeProfile,
        interview: InterviewResults | None,
        resume_text: str | None,
    ) -> None:
        self.profile = profile
        self.interview = interview
        highest = profile.highest_degree
        best_entry = next((e for e in profile.education if e.degree == highest), None)
        major = (
            best_entry.major
            if best_entry and best_entry.major
            else (profile.majors[0] if profile.majors else "")
        )
        school = best_entry.school if best_entry and best_entry.school else ""
        level_words = [
            f"{lang.language} {lang.level}" if lang.level else lang.language
            for lang in profile.languages
        ]
        self.values: dict[str, Any] = {
            "education": _rank_key(highest),
            "major": _major_key(major or ""),
            "majors": [_major_key(m) for m in profile.majors],
            "school": school or "",
            "schools": [e.school for e in profile.education if e.school],
            "years_experience": profile.years_experience,
            "years": profile.years_experience,
            "skills": list(profile.skills),
            "companies": [w.company for w in profile.work if w.company],
            "titles": [w.title for w in profile.work if w.title],
            "location": profile.location or "",
            "languages": level_words,
            "has_interview": interview is not None,
            "years_in_industry": self.years_in_industry,
            "has_skill": self.has_skill,
            "has_language": self.has_language,
            "has_certificate": self.has_certificate,
            "keyword": self.keyword,
            "worked_at": self.worked_at,
            "score": self.score,
            "mentions": self.mentions,
        }
        haystack = [resume_text or "", *_strings(profile.to_dict())]
        self._haystack = _fold("\n".join(haystack))
        self._answers = [_fold(a) for a in interview.answers] if interview else []
        self.display = {"major": major or "", "education": highest}

    def years_in_industry(self, industry: str) -> float:
        return self.profile.years_by_industry.get(_industry_key(industry), 0.0)

    def has_skill(self, name: str) -> bool:
        canonical = normalise_skill(name) or name
        return any(s.casefold() == canonical.casefold() for s in self.profile.skills)

    def has_language(self, language: str) -> bool:
        wanted = language.strip().casefold()
        zh = {
            "英语": "english",
            "日语": "japanese",
            "韩语": "korean",
            "德语": "german",
            "法语": "french",
        }
        wanted = zh.get(wanted, wanted)
        return any(lang.language.casefold() == wanted for lang in self.profile.languages)

    def has_certificate(self, certificate: str) -> bool:
        wanted = re.sub(r"[\s\-]", "", certificate).casefold()
        for lang in self.profile.languages:
            level = re.sub(r"[\s\-]", "", lang.level or "").casefold()
            if level and (level == wanted or level.startswith(wanted)):
                return True
            # A higher CET/TEM level includes the lower one: CET-6 holders passed CET-4.
            m_have = re.fullmatch(r"(cet|tem)(\d)", level)
            m_want = re.fullmatch(r"(cet|tem)(\d)", wanted)
            if (
                m_have
                and m_want
                and m_have.group(1) == m_want.group(1)
                and m_have.group(2) >= m_want.group(2)
            ):
                return True
        return False

    def keyword(self, word: str) -> bool:
        return _fold(word) in self._haystack

    def worked_at(self, company: str) -> bool:
        wanted = _fold(company)
        return any(wanted in _fold(w.company or "") for w in self.profile.work)

    def score(self, dimension: str) -> float:
        if self.interview is None:
            raise _NotAvailable("尚无面试结果", "no interview results yet")
        if dimension not in self.interview.scores:
            raise _NotAvailable(
                f"面试未评估「{dimension_label(dimension, 'zh')}」",
                f"the interview has no score for “{dimension_label(dimension, 'en')}”",
            )
        return float(self.interview.scores[dimension])

    def mentions(self, phrase: str) -> float:
        if self.interview is None:
            raise _NotAvailable("尚无面试结果", "no interview results yet")
        wanted = _fold(phrase)
        return float(sum(answer.count(wanted) for answer in self._answers)) if wanted else 0.0


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison inside a rule, with the values it saw."""

    text: dict[str, str]
    passed: bool | None


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """How one rule went: ``passed`` is None when it could not be evaluated yet."""

    rule_id: str
    rule_text: str
    kind: str
    weight: float
    passed: bool | None
    checks: tuple[Check, ...]
    explanation: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_text": self.rule_text,
            "kind": self.kind,
            "weight": self.weight,
            "passed": self.passed,
            "checks": [{"text": dict(c.text), "passed": c.passed} for c in self.checks],
            "explanation": dict(self.explanation),
        }


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The verdict on one candidate for one opening.

    ``status``: "rejected" (a knock-out rule failed), "pending" (a knock-out rule needs data
    not there yet, e.g. interview results) or "passed". ``score`` is the weighted share of
    evaluable ranking rules passed, 0-100, or None without ranking rules.
    """

    status: str
    score: float | None
    outcomes: tuple[RuleOutcome, ...]

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def explanation(self, lang: str = "en") -> str:
        mark = {True: "✓", False: "✗", None: "?"}
        return "\n".join(
            f"{mark[o.passed]} {o.explanation['zh' if lang == 'zh' else 'en']}"
            for o in self.outcomes
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "score": self.score,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


class _Explainer:
    """Renders sub-expressions and their values in Chinese and English."""

    def __init__(self, facts: _Facts) -> None:
        self.facts = facts

    def name(self, node: Any, lang: str) -> str:
        if isinstance(node, rast.SymbolExpression):
            info = SYMBOLS.get(node.name)
            return info[1 if lang == "zh" else 2] if info else node.name
        if isinstance(node, rast.FunctionCallExpression) and isinstance(
            node.function, rast.SymbolExpression
        ):
            fname = node.function.name
            args = [self.literal(a, lang) for a in node.arguments]
            if fname in FUNCTIONS:
                first = args[0] if args else ""
                if fname == "years_in_industry":
                    key = _industry_key(first)
                    name = industry_labels().get(key, {}).get(lang, first)
                    first = name.removesuffix("业") if lang == "zh" else name.lower()
                if fname == "has_skill":
                    first = skill_label(normalise_skill(first) or first, lang)
                if fname == "score":
                    first = dimension_label(first, lang)
                return FUNCTIONS[fname][1 if lang == "zh" else 2].format(first)
            return f"{fname}({', '.join(args)})"
        literal = _literal_text(node)
        return literal if literal is not None else type(node).__name__

    def literal(self, node: Any, lang: str) -> str:
        text = _literal_text(node)
        return text if text is not None else self.name(node, lang)

    def value(self, node: Any, value: Any, lang: str, is_degree: bool) -> str:
        zh = lang == "zh"
        if is_degree:
            if isinstance(value, (tuple, list)):
                return "[" + ", ".join(self.value(node, v, lang, True) for v in value) + "]"
            rank = int(value) if str(value).isdigit() else 0
            if rank == 0:
                return "未知" if zh else "unknown"
            degree = DEGREES[rank - 1]
            return DEGREE_LABELS[degree]["zh"] if zh else degree
        if _is_symbol(node, "major") and isinstance(value, str):
            return self.facts.display["major"] or ("无" if zh else "none")
        if isinstance(value, bool):
            return ("是" if value else "否") if zh else ("yes" if value else "no")
        if isinstance(value, (tuple, list)):
            return "[" + ", ".join(self.value(node, v, lang, False) for v in value) + "]"
        if isinstance(value, str):
            return value if value else ("空" if zh else "empty")
        return _fmt_number(value)

    @staticmethod
    def _line(label: str, lang: str, body: str, passed: bool, is_call: bool) -> str:
        sep = " = " if is_call else ("：" if lang == "zh" else ": ")
        return f"{label}{sep}{body} {'✓' if passed else '✗'}"

    def _comparison(self, node: Any, thing: Any) -> Check:
        op = _OPS.get(node.type, node.type)
        left_v = node.left.evaluate(thing)
        right_v = node.right.evaluate(thing)
        passed = bool(node.evaluate(thing))
        shown = _SHOWN.get(op if passed else _NEGATED.get(op, op), op)
        degree = _is_symbol(node.left, "education") or _is_symbol(node.right, "education")
        subject = node.left if _literal_text(node.left) is None else node.right
        is_call = isinstance(subject, rast.FunctionCallExpression)
        texts = {}
        for lang in ("zh", "en"):
            lv = self.value(node.left, left_v, lang, degree)
            rv = self.value(node.right, right_v, lang, degree)
            body = f"{lv} {shown} {rv}"
            texts[lang] = self._line(self.name(subject, lang), lang, body, passed, is_call)
        return Check(texts, passed)

    def _contains(self, node: Any, thing: Any) -> Check:
        member_v = node.member.evaluate(thing)
        container_v = node.container.evaluate(thing)
        passed = bool(node.evaluate(thing))
        degree = _is_symbol(node.member, "education")
        subject = node.member if isinstance(node.member, rast.SymbolExpression) else node.container
        texts = {}
        for lang in ("zh", "en"):
            mv = self.value(node.member, member_v, lang, degree)
            cv = self.value(node.container, container_v, lang, degree)
            body = f"{mv} {'∈' if passed else '∉'} {cv}"
            texts[lang] = self._line(self.name(subject, lang), lang, body, passed, False)
        return Check(texts, passed)

    def check(self, node: Any, thing: Any) -> Check | None:
        """A check for a leaf condition, or None when ``node`` is not a leaf condition."""
        if isinstance(node, rast.ComparisonExpression):
            return self._comparison(node, thing)
        if isinstance(node, rast.ContainsExpression):
            return self._contains(node, thing)
        if isinstance(node, (rast.FunctionCallExpression, rast.SymbolExpression)):
            value = node.evaluate(thing)
            if isinstance(value, bool):
                texts = {
                    lang: self._line(
                        self.name(node, lang),
                        lang,
                        self.value(node, value, lang, False),
                        value,
                        False,
                    )
                    for lang in ("zh", "en")
                }
                return Check(texts, value)
        return None

    def collect(self, node: Any, thing: Any, out: list[Check], negated: bool = False) -> None:
        """Append the checks of the leaf conditions under ``node``. A check's text states what
        is true ("years_experience: 2 < 3"); under ``not`` its mark is flipped, so a ✓ always
        means "this part holds as the rule wants"."""
        if isinstance(node, rast.UnaryExpression) and node.type == "not":
            self.collect(node.right, thing, out, not negated)
            return
        if isinstance(node, (rast.LogicExpression, rast.UnaryExpression)):
            for child in _children(node):
                self.collect(child, thing, out, negated)
            return
        if negated:
            inner: list[Check] = []
            self.collect(node, thing, inner)
            for check in inner:
                if check.passed is None:
                    out.append(check)
                    continue
                passed = not check.passed
                mark = "✓" if passed else "✗"
                texts = {lang: text[:-1] + mark for lang, text in check.text.items()}
                out.append(Check(texts, passed))
            return
        try:
            check = self.check(node, thing)
        except _NotAvailable as exc:
            out.append(Check(dict(exc.message), None))
            return
        except rerrors.EngineError as exc:
            cause = getattr(exc, "error", None)
            if isinstance(cause, _NotAvailable):
                out.append(Check(dict(cause.message), None))
                return
            raise
        if check is not None:
            out.append(check)


def _unwrap_not_available(exc: BaseException) -> _NotAvailable | None:
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, _NotAvailable):
            return current
        current = getattr(current, "error", None) or current.__cause__
    return None


def _evaluate(compiled: CompiledRule, facts: _Facts) -> RuleOutcome:
    engine_rule = compiled.engine_rule
    # The context's default resolver looks symbols up in this mapping, so one compiled rule
    # can be evaluated for many candidates, from many threads.
    thing = facts.values
    explainer = _Explainer(facts)
    passed: bool | None
    try:
        passed = bool(engine_rule.evaluate(thing))
    except rerrors.EngineError as exc:
        missing = _unwrap_not_available(exc)
        if missing is None:
            raise
        passed = None
    collected: list[Check] = []
    explainer.collect(engine_rule.statement.expression, thing, collected)
    checks: list[Check] = []
    for check in collected:
        # "no interview results yet" once, not once per interview function
        if check.passed is None and check in checks:
            continue
        checks.append(check)
    if passed is None and not any(c.passed is None for c in checks):
        checks.append(Check({"zh": "无法评估", "en": "could not be evaluated"}, None))
    explanation = {
        lang: "; ".join(c.text[lang] for c in checks)
        if lang == "en"
        else "；".join(c.text[lang] for c in checks)
        for lang in ("zh", "en")
    }
    rule = compiled.rule
    return RuleOutcome(
        rule.id, rule.text, rule.kind, rule.weight, passed, tuple(checks), explanation
    )


def screen(
    profile: ResumeProfile,
    rules: Sequence[CompiledRule | ScreeningRule | Mapping[str, Any] | str],
    interview_results: InterviewResults | Mapping[str, Any] | None = None,
    resume_text: str | None = None,
) -> ScreeningResult:
    """Screen one candidate against an opening's rules and explain every verdict.

    ``rules`` may be compiled already (compile once per opening, screen many candidates) or
    given as text/dicts, in which case they are compiled here and errors raise
    :class:`RuleCompileError`. ``resume_text``, when given, is what ``keyword(...)`` searches
    besides the profile.
    """
    compiled = [r if isinstance(r, CompiledRule) else None for r in rules]
    if any(c is None for c in compiled):
        compiled = compile_rules([r.rule if isinstance(r, CompiledRule) else r for r in rules])
    if isinstance(interview_results, Mapping):
        interview_results = InterviewResults.from_dict(interview_results)
    facts = _Facts(profile, interview_results, resume_text)
    outcomes: list[RuleOutcome] = []
    for c in compiled:
        assert c is not None
        outcomes.append(_evaluate(c, facts))
    knockouts = [o for o in outcomes if o.kind == KNOCKOUT]
    if any(o.passed is False for o in knockouts):
        status = "rejected"
    elif any(o.passed is None for o in knockouts):
        status = "pending"
    else:
        status = "passed"
    ranking = [o for o in outcomes if o.kind == RANKING and o.passed is not None]
    total = sum(o.weight for o in ranking)
    score = round(100 * sum(o.weight for o in ranking if o.passed) / total, 1) if total else None
    return ScreeningResult(status, score, tuple(outcomes))


# ---------------------------------------------------------------------------------------------
# Form builder
# ---------------------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A rule-engine string literal for ``value``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _num(value: float) -> str:
    return _fmt_number(float(value))


@dataclass(slots=True)
class ScreeningForm:
    """Structured filters for HR who do not write rules; :meth:`to_rule` gives the text."""

    min_education: str | None = None
    majors: list[str] = field(default_factory=list)
    min_years: float | None = None
    industry: str | None = None
    min_industry_years: float | None = None
    required_skills: list[str] = field(default_factory=list)
    any_skills: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    min_scores: dict[str, float] = field(default_factory=dict)
    min_mentions: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScreeningForm:
        known = set(cls.__slots__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown screening form fields: {sorted(unknown)}")
        return cls(**dict(data))

    def to_rule(self) -> str:
        """The rule text; every part is joined with ``and``. Raises ValueError on bad input."""
        parts: list[str] = []
        if self.min_education:
            degree = normalise_degree(self.min_education)
            if degree is None:
                raise ValueError(f"unknown degree {self.min_education!r}")
            parts.append(f"education >= {quote(degree)}")
        majors = [m for m in (x.strip() for x in self.majors) if m]
        if majors:
            parts.append("major in [" + ", ".join(quote(m) for m in majors) + "]")
        if self.min_years is not None:
            parts.append(f"years_experience >= {_num(self.min_years)}")
        if self.industry and self.min_industry_years is not None:
            parts.append(
                f"years_in_industry({quote(self.industry)}) >= {_num(self.min_industry_years)}"
            )
        parts.extend(f"has_skill({quote(s)})" for s in self.required_skills if s.strip())
        anys = [s for s in self.any_skills if s.strip()]
        if anys:
            parts.append("(" + " or ".join(f"has_skill({quote(s)})" for s in anys) + ")")
        parts.extend(f"has_certificate({quote(c)})" for c in self.certificates if c.strip())
        locations = [x for x in self.locations if x.strip()]
        if locations:
            parts.append(
                "(" + " or ".join(f"location =~~ {quote(re.escape(x))}" for x in locations) + ")"
            )
        parts.extend(f"keyword({quote(k)})" for k in self.keywords if k.strip())
        for dimension, minimum in self.min_scores.items():
            parts.append(f"score({quote(dimension)}) >= {_num(minimum)}")
        for phrase, count in self.min_mentions.items():
            parts.append(f"mentions({quote(phrase)}) >= {_num(count)}")
        if not parts:
            raise ValueError("the form sets no filter")
        return " and ".join(parts)


def build_rule(form: ScreeningForm | Mapping[str, Any]) -> str:
    """Rule text from structured filters (a :class:`ScreeningForm` or its dict)."""
    if not isinstance(form, ScreeningForm):
        form = ScreeningForm.from_dict(form)
    return form.to_rule()
