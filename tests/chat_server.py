"""A real local HTTP server that speaks OpenAI's chat-completions protocol, for the tests of
everything that talks to such a provider (translation, judges). It answers each request with
``reply(last user message)``; ``mode`` "error" answers 500, "garbage" a reply without
choices. Each server gets a handler class of its own, so two servers never share state."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class ChatServer(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []
    mode: ClassVar[str] = "ok"
    reply: ClassVar[Callable[[str], str]] = staticmethod(lambda text: "?")
    url: ClassVar[str] = ""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if self.mode == "error":
            self._send(500, {"error": {"message": "model overloaded"}})
            return
        if self.mode == "garbage":
            self._send(200, {"unexpected": True})
            return
        content = self.reply(body["messages"][-1]["content"]) + "\n"
        message = {"role": "assistant", "content": content}
        self._send(200, {"choices": [{"index": 0, "message": message}]})

    def _send(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def chat_server(reply: Callable[[str], str]) -> Iterator[type[ChatServer]]:
    """Serve on a free local port; yields the handler class: ``.url`` is the base URL
    (``http://127.0.0.1:N/v1``), ``.requests`` what arrived, ``.mode`` what it answers."""
    handler = type(
        "Chat", (ChatServer,), {"requests": [], "mode": "ok", "reply": staticmethod(reply)}
    )
    # HIREFLOW_CHAT_PORT pins the port (machines that give each developer a range).
    port = int(os.environ.get("HIREFLOW_CHAT_PORT") or 0)
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        httpd.shutdown()
        httpd.server_close()
