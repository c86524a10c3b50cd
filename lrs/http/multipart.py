"""multipart/mixed bodies as xAPI uses them for statements with attachments.

xAPI 1.0.3 Communication 1.5.2 (2.0.0: the same rules) sends statements with
raw attachment data as an RFC 2046 ``multipart/mixed`` body:

* the first part holds the statement(s), with ``Content-Type: application/json``;
* every further part holds the raw data of one attachment and carries an
  ``X-Experience-API-Hash`` header (the attachment's ``sha2``) and
  ``Content-Transfer-Encoding: binary``.

:func:`parse_multipart_mixed` reads such a body from an untrusted client. It is
linear in the size of the body (every search starts where the last one ended),
bounded in the number of parts and in the size of each header block, and
raises nothing but :class:`~lrs.domain.errors.ValidationError`.

Line breaks are CRLF as RFC 2046 requires. A body whose first boundary line
ends with a bare LF is read with LF line breaks throughout (some clients do
this); mixing the two styles is a framing error.

:func:`build_multipart_mixed` writes the same format for ``GET statements`` with
``attachments=true``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from lrs.domain.errors import ValidationError

STATEMENT_PART_TYPE = "application/json"
HASH_HEADER = "x-experience-api-hash"
TRANSFER_ENCODING_HEADER = "content-transfer-encoding"

#: More parts than this in one request is refused (a batch rarely carries more).
DEFAULT_MAX_PARTS = 10_000
#: The header block of one part may not be longer than this.
MAX_PART_HEADER_BYTES = 16 * 1024

_BOUNDARY_MAX = 70  # RFC 2046 section 5.1.1
# bchars of RFC 2046 (space allowed, but not as the last character).
_BOUNDARY_RE = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_TOKEN_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_PARAM_RE = re.compile(
    r"[ \t]*;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*"
    r"(\"(?:[^\"\\\r\n]|\\[^\r\n])*\"|[^;\s\"]*)[ \t]*"
)
_QUOTED_PAIR_RE = re.compile(r"\\(.)")
_LWSP_RE = re.compile(rb"[ \t]*")


def _skip_lwsp(body: bytes, pos: int) -> int:
    """The position after any spaces and tabs at ``pos``."""
    match = _LWSP_RE.match(body, pos)
    return match.end() if match else pos  # the pattern matches the empty string too
_HEADER_LINE_BAD_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Part:
    """One body part: its headers (names lower-cased, values trimmed) and its raw body."""

    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased; ``""`` when the part has none."""
        return media_type_essence(self.headers.get("content-type", ""))

    @property
    def sha2(self) -> str | None:
        """The ``X-Experience-API-Hash`` header, or ``None``."""
        value = self.headers.get(HASH_HEADER)
        return value if value else None

    @property
    def content_transfer_encoding(self) -> str | None:
        """The ``Content-Transfer-Encoding`` header lower-cased, or ``None``."""
        value = self.headers.get(TRANSFER_ENCODING_HEADER)
        return value.lower() if value is not None else None


