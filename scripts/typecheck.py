"""Type-check ``hireflow/`` with mypy against a baseline that may only shrink.

The package predates type checking, so a recorded baseline (``scripts/mypy-baseline.txt``: error
counts per file and error code) is allowed; anything above it fails, so new code is typed.
When a count falls, the script says so: rewrite the baseline with ``--update`` to lock the gain.

    python scripts/typecheck.py            # check (CI)
    python scripts/typecheck.py --update   # record the current counts as the baseline
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-baseline.txt"
# "path:line: error: message  [code]"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: .*\[(?P<code>[a-z0-9-]+)\]$")


def current() -> tuple[collections.Counter[tuple[str, str]], list[str]]:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "hireflow", "--no-error-summary", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode not in (0, 1):  # 2 = mypy itself failed (bad config, crash)
        sys.exit(f"mypy failed to run:\n{run.stdout}{run.stderr}")
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    lines = []
    for line in run.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            counts[(match["path"], match["code"])] += 1
            lines.append(line)
    return counts, lines


def read_baseline() -> collections.Counter[tuple[str, str]]:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    if BASELINE.exists():
        for line in BASELINE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                path, code, count = line.split()
                counts[(path, code)] = int(count)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="record the current counts")
    args = parser.parse_args(argv)
    counts, lines = current()
    if args.update:
        rows = [f"{path} {code} {n}" for (path, code), n in sorted(counts.items())]
        header = "# mypy errors allowed per file and code; may only shrink (scripts/typecheck.py)\n"
        BASELINE.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
        print(f"baseline: {sum(counts.values())} errors in {len(counts)} file/code pairs")
        return 0
    allowed = read_baseline()
    worse = {key: n for key, n in counts.items() if n > allowed.get(key, 0)}
    better = sum(max(0, allowed[key] - counts.get(key, 0)) for key in allowed)
    total, baseline_total = sum(counts.values()), sum(allowed.values())
    if worse:
        print("New type errors (above scripts/mypy-baseline.txt):")
        for path, code in sorted(worse):
            for line in lines:
                if line.startswith(f"{path}:") and line.endswith(f"[{code}]"):
                    print(f"  {line}")
        return 1
    print(f"mypy: {total} errors, baseline {baseline_total}", end="")
    print(f"; {better} fixed: run scripts/typecheck.py --update" if better else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
