"""The interviewers' scorecards in the interview's printable report (SPEC F6).

The interviews domain prints the engine's report and asks each domain's ``report_extras``
module (found by discovery: interviews may not import workflow, which builds on it) for
sections to add. This one adds the merged view of the AI's and the interviewers' ratings and
each current scorecard, as the caller may see them: a blind interviewer who has not rated yet
never reaches the report (403 ``scorecard_first``), and a caller without ``scorecards.read``
gets no section.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core.errors import N_, Forbidden, NotFound
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, can
from hireflow.workflow.scorecards import Merged, merged

RECOMMENDATION_LABELS = {
    "strong_no": N_("Strong no"),
    "no": N_("No hire"),
    "yes": N_("Hire"),
    "strong_yes": N_("Strong yes"),
}
_STYLE = (
    "<style>.hf-cards{font-family:sans-serif;margin:24px}.hf-cards table{border-collapse:"
    "collapse}.hf-cards td,.hf-cards th{border:1px solid #999;padding:4px 8px;text-align:left}"
    ".hf-cards .flag{font-weight:bold}@media print{.hf-cards{break-before:page}}</style>"
)


def print_section(
    session: Session, principal: Principal, opening_id: int, candidate_id: int, language: str
) -> str:
    """HTML for the end of the printed report ("" when there is nothing the caller may see)."""
    if not can(principal, "scorecards.read"):
        return ""
    application_id = session.scalar(
        select(Application.id).where(
            Application.opening_id == opening_id, Application.candidate_id == candidate_id
        )
    )
    if application_id is None:
        return ""
    try:
        found = merged(session, principal, application_id)
    except (Forbidden, NotFound):
        return ""
    if found.blind or not found.scorecards:
        return ""
    return _render(found, language)


def _render(found: Merged, language: str) -> str:
    _ = gettext_for(language)
    rounds = {stage.key: stage.label(language) for stage in found.rounds}
    title, competency, ai_level = _("Interviewer scorecards"), _("Competency"), _("AI level")
    interviewers, average, disagrees = (
        _("Interviewers"),
        _("Average"),
        _("more than a level from the AI"),
    )
    parts = [
        _STYLE,
        '<section class="hf-cards" id="scorecards">',
        f"<h2>{escape(title)}</h2>",
        "<table><thead><tr>",
        f"<th>{escape(competency)}</th><th>{escape(ai_level)}</th>",
        f"<th>{escape(interviewers)}</th><th>{escape(average)}</th>",
        "</tr></thead><tbody>",
    ]
    for item in found.competencies:
        ratings = ", ".join(
            f"{r.interviewer_name}: {r.level}" + (f" ({disagrees})" if r.disagrees else "")
            for r in item.ratings
        )
        ai = "—" if item.ai_level is None else f"{item.ai_level:g}"
        mean = "—" if item.human_mean is None else f"{item.human_mean:g}"
        flag = Markup(' class="flag"') if item.disagrees else ""
        parts.append(
            f"<tr{flag}><td>{escape(item.name)}</td><td>{ai}</td>"
            f"<td>{escape(ratings) or '—'}</td><td>{mean}</td></tr>"
        )
    parts.append("</tbody></table>")
    for card in found.scorecards:
        heading = _("%(round)s — %(interviewer)s: %(recommendation)s") % {
            "round": rounds.get(card.round_key) or _(card.round_key),
            "interviewer": found.names.get(card.interviewer_id, ""),
            "recommendation": _(RECOMMENDATION_LABELS.get(card.recommendation, "")),
        }
        parts.append(f"<h3>{escape(heading)}</h3>")
        if card.version > 1:
            amended = _("Amended (version %(version)s): %(reason)s") % {
                "version": card.version,
                "reason": card.amend_reason or "",
            }
            parts.append(f"<p>{escape(amended)}</p>")
        if card.notes:
            parts.append(f"<p>{escape(card.notes)}</p>")
    parts.append("</section>")
    return "".join(str(p) for p in parts)
