"""Value formats used by xAPI: IRIs, UUIDs, RFC 5646 language tags, ISO 8601 timestamps and
durations, hashes, versions and media types.

Every predicate here is pure and cheap: the regular expressions are compiled once at import and
matched with ``fullmatch`` (``$`` would let a trailing newline through).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

# --------------------------------------------------------------------------------------------
# IRIs (RFC 3987)
# --------------------------------------------------------------------------------------------
# ``rfc3987_syntax`` is the reference grammar, but its Earley parser costs ~20 ms per call, far
# too slow for thousands of statements a second, and building it ~1 s at import (which every
# process importing ``jsonschema`` paid while it was installed). _IRI_RE transcribes the very
# same grammar (rfc3987_syntax/syntax_rfc3987.lark, rule ``iri``) into one regular expression,
# IP literals (``[v6::addr]`` hosts) included, exactly as that grammar writes them (it has no
# ``::1`` form: its fourth alternative needs five groups after ``::``).
# tests/unit/test_statement_validation.py checks both agree on a corpus of IRIs and on random
# strings; the reference is a test dependency only.
_UCS = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
_IUNRESERVED = rf"A-Za-z0-9\-._~{_UCS}"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_IPCHAR = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IUSERINFO = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IREG_NAME = rf"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_H16 = r"[0-9A-Fa-f]{1,4}"
_DEC_OCTET = r"(?:[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])"
_LS32 = rf"(?:{_H16}:{_H16}|{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}})"
_IPV6 = "|".join((  # the grammar's nine alternatives, in its order
    rf"(?:{_H16}:){{6}}{_LS32}",
    rf"::(?:{_H16}:){{5}}{_LS32}",
    rf"{_H16}::(?:{_H16}:){{4}}{_LS32}",
    rf"(?:{_H16}:){{1}}{_H16}::(?:{_H16}:){{3}}{_LS32}",
    rf"(?:{_H16}:){{2}}{_H16}::(?:{_H16}:){{2}}{_LS32}",
    rf"(?:{_H16}:){{3}}{_H16}::{_H16}:{_LS32}",
    rf"(?:{_H16}:){{4}}{_H16}::{_LS32}",
    rf"(?:{_H16}:){{5}}{_H16}::{_H16}",
    rf"(?:{_H16}:){{6}}{_H16}::",
))
_IPVFUTURE = rf"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~{_SUB_DELIMS}:]+"
_IP_LITERAL = rf"\[(?:{_IPV6}|{_IPVFUTURE})\]"
_IAUTHORITY = rf"(?:{_IUSERINFO}@)?(?:{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
_IPATH_ABEMPTY = rf"(?:/{_IPCHAR}*)*"
_IPATH_ABSOLUTE = rf"/(?:{_IPCHAR}+(?:/{_IPCHAR}*)*)?"
_IPATH_ROOTLESS = rf"{_IPCHAR}+(?:/{_IPCHAR}*)*"
_IHIER_PART = rf"(?://{_IAUTHORITY}{_IPATH_ABEMPTY}|{_IPATH_ABSOLUTE}|{_IPATH_ROOTLESS}|)"
_IQUERY = rf"(?:{_IPCHAR}|[\ue000-\uf8ff/?])*"
_IFRAGMENT = rf"(?:{_IPCHAR}|[/?])*"
_IRI_RE = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:{_IHIER_PART}(?:\?{_IQUERY})?(?:#{_IFRAGMENT})?"
)


def is_iri(value: object) -> bool:
    """True when ``value`` is a string holding an absolute IRI (scheme required), RFC 3987."""
    return isinstance(value, str) and _is_iri(value)


@lru_cache(maxsize=4096)  # verb ids, activity types and extension keys repeat a lot
def _is_iri(value: str) -> bool:
    return _IRI_RE.fullmatch(value) is not None


def is_irl(value: object) -> bool:
    """An IRL is an IRI meant to be dereferenced; syntactically it is an absolute IRI."""
    return is_iri(value)


_MAILTO_RE = re.compile(r"mailto:[^@\s]+@[^@\s]+")


def is_mailto_iri(value: object) -> bool:
    """``mailto:`` followed by one address (local part, ``@``, domain), and a valid IRI overall."""
    return (
        isinstance(value, str) and _MAILTO_RE.fullmatch(value) is not None and is_iri(value)
    )


# --------------------------------------------------------------------------------------------
# UUIDs, hashes, versions, media types
# --------------------------------------------------------------------------------------------
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def is_uuid(value: object) -> bool:
    """A UUID in standard string form (8-4-4-4-12 hex digits), any version or variant, any case."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")
