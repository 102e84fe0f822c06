"""The demo accounts ``hireflow serve --demo`` prints are readable wherever the output goes."""

from __future__ import annotations

import io

from rich.console import Console

from hireflow.cli import print_accounts
from hireflow.demo import ACCOUNTS


def _printed(console: Console) -> str:
    print_accounts(list(ACCOUNTS), console)
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_accounts_are_printed_whole_to_a_pipe_or_a_log_file():
    # Not a terminal: rich would assume 80 columns and cut "hiring_manager" to "hiring_ma…".
    text = _printed(Console(file=io.StringIO(), force_terminal=False, width=80))
    assert "…" not in text
    for account in ACCOUNTS:
        line = next(line for line in text.splitlines() if account.email in line)
        for value in (account.role, account.name, account.language, account.timezone):
            assert value in line, f"{value!r} is not whole on the line of {account.email}"


def test_a_narrow_terminal_still_shows_every_role_and_email_whole():
    text = _printed(Console(file=io.StringIO(), force_terminal=True, width=60, color_system=None))
    assert "…" not in text
    for account in ACCOUNTS:
        assert account.email in text
        assert account.role in text
