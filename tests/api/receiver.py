"""A callback receiver on 127.0.0.1 — "the outside" for the callback tests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Answer 500 to this many requests before answering 204.
    failures: int = 0


def serve() -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(Received(dict(self.headers.items()), self.rfile.read(length)))
            if state.failures > 0:
                state.failures -= 1
                self.send_response(500)
            else:
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/kouiki/events"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
