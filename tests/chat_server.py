"""A real local HTTP server that speaks OpenAI's chat-completions protocol, for the tests of
everything that talks to such a provider (translation, judges). It answers each request with
``ChatServer.reply(last user message)``; ``mode`` "error" answers 500, "garbage" a reply
without choices."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class ChatServer(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []
    mode: ClassVar[str] = "ok"
    reply: ClassVar[Callable[[str], str]] = staticmethod(lambda text: "?")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ChatServer.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), **body}
        )
        if ChatServer.mode == "error":
            self._send(500, {"error": {"message": "model overloaded"}})
            return
        if ChatServer.mode == "garbage":
            self._send(200, {"unexpected": True})
            return
        content = ChatServer.reply(body["messages"][-1]["content"]) + "\n"
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
def chat_server(reply: Callable[[str], str]) -> Iterator[str]:
    """Serve on a free local port; yields the base URL (``http://127.0.0.1:N/v1``)."""
    ChatServer.requests = []
    ChatServer.mode = "ok"
    ChatServer.reply = staticmethod(reply)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
