"""What HR is told about a submitted interview whose report is not there yet.

A submitted interview must never just sit there: whatever holds its report back, HR sees the
state, the reason and what to do about it, on the list and on the report page. The rules are
pure (the interview row and the time in, a :class:`Waiting` out) so that every case is tested
without a worker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hireflow.core.errors import N_

# Scoring normally starts within seconds of submission (the task is queued after the commit);
# past this the worker is presumably not running.
WORKER_SILENT_AFTER = timedelta(minutes=2)

STATES = (
    "queued",
    "transcription",
    "scoring",
    "speech_unavailable",
    "code_pending",
    "worker_idle",
    "retrying",
)

LABELS = {
    "queued": N_("scoring starts shortly"),
    "transcription": N_("waiting for transcription"),
    "scoring": N_("being scored"),
    "speech_unavailable": N_("waiting for speech recognition"),
    "code_pending": N_("waiting for the code runner"),
    "worker_idle": N_("no task worker"),
    "retrying": N_("scoring failed, retrying"),
}

REASONS = {
    "queued": N_("Submitted %(minutes)s min ago. Scoring is queued and starts shortly."),
    "transcription": N_(
        "%(count)s recorded answers are waiting for speech recognition; the report is made "
        "once they are transcribed. Many voice interviews at once can keep the speech queue "
        "busy for a while."
    ),
    "scoring": N_(
        "The answers are being transcribed and scored (attempt %(attempt)s). Text answers take "
        "seconds; recordings take about a fifth of their length."
    ),
    "speech_unavailable": N_(
        "Voice or video answers cannot be transcribed: speech recognition is not installed "
        "where the task worker runs. The answers are kept; nothing is lost."
    ),
    "code_pending": N_(
        "A coding answer has not been run yet: no sandbox worker has taken it. The code is "
        "kept; nothing is lost."
    ),
    "worker_idle": N_(
        "Submitted %(minutes)s min ago, but no task worker has picked the interview up: the "
        "worker that scores interviews does not seem to be running."
    ),
    "retrying": N_(
        "Scoring stopped on attempt %(attempt)s (%(error)s). It is retried automatically "
        "every minute."
    ),
}

ACTIONS = {
    "queued": N_("Nothing to do: this page shows the report as soon as it is ready."),
    "transcription": N_(
        "Nothing to do: this page shows the report as soon as it is ready. If this takes "
        "long, IT sees the speech queue's lag on the system page and can add speech workers."
    ),
    "scoring": N_("Nothing to do: this page shows the report as soon as it is ready."),
    "speech_unavailable": N_(
        "Ask IT to reinstall Hireflow on the worker (speech recognition is part of the "
        "standard install) and restart it, then press Retry now. Until then it is retried "
        "every 10 minutes."
    ),
    "code_pending": N_(
        "Ask IT to start a sandbox worker (hireflow sandbox-worker). The code is run and the "
        "interview scored as soon as one is up; until then it is looked at every minute."
    ),
    "worker_idle": N_(
        "Ask IT to start the task worker (hireflow worker, or hireflow serve, which runs one), "
        "then press Retry now."
    ),
    "retrying": N_(
        "If it keeps failing, IT finds the error in the worker's log. Retry now queues it "
        "again at once."
    ),
}


@dataclass(frozen=True)
class Waiting:
    """Why a submitted interview has no report yet, and what HR can do."""

    state: str
    since: datetime
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def reason(self) -> str:
        return REASONS[self.state]

    @property
    def action(self) -> str:
        return ACTIONS[self.state]

    @property
    def can_retry(self) -> bool:
        """Whether "Retry now" may queue the scoring again (never over a live run)."""
        return self.state in ("speech_unavailable", "worker_idle", "retrying")

    @property
    def refresh(self) -> bool:
        """Whether the report page should look again by itself soon."""
        return self.state in ("queued", "transcription", "scoring", "retrying", "code_pending")


def waiting_for_report(interview: Any, now: datetime, untranscribed: int = 0) -> Waiting | None:
    """The state of a submitted interview without its report; ``None`` for any other.
    ``untranscribed``: its recorded answers still waiting for speech recognition."""
    if interview.status != "submitted":
        return None
    since = interview.submitted_at or now
    minutes = max(0, int((now - since).total_seconds() // 60))
    attempts = int(interview.scoring_attempts or 0)
    lease = interview.scoring_lease_until
    error = interview.scoring_error or ""
    if interview.speech_pending or error == "speech_unavailable":
        return Waiting("speech_unavailable", since)
    if error == "code_pending":
        return Waiting("code_pending", since)
    if lease is not None and lease > now:
        return Waiting("scoring", since, {"attempt": attempts})
    if error or (attempts and lease is not None):
        # a run failed (its error is kept) or its worker died (its lease ran out)
        return Waiting("retrying", since, {"attempt": attempts, "error": error or "—"})
    if attempts == 0 and now - since >= WORKER_SILENT_AFTER:
        return Waiting("worker_idle", since, {"minutes": minutes})
    if untranscribed:
        return Waiting("transcription", since, {"count": untranscribed})
    return Waiting("queued", since, {"minutes": minutes})
