"""The audit log in words: what each action code means, what each target type is, and the
details of an entry as a short line instead of raw JSON (in the viewer's language).

Codes stay in the table (and in the filter's values) as they are stored; these are only how
the page reads them. A code without a label here is shown as it is, so a new action is never
hidden; tests/org/test_audit_words.py lists every code the product writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hireflow.core.errors import N_

# What each action code means, as a past-tense phrase.
ACTION_LABELS: dict[str, str] = {
    "analytics.audit_settings": N_("Changed the bias audit settings"),
    "analytics.monthly_subscription": N_("Changed the monthly analytics e-mail"),
    "analytics.self_identified": N_("Recorded a self-identification"),
    "apikey.created": N_("Created an API key"),
    "apikey.revoked": N_("Revoked an API key"),
    "application.created": N_("Created an application"),
    "application.locale_changed": N_("Changed an application's language"),
    "applications.listed": N_("Viewed a list of applications"),
    "attachment.added": N_("Added an attachment"),
    "attachment.code_failed": N_("Entered a wrong download code"),
    "attachment.code_requested": N_("Asked for a download code"),
    "attachment.residency_refused": N_("Download refused (data residency)"),
    "attachment.viewed": N_("Viewed an attachment"),
    "auth.login": N_("Signed in"),
    "auth.login_failed": N_("Sign-in failed"),
    "auth.logout": N_("Signed out"),
    "auth.password_changed": N_("Changed their password"),
    "availability.busy_added": N_("Added a busy time"),
    "availability.busy_removed": N_("Removed a busy time"),
    "availability.calendar_imported": N_("Imported a calendar"),
    "availability.saved": N_("Saved availability"),
    "booking.booked": N_("Booked an interview time"),
    "booking.rescheduled": N_("Changed an interview time"),
    "booking.cancelled": N_("Cancelled an interview time"),
    "candidate.created": N_("Added a candidate"),
    "candidate.internal_set": N_("Marked a candidate internal or external"),
    "candidate.merge_accepted": N_("Accepted a duplicate merge"),
    "candidate.merge_proposed": N_("Proposed a duplicate merge"),
    "candidate.merge_rejected": N_("Rejected a duplicate merge"),
    "candidate.merge_undone": N_("Undid a merge"),
    "candidate.merged": N_("Merged candidates"),
    "candidate.performance_viewed": N_("Viewed performance data"),
    "candidate.portrait_viewed": N_("Viewed a candidate portrait"),
    "candidate.profile_corrected": N_("Corrected a candidate profile"),
    "candidate.rating_recorded": N_("Recorded a performance rating"),
    "candidates.listed": N_("Viewed a list of candidates"),
    "candidates.matched": N_("Matched candidates to an opening"),
    "data.exported": N_("Exported data"),
    "data.mapping_saved": N_("Saved an import mapping"),
    "department.created": N_("Created a department"),
    "development.listed": N_("Viewed a list of development plans"),
    "development.reassessment_scheduled": N_("Scheduled a reassessment"),
    "employee.created": N_("Added an employee"),
    "employee.outcomes_viewed": N_("Viewed an employee's outcomes"),
    "employee.updated": N_("Updated an employee"),
    "hiring_request.submitted": N_("Submitted a hiring request"),
    "hiring_request.resubmitted": N_("Resubmitted a hiring request"),
    "hiring_request.returned": N_("Returned a hiring request"),
    "hiring_request.approved": N_("Approved a hiring request"),
    "integrations.settings_changed": N_("Changed the integration settings"),
    "interview.created": N_("Created an interview"),
    "interview.verify": N_("Candidate verified their identity"),
    "interview.start": N_("Interview started"),
    "interview.submit": N_("Interview submitted"),
    "interview.score": N_("Interview scored"),
    "interview.review": N_("Interview reviewed"),
    "interview.human_review_requested": N_("Candidate asked for a human review"),
    "interview.question_answered": N_("Answered a candidate's question"),
    "interview.question_pushed": N_("Pushed a question to a live interview"),
    "interview.recording_viewed": N_("Viewed a recording"),
    "interview.score_adjusted": N_("Adjusted a score"),
    "interview.scoring_retried": N_("Retried scoring"),
    "interview.viewed": N_("Viewed an interview"),
    "interview_calibration.fitted": N_("Fitted the company calibration"),
    "interview_faq.deleted": N_("Deleted an interview FAQ"),
    "interviews.listed": N_("Viewed a list of interviews"),
    "interviews.live_listed": N_("Viewed the live interviews"),
    "invitation.availability_stated": N_("Candidate gave their availability"),
    "invitation.completed": N_("Invitation completed"),
    "invitation.device_checked": N_("Candidate checked their device"),
    "invitation.identity_code_sent": N_("Sent an identity code"),
    "invitation.identity_failed": N_("Identity check failed"),
    "invitation.identity_locked": N_("Identity check locked"),
    "invitation.identity_verified": N_("Identity verified"),
    "invitation.language_chosen": N_("Candidate chose a language"),
    "invitation.opened": N_("Candidate opened the invitation"),
    "invitation.resent": N_("Resent an invitation"),
    "invitation.viewed": N_("Viewed an invitation"),
    "invitations.created": N_("Sent invitations"),
    "invitations.listed": N_("Viewed a list of invitations"),
    "invitations.printed": N_("Printed invitations"),
    "live.audio_refused": N_("Live audio refused"),
    "live.consent_given": N_("Candidate gave consent"),
    "live.joined": N_("Joined a live interview"),
    "live.notes_saved": N_("Saved live interview notes"),
    "live.question_marked": N_("Marked a question"),
    "live.room_ended": N_("Ended a live interview"),
    "live.room_opened": N_("Opened a live interview"),
    "live.settings_changed": N_("Changed the live interview settings"),
    "notifications.channel_saved": N_("Saved a notification channel"),
    "notifications.resent": N_("Resent a notification"),
    "notifications.template_reset": N_("Reset a message template"),
    "notifications.template_saved": N_("Saved a message template"),
    "notifications.test_sent": N_("Sent a test message"),
    "offer.accepted": N_("Candidate accepted the offer"),
    "offer.declined": N_("Candidate declined the offer"),
    "offer.changed": N_("Changed an offer"),
    "offer.created": N_("Created an offer"),
    "offer.document_uploaded": N_("Uploaded an offer document"),
    "offer.expired": N_("Offer expired"),
    "offer.hire_move_refused": N_("Hiring move refused"),
    "offer.sent": N_("Sent an offer"),
    "offer.submitted": N_("Submitted an offer for approval"),
    "offer.withdrawn": N_("Withdrew an offer"),
    "offer_settings.saved": N_("Saved the offer settings"),
    "offer_template.saved": N_("Saved an offer template"),
    "offers.listed": N_("Viewed a list of offers"),
    "offers.viewed": N_("Viewed an offer"),
    "onboarding.listed": N_("Viewed the onboarding list"),
    "onboarding.task_done": N_("Completed an onboarding task"),
    "onboarding.viewed": N_("Viewed an onboarding checklist"),
    "onboarding_template.saved": N_("Saved the onboarding checklist"),
    "opening.competency_model_set": N_("Set an opening's competency model"),
    "opening.competency_version_activated": N_("Activated a competency model version"),
    "opening.competency_version_added": N_("Added a competency model version"),
    "opening.created": N_("Created an opening"),
    "opening.deleted": N_("Deleted an opening"),
    "opening.members_set": N_("Set an opening's team"),
    "opening.plan_edited": N_("Edited an interview plan"),
    "opening.plan_generated": N_("Generated an interview plan"),
    "opening.rules_saved": N_("Saved screening rules"),
    "opening.status_changed": N_("Changed an opening's status"),
    "opening.updated": N_("Updated an opening"),
    "outbox.listed": N_("Viewed the sent messages"),
    "outbox.message_viewed": N_("Viewed a sent message"),
    "pipeline.board_viewed": N_("Viewed a pipeline board"),
    "pipeline.moved": N_("Moved a candidate"),
    "pipeline.opening_stages_set": N_("Set an opening's stages"),
    "pipeline.rule_created": N_("Created an automation rule"),
    "pipeline.rule_deleted": N_("Deleted an automation rule"),
    "pipeline.rule_dry_run": N_("Tried an automation rule"),
    "pipeline.rule_log_viewed": N_("Viewed an automation rule's log"),
    "pipeline.rule_task_decided": N_("Decided an automation to-do"),
    "pipeline.rule_updated": N_("Updated an automation rule"),
    "pipeline.settings_set": N_("Changed the pipeline settings"),
    "record.consent": N_("Recorded consent"),
    "record.entry_added": N_("Added an HR record entry"),
    "record.erased": N_("Erased an HR record"),
    "record.exported": N_("Exported an HR record"),
    "record.interview_result": N_("Added an interview result to an HR record"),
    "record.keys_retired_unreadable": N_(
        "Retired a master key, leaving quarantined HR record entries unreadable"
    ),
    "record.outbox_discarded": N_("Discarded a quarantined HR record entry"),
    "record.outbox_retried": N_("Retried a quarantined HR record entry"),
    "record.policy_updated": N_("Changed the HR record policy"),
    "record.status_changed": N_("Changed an HR record's status"),
    "record.viewed": N_("Viewed an HR record"),
    "records.listed": N_("Viewed a list of HR records"),
    "records.sealed": N_("Sealed HR records"),
    "retention.applied": N_("Applied the retention rules"),
    "retention_rule.created": N_("Created a retention rule"),
    "retention_rule.deleted": N_("Deleted a retention rule"),
    "saved_search.created": N_("Saved a search"),
    "saved_search.deleted": N_("Deleted a saved search"),
    "scheduling.auto_assigned": N_("Assigned interview times automatically"),
    "scheduling.meeting_provider_saved": N_("Saved the meeting provider"),
    "scheduling.policy_saved": N_("Saved the scheduling rules"),
    "scorecards.concluded": N_("Concluded on scorecards"),
    "scorecards.viewed": N_("Viewed scorecards"),
    "selfservice.policy_updated": N_("Changed what people see of their report"),
    "selfservice.report_viewed": N_("Viewed their own report"),
    "selfservice.request_answered": N_("Answered a self-service request"),
    "selfservice.request_filed": N_("Filed a self-service request"),
    "selfservice.requests_listed": N_("Viewed the self-service requests"),
    "subsidiary.created": N_("Created a subsidiary"),
    "tenant.created": N_("Created the company"),
    "training.cancelled": N_("Cancelled a course enrolment"),
    "training.completed": N_("Completed a course"),
    "training.course_saved": N_("Saved a course"),
    "training.enrolled": N_("Enrolled in a course"),
    "training.progress": N_("Updated course progress"),
    "training.seat_given": N_("Gave a course seat"),
    "user.created": N_("Created a user"),
    "user.password_chosen": N_("Chose a password"),
    "user.role_added": N_("Added a role"),
    "user.role_removed": N_("Removed a role"),
    "user.viewed": N_("Viewed a user"),
    "users.listed": N_("Viewed a list of users"),
    "webhook.created": N_("Created a webhook endpoint"),
    "webhook.deleted": N_("Deleted a webhook endpoint"),
    "webhook.replayed": N_("Sent a webhook delivery again"),
    "webhook.secret_rotated": N_("Rotated a webhook secret"),
    "webhook.updated": N_("Updated a webhook endpoint"),
}

# What each target type is.
TARGET_LABELS: dict[str, str] = {
    "api_key": N_("API key"),
    "application": N_("Application"),
    "attachment": N_("Attachment"),
    "candidate": N_("Candidate"),
    "course": N_("Course"),
    "department": N_("Department"),
    "employee": N_("Employee"),
    "enrolment": N_("Enrolment"),
    "hiring_request": N_("Hiring request"),
    "import": N_("Import"),
    "import_mapping": N_("Import mapping"),
    "integration_settings": N_("Integration settings"),
    "interview": N_("Interview"),
    "interview_calibration": N_("Calibration"),
    "interview_faq": N_("Interview FAQ"),
    "invitation": N_("Invitation"),
    "invitation_batch": N_("Invitation batch"),
    "live_room": N_("Live interview"),
    "live_settings": N_("Live interview settings"),
    "notification": N_("Notification"),
    "notification_channel": N_("Notification channel"),
    "notification_template": N_("Message template"),
    "offer": N_("Offer"),
    "offer_settings": N_("Offer settings"),
    "offer_template": N_("Offer template"),
    "onboarding_task": N_("Onboarding task"),
    "onboarding_template": N_("Onboarding checklist"),
    "opening": N_("Opening"),
    "outbox_message": N_("Sent message"),
    "reassessment": N_("Reassessment"),
    "record": N_("HR record"),
    "record_policy": N_("HR record policy"),
    "retention": N_("Retention"),
    "retention_rule": N_("Retention rule"),
    "saved_search": N_("Saved search"),
    "scheduling_policy": N_("Scheduling rules"),
    "scorecard": N_("Scorecard"),
    "selfservice_policy": N_("Self-service settings"),
    "selfservice_request": N_("Self-service request"),
    "subsidiary": N_("Subsidiary"),
    "tenant": N_("Company"),
    "user": N_("User"),
    "webhook_delivery": N_("Webhook delivery"),
    "webhook_endpoint": N_("Webhook endpoint"),
    "workflow_rule": N_("Automation rule"),
}

# The names of the details entries carry most often.
DETAIL_LABELS: dict[str, str] = {
    "count": N_("Number"),
    "ids": N_("Ids"),
    "status": N_("Status"),
    "name": N_("Name"),
    "language": N_("Language"),
    "timezone": N_("Time zone"),
    "email": N_("E-mail"),
    "roles": N_("Roles"),
    "role": N_("Role"),
    "events": N_("Events"),
    "url": N_("URL"),
    "active": N_("Active"),
    "version": N_("Version"),
    "source": N_("Source"),
    "reason": N_("Reason"),
    "comment": N_("Comment"),
    "kind": N_("Kind"),
    "channel": N_("Channel"),
    "capacity": N_("Seats"),
    "competency": N_("Competency"),
    "questions": N_("Questions"),
    "weights": N_("Weights"),
    "rating": N_("Rating"),
    "period": N_("Period"),
    "result": N_("Result"),
    "round": N_("Round"),
    "owners": N_("Owners"),
    "interviewers": N_("Interviewers"),
    "opening_id": N_("Opening"),
    "candidate_id": N_("Candidate"),
    "expires_at": N_("Expires"),
    "grace_hours": N_("Old secret keeps signing for (hours)"),
    "internal": N_("Internal"),
    "failed_logins": N_("Failed sign-ins"),
    "rows_lost": N_("Entries now unreadable"),
    "keys": N_("Master keys"),
}

# How many ids of a list read the page shows before "…" (deps.audit_read keeps at most 50).
SHOWN_IDS = 10

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def action_label(code: str, _: Gettext) -> str:
    return _(ACTION_LABELS[code]) if code in ACTION_LABELS else code


def target_label(kind: str, _: Gettext) -> str:
    return _(TARGET_LABELS[kind]) if kind in TARGET_LABELS else kind


@dataclass(frozen=True)
class Detail:
    """One line of an entry's details: a label in the viewer's language (or, for a key this
    module does not name, the key itself, marked ``code``) and the stored value as text (data,
    shown verbatim)."""

    label: str
    value: str
    code: bool = False


def _value(value: Any, _: Gettext) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(item, _) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(v, _)}" for k, v in value.items())
    return str(value)


def _shown(values: Mapping[str, Any], ngettext: Ngettext) -> Detail:
    """A read of a list: how many records were shown and which (the first ids)."""
    count = int(values.get("count") or 0)
    ids = list(dict.fromkeys(str(i) for i in values.get("ids") or ()))
    listed = ", ".join(ids[:SHOWN_IDS]) + (" …" if len(ids) > SHOWN_IDS else "")
    label = ngettext("%(num)s record shown", "%(num)s records shown", count) % {"num": count}
    return Detail(label, listed)


def summary(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    _: Gettext,
    ngettext: Ngettext,
) -> list[Detail]:
    """The details of an entry as lines: "Status: draft → open" for a change, "Name: …" for
    a value set, "3 records shown: 12, 15, 18" for a read of a list."""
    old, new = dict(old or {}), dict(new or {})
    if not old and new and set(new) <= {"count", "ids"}:
        return [_shown(new, ngettext)]
    lines = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in old and key in new:
            text = f"{_value(old[key], _)} → {_value(new[key], _)}"
        elif key in old:
            text = f"{_value(old[key], _)} → —"
        else:
            text = _value(new[key], _)
        if key in DETAIL_LABELS:
            lines.append(Detail(_(DETAIL_LABELS[key]), text))
        else:
            lines.append(Detail(key, text, code=True))
    return lines
