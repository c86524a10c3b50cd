"""Hostile input against a real `lrs serve`: the body limit holds with and without
Content-Length, and garbage on the socket never takes the server down."""

from __future__ import annotations

import json
import socket

from .conftest import create_credential, db_ids, statement

LIMIT = 64 * 1024


def raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def test_body_limit_and_garbage(server_factory, tmp_path):
    key, secret = create_credential(tmp_path)
    server = server_factory(workers=1, threads=2, env={"LRS_MAX_BODY_BYTES": str(LIMIT)})
    session = server.session(key, secret)
    big = json.dumps([statement() for _ in range(LIMIT // 100)]).encode()
    assert len(big) > LIMIT

    res = session.post(server.base + "/statements", data=big,
                       headers={"Content-Type": "application/json"}, timeout=60)
    assert res.status_code == 413
    assert res.json()["error"] == {
        "status": 413, "message": f"the request body is larger than the limit of {LIMIT} bytes",
        "path": "body",
    }

    def chunks():  # no Content-Length: chunked transfer encoding
        for start in range(0, len(big), 8192):
            yield big[start:start + 8192]

    res = session.post(server.base + "/statements", data=chunks(),
                       headers={"Content-Type": "application/json"}, timeout=60)
    assert res.status_code == 413, res.text
    assert res.json()["error"]["path"] == "body"

    # Regression: a chunked document over the limit was stored cut to the limit (204).
    doc = f"{server.base}/activities/profile?activityId=http://example.gov.cn/c&profileId=p"
    res = session.put(doc, data=chunks(), timeout=60,
                      headers={"Content-Type": "text/plain", "If-None-Match": "*"})
    assert res.status_code == 413, res.text
    assert session.get(doc, timeout=60).status_code == 404
    small = big[: LIMIT - 1]
    res = session.put(doc, data=iter([small[:1000], small[1000:]]), timeout=60,
                      headers={"Content-Type": "text/plain", "If-None-Match": "*"})
    assert res.status_code == 204, res.text
    assert session.get(doc, timeout=60).content == small

    auth = session.auth
    garbage = [
        b"\x00\xff\xfe garbage\r\n\r\n",
        b"GET /xapi/statements HTTP/1.1\r\nHost: x\r\n" + b"X: " + b"a" * 20000 + b"\r\n\r\n",
        b"POST /xapi/statements HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /xapi/statements HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /xapi/" + b"%" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    ]
    for data in garbage:
        answer = raw_request(server.port, data)
        assert b" 500 " not in answer.split(b"\r\n", 1)[0], answer[:200]
        assert b"Traceback" not in answer

    # Still serving, and nothing was stored by any of it.
    ok = session.post(server.base + "/statements", json=statement(), timeout=60)
    assert ok.status_code == 200, ok.text
    assert session.auth == auth
    server.stop()
    assert db_ids(tmp_path / "lrs.sqlite3") == ok.json()
