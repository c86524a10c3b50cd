"""A gunicorn worker that reads request headers without tying up a thread.

gunicorn's gthread worker hands a connection to a pool thread as soon as its
first bytes arrive; the thread then blocks until the headers are complete, so
8 clients trickling headers (2 workers x 4 threads) stopped the whole service.
Here the worker's event loop gathers the header bytes of new and kept-alive
connections itself (non-blocking) and hands a connection to a thread only once
its headers are complete. A client that has not sent them within
LRS_HEADER_TIMEOUT seconds gets 408 and is closed. A slow *body* still holds a
thread: put a buffering reverse proxy in front (README, Operations).
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

HEADER_END = b"\r\n\r\n"
# More header bytes than this go to the parser anyway, which refuses them (431/400).
MAX_HEADER_BYTES = 64 * 1024
REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def header_timeout() -> float:
    raw = os.environ.get("LRS_HEADER_TIMEOUT") or "10"
    value = float(raw)
    if value <= 0:
        raise ValueError(f"LRS_HEADER_TIMEOUT must be a positive number of seconds: {raw!r}")
    return value


class HeaderGuardWorker(ThreadWorker):
    def init_process(self) -> None:
        self.header_timeout = header_timeout()
        # Connections whose headers are being gathered: conn -> [deadline, bytes so far].
        self.reading: dict = {}
        super().init_process()

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:  # TLS needs its handshake first: keep gunicorn's own path
            return super().accept(listener)
        try:
            client_sock, client_addr = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        self._gather(conn)

    def on_client_socket_readable(self, conn, client) -> None:
        # A kept-alive connection with its next request: gather its headers here too,
        # unless the parser already holds pipelined bytes (then they are complete or close).
        if self.cfg.is_ssl or conn.parser is None or conn.parser.unreader.buf.tell():
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        conn.sock.setblocking(False)
        self._gather(conn)

    def _gather(self, conn) -> None:
        self.reading[conn] = [time.monotonic() + self.header_timeout, b""]
        # A kept-alive client's next request is usually here whole already (its socket
        # just polled readable): read it now rather than after another trip through
        # the poller (register, wake, unregister: ~10 % of a small request's CPU).
        if self._read_headers(conn):
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_header_bytes, conn))

    def _on_header_bytes(self, conn, client) -> None:
        self._read_headers(conn, registered=True)

    def _read_headers(self, conn, registered: bool = False) -> bool:
        """Read what the client has sent; True once the connection is handed on (its
        headers complete, to a thread) or dropped, False while headers are awaited."""
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:  # the client went away before its request was complete
            self._drop(conn)
            return True
        entry = self.reading[conn]
        entry[1] += data
        if HEADER_END not in entry[1] and len(entry[1]) < MAX_HEADER_BYTES:
            return False
        if registered:
            self.poller.unregister(conn.sock)
        del self.reading[conn]
        conn.data_ready = True  # handle() must not wait for data again
        conn.sock.setblocking(True)
        conn.init()  # a new connection gets its parser; a kept-alive one keeps it
        conn.parser.unreader.unread(entry[1])
        self.enqueue_req(conn)
        return True

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn, (deadline, _) in list(self.reading.items()):
            if deadline <= now or not self.alive:
                with contextlib.suppress(OSError):
                    conn.sock.send(REQUEST_TIMEOUT)
                self._drop(conn)

    def _drop(self, conn) -> None:
        self.reading.pop(conn, None)
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()
