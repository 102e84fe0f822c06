"""The seccomp filter every sandboxed process runs under (loaded by ``bwrap --seccomp``).

A deny list on top of bubblewrap's namespaces: the filter refuses (with ``EPERM``, so
runtimes that probe a feature degrade instead of crashing) the system calls that a program
answering a coding question never needs and that are the usual ways to attack a kernel or
leave a sandbox: other namespaces and mounts, ptrace and cross-process memory access, kernel
keyrings, BPF and perf, io_uring, module loading, clocks, reboot, and every socket that is not
a Unix socket (the network namespace is already empty; this is the second wall). Calls from
another ABI (32-bit ``int 0x80``, x32) kill the process (libseccomp's bad-architecture action).

The BPF program is generated with libseccomp (``pyseccomp``, a ctypes binding of the system's
``libseccomp.so.2``) once per process and reused for every run.
"""

from __future__ import annotations

import errno
import os
import tempfile
from functools import cache

# Refused outright (EPERM).
DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "quotactl",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "uselib",
    "ustat",
    "sysfs",
    "vhangup",
    "iopl",
    "ioperm",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "fanotify_init",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "personality",
)
AF_UNIX = 1
# clone(2) flags that create namespaces: refused even though bwrap also disables user
# namespaces, so no nested sandbox can be built to reach a kernel surface we did not plan for.
CLONE_NEW_MASK = (
    0x00020000  # CLONE_NEWNS
    | 0x02000000  # CLONE_NEWCGROUP
    | 0x04000000  # CLONE_NEWUTS
    | 0x08000000  # CLONE_NEWIPC
    | 0x10000000  # CLONE_NEWUSER
    | 0x20000000  # CLONE_NEWPID
    | 0x40000000  # CLONE_NEWNET
    | 0x00000080  # CLONE_NEWTIME
)


class SeccompUnavailable(RuntimeError):
    """libseccomp (or its Python binding) is missing: the sandbox refuses to run without it."""


@cache
def filter_program() -> bytes:
    """The compiled BPF program (raw ``struct sock_filter`` array) for ``bwrap --seccomp``."""
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as exc:  # OSError: libseccomp.so.2 not found
        raise SeccompUnavailable(
            "libseccomp is required for the code sandbox: install Debian's libseccomp2 and "
            "the pyseccomp package (pip install 'hireflow[sandbox]')"
        ) from exc
    refuse = sc.ERRNO(errno.EPERM)
    rules = sc.SyscallFilter(sc.ALLOW)
    for name in DENIED:
        try:
            rules.add_rule(refuse, name)
        except (ValueError, RuntimeError, OSError):
            continue  # a call this kernel/libseccomp does not know: nothing to refuse
    rules.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    for bit in range(32):
        flag = 1 << bit
        if CLONE_NEW_MASK & flag:
            rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    # clone3 passes its flags in memory a filter cannot read: "not implemented" makes the C
    # library fall back to clone(2), which the rules above inspect.
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    return _export(rules)


def _export(rules: object) -> bytes:
    with tempfile.TemporaryFile() as handle:
        rules.export_bpf(handle)  # type: ignore[attr-defined]
        handle.seek(0)
        return handle.read()


def program_fd() -> int:
    """A readable file descriptor holding the filter, positioned at its start (caller closes)."""
    program = filter_program()
    fd = os.memfd_create("hireflow-seccomp", 0)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
