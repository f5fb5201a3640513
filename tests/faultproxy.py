"""A loopback HTTP proxy that misbehaves on request: scripted faults in front of a real store.

``proxy.script`` is a list of actions taken by the next requests in order (then ``PASS``);
``proxy.rule`` may pick an action from a request's content (for a poison record). Actions:
``PASS``; ``Status(code, headers, body)``; ``RESET_BEFORE`` (read half the body, then reset the
connection: the store never sees it); ``RESET_AFTER`` (forward, let the store apply it, then
reset before the response: the client cannot know it worked); ``Slow(seconds)`` (forward after
a delay); ``Rewrite(change)`` (forward a changed body).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass(frozen=True)
class Status:
    code: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"injected fault"


@dataclass(frozen=True)
class Slow:
    seconds: float


@dataclass(frozen=True)
class Rewrite:
    """Forward the request with its body changed (e.g. broken half-way)."""

    change: Callable[[bytes], bytes]


PASS = "pass"
RESET_BEFORE = "reset-before"
RESET_AFTER = "reset-after"
Action = str | Status | Slow | Rewrite
Rule = Callable[[str, str, bytes], Action | None]


@dataclass
class FaultProxy:
    upstream: str
    script: list[Action] = field(default_factory=list)
    rule: Rule | None = None
    log: list[tuple[str, str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_action(self, method: str, path: str, body: bytes) -> Action:
        with self.lock:
            if self.rule is not None:
                chosen = self.rule(method, path, body)
                if chosen is not None:
                    return chosen
            return self.script.pop(0) if self.script else PASS

    def reset(self) -> None:
        with self.lock:
            self.script.clear()
            self.rule = None
            self.log.clear()

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _abort(self) -> None:
                # SO_LINGER 0: close with RST, the way a crashed peer or a cut link looks.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                method, path = self.command, self.path
                peek = self.rfile.read(length // 2) if length else b""
                # The script is consulted on the body's first half for RESET_BEFORE and on the
                # whole body otherwise; rules see the whole body.
                rest = self.rfile.read(length - len(peek)) if length else b""
                body = peek + rest
                action = proxy.next_action(method, path, body)
                proxy.log.append((method, path, str(action)))
                if action == RESET_BEFORE:
                    self._abort()
                    return
                if isinstance(action, Status):
                    self.send_response(action.code)
                    for k, v in action.headers:
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(action.body)))
                    self.end_headers()
                    self.wfile.write(action.body)
                    return
                if isinstance(action, Slow):
                    time.sleep(action.seconds)
                if isinstance(action, Rewrite):
                    body = action.change(body)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                try:
                    r = httpx.request(method, proxy.upstream + path, content=body,
                                      headers=headers, timeout=60)
                except httpx.HTTPError:
                    self._abort()
                    return
                if action == RESET_AFTER:
                    self._abort()
                    return
                try:
                    self.send_response(r.status_code)
                    for k, v in r.headers.items():
                        if k.lower() not in ("content-length", "transfer-encoding",
                                             "connection", "content-encoding"):
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(r.content)))
                    self.end_headers()
                    self.wfile.write(r.content)
                except OSError:
                    pass  # the client gave up (its timeout); nothing to tell it

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
