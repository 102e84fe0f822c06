"""A skills vocabulary: canonical names with Chinese and English aliases.

The vocabulary lives in ``data/skills.json`` (``name``, ``category``, ``zh`` display name,
lower-case ``aliases`` and ``case_sensitive`` aliases). ``normalise_skill("python3")`` gives
``"Python"``; ``find_skills(text)`` finds every vocabulary skill mentioned in free text.

Matching rules, chosen to keep false positives down: Latin aliases match whole tokens only
(``Java`` does not match inside ``JavaScript``; ``C++`` and ``C#`` are tokens of their own);
Chinese aliases match as substrings, since Chinese has no spaces; case-sensitive aliases
(``Go``) only match with that exact case, because "go" is an ordinary English word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Skill:
    """One canonical skill of the vocabulary."""

    name: str
    category: str
    zh: str
    aliases: tuple[str, ...]

    def label(self, lang: str) -> str:
        """The display name in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.name


@dataclass(frozen=True, slots=True)
class SkillVocabulary:
    """The vocabulary with its lookup tables and one compiled matcher."""

    skills: tuple[Skill, ...]
    by_alias: dict[str, str]
    by_name: dict[str, Skill]
    latin_pattern: re.Pattern[str] | None
    case_sensitive_pattern: re.Pattern[str] | None
    case_sensitive: dict[str, str]
    cjk_aliases: tuple[tuple[str, str], ...]


_CJK = re.compile(r"[\u4e00-\u9fff]")
# A Latin token boundary: letters, digits and the symbols that belong to names like C++ or C#.
_LEFT = r"(?<![A-Za-z0-9+#.])"
_RIGHT = r"(?![A-Za-z0-9+#])"


def _key(alias: str) -> str:
    return re.sub(r"\s+", " ", alias.strip().lower())


def _build(data: dict) -> SkillVocabulary:
    skills: list[Skill] = []
    by_alias: dict[str, str] = {}
    case_sensitive: dict[str, str] = {}
    for entry in data["skills"]:
        exact = set(entry.get("case_sensitive", []))
        aliases = {_key(a) for a in entry.get("aliases", [])}
        # A name that is only safe with its exact case (Go) or a single letter (C, R) must
        # not become a case-insensitive alias through the back door.
        aliases |= {
            _key(n) for n in (entry["name"], entry.get("zh") or "") if len(n) > 1 and n not in exact
        }
        aliases.discard("")
        skill = Skill(
            entry["name"],
            entry["category"],
            entry.get("zh") or entry["name"],
            tuple(sorted(aliases)),
        )
        skills.append(skill)
        for alias in aliases:
            by_alias.setdefault(alias, skill.name)
        for alias in entry.get("case_sensitive", []):
            case_sensitive[alias] = skill.name
    latin = sorted((a for a in by_alias if not _CJK.search(a)), key=len, reverse=True)
    cjk = sorted(((a, n) for a, n in by_alias.items() if _CJK.search(a)), key=lambda x: -len(x[0]))

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)

    latin_pattern = (
        re.compile(_LEFT + "(" + alternation(latin) + ")" + _RIGHT, re.IGNORECASE)
        if latin
        else None
    )
    cs_pattern = (
        re.compile(
            _LEFT + "(" + alternation(sorted(case_sensitive, key=len, reverse=True)) + ")" + _RIGHT
        )
        if case_sensitive
        else None
    )
    return SkillVocabulary(
        skills=tuple(skills),
        by_alias=by_alias,
        by_name={s.name: s for s in skills},
        latin_pattern=latin_pattern,
        case_sensitive_pattern=cs_pattern,
        case_sensitive=case_sensitive,
        cjk_aliases=tuple(cjk),
    )


@cache
def vocabulary() -> SkillVocabulary:
    """The shipped vocabulary (loaded once)."""
    raw = resources.files("hireflow.candidates").joinpath("data/skills.json").read_text("utf-8")
    return _build(json.loads(raw))


def load_vocabulary(data: dict) -> SkillVocabulary:
    """A vocabulary from a dict shaped like ``data/skills.json`` (for company-specific lists)."""
    return _build(data)


def normalise_skill(name: str, vocab: SkillVocabulary | None = None) -> str | None:
    """The canonical name of a skill alias, or None when the vocabulary does not know it."""
    vocab = vocab or vocabulary()
    key = _key(name)
    if not key:
        return None
    if name.strip() in vocab.case_sensitive:
        return vocab.case_sensitive[name.strip()]
    return vocab.by_alias.get(key)


def find_skills(text: str, vocab: SkillVocabulary | None = None) -> list[str]:
    """Canonical names of every vocabulary skill mentioned in ``text``, in order of first
    mention, without duplicates."""
    vocab = vocab or vocabulary()
    hits: list[tuple[int, str]] = []
    if vocab.latin_pattern is not None:
        for m in vocab.latin_pattern.finditer(text):
            hits.append((m.start(), vocab.by_alias[_key(m.group(1))]))
    if vocab.case_sensitive_pattern is not None:
        for m in vocab.case_sensitive_pattern.finditer(text):
            hits.append((m.start(), vocab.case_sensitive[m.group(1)]))
    lowered = text.lower()
    for alias, name in vocab.cjk_aliases:
        pos = lowered.find(alias)
        if pos >= 0:
            hits.append((pos, name))
    seen: set[str] = set()
    ordered: list[str] = []
    for _, name in sorted(hits):
        if name not in seen:
            seen.add(name)
            ordered.append(name)
    return ordered


def skill_label(name: str, lang: str) -> str:
    """Display name of a canonical skill in ``lang``; unknown names come back unchanged."""
    skill = vocabulary().by_name.get(name)
    return skill.label(lang) if skill else name
