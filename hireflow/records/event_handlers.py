"""The steps of the hiring journey other domains announce, kept on the person's record
(:mod:`hireflow.records.journey`)."""

from __future__ import annotations

from hireflow.records.journey import on_booked, on_offer_decided, on_scorecard

HANDLERS = {
    "interview.booked": on_booked,
    "scorecard.submitted": on_scorecard,
    "offer.decided": on_offer_decided,
}
