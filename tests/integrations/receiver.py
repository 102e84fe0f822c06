"""A real HTTP receiver on a local port that checks every webhook's signature and records
what arrived, in order. ``down()`` answers 503 (or closes the socket with ``stop()``)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hireflow.integrations import signing


@dataclass
class Received:
    event_id: str
    event: str
    body: dict[str, Any]
    headers: dict[str, str]
    valid_with: list[str]
    raw: bytes = b""  # the body as received, for receivers that check the signature themselves


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    failing: int = 0  # answer 503 to this many requests
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/hireflow"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with receiver._lock:
                    if receiver.failing > 0:
                        receiver.failing -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    header = self.headers.get(signing.SIGNATURE_HEADER, "")
                    valid = [s for s in receiver.secrets if signing.verify(s, header, raw)]
                    if not valid:
                        receiver.refused += 1
                        self.send_response(400)
                        self.end_headers()
                        return
                    body = json.loads(raw)
                    receiver.received.append(
                        Received(
                            self.headers.get(signing.EVENT_ID_HEADER, ""),
                            self.headers.get(signing.EVENT_HEADER, ""),
                            body,
                            dict(self.headers),
                            valid,
                            raw,
                        )
                    )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        # Port 0 lets the kernel pick: a fixed range is shared by the suite's parallel workers,
        # and a port one worker freed could be taken by another's receiver (which answers).
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
