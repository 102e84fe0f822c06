"""How a timeline entry reads to a person: labels instead of codes, names instead of ids.

Entries store codes (``technical_depth``, ``ai_interview``, ``advance``), ids and exact
decimal strings ("4.3047") because that is what the hash chain and statistics need. The
record page and the candidate page show them through :class:`Presenter`: competency names
in the viewer's language (from the opening's own competency model, then the built-in ones),
scores to one decimal, percentages whole, decisions and sources as words, system actors by
what they do, and anything else as "label: value" lines, never as raw JSON.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hireflow.core.errors import N_
from hireflow.core.i18n import format_datetime
from hireflow.scoring.models import list_presets
from hireflow.scoring.presets import INDUSTRIES, industry_labels

# Who wrote an entry when no person did (``SystemActor`` names).
SYSTEM_ACTORS = {
    "demo": N_("demo data"),
    "interview-scoring": N_("AI interview scoring"),
    "candidate-link": N_("the candidate's interview link"),
    "retention": N_("retention rules"),
    "resume-import": N_("resume import"),
    "employee-outcomes": N_("employee outcomes"),
}
# Where an entry came from (``source``; ``candidates:<how>`` for the resume intake).
SOURCES = {
    "hireflow": N_("Hireflow"),
    "web": N_("web page"),
    "api": N_("API"),
    "demo": N_("demo data"),
    "ai_interview": N_("AI interview"),
    "workflow": N_("workflow"),
    "scorecard": N_("scorecard"),
    "scheduling": N_("interview scheduling"),
    "offer_approval": N_("offer approval"),
    "outcomes": N_("employee outcomes"),
    "candidates:upload": N_("resume upload"),
    "candidates:import": N_("resume import"),
    "candidates:api": N_("resume upload (API)"),
    "candidates:demo": N_("demo data"),
    "candidates:correction": N_("correction by HR"),
    "hr_adjustment": N_("score adjustment by HR"),
}
# Data and fact keys written by the product, as words.
KEYS = {
    "channel": N_("Channel"),
    "opening": N_("Opening"),
    "source": N_("Source"),
    "fields": N_("Fields"),
    "name": N_("Name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "location": N_("Location"),
    "highest_degree": N_("Highest degree"),
    "years_experience": N_("Years of experience"),
    "schools": N_("Schools"),
    "companies": N_("Companies"),
    "skills": N_("Skills"),
    "education": N_("Education"),
    "work": N_("Work experience"),
    "languages": N_("Languages"),
    "merged": N_("Merged with an existing candidate"),
    "matched_by": N_("Recognised by"),
    "corrected": N_("Corrected"),
    "conclusion": N_("Conclusion"),
    "reason": N_("Reason"),
    "text": N_("Text"),
    "summary": N_("Summary"),
    "rating": N_("Rating"),
    "round": N_("Round"),
    "source_system": N_("Imported from"),
    "source_key": N_("Key in the old system"),
}
VALUES = {
    "resume": N_("parsed from a resume"),
    "correction": N_("corrected by HR"),
    "email": N_("email"),
    "phone": N_("phone"),
    "name_birth_date": N_("name and birth date"),
    "name_school": N_("name and school"),
    "advance": N_("advance"),
    "hold": N_("hold"),
    "reject": N_("reject"),
}
# An interviewer's overall recommendation on a scorecard, and who approves an offer.
RECOMMENDATIONS = {
    "strong_no": N_("Strong no"),
    "no": N_("No hire"),
    "yes": N_("Hire"),
    "strong_yes": N_("Strong yes"),
}
APPROVER_ROLES = {"hiring_manager": N_("hiring manager"), "hr_head": N_("HR head")}
# What became of a hire (``outcome`` entries written by hireflow.offers.outcomes).
OUTCOME_VALUES = {
    "passed": N_("Passed"),
    "extended": N_("Extended"),
    "failed": N_("Failed"),
    "resigned": N_("Resigned"),
    "dismissed": N_("Dismissed"),
    "contract_ended": N_("Contract ended"),
    "other": N_("Other reason"),
}
# Keys that point at other objects (shown as the object's name, or as a link, elsewhere).
ID_KEYS = re.compile(r"(^|_)ids?$")
# Fact keys whose values are competency ids of the entry's opening (the scorecards' conclusion).
COMPETENCY_KEYS = frozenset({"disagreements"})
# A text's language for each viewer's, nearest first: a Japanese reader is likelier to read
# English than Chinese. Chinese and Japanese list items with the ideographic comma.
FALLBACKS = {"zh": ("zh", "en", "ja"), "en": ("en", "zh", "ja"), "ja": ("ja", "en", "zh")}
LIST_SEPARATORS = {"zh": "、", "en": ", ", "ja": "、"}
# A label and its value, and the parts of a summary: full-width in Chinese and Japanese.
COLONS = {"zh": "：", "en": ": ", "ja": "："}
CLAUSE_SEPARATORS = {"zh": "；", "en": "; ", "ja": "；"}
DEGREES = {
    "high_school": N_("High school"),
    "associate": N_("Associate degree"),
    "bachelor": N_("Bachelor's degree"),
    "master": N_("Master's degree"),
    "phd": N_("Doctorate"),
}


def number(value: Any) -> float | None:
    """A number stored as int, float or decimal text; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        parsed = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return float(parsed) if parsed.is_finite() else None


