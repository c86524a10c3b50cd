"""A remote LRS over HTTP: statement pages in, statement batches out.

One ``requests.Session`` per job with urllib3's ``Retry``: connection errors,
500/502/503/504 and 429 are retried with exponential backoff, honouring
``Retry-After``. A response that breaks off half-way (urllib3 has already
returned it, so its ``Retry`` cannot help) is retried here, with the same
backoff. What still fails is a :class:`RemoteUnavailable`: the job records it
and its follower tries again later; nothing of the page was stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from lrs.http.multipart import build_multipart_mixed, parse_multipart_mixed

VERSION_HEADER = "X-Experience-API-Version"
CONSISTENT_THROUGH = "X-Experience-API-Consistent-Through"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A body that broke off after the headers: urllib3 had returned the response already.
BROKEN_BODY = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.ReadTimeout,
)


class RemoteUnavailable(Exception):
    """The remote LRS is down, overloaded or broke off; retry later."""


class RemoteRefused(Exception):
    """The remote LRS answered with a 4xx that repeating the request will not change."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


@dataclass
class Page:
    statements: list[dict[str, Any]]
    more: str | None
    consistent_through: str | None
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _message(response: requests.Response) -> str:
    try:
        error = response.json().get("error", {})
        return str(error.get("message") or response.text[:300])
    except ValueError:
        return response.text[:300]


class XapiClient:
    def __init__(
        self, endpoint: str, key: str, secret: str, *, version: str = "2.0.0",
        timeout: float = 30.0, retries: int = 5, backoff: float = 0.5,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        parts = urlsplit(self.endpoint)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.session = requests.Session()
        self.session.auth = (key, secret)
        self.session.headers[VERSION_HEADER] = version
        retry = Retry(
            total=retries, connect=retries, read=retries, status=retries,
            status_forcelist=RETRY_STATUSES, allowed_methods=None,  # POSTs are idempotent by id
            backoff_factor=backoff, backoff_max=30, respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:  # never the secret
        return f"XapiClient({self.endpoint!r})"

    def close(self) -> None:
        self.session.close()

    def use_version(self, version: str) -> None:
        """Send ``X-Experience-API-Version: version`` from now on."""
        self.session.headers[VERSION_HEADER] = version

    def about_versions(self) -> list[str] | None:
        """The versions the remote lists in ``GET /about``; None if it does not say."""
        try:
            body = self._get(f"{self.endpoint}/about").json()
        except (RemoteRefused, ValueError):
            return None
        versions = body.get("version") if isinstance(body, dict) else None
        if not isinstance(versions, list):
            return None
        return [v for v in versions if isinstance(v, str)]

    # ------------------------------------------------------------ reading

    def first_page_url(self, since: str | None, limit: int) -> str:
        params = {"ascending": "true", "limit": str(limit), "attachments": "true"}
        if since:
            params["since"] = since
        return f"{self.endpoint}/statements?{urlencode(params)}"

    def more_url(self, more: str) -> str:
        # xAPI `more` is an IRL relative to the server (or absolute).
        return more if "://" in more else self.origin + more

    def get_page(self, url: str) -> Page:
        response = self._get(url)
        content_type = response.headers.get("Content-Type", "")
        try:
            if content_type.startswith("multipart/mixed"):
                parts = parse_multipart_mixed(response.content, content_type)
                body = orjson.loads(parts[0].body)
                attachments = {
                    p.sha2: (p.headers.get("content-type", "application/octet-stream"), p.body)
                    for p in parts[1:] if p.sha2
                }
            else:
                body = orjson.loads(response.content)
                attachments = {}
            statements = body["statements"]
            more = body.get("more") or None
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise RemoteUnavailable(f"unreadable statement page from {url}: {exc}") from exc
        return Page(statements, more, response.headers.get(CONSISTENT_THROUGH), attachments)

    def get_voided(self, statement_id: str) -> Page | None:
        """A voided statement (queries leave them out), with its attachments; None if absent."""
        url = (f"{self.endpoint}/statements?"
               + urlencode({"voidedStatementId": statement_id, "attachments": "true"}))
        try:
            response = self._get(url)
        except RemoteRefused as exc:
            if exc.status == 404:
                return None
            raise
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith("multipart/mixed"):
            parts = parse_multipart_mixed(response.content, content_type)
            statement = orjson.loads(parts[0].body)
            attachments = {p.sha2: (p.headers.get("content-type", ""), p.body)
                           for p in parts[1:] if p.sha2}
        else:
            statement, attachments = orjson.loads(response.content), {}
        return Page([statement], None, None, attachments)

    def _get(self, url: str) -> requests.Response:
        for attempt in range(self.retries + 1):
            try:
                response = self.session.get(url, timeout=self.timeout)
                response.content  # noqa: B018 - read the whole body here, inside the retry
            except BROKEN_BODY as exc:
                if attempt == self.retries:
                    raise RemoteUnavailable(f"GET {url}: {type(exc).__name__}: {exc}") from exc
                time.sleep(min(self.backoff * 2**attempt, 30))
                continue
            except requests.RequestException as exc:
                # Connecting and the status line were retried by urllib3 already.
                raise RemoteUnavailable(f"GET {url}: {type(exc).__name__}: {exc}") from exc
            if response.status_code in RETRY_STATUSES:
                raise RemoteUnavailable(f"GET {url}: {response.status_code} after retries")
            if response.status_code >= 400:
                raise RemoteRefused(response.status_code, _message(response))
            return response
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ writing

    def post_statements(
        self, statements: list[dict[str, Any]], attachments: dict[str, tuple[str, bytes]]
    ) -> None:
        """POST a batch; a statement the remote has already is fine (same id, same content)."""
        url = f"{self.endpoint}/statements"
        body = orjson.dumps(statements)
        if attachments:
            data, content_type = build_multipart_mixed(
                body, [(sha2, ct, raw) for sha2, (ct, raw) in attachments.items()]
            )
        else:
            data, content_type = body, "application/json"
        try:
            response = self.session.post(
                url, data=data, headers={"Content-Type": content_type}, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise RemoteUnavailable(f"POST {url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code in RETRY_STATUSES:
            raise RemoteUnavailable(f"POST {url}: {response.status_code} after retries")
        if response.status_code >= 400:
            raise RemoteRefused(response.status_code, _message(response))
