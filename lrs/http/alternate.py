"""xAPI 1.0.3's alternate request syntax (Communication 1.3), as WSGI middleware.

A browser that cannot send PUT or custom headers may POST a form to
``…?method=PUT``; the form carries the headers, the resource's parameters and
the body in ``content``. The middleware turns such a request back into the
request it stands for, so the resources below never see the difference.
xAPI 2.0 removed the syntax: the version check refuses rewritten 2.0 requests.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qsl, urlencode

# Form fields treated as the headers they name (Communication 1.3.s3.b7).
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": None,  # recomputed from `content`
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}
FORM_TYPE = "application/x-www-form-urlencoded"
ALTERNATE_FLAG = "lrs.alternate_syntax"
ERROR_KEY = "lrs.alternate_syntax_error"
ERROR_STATUS_KEY = "lrs.alternate_syntax_error_status"  # when not 400


class AlternateRequestSyntax:
    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if any(name == "method" for name, _ in query):
            self._rewrite(environ, query)
            if environ["REQUEST_METHOD"] == "HEAD":
                return self._head(environ, start_response)
        return self.app(environ, start_response)

    def _head(self, environ: dict[str, Any], start_response: Any) -> Any:
        """``POST …?method=HEAD``: the headers a HEAD would get, and an honest length.

        On the wire the request is a POST, so a client reads as many body bytes
        as Content-Length says; the length of the GET's body (what a real HEAD
        announces) would leave it waiting for bytes that never come.
        """

        def no_body(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
            return start_response(status, [*kept, ("Content-Length", "0")], exc_info)

        body = self.app(environ, no_body)
        try:
            for _ in body:  # HEAD bodies are empty; drain whatever a handler produced
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return [b""]

    def _rewrite(self, environ: dict[str, Any], query: list[tuple[str, str]]) -> None:
        environ[ALTERNATE_FLAG] = True
        method = dict(query)["method"].upper()
        if environ.get("REQUEST_METHOD") != "POST":
            environ[ERROR_KEY] = "the alternate request syntax must be sent as POST"
            return
        if len(query) != 1:
            extra = next(name for name, _ in query if name != "method")
            environ[ERROR_KEY] = (
                f"with the alternate request syntax every parameter goes in the form body; "
                f"found {extra!r} in the query string"
            )
            return
        if method not in METHODS:
            environ[ERROR_KEY] = f"unknown method {method!r} in the alternate request syntax"
            return
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            environ[ERROR_KEY] = f"the alternate request syntax needs a {FORM_TYPE} body"
            return
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            environ[ERROR_KEY] = f"the request body is larger than {self.max_body_bytes} bytes"
            environ[ERROR_STATUS_KEY] = 413
            return
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
        except (UnicodeDecodeError, ValueError):
            environ[ERROR_KEY] = "the alternate request syntax body is not a valid url-encoded form"
            return
        params: list[tuple[str, str]] = []
        content = b""
        environ.pop("CONTENT_TYPE", None)
        for name, value in form:
            lowered = name.lower()
            if lowered == "content":
                content = value.encode("utf-8")
            elif lowered in HEADER_FIELDS:
                target = HEADER_FIELDS[lowered]
                if target:
                    environ[target] = value
            else:
                params.append((name, value))
        if content and "CONTENT_TYPE" not in environ:
            environ["CONTENT_TYPE"] = "application/json"
        environ["REQUEST_METHOD"] = method
        environ["QUERY_STRING"] = urlencode(params)
        environ["CONTENT_LENGTH"] = str(len(content))
        environ["wsgi.input"] = io.BytesIO(content)
