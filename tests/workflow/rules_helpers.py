"""Shared pieces of the rule tests: a recorder for the tasks rules queue, and rule bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hireflow.workflow import automation, schemas


@dataclass
class Worker:
    """The workflow tasks queued after commits, run on demand like the Celery worker would."""

    db: Any
    sent: list[tuple[str, tuple]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def run(self) -> None:
        """Run everything queued so far (and what that queues in turn)."""
        while self.sent:
            name, args = self.sent.pop(0)
            if name == "workflow.evaluate_rules":
                automation.evaluate_logs(self.db, list(args[0]))
            elif name == "workflow.start_next_round":
                automation.start_next_round(self.db, *args)
            elif name == "workflow.sweep_stale_stages":
                automation.sweep_stale(self.db)


def rule_in(**changes: Any) -> schemas.RuleIn:
    body: dict[str, Any] = {
        "name": "Strong report",
        "trigger": "report.ready",
        "condition": "job_match >= 80 and scores.communication >= 6",
        "actions": [{"type": "move", "to": "round_2"}],
    }
    body.update(changes)
    return schemas.RuleIn.model_validate(body)
