"""Runs a submission's steps INSIDE the sandbox: compile once, then one process per case.

Started by :mod:`hireflow.coding.sandbox` as ``python3 -I -S harness.py /job/spec.bin`` under
bubblewrap and seccomp, as the sandbox's unprivileged user. It is the only trusted code in the
sandbox; the candidate's program runs in children it forks, each with its own rlimits (CPU
seconds, address space, processes, file size, open files), a wall-clock deadline and a cap on
the output it keeps. After every step it kills every process left in the sandbox's PID
namespace (``kill(-1)``), so a fork bomb or a background process never reaches the next case.

It only measures and reports: expected outputs never enter the sandbox, the worker compares
outside. When the spec names a ``confirm_group`` (the efficiency inputs), the harness reports
the cases run so far as one line before that group's first case and waits for the worker's
answer on its stdin (``1``: run the group; anything else: leave it out), so the large inputs
run only for a submission that passed its hidden tests, in this same sandbox. It makes itself
non-dumpable, so a case (same uid) cannot read or write its memory or its descriptors through
``/proc`` to forge timings or the answer. Standard library only, any Python 3.8+: it runs on
the host's ``/usr/bin/python3``, not the application's environment, and imports only
built-in or C modules (``json``, ``signal`` and ``contextlib`` would double the interpreter's
start): the spec comes as ``marshal`` data written by the worker, the report goes out as JSON
lines written here.
"""

import marshal
import os
import resource
import select
import sys
import time
from _json import encode_basestring_ascii

RESULT_FD = os.dup(1)  # non-inheritable: exec'd children never see it; forked ones close it
SIGKILL = 9


class suppress:  # contextlib.suppress without importing contextlib
    def __init__(self, *kinds: type) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, value: object, trace: object) -> bool:
        return isinstance(kind, type) and issubclass(kind, self.kinds)


STDERR_KEEP = 4096


def _no_dump() -> None:
    """``prctl(PR_SET_DUMPABLE, 0)`` through ``_ctypes`` alone: the ``ctypes`` package would
    cost every sandbox ~4 ms of CPU (its import builds dozens of classes)."""
    try:
        import _ctypes

        class c_int(_ctypes._SimpleCData):
            _type_ = "i"

        class Function(_ctypes.CFuncPtr):
            _flags_ = _ctypes.FUNCFLAG_CDECL
            _restype_ = c_int

        # None: the program itself (glibc's symbols); typeshed's stub wants a path
        prctl = Function(_ctypes.dlsym(_ctypes.dlopen(None), "prctl"))  # type: ignore[arg-type]
        prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:  # noqa: S110 - best effort; seccomp still blocks ptrace
        pass


def _in_own_pid_namespace() -> bool:
    """bubblewrap starts the harness as PID 2 of a new PID namespace (its init is PID 1).
    Anywhere else ``kill(-1)`` after a step would kill every process of the user: as root,
    the whole host."""
    return os.getpid() <= 2


