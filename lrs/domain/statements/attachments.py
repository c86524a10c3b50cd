"""Attachment objects of statements, and the raw data parts that carry them.

xAPI 1.0.3 Data 2.4.11 and Communication 1.5 (2.0.0: the same rules):

* An attachment with a populated ``fileUrl`` needs no data in the request; one
  without must have its data in a ``multipart/mixed`` part whose
  ``X-Experience-API-Hash`` equals its ``sha2`` (Communication 1.5.2.s3.b5).
  So an ``application/json`` request may only hold attachments with a
  ``fileUrl`` (1.5.2.s2.b1): see :func:`require_no_raw_attachments`.
* A part whose hash matches no attachment is an excess part and is refused
  (conformance requirement XAPI-00128).
* The LRS matches data to attachments "by comparing the SHA-2 of the raw data to
  the SHA-2 declared in the header" (1.5.2.s1.b4): the hash header must be the
  hex SHA-2 digest of the part's body (SHA-256, -384 or -512 as 1.5.2.s4.b4
  recommends; SHA-224, SHA-512/224 and SHA-512/256 are SHA-2 too and accepted).
* Where a part header has a corresponding attachment property and both are
  given, they must agree (1.5.2.s2.b2.b7): Content-Type with ``contentType``
  (compared as media types, parameters aside) and Content-Length with
  ``length``. The ``length`` property is *not* checked against the size of the
  data when the part gives no Content-Length: the ADL conformance suite sends
  data whose size differs from the declared length and expects it accepted.

Parts are duck-typed (``headers``, ``body``, ``sha2``, ``content_type``), as
produced by :func:`lrs.http.multipart.parse_multipart_mixed`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from lrs.domain.errors import ValidationError


class Part(Protocol):
    """One body part of a multipart/mixed request, as the HTTP layer parsed it
    (``lrs.http.multipart.Part``): headers with lower-cased names, and the raw body."""

    @property
    def headers(self) -> dict[str, str]: ...

    @property
    def body(self) -> bytes: ...

    @property
    def content_type(self) -> str: ...

    @property
    def sha2(self) -> str | None: ...


SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"

_HEX_RE = re.compile(r"[0-9a-fA-F]+")
# hex length -> SHA-2 algorithms with that digest size (hashlib names)
_SHA2_BY_HEX_LENGTH: dict[int, tuple[str, ...]] = {
    56: ("sha224", "sha512_224"),
    64: ("sha256", "sha512_256"),
    96: ("sha384",),
    128: ("sha512",),
}


def media_type_essence(value: Any) -> str:
    """``"Text/Plain; charset=ascii"`` -> ``"text/plain"``; ``""`` for a non-string."""
    if not isinstance(value, str):
        return ""
    return value.split(";", 1)[0].strip().lower()


def has_file_url(attachment: dict[str, Any]) -> bool:
    """True when the attachment has a populated ``fileUrl``."""
    value = attachment.get("fileUrl")
    return isinstance(value, str) and value != ""


def iter_attachments(statement: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every attachment object of a statement with its path relative to the statement.

    Includes the attachments of a SubStatement object (``object.attachments[j]``).
    Anything that is not a list of objects is skipped: that is for validation.
    """
    if not isinstance(statement, dict):
        return
    yield from _attachments_at(statement, "attachments")
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        yield from _attachments_at(obj, "object.attachments")


