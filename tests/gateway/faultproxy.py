"""A fault-injecting HTTP proxy on loopback, in front of a real `lrs serve`.

Each request to ``/xapi/statements`` takes the next fault from ``faults`` (if any):
``("status", 500)``, ``("status", 429, {"Retry-After": "1"})``, ``("half",)`` (the
real response's headers and half its body, then the connection is cut), or
``("delay", seconds)`` (then forwarded). ``down()`` stops listening on the port,
``up()`` listens again on the same port.
"""

from __future__ import annotations

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class FaultProxy:
    def __init__(self, upstream: str, port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")  # http://127.0.0.1:PORT
        self.faults: deque[tuple] = deque()
        self.delay = 0.0  # added to every statements request
        self.seen: list[str] = []
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self.up()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi"

    def up(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = None
                if self.path.startswith("/xapi/statements"):
                    proxy.seen.append(f"{self.command} {self.path}")
                    fault = proxy.faults.popleft() if proxy.faults else None
                    if proxy.delay:
                        threading.Event().wait(proxy.delay)
                if fault and fault[0] == "status":
                    headers = fault[2] if len(fault) > 2 else {}
                    payload = b'{"error": {"status": %d, "message": "injected"}}' % fault[1]
                    self.send_response(fault[1])
                    for k, v in {**headers, "Content-Type": "application/json",
                                 "Content-Length": str(len(payload))}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault and fault[0] == "delay":
                    threading.Event().wait(fault[1])
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                res = requests.request(self.command, proxy.upstream + self.path, data=body,
                                       headers=headers, timeout=60)
                content = res.content
                self.send_response(res.status_code)
                for k, v in res.headers.items():
                    if k.lower() not in HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if fault and fault[0] == "half":
                    self.wfile.write(content[: len(content) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = _relay

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
