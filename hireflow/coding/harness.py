"""Runs a submission's steps INSIDE the sandbox: compile once, then one process per case.

Started by :mod:`hireflow.coding.sandbox` as ``python3 -I -S harness.py /job/spec.json`` under
bubblewrap and seccomp, as the sandbox's unprivileged user. It is the only trusted code in the
sandbox; the candidate's program runs in children it forks, each with its own rlimits (CPU
seconds, address space, processes, file size, open files), a wall-clock deadline and a cap on
the output it keeps. After every step it kills every process left in the sandbox's PID
namespace (``kill(-1)``), so a fork bomb or a background process never reaches the next case.

It only measures and reports: expected outputs never enter the sandbox, the worker compares
outside. It makes itself non-dumpable, so a case (same uid) cannot read or write its memory
through ``/proc`` to forge timings. Standard library only, any Python 3.8+: it runs on the
host's ``/usr/bin/python3``, not the application's environment.
"""

import contextlib
import json
import os
import resource
import select
import signal
import sys
import time

RESULT_FD = os.dup(1)  # non-inheritable: exec'd children never see it; forked ones close it
STDERR_KEEP = 4096


def _no_dump() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:  # noqa: S110 - best effort; seccomp still blocks ptrace
        pass


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
        with contextlib.suppress(ProcessLookupError):
            os.kill(-1, signal.SIGKILL)
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
    try:
        exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": builtins})  # noqa: S102
    except SystemExit as stop:
        if stop.code is None:
            status = 0
        elif isinstance(stop.code, int):
            status = stop.code & 0xFF
        else:
            status = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    with contextlib.suppress(BaseException):  # a broken pipe when the output cap was hit
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
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
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


def main() -> None:
    _no_dump()
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    os.chdir(spec["workdir"])
    for name in spec["files"]:
        with open(os.path.join(spec["jobdir"], name), "rb") as src:
            data = src.read()
        with open(name, "wb") as dst:
            dst.write(data)
    report = {"compile": None, "cases": []}
    env = spec["env"]
    inline = None
    if spec.get("inline_python"):
        source_path = os.path.join(spec["workdir"], spec["files"][0])
        with open(source_path, "rb") as handle:
            source = handle.read()
        try:
            inline = compile(source, source_path, "exec", dont_inherit=True)
            report["compile"] = {"ok": True, "stdout": "", "stderr": ""}
        except (SyntaxError, ValueError) as exc:
            import traceback

            message = "".join(traceback.format_exception_only(type(exc), exc))
            report["compile"] = {"ok": False, "stderr": message, "stdout": "", "killed_for": ""}
    elif spec.get("compile"):
        step = spec["compile"]
        result = run_step(step, step["argv"], env, "/dev/null")
        result["ok"] = result["exit_code"] == 0 and not result["killed_for"]
        report["compile"] = result
    if report["compile"] is None or report["compile"]["ok"]:
        skipped_groups = set()
        timeouts = 0
        for case in spec["cases"]:
            group = case.get("group")
            # a program that loops forever would hold the worker for every case: after
            # ``max_timeouts`` time-outs the remaining cases are reported as not run
            if (group and group in skipped_groups) or timeouts >= spec.get("max_timeouts", 2):
                report["cases"].append({"id": case["id"], "skipped": True})
                continue
            step = dict(spec["run"], **case.get("limits", {}))
            result = run_step(step, spec["run"]["argv"], env, case["input"], inline)
            result["id"] = case["id"]
            report["cases"].append(result)
            timeouts += result["killed_for"] == "time"
            if group and result["killed_for"] and case.get("stop_group_on_limit"):
                skipped_groups.add(group)
    payload = json.dumps(report).encode("utf-8")
    view = memoryview(payload)
    while view:
        view = view[os.write(RESULT_FD, view) :]


if __name__ == "__main__":
    main()
