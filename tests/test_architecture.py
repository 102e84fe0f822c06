"""The import layers of docs/architecture.md, checked on the real import graph.

core ← domains ← web: ``hireflow.core`` (and ``hireflow.discovery``) import no domain and no
web module; a domain imports ``hireflow.web`` only from its routes modules; ``hireflow.scoring``
is a pure library that imports nothing else of hireflow; work is queued by task name, so no
module imports a domain's ``tasks`` module; and no two domains' inner modules import each
other, directly or round a longer loop. Two kinds of module stand outside that last rule, as
docs/architecture.md explains: every domain's ``models`` is part of one shared schema (tables
reference each other by foreign key, so any domain may import another's models), and a domain's
outer ring (``routes*``, ``tasks``, ``cli``, ``demo``) assembles pages, jobs, commands and demo
data from any domain's services. Imports inside functions count: deferring an import hides a
cycle from Python, not from this test.

Each failure names the importing file and line, so it reads as a to-do list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path

import grimp
import pytest

import hireflow
from hireflow.discovery import DOMAINS

ROOT = Path(hireflow.__file__).resolve().parent
# Every package under hireflow/ that is a domain: the discovered ones and the scoring library.
DOMAIN_PACKAGES = tuple(sorted({*DOMAINS, "scoring"}))
PLATFORM = ("hireflow.core", "hireflow.discovery")


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("hireflow", cache_dir=None)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def domain_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in DOMAIN_PACKAGES:
        return parts[1]
    return None


def is_routes(module: str) -> bool:
    """A routes module (``routes_api``, ``routes_web``, or anything in a ``routes*`` package)."""
    return any(part.startswith("routes") for part in module.split(".")[2:])


def is_tasks(module: str) -> bool:
    """A domain's Celery tasks module (``hireflow.core.tasks``, the queue itself, is not one)."""
    parts = module.split(".")
    return domain_of(module) is not None and len(parts) > 2 and parts[2] == "tasks"


def where(importer: str, imported: str) -> list[str]:
    """``path:line  source`` for every import of ``imported`` in ``importer``."""
    relative = importer.removeprefix("hireflow.").replace(".", "/")
    path = f"hireflow/{relative}"
    path += "/__init__.py" if (ROOT / relative).is_dir() else ".py"
    details = graph().get_import_details(importer=importer, imported=imported)
    return [f"{path}:{d['line_number']}  {d['line_contents'].strip()}" for d in details] or [
        f"{path}  imports {imported}"
    ]


def violations(
    importers: Iterable[str], allowed: Callable[[str, str], bool]
) -> list[tuple[str, str]]:
    g = graph()
    return sorted(
        (importer, imported)
        for importer in importers
        for imported in g.find_modules_directly_imported_by(importer)
        if not allowed(importer, imported)
    )


def fail_on(found: list[tuple[str, str]], title: str) -> None:
    if found:
        places = dict.fromkeys(line for pair in found for line in where(*pair))
        pytest.fail("\n".join([title, *(f"  {line}" for line in places)]), pytrace=False)


def modules_in(*packages: str) -> list[str]:
    return sorted(m for m in graph().modules if any(within(m, p) for p in packages))


def test_the_graph_sees_every_layer() -> None:
    """The checks below are only as good as the graph: it must hold the whole package,
    including imports made inside functions."""
    modules = graph().modules
    for package in ("hireflow.core.db", "hireflow.web.deps", "hireflow.app", "hireflow.scoring"):
        assert package in modules
    assert set(DOMAIN_PACKAGES) >= {"candidates", "interviews", "scheduling", "scoring"}
    # hireflow.cli imports the demo inside a function only.
    assert "hireflow.demo" in graph().find_modules_directly_imported_by("hireflow.cli")


def test_core_imports_no_domain_and_no_web() -> None:
    found = violations(
        modules_in(*PLATFORM),
        lambda _importer, imported: (
            not imported.startswith("hireflow.") or any(within(imported, p) for p in PLATFORM)
        ),
    )
    fail_on(found, "hireflow.core and hireflow.discovery are the bottom layer; they import:")


def test_scoring_imports_nothing_of_hireflow() -> None:
    found = violations(
        modules_in("hireflow.scoring"),
        lambda _importer, imported: within(imported, "hireflow.scoring"),
    )
    fail_on(
        found, "hireflow.scoring is a pure library (settings come in as arguments); it imports:"
    )


def test_domains_import_web_only_from_routes() -> None:
    domain_modules = [m for m in graph().modules if domain_of(m) and not is_routes(m)]
    found = violations(
        domain_modules, lambda _importer, imported: not within(imported, "hireflow.web")
    )
    fail_on(
        found,
        "Only a domain's routes modules import hireflow.web (schemas take their types from "
        "hireflow.core); these do not:",
    )


