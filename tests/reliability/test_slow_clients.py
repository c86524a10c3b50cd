"""Issue 12 item 5: clients that trickle their headers must not block the service.

Before, 8 such connections held every thread of 2 workers x 4 threads and a
normal request waited until they gave up."""

from __future__ import annotations

import contextlib
import socket
import time

import requests

from tests.reliability.conftest import create_credential, statement

PARTIAL = b"GET /xapi/about HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _slow_sockets(port: int, n: int) -> list[socket.socket]:
    sockets = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(PARTIAL)  # headers begun, never finished
        sockets.append(s)
    return sockets


def test_slow_header_clients_do_not_block_normal_requests(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=2, threads=4, env={"LRS_HEADER_TIMEOUT": "4"})
    session = server.session(key, secret)
    slow = _slow_sockets(server.port, 64)
    try:
        for s in slow:  # keep trickling: each still looks alive
            s.sendall(b"a")
        worst = 0.0
        for _ in range(10):
            start = time.monotonic()
            assert requests.get(f"{server.base}/about", timeout=5).status_code == 200
            res = session.post(f"{server.base}/statements", json=statement(), timeout=5)
            assert res.status_code == 200, res.text
            worst = max(worst, time.monotonic() - start)
        assert worst < 2.0, f"a normal request took {worst:.2f} s"
        # Past the header timeout the slow clients are told 408 and closed.
        time.sleep(5.5)
        answers = []
        for s in slow:
            with contextlib.suppress(OSError):
                answers.append(s.recv(200))
        assert answers and all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[:3]
    finally:
        for s in slow:
            s.close()


def test_a_kept_alive_connection_still_serves_its_next_requests(server_factory, tmp_path):
    server = server_factory(workers=1, threads=2)
    with requests.Session() as http:
        for _ in range(5):  # the same connection, kept alive between requests
            assert http.get(f"{server.base}/about", timeout=5).status_code == 200
    # A request whose headers arrive in pieces is served once they are complete.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /xapi/about HTTP/1.1\r\n")
        time.sleep(0.3)
        s.sendall(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply = s.recv(200)
    assert reply.startswith(b"HTTP/1.1 200"), reply


def test_a_kept_alive_connections_next_request_may_arrive_whole_or_in_pieces(
    server_factory, tmp_path
):
    """The worker reads a kept-alive connection's next request as soon as the socket is
    readable: whole requests are served at once, partial ones once the rest arrives, and
    a client that leaves half-way is dropped without harm to the next."""
    server = server_factory(workers=1, threads=1)
    request = b"GET /xapi/about HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        for piece_at in (None, 10, None, 30):
            if piece_at is None:
                s.sendall(request)
            else:
                s.sendall(request[:piece_at])
                time.sleep(0.3)
                s.sendall(request[piece_at:])
            reply = _read_response(s)
            assert reply.startswith(b"HTTP/1.1 200"), reply
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(request)
        assert _read_response(s).startswith(b"HTTP/1.1 200")
        s.sendall(request[:20])  # the next request begun, then the client leaves
    assert requests.get(f"{server.base}/about", timeout=5).status_code == 200


def _read_response(s: socket.socket) -> bytes:
    """One whole response (headers and a Content-Length body) from a kept-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += s.recv(4096)
    return data
