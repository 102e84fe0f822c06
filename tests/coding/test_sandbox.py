"""Attacks on the sandbox, run for real: each is killed or refused and reported, the host is
untouched, and the next submission is graded normally.

Every attack runs under the sandbox's limits (verified first with harmless probes in
``test_limits_are_in_force``); nothing here runs untrusted code outside it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid

import pytest

from hireflow.coding.languages import available_languages
from hireflow.coding.runner import SubmissionError

QUESTION = "pair-sum"
PY_OK = "import sys\nd=sys.stdin.read().split()\nn,k=int(d[0]),int(d[1])\na=list(map(int,d[2:2+n]))\nprint(sum(1 for i in range(n) for j in range(i+1,n) if a[i]+a[j]==k))\n"


def run(runner, language: str, code: str, mode: str = "run"):
    return runner.grade(QUESTION, language, code, mode)


def first_output(result) -> str:
    return result.cases[0].output


def sandbox_processes(runner) -> list[str]:
    base = runner.sandbox.settings.uid_base
    uids = {str(base + slot) for slot in range(runner.sandbox.settings.slots)}
    ps = subprocess.run(["ps", "-eo", "uid=,pid=,comm="], capture_output=True, text=True)
    return [line for line in ps.stdout.splitlines() if line.split()[0] in uids]


@pytest.fixture
def healthy(runner):
    """After the attack: nothing left running, and an honest submission still passes."""
    yield
    deadline = time.monotonic() + 5
    while sandbox_processes(runner) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sandbox_processes(runner) == []
    assert run(runner, "python", PY_OK).status == "accepted"


def test_limits_are_in_force(runner):
    """Harmless probes: who we are, what we see, what we may do."""
    probe = """
