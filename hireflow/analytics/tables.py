"""Each chart's table, in the reader's language, and its CSV/XLSX export.

One table shape (title, headers, rows) serves the page, the CSV and the XLSX, so what a
person downloads is what they saw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from openpyxl import Workbook
from sqlalchemy.orm import Session

from hireflow.analytics import accuracy, bias_audit, figures, queries, validity
from hireflow.analytics.categories import LABELS, UNKNOWN
from hireflow.analytics.queries import SCORE_BINS, Filters
from hireflow.core.errors import N_
from hireflow.core.permissions import Principal

ChartKey = Literal[
    "funnel",
    "pass_rates",
    "stage_time",
    "end_to_end",
    "completion",
    "reach",
    "scores",
    "top",
    "interviewer_load",
    "deliveries",
]
CHARTS: tuple[str, ...] = get_args(ChartKey)  # in the order the page shows them


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


Translate = Callable[[str], str]
Rows = Callable[[Session, Principal, Filters, Translate], list[list[Any]]]


@dataclass(frozen=True)
class Chart:
    """A dashboard chart's table: title and headers (msgids, translated for the reader) and
    the rows of the figure."""

    title: str
    headers: tuple[str, ...]
    rows: Rows


def competency_names(session: Session, principal: Principal, filters: Filters) -> dict[str, str]:
    """The names of the competencies in scope, in the caller's language (zh or en)."""
    lang = "zh" if principal.language.lower().startswith("zh") else "en"
    return queries.competency_names(session, principal, filters, lang)