def _attachments_at(holder: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    attachments = holder.get("attachments")
    if not isinstance(attachments, list):
        return
    for index, attachment in enumerate(attachments):
        if isinstance(attachment, dict):
            yield f"{path}[{index}]", attachment


def attachments_needing_parts(statement: Any) -> list[tuple[str, dict[str, Any]]]:
    """The attachments (with their paths) whose data must come in a multipart part."""
    return [(path, a) for path, a in iter_attachments(statement) if not has_file_url(a)]


def require_no_raw_attachments(statements: Sequence[Any]) -> None:
    """Refuse (400) an ``application/json`` request with an attachment lacking ``fileUrl``.

    Communication 1.5.2.s2.b1: a request of type application/json must include a
    fileUrl for every attachment; raw data needs multipart/mixed.
    """
    for index, statement in enumerate(statements):
        for path, _ in attachments_needing_parts(statement):
            raise ValidationError(
                "this attachment has no fileUrl, so its data must be sent in a "
                "multipart/mixed request, not application/json",
                f"statements[{index}].{path}",
            )


def sha2_hex_digest_matches(data: bytes, hex_digest: str) -> bool:
    """True when ``hex_digest`` is the SHA-2 digest of ``data`` (algorithm chosen by length)."""
    if not isinstance(hex_digest, str) or not _HEX_RE.fullmatch(hex_digest):
        return False
    wanted = hex_digest.lower()
    for name in _SHA2_BY_HEX_LENGTH.get(len(wanted), ()):
        try:
            digest = hashlib.new(name, data).hexdigest()
        except ValueError:  # algorithm not offered by this OpenSSL
            continue
        if digest == wanted:
            return True
    return False


def is_sha2_hex(value: Any) -> bool:
    """True for a hex string of a SHA-2 digest length (224, 256, 384 or 512 bits)."""
    return (
        isinstance(value, str)
        and len(value) in _SHA2_BY_HEX_LENGTH
        and _HEX_RE.fullmatch(value) is not None
    )


def _is_statement_part(part: Part) -> bool:
    return part.sha2 is None and part.content_type == "application/json"


def match_attachments(
    statements: Sequence[Any], parts: Sequence[Part], *, version: str
) -> dict[str, tuple[str, bytes]]:
    """Check the attachment parts of a multipart request against the statements' attachments.

    ``parts`` are the parts after the statement part; the statement part may be
    passed as the first element too, and is then skipped. Returns
    ``sha2 -> (content type, data)`` for every attachment that has data in the
    request, keyed by the ``sha2`` exactly as the statement spells it (hashes
    are matched case-insensitively). ``version`` is the request's xAPI version;
    1.0.x and 2.0.x have the same rules here.

    Raises ValidationError (400) when a part lacks or misstates its hash, when
    an attachment without fileUrl has no part, when a part matches no
    attachment, or when a part's Content-Type or Content-Length disagrees with
    the attachment.
    """
    del version  # same rules in 1.0.3 and 2.0.0
    attachment_parts = list(parts)
    if attachment_parts and _is_statement_part(attachment_parts[0]):
        attachment_parts = attachment_parts[1:]

    by_hash: dict[str, Part] = {}
    for number, part in enumerate(attachment_parts, start=1):
        path = f"body.parts[{number}]"
        declared = part.sha2
        if declared is None:
            raise ValidationError(
                "every attachment part must carry an X-Experience-API-Hash header",
                f"{path}.X-Experience-API-Hash",
            )
        if not is_sha2_hex(declared):
            raise ValidationError(
                f"X-Experience-API-Hash {declared[:140]!r} is not a hex SHA-2 digest",
                f"{path}.X-Experience-API-Hash",
            )
        if not sha2_hex_digest_matches(part.body, declared):
            raise ValidationError(
                f"X-Experience-API-Hash {declared} is not the SHA-2 digest of this part's data",
                f"{path}.X-Experience-API-Hash",
            )
        _check_content_length(part, path)
        by_hash.setdefault(declared.lower(), part)

    result: dict[str, tuple[str, bytes]] = {}
    used: set[str] = set()
    for index, statement in enumerate(statements):
        for rel, attachment in iter_attachments(statement):
            path = f"statements[{index}].{rel}"
            sha2 = attachment.get("sha2")
            if not isinstance(sha2, str):
                raise ValidationError("sha2 must be a string", f"{path}.sha2")
            found = by_hash.get(sha2.lower())
            if found is None:
                if has_file_url(attachment):
                    continue
                raise ValidationError(
                    f"this attachment has no fileUrl and no multipart part with "
                    f"X-Experience-API-Hash {sha2[:140]}",
                    path,
                )
            used.add(sha2.lower())
            _check_part_agrees(found, attachment, path)
            content_type = found.headers.get("content-type") or attachment.get("contentType")
            if not isinstance(content_type, str) or not content_type:
                content_type = "application/octet-stream"
            result.setdefault(sha2, (content_type, found.body))

    for number, part in enumerate(attachment_parts, start=1):
        if part.sha2 is not None and part.sha2.lower() not in used:
            raise ValidationError(
                f"this part's X-Experience-API-Hash {part.sha2} matches the sha2 of no "
                "attachment in the statements",
                f"body.parts[{number}]",
            )
    return result


def _check_content_length(part: Part, path: str) -> None:
    declared = part.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit() or int(declared) != len(part.body):
        raise ValidationError(
            f"Content-Length {declared[:40]!r} is not the size of this part's data "
            f"({len(part.body)} bytes)",
            f"{path}.Content-Length",
        )


def _check_part_agrees(part: Part, attachment: dict[str, Any], path: str) -> None:
    part_type = part.content_type
    declared_type = media_type_essence(attachment.get("contentType"))
    if part_type and declared_type and part_type != declared_type:
        raise ValidationError(
            f"the attachment part has Content-Type {part_type!r} but the attachment's "
            f"contentType is {declared_type!r}",
            f"{path}.contentType",
        )
    length = attachment.get("length")
    if (
        "content-length" in part.headers
        and isinstance(length, int)
        and not isinstance(length, bool)
        and length != len(part.body)
    ):
        raise ValidationError(
            f"the attachment part has Content-Length {len(part.body)} but the attachment's "
            f"length is {length}",
            f"{path}.length",
        )
