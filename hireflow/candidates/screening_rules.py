"""Screening rules per opening (SPEC C2): the language and its compiler. Rules are written in
the ``rule-engine`` expression language.

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
* knock-out rules (must pass) and ranking rules (a weight each).

Running compiled rules on a candidate, with explanations, is :mod:`hireflow.candidates.screening`;
turning form filters into rule text is :mod:`hireflow.candidates.rule_builder`.

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

from hireflow.candidates.resume_model import (
    DEGREES,
    degree_rank,
    normalise_degree,
)

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


# name, result type, zh and en templates ({0} is the argument's display form); every
# function takes one text argument. FUNCTIONS maps name -> (type, zh template, en template).
_FUNCTION_TABLE = (
    ("years_in_industry", DataType.FLOAT, "{0}行业年限", "years in {0}"),
    ("has_skill", DataType.BOOLEAN, "技能「{0}」", "skill “{0}”"),
    ("has_language", DataType.BOOLEAN, "语言「{0}」", "language “{0}”"),
    ("has_certificate", DataType.BOOLEAN, "证书「{0}」", "certificate “{0}”"),
    ("keyword", DataType.BOOLEAN, "关键词「{0}」", "keyword “{0}”"),
    ("worked_at", DataType.BOOLEAN, "曾任职「{0}」", "worked at “{0}”"),
    ("score", DataType.FLOAT, "面试得分（{0}）", "interview score ({0})"),
    ("mentions", DataType.FLOAT, "提及「{0}」次数", "mentions of “{0}”"),
)
FUNCTIONS: dict[str, tuple[Any, str, str]] = {
    name: (_fn(name, result, DataType.STRING), zh, en) for name, result, zh, en in _FUNCTION_TABLE
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


def find_name(text: str, name: str) -> int:
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


def children(node: Any) -> list[Any]:
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


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in children(node):
        yield from walk(child)


def is_symbol(node: Any, *names: str) -> bool:
    return isinstance(node, rast.SymbolExpression) and node.name in names


def rank_key(degree: str | None) -> str:
    # Single digits compare correctly as strings, and rule-engine only orders equal types.
    return str(degree_rank(degree))


def major_key(value: str) -> str:
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
        return rank_key(degree)

    def visit(self, node: Any) -> None:
        if isinstance(node, rast.FuzzyComparisonExpression):
            # Regular expressions over degree ranks would be meaningless: leave education
            # unregistered here so compile_rule reports it.
            pass
        elif isinstance(node, rast.ComparisonExpression):
            for mine, other in (("left", "right"), ("right", "left")):
                if is_symbol(getattr(node, mine), "education"):
                    if _string_literals(getattr(node, other)):
                        self.education_nodes.add(id(getattr(node, mine)))
                    setattr(node, other, self._map(getattr(node, other), self._degree))
                elif is_symbol(getattr(node, mine), "major"):
                    setattr(node, other, self._map(getattr(node, other), major_key))
        elif isinstance(node, rast.ContainsExpression):
            if is_symbol(node.member, "education"):
                if _string_literals(node.container):
                    self.education_nodes.add(id(node.member))
                node.container = self._map(node.container, self._degree)
            elif is_symbol(node.member, "major"):
                node.container = self._map(node.container, major_key)
            elif is_symbol(node.container, "majors"):
                node.member = self._map(node.member, major_key)
        for child in children(node):
            self.visit(child)


OPERATORS = {
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
SHOWN_OPERATORS = {
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
NEGATED_OPERATORS = {
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


def literal_text(node: Any) -> str | None:
    if isinstance(node, rast.StringExpression):
        return node.value
    if isinstance(node, rast.FloatExpression):
        return format_number(node.value)
    if isinstance(node, rast.BooleanExpression):
        return "true" if node.value else "false"
    return None


def format_number(value: Any) -> str:
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


def _setting_problems(rule: ScreeningRule) -> list[RuleProblem]:
    """Problems with the rule's kind and weight."""
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
    return problems