def _funnel(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    steps = queries.funnel(session, principal, filters)
    return [[s.stage.label(principal.language), s.reached, _percent(s.conversion)] for s in steps]


def _stage_time(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    rows = queries.time_in_stage(session, principal, filters)
    return [[r.stage.label(principal.language), r.moves, r.mean_days] for r in rows]


def _scores(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    names = competency_names(session, principal, filters)
    rows = queries.score_distributions(session, principal, filters)
    return [[names.get(r.competency, r.competency), r.n, r.mean, *r.counts] for r in rows]


def _pass_rates(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    rows = figures.pass_rates(session, principal, filters)
    return [
        [r.stage.label(principal.language), r.moved_on, r.rejected, r.withdrew, _percent(r.rate)]
        for r in rows
    ]


MEASURES = {
    "invitation_report": N_("AI interview invitation sent → report"),
    "application_offer": N_("Application received → offer sent"),
}


def _end_to_end(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    rows = figures.end_to_end(session, principal, filters)
    return [
        [_(MEASURES[r.measure]), r.n, *map(_blank, (r.median_hours, r.mean_hours, r.p90_hours))]
        for r in rows
        if r.n
    ]


GROUPS = {
    "mode": N_("Answer mode"),
    "device": N_("Device"),
    "source": N_("Application source"),
    "channel": N_("Invitation channel"),
}
VALUES = {
    "mode": {
        "text": N_("Text answers"),
        "voice": N_("Voice answers"),
        "video": N_("Video answers"),
        "none": N_("No answer yet"),
    },
    "device": {
        "desktop": N_("Computer"),
        "phone": N_("Mobile phone"),
        "tablet": N_("Tablet"),
        "unknown": N_("Device not checked"),
    },
}


def _group(group: str, value: str, _: Translate) -> list[str]:
    """A row's group and value labels: the figure's own labels, else the key through the
    merged catalogue (sources and channels are msgids of their domains)."""
    return [_(GROUPS[group]), _(VALUES.get(group, {}).get(value, value))]


def _completion(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    return [
        [
            *_group(r.group, r.value, _),
            r.invited,
            r.started,
            r.completed,
            _percent(r.completion),
            _percent(r.drop_off),
        ]
        for r in figures.completion(session, principal, filters)
    ]


def _reach(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    return [
        [
            *_group(r.group, r.value, _),
            r.count,
            r.invited,
            r.opened,
            r.completed,
            _percent(figures.rate(r.opened, r.invited)),
            _percent(figures.rate(r.completed, r.invited)),
        ]
        for r in figures.source_and_channel(session, principal, filters)
    ]


def _top(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    names = competency_names(session, principal, filters)
    rows = figures.top_per_competency(session, principal, filters)
    return [
        [names.get(r.competency, r.competency), r.rank, r.candidate, r.opening, r.score]
        for r in rows
    ]


def _load(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    rows = figures.interviewer_load(session, principal, filters)
    return [[r.interviewer, r.scorecards, r.live_rounds] for r in rows]


def _deliveries(session: Session, principal: Principal, filters: Filters, _: Translate) -> list:
    # the notifications catalogue names every channel and message kind
    return [
        [_(r.channel), _(r.kind), r.messages, r.sent, r.failed, r.pending, _percent(r.failure_rate)]
        for r in figures.delivery_failures(session, principal, filters)
    ]


BINS = tuple(f"{i}–{i + 1}" for i in range(SCORE_BINS))
COMPLETION = (N_("Invited"), N_("Started"), N_("Completed"))
SPECS: dict[str, Chart] = {
    "funnel": Chart(
        N_("Funnel by stage"),
        (N_("Stage"), N_("Applications"), N_("Conversion from the previous stage")),
        _funnel,
    ),
    "pass_rates": Chart(
        N_("Pass rate per stage"),
        (N_("Stage"), N_("Moved on"), N_("Rejected"), N_("Withdrew"), N_("Pass rate")),
        _pass_rates,
    ),
    "stage_time": Chart(
        N_("Time in stage"),
        (N_("Stage"), N_("Moves out of the stage"), N_("Mean days in the stage")),
        _stage_time,
    ),
    "end_to_end": Chart(
        N_("End-to-end time (hours)"),
        (
            N_("From → to"),
            N_("Count"),
            N_("Median hours"),
            N_("Mean hours"),
            N_("90th percentile hours"),
        ),
        _end_to_end,
    ),
    "completion": Chart(
        N_("AI interview completion and drop-off by answer mode and device"),
        (N_("Group"), N_("Value"), *COMPLETION, N_("Completion rate"), N_("Drop-off rate")),
        _completion,
    ),
    "reach": Chart(
        N_("Source and invitation channel: opened and completed"),
        (
            N_("Group"),
            N_("Value"),
            N_("Applications or invitations"),
            N_("Invited"),
            N_("Opened"),
            N_("Completed"),
            N_("Opened of invited"),
            N_("Completed of invited"),
        ),
        _reach,
    ),
    "scores": Chart(
        N_("Score distribution per competency (0–10, scores in effect)"),
        (N_("Competency"), N_("Scores"), N_("Mean"), *BINS),
        _scores,
    ),
    "top": Chart(
        N_("Top 10 per competency (scores in effect)"),
        (N_("Competency"), N_("Rank"), N_("Candidate"), N_("Opening"), N_("Score")),
        _top,
    ),
    "interviewer_load": Chart(
        N_("Interviewer load"), (N_("Interviewer"), N_("Scorecards"), N_("Live rounds")), _load
    ),
    "deliveries": Chart(
        N_("Message delivery failures"),
        (
            N_("Channel"),
            N_("Message kind"),
            N_("Messages"),
            N_("Sent"),
            N_("Failed to send"),
            N_("Pending"),
            N_("Failure rate"),
        ),
        _deliveries,
    ),
}


def translated(key: str, title: str, headers: Iterable[str], rows: list, _: Translate) -> Table:
    """A table whose title and headers are msgids, in the reader's language."""
    return Table(key, _(title), [_(h) for h in headers], rows)


def table(
    key: str, session: Session, principal: Principal, filters: Filters, _: Translate
) -> Table:
    chart = SPECS[key]
    return translated(
        key, chart.title, chart.headers, chart.rows(session, principal, filters, _), _
    )


def as_csv(found: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(found.headers)
    writer.writerows(found.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese right


def as_xlsx(*found: Table) -> bytes:
    """One sheet per table, named by its key (31 characters at most), headers first."""
    book = Workbook()
    book.remove(book.active)
    for one in found:
        sheet = book.create_sheet(one.key[:31])
        sheet.append(one.headers)
        for row in one.rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


OUTCOME_LABELS = {
    "ai_recommended": N_("Recommended by the AI (job match at or above the opening's bar)"),
    "above_median": N_("Scored above the median job match"),
    "advanced": N_("Advanced past the AI interview"),
    "interview_round": N_("Reached an interview round"),
    "hired": N_("Hired"),
}
CATEGORY_LABELS = {
    "sex": N_("Sex"),
    "race": N_("Race/ethnicity"),
    "age_band": N_("Age band"),
    "sex_race": N_("Sex × race/ethnicity"),
}


def group_label(group: str, _: Callable[[str], str]) -> str:
    return " · ".join(_(LABELS[part]) for part in group.split("+"))


def bias_audit_table(found: bias_audit.Audit, _: Callable[[str], str]) -> Table:
    """One row per category, group and outcome (long form: what an auditor loads)."""
    rows: list[list[Any]] = []
    for g in found.groups:
        for outcome in found.outcomes:
            cell = g.cells[outcome]
            notes = []
            if g.group == UNKNOWN:
                notes.append(_("not in ratios"))
            if g.suppressed or (cell.selected is None and g.assessed is not None):
                notes.append(_("fewer than %(n)s: hidden") % {"n": bias_audit.SUPPRESS_BELOW})
            if g.small_sample:
                notes.append(_("small sample"))
            if g.excluded:
                notes.append(_("under 2 percent of the data: no ratio"))
            if cell.below_four_fifths:
                notes.append(_("below four-fifths"))
            rows.append(
                [
                    _(CATEGORY_LABELS[g.category]),
                    group_label(g.group, _),
                    _(OUTCOME_LABELS[outcome]),
                    "" if g.assessed is None else g.assessed,
                    "" if cell.selected is None else cell.selected,
                    _percent(cell.rate),
                    "" if cell.impact_ratio is None else f"{cell.impact_ratio:.2f}",
                    "; ".join(notes),
                ]
            )
    return Table(
        "bias_audit",
        _("Bias audit: selection rates and impact ratios"),
        [
            _("Category"),
            _("Group"),
            _("Outcome"),
            _("Assessed"),
            _("Selected"),
            _("Selection rate"),
            _("Impact ratio"),
            _("Notes"),
        ],
        rows,
    )


ACCURACY = ("ai_agreement", "ai_recommendation", "ai_overrides", "ai_drift")


def _blank(value: Any) -> Any:
    return "" if value is None else value


def accuracy_tables(
    session: Session, principal: Principal, filters: Filters, _: Callable[[str], str]
) -> tuple[accuracy.Review, list[Table]]:
    """The AI accuracy review and its four tables (agreement, recommendation vs hire, HR's
    overrides, drift by month)."""
    found = accuracy.review(session, principal, filters)
    names = competency_names(session, principal, filters)
    rec = found.recommendation
    share = rec.agreement
    recommendation = [
        [_("Recommended by the AI"), rec.recommended_hired, rec.recommended_not_hired],
        [_("Not recommended by the AI"), rec.not_recommended_hired, rec.not_recommended_not_hired],
    ]
    interval = _("agreement %(share)s (95%% interval %(low)s–%(high)s)") % {
        "share": _blank(share.value),
        "low": _blank(share.low),
        "high": _blank(share.high),
    }
    return found, [
        _agreement_table(found, names, _),
        Table(
            "ai_recommendation",
            _("AI recommendation vs final decision") + f" ({interval})",
            [_("AI recommendation"), _("Hired"), _("Rejected or withdrew")],
            recommendation if rec.agreement.value is not None else [],
        ),
        Table(
            "ai_overrides",
            _("HR overrides of the AI's scores per competency"),
            [_("Competency"), _("Raised"), _("Lowered"), _("Mean change (0–10)")],
            [
                [names.get(o.competency, o.competency), o.raised, o.lowered, o.mean_change]
                for o in found.overrides
            ],
        ),
        Table(
            "ai_drift",
            _("Drift by month"),
            [
                _("Month"),
                _("Pairs"),
                _("QWK"),
                _("Mean difference (AI − interviewer)"),
                _("HR overrides"),
            ],
            [
                [m.month, m.pairs, _blank(m.qwk), _blank(m.mean_difference), m.overrides]
                for m in found.drift
            ],
        ),
    ]


def _agreement_table(
    found: accuracy.Review, names: dict[str, str], _: Callable[[str], str]
) -> Table:
    rows = [
        [
            names.get(a.competency, a.competency),
            a.pairs,
            _blank(a.qwk.value),
            _blank(a.qwk.low),
            _blank(a.qwk.high),
            a.mean_difference.value,
            _blank(a.mean_difference.low),
            _blank(a.mean_difference.high),
            _("low agreement") if a.flagged else "",
        ]
        for a in found.agreement
    ]
    return Table(
        "ai_agreement",
        _("AI vs interviewers per competency (levels 1–5)"),
        [
            _("Competency"),
            _("Pairs"),
            _("QWK"),
            _("QWK 95% low"),
            _("QWK 95% high"),
            _("Mean difference (AI − interviewer)"),
            _("Difference 95% low"),
            _("Difference 95% high"),
            _("Flag"),
        ],
        rows,
    )


# --------------------------------------------------------------------------- predictive validity

VALIDITY = ("validity", "validity_weights")
VALIDITY_OUTCOMES = {
    "rating": N_("Performance rating (mean, 1–5)"),
    "probation": N_("Probation (failed 0, extended 1, passed 2)"),
    "retained_3": N_("Still employed after 3 months"),
    "retained_6": N_("Still employed after 6 months"),
    "retained_12": N_("Still employed after 12 months"),
}


def validity_tables(
    found: validity.Analysis, names: dict[str, str], _: Callable[[str], str]
) -> list[Table]:
    """The correlations per dimension and outcome, and (one opening) the proposed weights."""
    rows = [
        [
            names.get(r.dimension, r.dimension),
            _(VALIDITY_OUTCOMES[r.outcome]),
            r.pearson.n,
            _blank(r.pearson.r),
            _blank(r.pearson.low),
            _blank(r.pearson.high),
            _blank(r.spearman.r),
            _blank(r.spearman.low),
            _blank(r.spearman.high),
            _blank(r.range_ratio),
            _blank(r.corrected),
            _validity_note(r, _),
        ]
        for r in found.rows
    ]
    tables = [
        Table(
            "validity",
            _("Interview scores vs outcomes of the people hired"),
            [
                _("Competency"),
                _("Outcome"),
                "n",
                _("Pearson r"),
                _("r 95% low"),
                _("r 95% high"),
                _("Spearman ρ"),
                _("ρ 95% low"),
                _("ρ 95% high"),
                _("SD ratio hired ÷ assessed"),
                _("r corrected for range restriction"),
                _("Note"),
            ],
            rows,
        )
    ]
    p = found.proposal
    if p is not None:
        weights = [
            [
                names.get(k, k),
                round(100 * p.current[k], 1),
                "" if p.data_weights is None else round(100 * p.data_weights[k], 1),
                round(100 * p.proposed[k], 1),
            ]
            for k in p.current
        ]
        tables.append(
            Table(
                "validity_weights",
                _("Competency weights: current and proposed (%)"),
                [_("Competency"), _("Current"), _("Fitted to the outcome"), _("Proposed")],
                weights if p.n >= 2 else [],
            )
        )
    return tables


def _validity_note(row: validity.Row, _: Callable[[str], str]) -> str:
    notes = []
    if row.pearson.r is None:
        notes.append(_("undefined: too few people or no variation"))
    if row.pearson.small:
        notes.append(_("n below %(n)s: do not act on it") % {"n": validity.stats.MIN_N})
    return "; ".join(notes)