def text_language(language: str) -> str:
    """The key of stored texts ("zh", "en", "ja") for a UI language ("zh-CN", "ja-JP", "en")."""
    base = language.lower()[:2]
    return base if base in FALLBACKS else "en"


def pick_text(text: Any, lang: str) -> str:
    """A {"zh": ..., "en": ..., "ja": ...} text in ``lang`` (the nearest other language when
    missing); anything else as text."""
    if isinstance(text, Mapping):
        found = (text.get(key) for key in FALLBACKS.get(lang, FALLBACKS["en"]))
        return str(next((value for value in found if value), ""))
    return str(text or "")


def score_text(value: Any) -> str:
    """A 0-10 score as people read it: one decimal ("4.3", "8.0")."""
    parsed = number(value)
    return "–" if parsed is None else f"{parsed:.1f}"


def percent_text(value: Any) -> str:
    parsed = number(value)
    return "–" if parsed is None else f"{round(parsed)}%"


@dataclass
class Score:
    dimension: str
    name: str
    value: float | None
    text: str
    ai_text: str = ""  # the AI's score where HR's final score differs from it


@dataclass
class Shown:
    """An entry as a person reads it (everything already translated)."""

    headline: str = ""
    text: str = ""
    lines: list[tuple[str, str]] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    link: tuple[str, str] | None = None


