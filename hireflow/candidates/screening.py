"""Screening a candidate with an opening's compiled rules (SPEC C2): the facts a rule sees (the
profile, and interview scores and report texts from the HR record), knock-out and ranking
outcomes, and for every rule an explanation of each comparison with the values it saw, e.g.
``education: master ≥ bachelor ✓; years_in_industry(manufacturing) = 2 < 3 ✗``.

The rule language and its compiler are in :mod:`hireflow.candidates.screening_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rule_engine.ast as rast
from rule_engine import errors as rerrors

from hireflow.candidates.matching import dimension_label
from hireflow.candidates.models import ScreeningStatus
from hireflow.candidates.resume_model import (
    DEGREE_LABELS,
    DEGREES,
    ResumeProfile,
)
from hireflow.candidates.screening_rules import (
    FUNCTIONS,
    KNOCKOUT,
    NEGATED_OPERATORS,
    OPERATORS,
    RANKING,
    SHOWN_OPERATORS,
    SYMBOLS,
    CompiledRule,
    ScreeningRule,
    children,
    compile_rules,
    format_number,
    is_symbol,
    literal_text,
    major_key,
    rank_key,
)
from hireflow.candidates.skills import normalise_skill, skill_label
from hireflow.scoring.presets import industry_labels

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
            "education": rank_key(highest),
            "major": major_key(major or ""),
            "majors": [major_key(m) for m in profile.majors],
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

    status: ScreeningStatus
    score: float | None
    outcomes: tuple[RuleOutcome, ...]

    @property
    def passed(self) -> bool:
        return self.status == ScreeningStatus.PASSED

    def explanation(self, lang: str = "en") -> str:
        mark = {True: "✓", False: "✗", None: "?"}
        return "\n".join(
            f"{mark[o.passed]} {o.explanation['zh' if lang == 'zh' else 'en']}"
            for o in self.outcomes
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
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
        literal = literal_text(node)
        return literal if literal is not None else type(node).__name__

    def literal(self, node: Any, lang: str) -> str:
        text = literal_text(node)
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
        if is_symbol(node, "major") and isinstance(value, str):
            return self.facts.display["major"] or ("无" if zh else "none")
        if isinstance(value, bool):
            return ("是" if value else "否") if zh else ("yes" if value else "no")
        if isinstance(value, (tuple, list)):
            return "[" + ", ".join(self.value(node, v, lang, False) for v in value) + "]"
        if isinstance(value, str):
            return value if value else ("空" if zh else "empty")
        return format_number(value)

    @staticmethod
    def _line(label: str, lang: str, body: str, passed: bool, is_call: bool) -> str:
        sep = " = " if is_call else ("：" if lang == "zh" else ": ")
        return f"{label}{sep}{body} {'✓' if passed else '✗'}"

    def _binary(
        self,
        thing: Any,
        sides: tuple[Any, Any],
        shown: str,
        subject: Any,
        *,
        passed: bool,
        degree: bool,
        is_call: bool,
    ) -> Check:
        """A check of two sides with ``shown`` between them (``a ≥ b``, ``a ∈ b``), in each
        language, labelled by ``subject``."""
        values = [side.evaluate(thing) for side in sides]
        texts = {}
        for lang in ("zh", "en"):
            left, right = (
                self.value(s, v, lang, degree) for s, v in zip(sides, values, strict=True)
            )
            body = f"{left} {shown} {right}"
            texts[lang] = self._line(self.name(subject, lang), lang, body, passed, is_call)
        return Check(texts, passed)

    def _comparison(self, node: Any, thing: Any) -> Check:
        op = OPERATORS.get(node.type, node.type)
        passed = bool(node.evaluate(thing))
        shown = SHOWN_OPERATORS.get(op if passed else NEGATED_OPERATORS.get(op, op), op)
        degree = is_symbol(node.left, "education") or is_symbol(node.right, "education")
        subject = node.left if literal_text(node.left) is None else node.right
        is_call = isinstance(subject, rast.FunctionCallExpression)
        return self._binary(
            thing,
            (node.left, node.right),
            shown,
            subject,
            passed=passed,
            degree=degree,
            is_call=is_call,
        )

    def _contains(self, node: Any, thing: Any) -> Check:
        passed = bool(node.evaluate(thing))
        degree = is_symbol(node.member, "education")
        subject = node.member if isinstance(node.member, rast.SymbolExpression) else node.container
        return self._binary(
            thing,
            (node.member, node.container),
            "∈" if passed else "∉",
            subject,
            passed=passed,
            degree=degree,
            is_call=False,
        )

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
            for child in children(node):
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
        status = ScreeningStatus.REJECTED
    elif any(o.passed is None for o in knockouts):
        status = ScreeningStatus.PENDING
    else:
        status = ScreeningStatus.PASSED
    ranking = [o for o in outcomes if o.kind == RANKING and o.passed is not None]
    total = sum(o.weight for o in ranking)
    score = round(100 * sum(o.weight for o in ranking if o.passed) / total, 1) if total else None
    return ScreeningResult(status, score, tuple(outcomes))
