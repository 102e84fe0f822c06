"""Room notices between the processes of one host without Redis (the embedded default).

Without Redis the speech worker is another process than the web server whose streams show
its lines. Each web process that holds a live stream binds a UNIX datagram socket in
``<data dir>/run/live-notices/<pid>.sock``; :func:`send` (the worker, after committing a line
or hints) sends the room's id to every socket there, and the web process's listener thread
wakes that room's streams through the in-process hub, as a Redis message would. A datagram
carries a room id and nothing else; the directory is the installation's own (mode 0700).

It is a wake-up, not a record: a lost datagram (a full buffer, a web process restarting) is
made good by the streams' one-second look. Once this process heard a worker (:func:`heard`),
the worker is known to be on this host and the streams stop watching the room every 0.2 s
while a chunk is on its way; until then (a worker on another host, no UNIX sockets) they
keep doing so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path

from hireflow.core.logging import log_error
from hireflow.core.settings import get_settings
from hireflow.interviews import live

log = logging.getLogger(__name__)

#: AF_UNIX paths are limited to 107 bytes on Linux (103 on macOS): a data directory deeper
#: than that leaves the streams on their watch instead.
MAX_PATH = 100

_lock = threading.Lock()
_listener: socket.socket | None = None
_sender: socket.socket | None = None
_heard = threading.Event()


def directory() -> Path:
    return get_settings().data_dir / "run" / "live-notices"


def _own_path() -> Path:
    return directory() / f"{os.getpid()}.sock"


def listening() -> bool:
    """Bind this process's socket and start its listener once; False where that is not
    possible (no AF_UNIX, a path too long, a directory not writable)."""
    global _listener
    if not hasattr(socket, "AF_UNIX"):
        return False
    with _lock:
        if _listener is not None:
            return True
        path = _own_path()
        if len(str(path)) > MAX_PATH:
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # a socket left by an earlier process with this pid
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(str(path))
        except OSError as exc:
            log_error(
                log, "live notices unavailable", exc, event="live.notices", level=logging.WARNING
            )
            return False
        _listener = sock
        threading.Thread(target=_listen, args=(sock,), name="live-notices", daemon=True).start()
        return True


def _listen(sock: socket.socket) -> None:
    while True:
        try:
            data = sock.recv(64)
        except OSError:
            return  # closed
        text = data.decode("ascii", "replace")
        worker, room = text.startswith("w"), text.removeprefix("w")
        if room.isdigit():
            if worker:
                _heard.set()
            live.hub.wake(-int(room))  # rooms take the negative keys of the live channel


def heard() -> bool:
    """Whether a speech worker's notice reached this process (it runs on this host)."""
    return _heard.is_set()


def send(room_id: int, from_worker: bool = False) -> None:
    """Wake the room's streams in every other process of this host that listens
    (``from_worker``: a speech worker's line or hints)."""
    global _sender
    folder = directory()
    if not hasattr(socket, "AF_UNIX") or not folder.is_dir():
        return  # no web process listens
    with _lock:
        if _sender is None:
            _sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            _sender.setblocking(False)
        sender = _sender
    own = _own_path()
    message = f"{'w' if from_worker else ''}{int(room_id)}".encode("ascii")
    for path in folder.glob("*.sock"):
        if path == own:
            continue  # this process's streams were woken in process
        try:
            sender.sendto(message, str(path))
        except (ConnectionRefusedError, FileNotFoundError):
            _forget(path)
        except OSError:
            pass  # a full buffer: that process's one-second look shows the change


def _forget(path: Path) -> None:
    """Remove a socket nobody listens on when its process ended (not one of a live process:
    the data directory may be shared with another host, whose sockets this one cannot use)."""
    try:
        os.kill(int(path.stem), 0)
    except ProcessLookupError:
        with contextlib.suppress(OSError):
            path.unlink()
    except (ValueError, OSError):
        pass  # not a pid, or a process of another user: left alone


def close() -> None:
    """Stop listening and remove this process's socket (tests; a process that ends)."""
    global _listener
    with _lock:
        sock, _listener = _listener, None
    if sock is not None:
        sock.close()
        with contextlib.suppress(OSError):
            _own_path().unlink()
    _heard.clear()