class Presenter:
    """Turns one record's entries into words for one viewer."""

    def __init__(
        self,
        language: str,
        gettext: Callable[[str], str],
        models: Mapping[int, Mapping[str, Any] | None] | None = None,
        *,
        interviews: set[int] | frozenset[int] = frozenset(),
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self.language = language
        self.timezone = timezone  # the viewer's, for times kept in entries' data
        self._ = gettext
        self.lang = text_language(language)
        self.models = models or {}
        self.interviews = interviews  # interview reports the viewer may open

    # ------------------------------------------------------------------ words

    def dimension(self, dimension: str, opening_id: int | None = None) -> str:
        """A competency's name: the opening's own model first, then the built-in ones."""
        model = self.models.get(opening_id or 0) or {}
        for item in model.get("dimensions", []) or []:
            if isinstance(item, Mapping) and item.get("id") == dimension:
                name = item.get("name")
                if isinstance(name, Mapping):
                    text = self.pick(name)
                    if text:
                        return text
                elif name:
                    return str(name)

        builtin = _builtin_dimension_names().get(dimension)
        if builtin:
            return self.pick(builtin) or dimension
        translated = self._(dimension)
        return translated if translated != dimension else humanise(dimension)

    def pick(self, text: Any) -> str:
        """A {zh, en, ja} text in the viewer's language (the nearest other one if missing)."""
        return pick_text(text, self.lang)

    def prose(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """An interview result's summary, strengths, gaps and follow-up questions in the
        viewer's language where the report had it (``localised``), else as stored (the
        interview's language: entries written before reports were kept in every language)."""
        each = data.get("localised")
        each = each if isinstance(each, Mapping) else {}
        shown: dict[str, Any] = {"summary": self.pick(each.get("summary") or data.get("summary"))}
        for key in ("strengths", "gaps", "follow_ups"):
            stored = data.get(key)
            stored = list(stored) if isinstance(stored, list | tuple) else []
            texts = each.get(key)
            if isinstance(texts, list) and len(texts) == len(stored):
                stored = [text or old for text, old in zip(texts, stored, strict=True)]
            shown[key] = [self.pick(text) for text in stored]
        return shown

    def industry(self, key: str | None) -> str:
        """An industry key of a competency model or a resume as a word ("互联网", "Internet")."""
        if not key:
            return "—"

        name = (INDUSTRIES.get(key) or {}).get("name") or industry_labels().get(key)
        return self.pick(name) if name else humanise(key)

    def actor(self, label: str) -> str:
        if label == "subject":
            return self._("the person themselves")
        if label.startswith("system:"):
            name = label[7:]
            what = SYSTEM_ACTORS.get(name) or name  # other domains' actors: their catalogues
            translated = self._(what)
            return self._("system") + " · " + (translated if translated != name else humanise(name))
        # a person's name stays as it is; a role code ("candidate") becomes its word
        return self._(label) if re.fullmatch(r"[a-z_]+", label) else label

    def source(self, source: str) -> str:
        if source in SOURCES:
            return self._(SOURCES[source])
        if source.startswith(("import:", "migration:")):
            return self._("import from %(system)s") % {"system": source.split(":", 1)[1]}
        translated = self._(source)
        return translated if translated != source else humanise(source)

    def key(self, key: str) -> str:
        if key in KEYS:
            return self._(KEYS[key])
        translated = self._(key)
        return translated if translated != key else humanise(key)

    def value(self, value: Any, key: str = "") -> str:
        """Any stored value as text: lists joined, mappings as "label: value", no JSON."""
        if value is None or value == "" or value == [] or value == {}:
            return "—"
        if isinstance(value, bool):
            return self._("yes") if value else self._("no")
        if key == "highest_degree" and value in DEGREES:
            return self._(DEGREES[value])
        if isinstance(value, str):
            if value in VALUES:
                return self._(VALUES[value])
            if re.fullmatch(r"[a-z][a-z0-9_]*", value) and self._(value) != value:
                return self._(value)  # a code another domain's catalogue names
            parsed = number(value) if re.fullmatch(r"-?\d+\.\d{3,}", value) else None
            return f"{parsed:.2f}".rstrip("0").rstrip(".") if parsed is not None else value
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return f"{value:.2f}".rstrip("0").rstrip(".")
        separator = LIST_SEPARATORS[self.lang]
        if isinstance(value, Mapping):
            parts = [
                f"{self.key(str(k))}{COLONS[self.lang]}{self.value(v, str(k))}"
                for k, v in value.items()
                if not ID_KEYS.search(str(k)) and v not in (None, "", [], {})
            ]
            return CLAUSE_SEPARATORS[self.lang].join(parts) or "—"
        if isinstance(value, list | tuple):
            items = []
            for item in value:
                if isinstance(item, Mapping):
                    # an education or work entry: its values in order, the empty ones left out
                    items.append(
                        " · ".join(
                            self.value(v, str(k))
                            for k, v in item.items()
                            if v not in (None, "", False)
                            and not ID_KEYS.search(str(k))
                            and k not in ("description", "is_current", "is_internship")
                        )
                    )
                else:
                    items.append(self.value(item, key))
            return separator.join(i for i in items if i and i != "—") or "—"
        return str(value)

    def competencies(self, value: Any, opening_id: int | None) -> str:
        """Competency ids as their names in the opening's model (or the built-in ones)."""
        if not isinstance(value, list | tuple):
            return self.value(value)
        separator = LIST_SEPARATORS[self.lang]
        return separator.join(self.dimension(str(item), opening_id) for item in value) or "—"

    def percent(self, value: Any) -> str:
        return percent_text(value)

    def lines(
        self, mapping: Mapping[str, Any], skip: tuple[str, ...] = (), opening_id: int | None = None
    ) -> list[tuple[str, str]]:
        return [
            (
                self.key(k),
                self.competencies(v, opening_id) if k in COMPETENCY_KEYS else self.value(v, k),
            )
            for k, v in mapping.items()
            if k not in skip
            and k != "source_row"
            and not ID_KEYS.search(k)
            and v not in (None, "", [], {})
        ]

    # ------------------------------------------------------------------ entries

    def scores(self, scores: Mapping[str, Any], opening_id: int | None) -> list[Score]:
        return [
            Score(dim, self.dimension(dim, opening_id), number(value), score_text(value))
            for dim, value in (scores or {}).items()
        ]

    def imported(self, source: str) -> str:
        """The headline of a result imported from another system ("" for Hireflow's own)."""
        if not source.startswith("import:"):
            return ""
        return self._("Result imported from %(system)s (not a Hireflow interview)") % {
            "system": source.split(":", 1)[1]
        }

    def entry(self, entry: Any, data: Mapping[str, Any] | None) -> Shown:
        """The words for one entry (``RecordEntry``-like: type, facts, opening_id)."""
        data = data or {}
        facts = entry.facts if isinstance(entry.facts, Mapping) else {}
        shown = Shown()
        opening_id = entry.opening_id
        interview_id = facts.get("interview_id")
        if self.journey(entry, data, facts, shown):
            return shown
        if entry.type == "outcome":
            self.outcome(facts, data, shown)
            return shown
        if entry.type == "quarantine":
            self.quarantine(facts, shown)
            return shown
        if entry.type == "interview_result":
            shown.scores = self.scores(facts.get("scores") or {}, opening_id)
            shown.headline = self.imported(str(getattr(entry, "source", "")))
            ai_scores = facts.get("ai_scores")
            if isinstance(ai_scores, Mapping):
                for score in shown.scores:
                    ai = number(ai_scores.get(score.dimension))
                    if ai is not None and ai != score.value:
                        score.ai_text = score_text(ai)
                changed = [score for score in shown.scores if score.ai_text]
                if changed:
                    shown.headline = self._("Scores adjusted by HR: %(changes)s") % {
                        "changes": "; ".join(
                            f"{score.name} {score.ai_text} → {score.text}" for score in changed
                        )
                    }
        elif entry.type == "review" and "decision" in facts:
            shown.headline = self._("Decision after the AI interview: %(decision)s") % {
                "decision": self.value(facts.get("decision"))
            }
            shown.text = str(data.get("conclusion") or "")
            adjusted = facts.get("adjusted") or {}
            if isinstance(adjusted, Mapping) and adjusted:
                shown.scores = self.scores(adjusted, opening_id)
            if facts.get("job_match") is not None:
                shown.lines.append((self._("Job match"), percent_text(facts.get("job_match"))))
        elif entry.type == "review" and "hr_score" in facts:
            name = self.dimension(str(facts.get("dimension") or data.get("dimension")), opening_id)
            shown.headline = self._("Score adjusted: %(name)s %(ai)s → %(hr)s") % {
                "name": name,
                "ai": score_text(facts.get("ai_score")),
                "hr": score_text(facts.get("hr_score")),
            }
            shown.text = str(data.get("reason") or "")
        elif entry.type in ("review", "note"):
            shown.text = str(data.get("text") or "")
            shown.lines = self.lines(data, skip=("text",)) + self.lines(
                facts, opening_id=opening_id
            )
        elif entry.type == "application":
            shown.lines = self.lines(data, skip=("opening",)) + self.lines(facts)
        elif entry.type == "profile_change":
            fields = data.get("fields")
            if data.get("source"):
                shown.headline = self.value(data.get("source"))
            if isinstance(fields, Mapping):
                shown.lines = self.lines(fields)
            shown.lines += self.lines(data, skip=("source", "fields"))
            if facts.get("merged"):
                shown.lines.append(
                    (self.key("merged"), self.value(facts.get("matched_by") or True, "matched_by"))
                )
            if facts.get("corrected"):
                shown.lines.append(
                    (
                        self.key("corrected"),
                        self.value([self.key(str(k)) for k in facts.get("corrected") or []]),
                    )
                )
        elif entry.type not in ("status_change", "document", "consent", "legal_hold", "erasure"):
            shown.lines = self.lines(data) + self.lines(facts)
        if interview_id in self.interviews and entry.type in (
            "interview_result",
            "review",
        ):
            shown.link = (f"/interviews/{interview_id}", self._("Open the interview report"))
        return shown

    def journey(
        self, entry: Any, data: Mapping[str, Any], facts: Mapping[str, Any], shown: Shown
    ) -> bool:
        """A booked round, an interviewer's scorecard or an approver's decision on an offer
        (:mod:`hireflow.records.journey`) in words; False for any other entry."""
        source = getattr(entry, "source", "")
        if source == "scorecard" and entry.type == "review" and "scorecard_id" in facts:
            version = facts.get("version")
            words = {
                "round": self.value(facts.get("round")),
                "recommendation": self._(RECOMMENDATIONS.get(str(facts.get("recommendation")), "")),
                "version": version,
            }
            shown.headline = (
                self._("Scorecard amended (version %(version)s), %(round)s: %(recommendation)s")
                if isinstance(version, int) and version > 1
                else self._("Scorecard, %(round)s: %(recommendation)s")
            ) % words
            ratings = facts.get("ratings") or {}
            if isinstance(ratings, Mapping):
                shown.lines = [
                    (self.dimension(str(k), entry.opening_id), f"{v} / 5")
                    for k, v in ratings.items()
                ]
            shown.text = str(data.get("notes") or "")
            if data.get("amend_reason"):
                shown.lines.append((self._("Reason for the amendment"), str(data["amend_reason"])))
            return True
        if source == "scheduling" and "booking_id" in facts:
            start = clean_iso(data.get("start"))
            headlines = {
                "rescheduled": self._("Interview time moved: %(round)s, %(start)s"),
                "cancelled": self._("Booked interview cancelled: %(round)s, %(start)s"),
            }
            booked = self._("Interview booked: %(round)s, %(start)s")
            shown.headline = headlines.get(str(facts.get("booking")), booked) % {
                "round": str(data.get("round") or self._("Interview")),
                "start": format_datetime(start, self.timezone, self.language, "long")
                if start
                else "—",
            }
            shown.lines = [(self._("Panel size"), str(facts.get("panel_size", "—")))]
            return True
        if source == "offer_approval" and "approval" in facts:
            role = str(facts.get("approver_role"))
            shown.headline = (
                self._("Offer approved by the %(role)s")
                if facts.get("approval") == "approved"
                else self._("Offer refused by the %(role)s")
            ) % {"role": self._(APPROVER_ROLES.get(role, role))}
            shown.text = str(data.get("comment") or "")
            shown.lines = [(self._("Approval step"), str(facts.get("approval_step", "—")))]
            return True
        return False

    def outcome(self, facts: Mapping[str, Any], data: Mapping[str, Any], shown: Shown) -> None:
        """A performance rating, a probation result or the leaving date, in words."""
        kind = facts.get("outcome")

        def word(code: Any) -> str:
            return self._(OUTCOME_VALUES[code]) if code in OUTCOME_VALUES else self.value(code)

        if kind == "rating":
            shown.headline = self._("Performance rating for %(period)s: %(rating)s / 5") % {
                "period": str(facts.get("period") or "—"),
                "rating": self.value(number(facts.get("rating"))),
            }
            if facts.get("previous_rating") is not None:
                previous = self.value(number(facts.get("previous_rating")))
                shown.lines = [(self._("Previous rating"), f"{previous} / 5")]
            shown.text = str(data.get("comment") or "")
        elif kind == "probation":
            shown.headline = self._("Probation: %(result)s") % {"result": word(facts.get("result"))}
            if facts.get("previous_result"):
                shown.lines = [(self._("Previously"), word(facts.get("previous_result")))]
        elif kind == "leaving":
            day = str(facts.get("left_on") or "")
            shown.headline = self._("Left the company on %(day)s: %(reason)s") % {
                "day": day if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) else "—",
                "reason": word(facts.get("reason")),
            }
        elif kind == "leaving_cleared":
            shown.headline = self._("Leaving date cleared: still employed")
        else:
            shown.lines = self.lines(data) + self.lines(facts)

    def quarantine(self, facts: Mapping[str, Any], shown: Shown) -> None:
        """The chain's note on a deferred entry that could not be appended (``records.outbox``):
        quarantined, appended after all, or discarded; the reason is a code for IT."""
        words = {"row": str(facts.get("outbox_row") or "—"), "reason": str(facts.get("reason"))}
        action = facts.get("action")
        if action == "appended":
            text = self._("Quarantined entry appended after all (outbox row %(row)s)")
        elif action == "discarded":
            text = self._("Quarantined entry discarded (outbox row %(row)s, reason: %(reason)s)")
        else:
            text = self._(
                "A deferred entry could not be appended and is quarantined "
                "(outbox row %(row)s, reason: %(reason)s)"
            )
        shown.headline = text % words


def clean_iso(value: Any) -> datetime | None:
    """An aware datetime from ISO text kept in an entry, None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def humanise(code: str) -> str:
    """``learning_agility`` → "Learning agility" for codes no catalogue knows (a company's
    own dimension ids, columns of an imported file)."""
    words = re.sub(r"[_\-]+", " ", code).strip()
    return words[:1].upper() + words[1:] if words else code


@functools.cache
def _builtin_dimension_names() -> dict[str, dict[str, str]]:
    """Names of the built-in competencies in every language they have."""
    return {p["id"]: dict(p["name"]) for p in list_presets()}
