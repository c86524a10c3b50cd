"""The Document resources: State, Activity Profile and Agent Profile (no Flask here).

xAPI 1.0.3 Communication 2.2-2.7 and 3.1; xAPI 2.0 (IEEE 9274.1.1) §4.1.4, §4.1.6.2,
§4.1.6.5 and §4.1.6.6. What this module decides:

* **ETags.** A document's ETag is the SHA-1 hex digest of its bytes (1.0.3 3.1.s4.b2;
  2.0 names no algorithm, so the same strong tag serves both). ``Document.etag`` holds
  the bare hex; the HTTP layer quotes it. ``If-Match`` / ``If-None-Match`` values are
  compared with or without quotes, case-insensitively, as ``*`` or as a list.
* **Preconditions** (RFC 7232 §3.1, §3.2, §6) on PUT, POST and DELETE, every resource,
  both versions: ``If-Match`` that matches nothing (or names a missing document) → 412;
  ``If-None-Match`` that matches the current document (``*`` matches any) → 412.
* **PUT without either header**:

  ========================  ===================  ==================
  resource, version         document exists      no document yet
  ========================  ===================  ==================
  State 1.0.3               replaced (204)       created (204)
  State 2.0                 409 Conflict         created (204)
  Profiles 1.0.3            409 Conflict         400 Bad Request
  Profiles 2.0              409 Conflict         created (204)
  ========================  ===================  ==================

  1.0.3 exempts the State resource ("state conflicts are unlikely") and requires a
  client PUTting a profile to send one of the headers (3.1.s3.b1); the 1.0.3
  conformance suite expects 400 for a headerless profile PUT of a new document and
  409 when one exists. xAPI 2.0 drops the exemption and the client rule: its
  concurrency section lists all three resources and its suite expects 409 for State.
* **POST** merges JSON objects (1.0.3 2.2.s7/s8): posted and existing documents must
  both be ``application/json`` and JSON objects, else 400 and nothing changes; the top-level
  properties of the posted object replace the existing ones. A POST to a missing
  document stores it as a PUT would. POST needs no precondition header.
* **DELETE** of a missing document is 204 (unless ``If-Match`` says otherwise); DELETE
  without an id removes every State document of an Activity + Agent (+ registration).
* **No lost updates.** Every write is a compare-and-set on the ETag read in the same
  unit of work. When a store reports ``ConcurrentUpdate`` the whole request is re-run
  once against the new document (so a merge merges into the winner's version); if it
  loses again the client gets 412 (it sent preconditions) or 409.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lrs.domain import jsonlimits
from lrs.domain.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    ValidationError,
)
from lrs.storage.port import ANY, ConcurrentUpdate, Document, DocumentKey, DocumentScope, Store
from lrs.timeutil import utcnow

log = logging.getLogger(__name__)

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"
KINDS = (STATE, ACTIVITY_PROFILE, AGENT_PROFILE)

JSON_TYPE = "application/json"
DEFAULT_TYPE = "application/octet-stream"

# Attempts at a write before a lost compare-and-set race is reported to the client.
_ATTEMPTS = 2

_RESOURCE_NAMES = {
    STATE: "State", ACTIVITY_PROFILE: "Activity Profile", AGENT_PROFILE: "Agent Profile",
}
_ID_PARAMS = {STATE: "stateId", ACTIVITY_PROFILE: "profileId", AGENT_PROFILE: "profileId"}


# ---------------------------------------------------------------- ETags


def etag_for(content: bytes) -> str:
    """The strong ETag of a document: lower-case SHA-1 hex of its bytes, unquoted."""
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - the spec names SHA-1; not a security use


def quote_etag(etag: str) -> str:
    return f'"{etag}"'


@dataclass(frozen=True)
class EntityTags:
    """The value of an ``If-Match`` or ``If-None-Match`` header."""

    any: bool = False
    # (weak, opaque tag without quotes, lower-cased)
    tags: tuple[tuple[bool, str], ...] = ()

    def matches(self, etag: str | None, *, weak_comparison: bool) -> bool:
        """Whether the current ETag (None: no document) satisfies this list.

        ``If-Match`` uses the strong comparison (a ``W/`` tag never matches),
        ``If-None-Match`` the weak one (RFC 7232 §2.3.2).
        """
        if etag is None:
            return False
        if self.any:
            return True
        current = etag.lower()
        return any(tag == current and (weak_comparison or not weak) for weak, tag in self.tags)


def parse_entity_tags(value: str | None, header: str) -> EntityTags | None:
    """Parse ``*`` or a comma-separated list of entity tags; None when the header is absent.

    Tags may come quoted (RFC 7232) or bare (clients that strip the quotes);
    ``W/`` marks a weak tag. A blank header counts as absent.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text == "*":
        return EntityTags(any=True)
    tags: list[tuple[bool, str]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t,":
            i += 1
        if i >= n:
            break
        weak = False
        if text.startswith("W/", i):
            weak = True
            i += 2
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise ValidationError("unterminated quoted entity tag", header)
            tag = text[i + 1:end]
            i = end + 1
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] != ",":
                raise ValidationError("entity tags must be separated by commas", header)
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            tag = text[i:end].strip()
            i = end
            if tag == "*" or not tag or any(c in tag for c in ' \t"'):
                raise ValidationError(
                    "must be * or a comma-separated list of quoted entity tags", header
                )
        tags.append((weak, tag.lower()))
    if not tags:
        raise ValidationError("names no entity tag", header)
    return EntityTags(tags=tuple(tags))