def media_type_essence(value: str) -> str:
    """``"Text/Plain; charset=ascii"`` -> ``"text/plain"``."""
    if not isinstance(value, str):
        return ""
    return value.split(";", 1)[0].strip().lower()


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into its lower-cased essence and its parameters.

    Parameter names are lower-cased; quoted values are unquoted. A parameter
    given twice, or a parameter list that cannot be read, is a ValidationError.
    """
    if not isinstance(value, str):
        raise ValidationError("the Content-Type header is missing", "Content-Type")
    semi = value.find(";")
    essence = (value if semi < 0 else value[:semi]).strip().lower()
    params: dict[str, str] = {}
    if semi < 0:
        return essence, params
    pos = semi
    while pos < len(value):
        match = _PARAM_RE.match(value, pos)
        if match is None or match.end() == pos:
            if value[pos:].strip(" \t;") == "":
                break  # trailing ";" or white space
            raise ValidationError(
                f"cannot read the parameters of Content-Type {value!r}", "Content-Type"
            )
        name = match.group(1).lower()
        raw = match.group(2)
        if raw.startswith('"'):
            raw = _QUOTED_PAIR_RE.sub(r"\1", raw[1:-1])
        if name in params:
            raise ValidationError(
                f"Content-Type has the parameter {name!r} more than once", "Content-Type"
            )
        params[name] = raw
        pos = match.end()
    return essence, params


def boundary_from_content_type(content_type_header: str) -> str:
    """The boundary of a ``multipart/mixed`` Content-Type, checked against RFC 2046."""
    essence, params = parse_media_type(content_type_header)
    if essence != "multipart/mixed":
        raise ValidationError(
            f"expected Content-Type multipart/mixed, got {essence or 'nothing'!r}", "Content-Type"
        )
    boundary = params.get("boundary")
    if boundary is None:
        raise ValidationError(
            "multipart/mixed needs a boundary parameter (RFC 2046)", "Content-Type"
        )
    if not 1 <= len(boundary) <= _BOUNDARY_MAX or not _BOUNDARY_RE.fullmatch(boundary):
        raise ValidationError(
            "the multipart boundary must be 1 to 70 characters of the set RFC 2046 allows "
            "and must not end with a space",
            "Content-Type",
        )
    return boundary


def parse_multipart_mixed(
    body: bytes,
    content_type_header: str,
    *,
    max_parts: int = DEFAULT_MAX_PARTS,
) -> list[Part]:
    """Split an xAPI ``multipart/mixed`` request body into its parts, first part first.

    Checks the framing (RFC 2046: boundary lines at the start of a line, each
    ending with a line break, a closing ``--boundary--``; a preamble before the
    first boundary and an epilogue after the last are ignored) and the xAPI
    structure: the first part is ``application/json``, every further part has
    an ``X-Experience-API-Hash`` header and, if it states a
    ``Content-Transfer-Encoding``, states ``binary`` (Communication 1.5.2; an
    LRS "SHOULD assume a Content-Transfer-Encoding of binary" when it is absent).
    Whether hashes and attachments agree is for
    :func:`lrs.domain.statements.attachments.match_attachments`.
    """
    if isinstance(body, (bytearray, memoryview)):
        body = bytes(body)
    if not isinstance(body, bytes):
        raise ValidationError("the request body is not bytes")
    boundary = boundary_from_content_type(content_type_header)
    dash = b"--" + boundary.encode("ascii")

    # The first boundary: at the very start, or at the start of a line after a preamble.
    if body.startswith(dash):
        start = 0
    else:
        found = body.find(b"\n" + dash)
        if found < 0:
            raise ValidationError(
                "the body does not contain the boundary given in Content-Type", "body"
            )
        start = found + 1
    after = start + len(dash)
    if body.startswith(b"--", after):
        raise ValidationError(
            "the body has no parts: it closes right at the first boundary", "body"
        )
    eol_at = _skip_lwsp(body, after)
    if body.startswith(b"\r\n", eol_at):
        newline = b"\r\n"
    elif body.startswith(b"\n", eol_at):
        newline = b"\n"
    else:
        raise ValidationError(
            "the first boundary line must end with CRLF (or be followed by '--')", "body"
        )
    delimiter = newline + dash
    pos = eol_at + len(newline)

    parts: list[Part] = []
    while True:
        end = body.find(delimiter, pos)
        if end < 0:
            raise ValidationError(
                "no closing boundary: every boundary after the first must start a new line, "
                "and the body must end with '--' + boundary + '--'",
                f"body.parts[{len(parts)}]",
            )
        if len(parts) >= max_parts:
            raise ValidationError(f"more than {max_parts} parts in one request", "body")
        parts.append(_parse_part(body[pos:end], newline, len(parts)))
        after = end + len(delimiter)
        if body.startswith(b"--", after):
            tail = _skip_lwsp(body, after + 2)
            if tail != len(body) and not body.startswith(newline, tail):
                raise ValidationError("unexpected characters after the closing boundary", "body")
            break  # anything after the line break is the epilogue
        eol_at = _skip_lwsp(body, after)
        if not body.startswith(newline, eol_at):
            raise ValidationError(
                "a boundary line must end with a line break; the boundary string "
                "must not appear at the start of a line inside a part",
                f"body.parts[{len(parts)}]",
            )
        pos = eol_at + len(newline)

    _check_xapi_structure(parts)
    return parts


def _parse_part(raw: bytes, newline: bytes, index: int) -> Part:
    path = f"body.parts[{index}]"
    if not raw:
        return Part({}, b"")  # no headers and no body: allowed by RFC 2046
    if raw.startswith(newline):
        header_block = b""
        content = raw[len(newline) :]
    else:
        separator = newline + newline
        limit = MAX_PART_HEADER_BYTES + len(separator)
        split = raw.find(separator, 0, limit)
        if split < 0:
            if len(raw) >= limit:
                raise ValidationError(
                    f"the headers of this part are longer than {MAX_PART_HEADER_BYTES} bytes "
                    "or are not followed by an empty line",
                    path,
                )
            raise ValidationError(
                "this part has no empty line between its headers and its body", path
            )
        header_block = raw[:split]
        content = raw[split + len(separator) :]
    return Part(_parse_headers(header_block, newline, path), content)


def _parse_headers(block: bytes, newline: bytes, path: str) -> dict[str, str]:
    if not block:
        return {}
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("the part headers are not valid UTF-8", path) from None
    lines: list[str] = []
    for line in text.split(newline.decode("ascii")):
        if _HEADER_LINE_BAD_RE.search(line.rstrip("\r") if newline == b"\n" else line):
            raise ValidationError("a part header contains a control character", path)
        if line[:1] in (" ", "\t"):
            if not lines:
                raise ValidationError("the part headers start with a continuation line", path)
            lines[-1] += " " + line.strip(" \t\r")
        else:
            lines.append(line)
    headers: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN_RE.fullmatch(name):
            raise ValidationError(f"malformed part header line {line[:80]!r}", path)
        key = name.lower()
        if key in headers:
            raise ValidationError(f"the part has the header {name} more than once", path)
        headers[key] = value.strip(" \t\r")
    return headers


def _check_xapi_structure(parts: list[Part]) -> None:
    first = parts[0]
    if first.content_type != STATEMENT_PART_TYPE:
        raise ValidationError(
            "the first part must hold the statements with Content-Type application/json, "
            f"not {first.content_type or 'no Content-Type'!r}",
            "body.parts[0].Content-Type",
        )
    for index, part in enumerate(parts[1:], start=1):
        if part.sha2 is None:
            raise ValidationError(
                "every part after the first must carry an X-Experience-API-Hash header "
                "(all statements belong in the first part)",
                f"body.parts[{index}].X-Experience-API-Hash",
            )
        encoding = part.content_transfer_encoding
        if encoding is not None and encoding != "binary":
            raise ValidationError(
                f"Content-Transfer-Encoding must be binary, not {encoding!r}",
                f"body.parts[{index}].Content-Transfer-Encoding",
            )


def _safe_header_value(value: object) -> str | None:
    if isinstance(value, str) and value and all(" " <= ch <= "~" for ch in value):
        return value
    return None


def build_multipart_mixed(
    first_json: bytes, attachments: Iterable[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    """Write statements and attachment data as xAPI ``multipart/mixed``.

    ``attachments`` holds ``(sha2, contentType, data)``; data with the same
    sha2 is sent once (Communication 1.5.2.s2.b2.b5). Returns the body and the
    Content-Type header value naming the boundary. The boundary is random hex,
    checked not to occur in any part.
    """
    unique: dict[str, tuple[str, bytes]] = {}
    for sha2, content_type, data in attachments:
        if _safe_header_value(sha2) is None:
            raise ValueError(f"attachment hash {sha2!r} cannot be sent as a header")
        if sha2 not in unique:
            unique[sha2] = (
                _safe_header_value(content_type) or "application/octet-stream",
                bytes(data),
            )
    chunks = [first_json, *(data for _, data in unique.values())]
    while True:
        boundary = secrets.token_hex(16)
        marker = boundary.encode("ascii")
        if not any(marker in chunk for chunk in chunks):
            break
    dash = b"--" + marker
    out = [dash, b"\r\nContent-Type: application/json\r\n\r\n", bytes(first_json), b"\r\n"]
    for sha2, (content_type, data) in unique.items():
        out += [
            dash,
            b"\r\nContent-Type: ",
            content_type.encode("ascii"),
            b"\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ",
            sha2.encode("ascii"),
            b"\r\n\r\n",
            data,
            b"\r\n",
        ]
    out += [dash, b"--\r\n"]
    return b"".join(out), f"multipart/mixed; boundary={boundary}"
