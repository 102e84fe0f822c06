"""Earlier versions of a module, loaded from the repository's history.

A bench that compares a method with the ones it replaced runs the old code as it was committed,
instead of a copy kept beside the bench: ``git show <commit>:<path>`` is compiled into a module
of its own under a new name, so it never shadows the current one. Needs a checkout with that
commit (not a shallow clone).
"""

from __future__ import annotations

import linecache
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _show(commit: str, path: str) -> str:
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        raise RuntimeError(
            f"cannot read {path} at {commit[:10]} (a full clone is needed): {shown.stderr.strip()}"
        )
    return shown.stdout


def load_module(commit: str, path: str, name: str) -> ModuleType:
    """The module at ``path`` as of ``commit``, importable afterwards as ``name``."""
    if name in sys.modules:
        return sys.modules[name]
    source = _show(commit, path)
    filename = f"<{path} at {commit[:10]}>"
    # Tracebacks then show the old source lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    module = ModuleType(name)
    module.__file__ = filename
    # Registered before it runs: dataclasses look their module up while the class is made.
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def load_package(commit: str, package: str, paths: dict[str, str], imports: str) -> Path:
    """Files of one package as of ``commit``, written under a temporary directory as the
    package ``package`` (``paths``: file name -> path in the repository), with the package
    they imported each other from (``imports``) renamed, so that old modules run against
    each other rather than against today's. Returns the package's directory; it is on
    ``sys.path`` afterwards."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="hireflow-history-"))
    target = root / package
    target.mkdir()
    (target / "__init__.py").write_text("", encoding="utf-8")
    for name, path in paths.items():
        text = _show(commit, path).replace(f"{imports}.", f"{package}.")
        text = text.replace(f'"{imports}"', f'"{package}"')
        (target / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root))
    return target