# SHA-224, SHA-256, SHA-384 and SHA-512 digests in hex.
_SHA2_RE = re.compile(r"[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")


def is_sha1_hex(value: object) -> bool:
    return isinstance(value, str) and _SHA1_RE.fullmatch(value) is not None


def is_sha2_hex(value: object) -> bool:
    return isinstance(value, str) and _SHA2_RE.fullmatch(value) is not None


_VERSION_RE = {
    False: re.compile(r"1\.0(?:\.[0-9]+)?"),
    True: re.compile(r"(?:1|2)\.0(?:\.[0-9]+)?"),
}


def is_statement_version(value: object, v2: bool) -> bool:
    """The statement ``version`` property: "1.0"/"1.0.x", and under xAPI 2.0 also "2.0"/"2.0.x"."""
    return isinstance(value, str) and _VERSION_RE[v2].fullmatch(value) is not None


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE_RE = re.compile(
    rf"{_TOKEN}/{_TOKEN}"
    rf"(?:[ \t]*;[ \t]*(?:{_TOKEN}=(?:{_TOKEN}|\"(?:[^\"\\]|\\.)*\"))?)*[ \t]*"
)


def is_media_type(value: object) -> bool:
    """An Internet media type (RFC 7231 ``media-type``), e.g. ``text/plain; charset=ascii``."""
    return isinstance(value, str) and _MEDIA_TYPE_RE.fullmatch(value) is not None


# --------------------------------------------------------------------------------------------
# RFC 5646 language tags
# --------------------------------------------------------------------------------------------
_LANGTAG_RE = re.compile(
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language (+ extlang)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)"
    r"(?P<extensions>(?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    r"|x(?:-[a-z0-9]{1,8})+",  # private use tag
    re.IGNORECASE,
)
_GRANDFATHERED = frozenset(
    tag.lower()
    for tag in [
        # irregular
        "en-GB-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
        "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-BE-FR", "sgn-BE-NL",
        "sgn-CH-DE",
        # regular
        "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min",
        "zh-min-nan", "zh-xiang",
    ]
)


def is_language_tag(value: object) -> bool:
    """A well-formed, "valid" RFC 5646 tag (no repeated variant or extension singleton)."""
    return isinstance(value, str) and _is_language_tag(value)


@lru_cache(maxsize=1024)
def _is_language_tag(value: str) -> bool:
    if value.lower() in _GRANDFATHERED:
        return True
    match = _LANGTAG_RE.fullmatch(value)
    if match is None:
        return False
    variants = (match.group("variants") or "").lower().split("-")[1:]
    if len(set(variants)) != len(variants):
        return False
    singletons = [s for s in (match.group("extensions") or "").lower().split("-") if len(s) == 1]
    return len(set(singletons)) == len(singletons)


# --------------------------------------------------------------------------------------------
# ISO 8601 timestamps
# --------------------------------------------------------------------------------------------
_OFFSET = r"(?P<tz>Z|(?P<sign>[+-])(?P<oh>[0-9]{2})(?::?(?P<om>[0-9]{2}))?)?"
_TIMESTAMP_RES = (
    # extended format: 2015-11-18T12:17:00.123+00:00 (seconds may be left out: 12:17)
    re.compile(
        r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})T(?P<h>[0-9]{2}):(?P<mi>[0-9]{2})"
        r"(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?" + _OFFSET
    ),
    # basic format: 20151118T121700.123Z
    re.compile(
        r"(?P<y>[0-9]{4})(?P<mo>[0-9]{2})(?P<d>[0-9]{2})T(?P<h>[0-9]{2})(?P<mi>[0-9]{2})"
        r"(?:(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]+))?)?" + _OFFSET
    ),
)


