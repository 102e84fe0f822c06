"""Words for the codes the self-service pages show (msgids, translated in the templates)."""

from __future__ import annotations

from hireflow.core.errors import N_

ENROLMENT_LABELS = {
    "enrolled": N_("Enrolled"),
    "waitlisted": N_("On the waiting list"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
}
MODE_LABELS = {"online": N_("Online"), "in_person": N_("In person")}
REQUEST_LABELS = {
    "explanation": N_("An explanation of my report"),
    "human_review": N_("A review of the AI result by a person"),
    "correction": N_("A correction of my personal data"),
    "erasure": N_("Erasure of my personal data"),
}
REQUEST_STATUS_LABELS = {
    "open": N_("Waiting for an answer"),
    "answered": N_("Answered"),
    "declined": N_("Declined"),
}
INTERVIEW_STATE_LABELS = {
    "invited": N_("Waiting to be taken"),
    "verified": N_("Waiting to be taken"),
    "in_progress": N_("In progress"),
    "submitted": N_("Submitted, being scored"),
    "scored": N_("Scored"),
    "reviewed": N_("Scored"),
    "expired": N_("Expired"),
    "abandoned": N_("Not taken"),
}
POLICY_LABELS = {
    "show_scores": N_("Show the scores and the job match"),
    "show_radar": N_("Show the radar chart against the job's required levels"),
    "show_evidence": N_("Show the behaviour examples quoted from the answers"),
    "show_suggestions": N_("Show strengths and development suggestions"),
    "candidates_see_report": N_("Candidates who are not employees see their report too"),
    "after_review_only": N_("Show a hiring interview's report only after HR reviewed it"),
}
WORDS = {
    "enrolment_labels": ENROLMENT_LABELS,
    "mode_labels": MODE_LABELS,
    "request_labels": REQUEST_LABELS,
    "request_status_labels": REQUEST_STATUS_LABELS,
    "interview_state_labels": INTERVIEW_STATE_LABELS,
    "policy_labels": POLICY_LABELS,
}