def _parse_problem(rule: ScreeningRule, exc: rerrors.EngineError) -> RuleProblem | None:
    """The problem rule-engine found while parsing the rule's text, or None for another error."""
    if isinstance(exc, rerrors.RuleSyntaxError):
        offset = exc.token.lexpos if exc.token is not None else len(rule.text)
        near = repr(exc.token.value) if exc.token is not None else "end of rule"
        near_zh = f"「{exc.token.value}」" if exc.token is not None else "规则结尾"
        return _problem(
            rule, "syntax", f"语法错误，位于{near_zh}附近", f"syntax error near {near}", offset
        )
    if isinstance(exc, rerrors.SymbolResolutionError):
        hint_en = f"; did you mean {exc.suggestion!r}?" if exc.suggestion else ""
        hint_zh = f"，是否要写「{exc.suggestion}」？" if exc.suggestion else ""
        return _problem(
            rule,
            "unknown_name",
            f"未知名称「{exc.symbol_name}」{hint_zh}",
            f"unknown name {exc.symbol_name!r}{hint_en}",
            find_name(rule.text, exc.symbol_name),
        )
    if isinstance(exc, rerrors.FunctionCallError):
        return _problem(
            rule,
            "bad_arguments",
            f"函数参数有误：{exc.message}",
            f"bad function arguments: {exc.message}",
            find_name(rule.text, exc.function_name) if exc.function_name else None,
        )
    if isinstance(exc, rerrors.SyntaxError):
        return _problem(
            rule, "syntax", f"语法错误：{exc.message}", f"syntax error: {exc.message}", None
        )
    if isinstance(exc, rerrors.EvaluationError):
        return _problem(
            rule,
            "type_mismatch",
            f"类型不匹配：{exc.message}（例如把数字与文字比较）",
            f"type mismatch: {exc.message} (e.g. a number compared with text)",
            None,
        )
    return None


def _usage_problems(
    rule: ScreeningRule, engine_rule: rule_engine.Rule
) -> tuple[list[RuleProblem], set[str]]:
    """Degrees the rule names that do not exist, ``education`` compared with something other
    than a degree; and the symbols the rule uses."""
    problems: list[RuleProblem] = []
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
    for node in walk(engine_rule.statement.expression):
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
                        find_name(rule.text, "education"),
                    )
                )
    return problems, symbols


def parse_expression(
    text: str, context: rule_engine.Context, rule_id: str = ""
) -> tuple[rule_engine.Rule, frozenset[str]]:
    """Parse ``text`` with rule-engine against ``context`` (its symbols and types) and return
    the rule with the symbols it uses, or raise :class:`RuleCompileError` with the position.

    Other rule languages of the product (the pipeline's rules) share this parser, its error
    messages and its refusal of unknown names instead of keeping a copy of them."""
    rule = ScreeningRule(text=text, id=rule_id)
    if not text.strip():
        raise RuleCompileError([_problem(rule, "empty", "规则为空", "the rule is empty", None)])
    try:
        engine_rule = rule_engine.Rule(text, context=context)
    except rerrors.EngineError as exc:
        problem = _parse_problem(rule, exc)
        if problem is None:
            raise
        raise RuleCompileError([problem]) from None
    symbols = frozenset(
        node.name
        for node in walk(engine_rule.statement.expression)
        if isinstance(node, rast.SymbolExpression)
    )
    return engine_rule, symbols


def problem_at(rule_id: str, text: str, code: str, zh: str, en: str, offset: int) -> RuleProblem:
    """A problem found by a caller's own checks, placed in ``text`` like the parser's."""
    return _problem(ScreeningRule(text=text, id=rule_id), code, zh, en, offset)


def compile_rule(rule: ScreeningRule | Mapping[str, Any] | str) -> CompiledRule:
    """Compile one rule or raise :class:`RuleCompileError`."""
    if isinstance(rule, str):
        rule = ScreeningRule(text=rule)
    elif not isinstance(rule, ScreeningRule):
        rule = ScreeningRule.from_dict(rule)
    problems = _setting_problems(rule)
    if not rule.text.strip():
        problems.append(_problem(rule, "empty", "规则为空", "the rule is empty", None))
        raise RuleCompileError(problems)
    try:
        engine_rule = rule_engine.Rule(rule.text, context=_CONTEXT)
    except rerrors.EngineError as exc:
        problem = _parse_problem(rule, exc)
        if problem is None:
            raise
        raise RuleCompileError([*problems, problem]) from None
    usage, symbols = _usage_problems(rule, engine_rule)
    problems += usage
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