import os, resource, sys
print(os.getuid(), os.getgid())
print(resource.getrlimit(resource.RLIMIT_NPROC)[0], resource.getrlimit(resource.RLIMIT_AS)[0] >> 20)
print(resource.getrlimit(resource.RLIMIT_CPU)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0] >> 20)
print(sorted(os.listdir("/")))
print(open("/proc/self/status").read().split("Seccomp:")[1].split()[0])
"""
    lines = first_output(run(runner, "python", probe)).splitlines()
    assert lines[0] == "1000 1000"
    nproc, address_mb = map(int, lines[1].split())
    assert nproc == 3 and address_mb == 256 + 64
    cpu, fsize = map(int, lines[2].split())
    assert cpu == 3 and fsize == 16
    assert lines[3] == str(
        sorted(
            ["bin", "box", "dev", "etc", "job", "lib", "lib64", "opt", "proc", "sbin", "tmp", "usr"]
        )
    )
    assert lines[4] == "2"  # seccomp filter mode
    if runner.sandbox.is_root:
        uid = runner.sandbox.settings.uid_base
        probe = "import time\ntime.sleep(1.5)\nprint(1)\n"
        proc = subprocess.Popen(
            ["python3", "-c", "import sys"], stdout=subprocess.DEVNULL
        )  # warm ps
        proc.wait()
        import threading

        seen: list[list[str]] = []
        thread = threading.Thread(target=lambda: run(runner, "python", probe))
        thread.start()
        time.sleep(0.8)
        seen.append(sandbox_processes(runner))
        thread.join()
        assert seen[0], "the sandbox's processes run under a slot uid"
        assert all(int(line.split()[0]) >= uid for line in seen[0])


def test_fork_bomb_python(runner, healthy):
    result = run(runner, "python", "import os\nwhile True:\n    os.fork()\n")
    assert result.status == "runtime_error"
    assert "Resource temporarily unavailable" in result.cases[0].message


def test_fork_bomb_cpp(runner, healthy):
    code = "#include <unistd.h>\nint main(){ while(1) fork(); }\n"
    started = time.monotonic()
    result = run(runner, "cpp", code)
    assert result.status == "time_limit"
    assert time.monotonic() - started < 30


def test_fork_bomb_inside_a_runtime_with_threads(runner, healthy):
    code = "const cp=require('child_process');\nfor(;;){try{cp.spawn('/bin/sh',['-c','sleep 100']);}catch(e){}}\n"
    result = run(runner, "javascript", code)
    assert result.status in ("time_limit", "runtime_error", "memory_limit")


def test_infinite_loop(runner, healthy):
    started = time.monotonic()
    result = run(runner, "python", "while True:\n    pass\n")
    assert result.status == "time_limit"
    assert all(c.status == "time_limit" for c in result.cases)
    assert time.monotonic() - started < 20


def test_sleeping_past_the_limit(runner, healthy):
    started = time.monotonic()
    result = run(runner, "python", "import time\ntime.sleep(60)\n")
    assert result.status == "time_limit"
    assert time.monotonic() - started < 15  # 5 s wall per case, two examples


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "x = []\nwhile True:\n    x.append(bytearray(10**7))\n"),
        (
            "cpp",
            "#include <cstring>\nint main(){ for(;;){ char*p=new char[1<<24]; std::memset(p,1,1<<24);} }\n",
        ),
        (
            "java",
            "import java.util.*;\npublic class Main { public static void main(String[] a) {"
            " List<long[]> l = new ArrayList<>(); for(;;) l.add(new long[1<<20]); } }\n",
        ),
        (
            "javascript",
            "const keep=[];\nfor(;;){ const b=Buffer.alloc(1<<24); b.fill(1); keep.push(b); }\n",
        ),
    ],
)
def test_memory_bomb(runner, healthy, language, code):
    result = run(runner, language, code)
    assert result.status == "memory_limit", [(c.status, c.message[:200]) for c in result.cases]


def test_a_gigabyte_of_output(runner, healthy):
    started = time.monotonic()
    result = run(runner, "python", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n")
    assert result.status == "output_limit"
    assert time.monotonic() - started < 10


def test_reading_host_files_and_secrets(runner, healthy, tmp_path, monkeypatch):
    secret = f"s3cret-{uuid.uuid4().hex}"
    monkeypatch.setenv("HIREFLOW_SECRET_KEY", secret)
    data_dir = os.environ.get("HIREFLOW_DATA_DIR") or str(tmp_path)
    (tmp_path / "candidate.txt").write_text(secret)
    paths = [
        data_dir,
        str(tmp_path),
        os.getcwd(),
        "/root",
        "/home",
        "/var/lib/postgresql",
        "/etc/shadow",
    ]
    code = f"""
import os
print(open("/etc/passwd").read())
print(dict(os.environ))
for path in {paths!r}:
    print(path, os.path.exists(path))
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            print(pid, open(f"/proc/{{pid}}/environ").read())
        except OSError as exc:
            print(pid, "refused", exc.errno)
"""
    output = first_output(run(runner, "python", code))
    assert "root:" not in output and "runner:x:1000" in output
    assert secret not in output and "HIREFLOW" not in output
    for path in paths:
        assert f"{path} False" in output


def test_network_is_unreachable(runner, healthy):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    code = f"""
import socket
for port in (5432, 6379, {port}):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1)
        print(port, "connected")
    except OSError as exc:
        print(port, "refused", type(exc).__name__)
try:
    socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    print("udp6 allowed")
except OSError:
    print("udp6 refused")
"""
    try:
        output = first_output(run(runner, "python", code))
    finally:
        listener.close()
    assert "connected" not in output and "udp6 refused" in output
    assert output.count("refused") == 4
    cpp = (
        "#include <sys/socket.h>\n#include <cstdio>\n"
        'int main(){ printf("%d\\n", socket(AF_INET, SOCK_STREAM, 0)); }\n'
    )
    assert first_output(run(runner, "cpp", cpp)).strip() == "-1"


def test_writing_outside_the_work_directory(runner, healthy, tmp_path):
    marker = f"hf-escape-{uuid.uuid4().hex}"
    targets = ["/", "/usr", "/etc", "/job", "/opt/hireflow", str(tmp_path), "/tmp/.."]
    code = f"""