class TimestampError(ValueError):
    """``parse_timestamp`` could not accept the value; the message says why."""


def _offset(match: re.Match[str], version_2: bool) -> timezone | None:
    if match.group("tz") is None:
        if version_2:
            raise TimestampError("must include a time zone offset (Z or +hh:mm) under xAPI 2.0")
        return None
    if match.group("tz") == "Z":
        return UTC
    hours, minutes = int(match.group("oh")), int(match.group("om") or 0)
    if hours > 23 or minutes > 59:
        raise TimestampError("has an out-of-range time zone offset")
    if match.group("sign") == "-" and hours == 0 and minutes == 0:
        raise TimestampError("must not use a negative zero offset (-00, -0000 or -00:00)")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match.group("sign") == "-" else delta)


def parse_timestamp(value: object, version: str = "2.0.0") -> datetime:
    """Parse an xAPI Timestamp (ISO 8601 combined date and time, extended or basic format).

    Returns an aware datetime. Under 1.0.3 the offset is optional (a Timestamp "SHOULD include
    the time zone") and a missing one is read as UTC; under 2.0 it is required. Negative zero
    offsets are refused in both. Fractions beyond microseconds are truncated.
    Raises ``TimestampError`` (a ``ValueError``) naming the problem.
    """
    if not isinstance(value, str):
        raise TimestampError("must be a string")
    version_2 = version.startswith("2")
    match = _TIMESTAMP_RES[0].fullmatch(value) or _TIMESTAMP_RES[1].fullmatch(value)
    if match is None:
        raise TimestampError("is not an ISO 8601 date and time (e.g. 2015-11-18T12:17:00Z)")
    tzinfo = _offset(match, version_2)
    fraction = match.group("f") or ""
    try:
        parsed = datetime(
            int(match.group("y")),
            int(match.group("mo")),
            int(match.group("d")),
            int(match.group("h")),
            int(match.group("mi")),
            int(match.group("s") or 0),
            int((fraction + "000000")[:6]),
            tzinfo=tzinfo or UTC,
        )
    except ValueError as exc:
        raise TimestampError(f"is not a valid date and time ({exc})") from None
    return parsed


def is_timestamp(value: object, version: str = "2.0.0") -> bool:
    try:
        parse_timestamp(value, version)
    except TimestampError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# ISO 8601 durations (section 4.4.3.2, the "alternative format" of 4.4.3.3 is refused)
# --------------------------------------------------------------------------------------------
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION_RE = re.compile(
    rf"P(?P<W>{_NUM})W"
    rf"|P(?=[0-9]|T[0-9])(?:(?P<Y>{_NUM})Y)?(?:(?P<Mo>{_NUM})M)?(?:(?P<D>{_NUM})D)?"
    rf"(?:T(?=[0-9])(?:(?P<H>{_NUM})H)?(?:(?P<Mi>{_NUM})M)?(?:(?P<S>{_NUM})S)?)?"
)
_DURATION_UNITS = ("W", "Y", "Mo", "D", "H", "Mi", "S")


def is_duration(value: object) -> bool:
    """ISO 8601 duration ``PnYnMnDTnHnMnS`` or ``PnW``; only the last component may be decimal."""
    if not isinstance(value, str):
        return False
    match = _DURATION_RE.fullmatch(value)
    if match is None:
        return False
    present = [match.group(unit) for unit in _DURATION_UNITS if match.group(unit) is not None]
    return all("." not in part and "," not in part for part in present[:-1])