@dataclass(frozen=True)
class Conditions:
    """The concurrency headers of a request."""

    if_match: EntityTags | None = None
    if_none_match: EntityTags | None = None

    @classmethod
    def from_headers(cls, if_match: str | None, if_none_match: str | None) -> Conditions:
        return cls(
            parse_entity_tags(if_match, "If-Match"),
            parse_entity_tags(if_none_match, "If-None-Match"),
        )

    @property
    def present(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


NO_CONDITIONS = Conditions()


# ---------------------------------------------------------------- reading


def get_document(store: Store, key: DocumentKey) -> Document:
    """The document at ``key``; NotFound (404) when there is none."""
    with store.read() as uow:
        document = uow.documents.get(key)
    if document is None:
        raise NotFound(
            f"no {_RESOURCE_NAMES[key.kind]} document with {_ID_PARAMS[key.kind]} {key.doc_id!r}",
            _ID_PARAMS[key.kind],
        )
    return document


def list_ids(store: Store, scope: DocumentScope, since: datetime | None = None) -> list[str]:
    """Ids of the documents in ``scope`` updated after ``since`` (exclusive)."""
    with store.read() as uow:
        return uow.documents.list_ids(scope, since)


def not_modified(document: Document, conditions: Conditions) -> bool:
    """Whether a GET with these headers may be answered 304 (If-None-Match matches)."""
    inm = conditions.if_none_match
    return inm is not None and inm.matches(document.etag, weak_comparison=True)


# ---------------------------------------------------------------- writing


def put_document(
    store: Store,
    key: DocumentKey,
    content: bytes,
    content_type: str | None,
    conditions: Conditions,
    version: str,
) -> Document:
    """Store ``content`` at ``key``, replacing any document there (PUT)."""
    content_type = _clean_type(content_type)

    def build(current: Document | None) -> tuple[Document, str | None]:
        if not conditions.present:
            _check_headerless_put(key, current, version)
        document = Document(key, content, content_type, etag_for(content), utcnow())
        if not conditions.present and current is not None:
            # Only reachable where the spec lets a headerless PUT replace (1.0.3 State).
            return document, ANY
        return document, current.etag if current else None

    return _write(store, key, conditions, build)


def post_document(
    store: Store,
    key: DocumentKey,
    content: bytes,
    content_type: str | None,
    conditions: Conditions,
    version: str,
) -> Document:
    """Merge a posted JSON object into the document at ``key`` (POST)."""
    del version  # POST has the same rules in 1.0.3 and 2.0
    content_type = _clean_type(content_type)
    if media_type(content_type) != JSON_TYPE:
        raise ValidationError(
            f"POST merges JSON objects: the Content-Type must be {JSON_TYPE}, got "
            f"{content_type if content_type != DEFAULT_TYPE else 'none'}; "
            "use PUT to store other content",
            "Content-Type",
        )
    posted = parse_json_object(content, "body", "the posted document")

    def build(current: Document | None) -> tuple[Document, str | None]:
        if current is None:
            return Document(key, content, content_type, etag_for(content), utcnow()), None
        if media_type(current.content_type) != JSON_TYPE:
            raise ValidationError(
                f"the stored document has Content-Type {current.content_type}, not {JSON_TYPE}, "
                "so it cannot be merged with; use PUT to replace it",
                _ID_PARAMS[key.kind],
            )
        existing = parse_json_object(
            current.content, _ID_PARAMS[key.kind], "the stored document"
        )
        merged = json.dumps({**existing, **posted}, ensure_ascii=False, separators=(",", ":"))
        data = merged.encode("utf-8")
        return Document(key, data, JSON_TYPE, etag_for(data), utcnow()), current.etag

    return _write(store, key, conditions, build)


def delete_document(store: Store, key: DocumentKey, conditions: Conditions) -> None:
    """Delete the document at ``key``; a missing document is not an error."""
    with store.transaction() as uow:
        current = uow.documents.get(key)
        _check_preconditions(key, current, conditions)
        if current is not None:
            uow.documents.delete(key)


def delete_all(store: Store, scope: DocumentScope) -> None:
    """Delete every State document of an Activity + Agent (+ registration when given)."""
    if scope.kind != STATE:
        raise ValidationError(
            f"the {_RESOURCE_NAMES[scope.kind]} resource deletes one document at a time: "
            "profileId is required",
            "profileId",
        )
    with store.transaction() as uow:
        uow.documents.delete_all(scope)


def _write(
    store: Store,
    key: DocumentKey,
    conditions: Conditions,
    build: Callable[[Document | None], tuple[Document, str | None]],
) -> Document:
    """Read, check, build and compare-and-set in one unit of work; re-run once on a lost race."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with store.transaction() as uow:
                current = uow.documents.get(key)
                _check_preconditions(key, current, conditions)
                document, expected = build(current)
                uow.documents.save(document, expected)
                return document
        except ConcurrentUpdate:
            log.info(
                "document %s/%s changed during write (attempt %d)", key.kind, key.doc_id, attempt
            )
    if conditions.present:
        raise PreconditionFailed(
            "the document changed while this request was being applied; "
            "GET it again and retry with its new ETag",
            "If-Match" if conditions.if_match is not None else "If-None-Match",
        )
    raise Conflict(
        "the document kept changing while this request was being applied; "
        "GET it and retry with its ETag in If-Match",
        _ID_PARAMS[key.kind],
    )


def _check_preconditions(
    key: DocumentKey, current: Document | None, conditions: Conditions
) -> None:
    id_param = _ID_PARAMS[key.kind]
    etag = current.etag if current else None
    if_match, if_none_match = conditions.if_match, conditions.if_none_match
    if if_match is not None and not if_match.matches(etag, weak_comparison=False):
        if current is None:
            message = f"there is no document with {id_param} {key.doc_id!r}"
        else:
            message = (
                f"the document's current ETag is {quote_etag(current.etag)}; "
                "it changed since you read it"
            )
        raise PreconditionFailed(message, "If-Match")
    if if_none_match is not None and if_none_match.matches(etag, weak_comparison=True):
        raise PreconditionFailed(
            f"a document with {id_param} {key.doc_id!r} already exists "
            f"(ETag {quote_etag(etag or '')})",
            "If-None-Match",
        )


def _check_headerless_put(key: DocumentKey, current: Document | None, version: str) -> None:
    """The rules for a PUT that carries neither If-Match nor If-None-Match (table above)."""
    v2 = version.startswith("2.")
    if key.kind == STATE and not v2:
        return  # xAPI 1.0.3 Communication 3.1: the State resource permits it
    name = _RESOURCE_NAMES[key.kind]
    if current is not None:
        raise Conflict(
            f"a {name} document with {_ID_PARAMS[key.kind]} {key.doc_id!r} already exists; "
            "check its current state (GET) and send its ETag in If-Match to replace it",
            "If-Match",
        )
    if not v2:
        raise ValidationError(
            f"a PUT to the {name} resource must carry an If-Match or If-None-Match header "
            "(xAPI 1.0.3 Communication 3.1); send If-None-Match: * to create a new document",
            "If-Match",
        )


# ---------------------------------------------------------------- helpers


def media_type(content_type: str | None) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return (content_type or "").split(";")[0].strip().lower()


def _clean_type(content_type: str | None) -> str:
    value = (content_type or "").strip()
    return value or DEFAULT_TYPE


def parse_json_object(raw: bytes, path: str, what: str) -> dict[str, Any]:
    """Strict UTF-8 JSON that must be an object (a document that can be merged)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{what} is not valid UTF-8", path) from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    # Deep nesting and lone surrogate escapes would fail the merge's re-encoding (a 500).
    value = jsonlimits.loads(text, path, what)
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be a JSON object to be merged", path)
    return value