def _limits(step: dict) -> None:
    """Apply a step's rlimits to the calling (child) process."""
    cpu = int(step["cpu_s"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    if step.get("as_mb"):
        size = int(step["as_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    fsize = int(step.get("fsize_mb", 16)) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = int(step.get("nproc", 1))
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    nofile = int(step.get("nofile", 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    stack = int(step.get("stack_mb", 64)) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))


def _kill_strays() -> None:
    """Kill every other process of the sandbox user (this PID namespace only), then reap."""
    for _ in range(50):
        with suppress(ProcessLookupError):
            os.kill(-1, SIGKILL)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            return
        time.sleep(0.002)


def _child_fds(stdin_path: str, out_w: int, err_w: int) -> None:
    os.close(RESULT_FD)
    fd = os.open(stdin_path, os.O_RDONLY)
    os.dup2(fd, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    for extra in (fd, out_w, err_w):
        if extra > 2:
            os.close(extra)


def _run_inline_python(code: object, path: str) -> None:
    """In a forked child: run compiled Python source as ``__main__`` (no interpreter start)."""
    import builtins
    import io

    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", write_through=True
    )
    sys.argv = [path]
    sys.path[0] = os.path.dirname(path)
    status = 0
    namespace = {"__name__": "__main__", "__file__": path, "__builtins__": builtins}
    try:
        exec(code, namespace)  # noqa: S102
    except SystemExit as stop:
        if stop.code is None:
            status = 0
        elif isinstance(stop.code, int):
            status = stop.code & 0xFF
        else:
            status = 1
    except BaseException as exc:
        status = 1
        if isinstance(exc, MemoryError):
            namespace.clear()  # room for importing traceback (the harness did not import it)
        try:
            import traceback

            traceback.print_exc()
        except BaseException:
            os.write(2, b"Traceback unavailable\n" + type(exc).__name__.encode() + b"\n")
    with suppress(BaseException):  # a broken pipe when the output cap was hit
        sys.stdout.flush()
    os._exit(status)


def run_step(step: dict, argv: list, env: dict, stdin_path: str, inline: object = None) -> dict:
    """Run one process (a compile or a case) under the step's limits; measure it."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(out_r)
            os.close(err_r)
            _child_fds(stdin_path, out_w, err_w)
            _limits(step)
            if inline is not None:
                _run_inline_python(inline, argv[-1])
            os.execve(argv[0], argv, env)  # noqa: S606 - the sandboxed program
        except BaseException as exc:
            os.write(2, (f"sandbox: cannot start: {exc}\n").encode())
        os._exit(127)
    os.close(out_w)
    os.close(err_w)
    wall_limit = float(step["wall_s"])
    out_cap = int(step["output_bytes"])
    out, err = bytearray(), bytearray()
    out_size = 0
    open_fds = {out_r, err_r}
    reason = ""
    while open_fds:
        left = started + wall_limit - time.monotonic()
        if left <= 0:
            reason = "time"
            break
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 0.5))
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                continue
            if fd == out_r:
                out_size += len(chunk)
                if out_size > out_cap:
                    reason = "output"
                    break
                out += chunk
            elif len(err) < STDERR_KEEP:
                err += chunk[: STDERR_KEEP - len(err)]
        if reason:
            break
    if reason:
        with suppress(ProcessLookupError):
            os.kill(pid, SIGKILL)
    # The case's own process ends here; its strays are killed before the next step.
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    os.close(out_r)
    os.close(err_r)
    _kill_strays()
    cpu = usage.ru_utime + usage.ru_stime
    result = {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "cpu_s": round(cpu, 6),
        "wall_s": round(wall, 6),
        "max_rss_kb": usage.ru_maxrss,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace"),
        "killed_for": reason,
    }
    if not reason and cpu > float(step["cpu_s"]):
        result["killed_for"] = "time"  # over the limit, whether or not RLIMIT_CPU fired yet
    return result


def encode(value: object) -> str:
    """JSON for the report's plain values (dicts with str keys, lists, str, int, float, None)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        items = (encode_basestring_ascii(k) + ":" + encode(v) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(encode(v) for v in value) + "]"
    raise TypeError(f"cannot report {type(value).__name__}")


def emit(report: dict) -> None:
    """One report line on the result descriptor (the worker reads lines)."""
    view = memoryview((encode(report) + "\n").encode("ascii"))
    while view:
        view = view[os.write(RESULT_FD, view) :]


def confirmed(cases: list) -> bool:
    """Report the cases run so far and wait for the worker's answer: run the next group?"""
    emit({"cases": cases})
    answer = b""
    with suppress(OSError):
        answer = os.read(0, 1)
    return answer == b"1"


# Standard modules a solution commonly imports, without side effects: when the source names
# one, the harness imports it once, before forking the cases, instead of every case's process
# importing it again (``collections`` alone costs a case ~1 ms of CPU).
PRELOAD = frozenset(
    [
        "array",
        "bisect",
        "collections",
        "functools",
        "heapq",
        "itertools",
        "math",
        "operator",
        "re",
        "string",
        "typing",
    ]
)


def _names(code: object) -> set:
    """Every name the code object and its nested code objects use (imports among them)."""
    names = set(code.co_names)  # type: ignore[attr-defined]
    for const in code.co_consts:  # type: ignore[attr-defined]
        if type(const) is type(code):
            names |= _names(const)
    return names


def preload(code: object) -> None:
    """Import the allowed modules the solution names (trusted standard library code)."""
    for name in sorted(PRELOAD & _names(code)):
        with suppress(Exception):
            __import__(name)


def compile_source(spec: dict, env: dict) -> tuple:
    """The compile step's result and, for Python, the compiled code object."""
    if spec.get("inline_python"):
        source_path = os.path.join(spec["workdir"], spec["files"][0])
        with open(source_path, "rb") as handle:
            source = handle.read()
        try:
            code = compile(source, source_path, "exec", dont_inherit=True)
            preload(code)
            return {"ok": True, "stdout": "", "stderr": ""}, code
        except (SyntaxError, ValueError) as exc:
            import traceback

            message = "".join(traceback.format_exception_only(type(exc), exc))
            return {"ok": False, "stderr": message, "stdout": "", "killed_for": ""}, None
    if spec.get("compile"):
        step = spec["compile"]
        result = run_step(step, step["argv"], env, "/dev/null")
        result["ok"] = result["exit_code"] == 0 and not result["killed_for"]
        return result, None
    return None, None


def run_cases(spec: dict, env: dict, inline: object) -> list:
    """Every case in order; the cases reported before a confirmation are not returned."""
    cases, skipped_groups = [], set()
    timeouts = 0
    confirm_group = spec.get("confirm_group")
    for case in spec["cases"]:
        group = case.get("group")
        if group and group == confirm_group:
            confirm_group = None
            if not confirmed(cases):
                break
            cases = []
        # a program that loops forever would hold the worker for every case: after
        # ``max_timeouts`` time-outs the remaining cases are reported as not run
        if (group and group in skipped_groups) or timeouts >= spec.get("max_timeouts", 2):
            cases.append({"id": case["id"], "skipped": True})
            continue
        step = dict(spec["run"], **case.get("limits", {}))
        result = run_step(step, spec["run"]["argv"], env, case["input"], inline)
        result["id"] = case["id"]
        cases.append(result)
        timeouts += result["killed_for"] == "time"
        if group and result["killed_for"] and case.get("stop_group_on_limit"):
            skipped_groups.add(group)
    return cases


def main() -> None:
    if not _in_own_pid_namespace():
        os.write(2, b"harness: not in a sandbox of its own (PID namespace); refusing to run\n")
        os._exit(2)
    _no_dump()
    with open(sys.argv[1], "rb") as handle:
        spec = marshal.load(handle)  # noqa: S302 - written by the worker, read-only here
    os.chdir(spec["workdir"])
    for name in spec["files"]:
        with open(os.path.join(spec["jobdir"], name), "rb") as src:
            data = src.read()
        with open(name, "wb") as dst:
            dst.write(data)
    env = spec["env"]
    compiled, inline = compile_source(spec, env)
    cases = []
    if compiled is None or compiled["ok"]:
        cases = run_cases(spec, env, inline)
    emit({"compile": compiled, "cases": cases})
    # The report is written (unbuffered, on its own descriptor): skip the interpreter's
    # tear-down, which costs a sandbox ~1 ms of CPU and affects nothing outside it.
    os._exit(0)


if __name__ == "__main__":
    main()
