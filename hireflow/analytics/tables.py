"""Each chart's table, in the reader's language, and its CSV/XLSX export.

One table shape (title, headers, rows) serves the page, the CSV and the XLSX, so what a
person downloads is what they saw.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from hireflow.analytics import queries
from hireflow.analytics.queries import SCORE_BINS, Filters
from hireflow.core.permissions import Principal

CHARTS = ("funnel", "stage_time", "scores")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def funnel_table(
    session: Session, principal: Principal, filters: Filters, _: Callable[[str], str]
) -> Table:
    steps = queries.funnel(session, principal, filters)
    return Table(
        "funnel",
        _("Funnel by stage"),
        [_("Stage"), _("Applications"), _("Conversion from the previous stage")],
        [[s.stage.label(principal.language), s.reached, _percent(s.conversion)] for s in steps],
    )


def stage_time_table(
    session: Session, principal: Principal, filters: Filters, _: Callable[[str], str]
) -> Table:
    rows = queries.time_in_stage(session, principal, filters)
    return Table(
        "stage_time",
        _("Time in stage"),
        [_("Stage"), _("Moves out of the stage"), _("Mean days in the stage")],
        [[r.stage.label(principal.language), r.moves, r.mean_days] for r in rows],
    )


def scores_table(
    session: Session, principal: Principal, filters: Filters, _: Callable[[str], str]
) -> Table:
    lang = "zh" if principal.language.lower().startswith("zh") else "en"
    names = queries.competency_names(session, principal, filters, lang)
    rows = queries.score_distributions(session, principal, filters)
    bins = [f"{i}–{i + 1}" for i in range(SCORE_BINS)]
    return Table(
        "scores",
        _("Score distribution per competency (0–10, scores in effect)"),
        [_("Competency"), _("Scores"), _("Mean"), *bins],
        [[names.get(r.competency, r.competency), r.n, r.mean, *r.counts] for r in rows],
    )


BUILDERS = {"funnel": funnel_table, "stage_time": stage_time_table, "scores": scores_table}


def table(
    key: str, session: Session, principal: Principal, filters: Filters, _: Callable[[str], str]
) -> Table:
    return BUILDERS[key](session, principal, filters, _)


def as_csv(found: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(found.headers)
    writer.writerows(found.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese right


def as_xlsx(found: Table) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = found.key
    sheet.append(found.headers)
    for row in found.rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