def test_work_is_queued_by_name_not_by_importing_tasks() -> None:
    """Services queue work with ``core.tasks.enqueue_on_commit(session, "domain.task")``;
    Celery finds the tasks modules through ``hireflow.discovery``."""
    importers = [m for m in graph().modules if not is_routes(m) and not is_tasks(m)]
    found = violations(importers, lambda _importer, imported: not is_tasks(imported))
    fail_on(found, "These modules import a domain's tasks module:")


OUTER_RING = ("tasks", "cli", "demo")


def in_outer_ring(module: str) -> bool:
    """Routes, tasks, commands and demo data: they may use any domain's services."""
    return is_routes(module) or module.rsplit(".", 1)[-1] in OUTER_RING


def is_models(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "models"


def domain_edges() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(importing domain, imported domain) → the inner-module imports that make the edge."""
    g = graph()
    edges: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for importer in g.modules:
        source = domain_of(importer)
        if source is None or in_outer_ring(importer):
            continue
        for imported in g.find_modules_directly_imported_by(importer):
            target = domain_of(imported)
            if target is not None and target != source and not is_models(imported):
                edges[(source, target)].append((importer, imported))
    return edges


def test_the_cycle_check_sees_inner_imports_only() -> None:
    assert in_outer_ring("hireflow.openings.routes_web") and in_outer_ring("hireflow.org.tasks")
    assert not in_outer_ring("hireflow.candidates.service")
    assert is_models("hireflow.records.models") and not is_models("hireflow.records.service")
    # a loop of inner imports is found, whatever the outer ring does
    loops = shortest_cycles({("a", "b"): [("x", "y")], ("b", "a"): [("y", "x")]})
    assert loops and set(loops[0]) == {"a", "b"}


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's components with more than one member (the domains caught in a cycle)."""
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in succ[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def shortest_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """For every edge, the shortest loop through it (``[a, b, ..., a]``), each loop once."""
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    loops: set[tuple[str, ...]] = set()
    for a in sorted(succ):
        for b in sorted(succ[a]):
            # Breadth-first from b back to a.
            previous: dict[str, str] = {b: b}
            frontier = [b]
            while frontier and a not in previous:
                nxt = []
                for node in frontier:
                    for after in sorted(succ[node]):
                        if after not in previous:
                            previous[after] = node
                            nxt.append(after)
                frontier = nxt
            if a not in previous:
                continue
            path = [a]
            while path[-1] != b:
                path.append(previous[path[-1]])
            loop = [a, *reversed(path[1:])]  # a, b, ..., (the node before a)
            turn = loop.index(min(loop))
            loops.add(tuple(loop[turn:] + loop[:turn]))
    return [[*loop, loop[0]] for loop in sorted(loops, key=lambda loop: (len(loop), loop))]


def test_the_cycle_finders_find_cycles() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "f"), ("f", "e")]
    assert strongly_connected("abcdef", edges) == [["a", "b", "c"], ["e", "f"]]
    assert strongly_connected("abc", [("a", "b"), ("b", "c")]) == []
    assert shortest_cycles(edges) == [["e", "f", "e"], ["a", "b", "c", "a"]]
    assert shortest_cycles([("a", "b"), ("b", "a"), ("b", "c"), ("c", "a")]) == [
        ["a", "b", "a"],
        ["a", "b", "c", "a"],
    ]
    assert shortest_cycles([("a", "b"), ("b", "c")]) == []


SHOWN_PER_STEP = 4


def test_no_cycles_between_domains() -> None:
    edges = domain_edges()
    loops = shortest_cycles(edges)
    if not loops:
        assert strongly_connected(DOMAIN_PACKAGES, edges) == []
        return
    lines = [
        f"{len(loops)} import loops between domains (shortest loop through each domain-to-"
        "domain import; break one step of each):"
    ]
    for loop in loops:
        lines.append("loop: " + " → ".join(loop))
        for source, target in pairwise(loop):
            imports = sorted(edges[(source, target)])
            # One line may import several modules of the other domain: name it once.
            found = list(
                dict.fromkeys(
                    line for importer, imported in imports for line in where(importer, imported)
                )
            )
            lines.append(f"  {source} → {target}:")
            lines.extend(f"    {line}" for line in found[:SHOWN_PER_STEP])
            if len(found) > SHOWN_PER_STEP:
                lines.append(f"    ... and {len(found) - SHOWN_PER_STEP} more")
    pytest.fail("\n".join(lines), pytrace=False)