import os
for target in {targets!r}:
    try:
        with open(os.path.join(target, "{marker}"), "w") as f:
            f.write("x")
        print(target, "written")
    except OSError as exc:
        print(target, "refused")
open("/box/inside.txt", "w").write("ok")
print("box ok")
"""
    output = first_output(run(runner, "python", code))
    assert "box ok" in output
    for target in targets:
        assert f"{target} refused" in output or target == "/tmp/.."
        assert not os.path.exists(os.path.join(target, marker))
    assert not os.path.exists(f"/tmp/{marker}")


def test_spawning_a_shell(runner, healthy):
    code = "import os, subprocess\nprint(subprocess.run(['/bin/sh', '-c', 'id'], capture_output=True).stdout)\n"
    result = run(runner, "python", code)
    assert result.status == "runtime_error"
    assert "Resource temporarily unavailable" in result.cases[0].message
    # A runtime that needs threads may start a shell; it runs inside the same sandbox.
    js = "console.log(require('child_process').execSync('id; ls /root 2>&1; cat /etc/shadow 2>&1; true').toString())"
    output = first_output(run(runner, "javascript", js))
    assert "uid=1000" in output and "root:" not in output


def test_killing_the_harness_is_reported_and_contained(runner, healthy):
    result = run(runner, "python", "import os, signal\nos.kill(-1, signal.SIGKILL)\n")
    assert result.status == "sandbox_violation"


def test_cpp_template_compiler_bomb(runner, healthy):
    # every (N, M) is a distinct instantiation: 2^30 of them
    code = """
template<int N, int M> struct Bomb { enum { value = Bomb<N - 1, 2 * M>::value + Bomb<N - 1, 2 * M + 1>::value }; };
template<int M> struct Bomb<0, M> { enum { value = 1 }; };
int main() { return Bomb<30, 0>::value; }
"""
    started = time.monotonic()
    result = run(runner, "cpp", code)
    assert result.status == "compile_error"
    message = result.compile_message
    assert "too long" in message or "killed" in message or "memory exhausted" in message
    assert time.monotonic() - started < 25
    include = '#include "/dev/zero"\nint main(){}\n'
    assert run(runner, "cpp", include).status == "compile_error"


def test_java_system_exit(runner, healthy):
    code = "public class Main { public static void main(String[] a) { System.exit(42); } }\n"
    result = run(runner, "java", code)
    assert result.status == "runtime_error"
    assert all("exit code 42" in c.message for c in result.cases)


def test_java_thread_bomb(runner, healthy):
    code = (
        "public class Main { public static void main(String[] a) { for(;;) new Thread(() -> {"
        " try { Thread.sleep(100000); } catch (Exception e) {} }).start(); } }\n"
    )
    started = time.monotonic()
    result = run(runner, "java", code)
    # main() dies at the process cap; the JVM then waits for its sleeping threads, or not,
    # depending on timing: either way the run ends at the limit, and the cause is reported
    assert result.status in ("runtime_error", "time_limit")
    assert "unable to create native thread" in result.cases[0].message
    assert time.monotonic() - started < 40


def test_bad_submissions_are_refused_before_the_sandbox(runner):
    with pytest.raises(SubmissionError, match="not cobol"):
        runner.grade(QUESTION, "cobol", "x")
    with pytest.raises(SubmissionError, match="empty"):
        runner.grade(QUESTION, "python", "   ")
    with pytest.raises(SubmissionError, match="64 KiB"):
        runner.grade(QUESTION, "python", "#" * 70_000)
    with pytest.raises(SubmissionError, match="mode"):
        runner.grade(QUESTION, "python", "print(1)", mode="debug")


def test_go_when_installed(runner):
    if "go" not in available_languages():
        pytest.skip("Go toolchain not installed on this host")
    result = run(runner, "go", "package main\nfunc main() { for {} }\n")
    assert result.status == "time_limit"
