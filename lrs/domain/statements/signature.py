"""Signed statements: xAPI 1.0.3 Data 2.6 (2.0.0: the same requirements).

A signed statement carries a JSON Web Signature (RFC 7515) as an attachment
with usageType ``http://adlnet.gov/expapi/attachments/signature`` and
contentType ``application/octet-stream``; the JWS payload is the statement as
it was before the signature attachment was added. The LRS MUST reject a
statement with a malformed signature with 400, and to find out it MUST:

1. decode the JWS and read the statement from its payload;
2. check that statement is logically equivalent to the received one
   (Statement Comparison Requirements, see :mod:`.comparison`), the received one
   taken without the signature attachment (without any signature attachment is
   tried too, for statements signed more than once);
3. if the JWS header has an X.509 certificate (``x5c``), verify the signature
   with the first certificate's public key;
4. check the other signature requirements: algorithm RS256, RS384 or RS512.

Without ``x5c`` the signature cannot be checked and is accepted (the ADL
conformance suite signs without a certificate and expects 200). The
certificate itself is not validated (chain, dates, trust): the spec calls this
check a way "to catch mistakes in the signature, not a security measure".

JWS Compact Serialization is expected (Data 2.6.s4.b2 SHOULD*); the JSON
serialization is read when it holds exactly one signature and no unprotected
header. A ``crit`` header naming an extension PyJWT does not support, and the
unencoded-payload option (``b64: false``), are refused as malformed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from lrs.domain.errors import ValidationError
from lrs.domain.statements.attachments import SIGNATURE_USAGE_TYPE, media_type_essence
from lrs.domain.statements.comparison import statements_equivalent

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
SIGNATURE_CONTENT_TYPE = "application/octet-stream"

_jws = jwt.PyJWS()


def is_signature_attachment(attachment: Any) -> bool:
    return isinstance(attachment, dict) and attachment.get("usageType") == SIGNATURE_USAGE_TYPE


def verify_signed_statements(
    statements: Sequence[Any], attachment_data: Mapping[str, tuple[str, bytes]]
) -> None:
    """Check every signature attachment of every statement; ValidationError (400) if one fails.

    ``attachment_data`` maps sha2 to (content type, data), as returned by
    :func:`lrs.domain.statements.attachments.match_attachments` (empty for an
    application/json request: a signature attachment then has no data and is
    refused, since the JWS can only travel as a multipart part).
    Statements without signature attachments pass untouched.
    """
    lowered: dict[str, tuple[str, bytes]] | None = None
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        attachments = statement.get("attachments")
        if not isinstance(attachments, list):
            continue
        for position, attachment in enumerate(attachments):
            if not is_signature_attachment(attachment):
                continue
            path = f"statements[{index}].attachments[{position}]"
            sha2 = attachment.get("sha2")
            entry = attachment_data.get(sha2) if isinstance(sha2, str) else None
            if entry is None and isinstance(sha2, str):
                if lowered is None:
                    lowered = {k.lower(): v for k, v in attachment_data.items()}
                entry = lowered.get(sha2.lower())
            _verify_one(statement, position, attachment, entry, path)


def _verify_one(
    statement: dict[str, Any],
    position: int,
    attachment: dict[str, Any],
    entry: tuple[str, bytes] | None,
    path: str,
) -> None:
    content_type = media_type_essence(attachment.get("contentType"))
    if content_type != SIGNATURE_CONTENT_TYPE:
        raise ValidationError(
            f"a signature attachment must have contentType {SIGNATURE_CONTENT_TYPE}, "
            f"not {content_type or 'none'!r}",
            f"{path}.contentType",
        )
    if entry is None:
        raise ValidationError(
            "this signature attachment has no data: the JWS must be sent in a "
            "multipart/mixed part whose X-Experience-API-Hash is the attachment's sha2",
            path,
        )
    token = _compact_token(entry[1], path)
    try:
        decoded = _jws.decode_complete(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, binascii.Error) as exc:
        raise ValidationError(f"the signature is not a well-formed JWS: {exc}", path) from None
    header: dict[str, Any] = decoded["header"]
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise ValidationError(
            f"the JWS algorithm must be RS256, RS384 or RS512, not {algorithm!r}", path
        )
    signed = _signed_statement(decoded["payload"], path)
    if "x5c" in header:
        _verify_with_certificate(token, header["x5c"], algorithm, path)
    if not _matches_received(signed, statement, position):
        raise ValidationError(
            "the JWS payload is not the statement it is attached to (compared by the xAPI "
            "statement comparison rules, without the signature attachment)",
            path,
        )


def _compact_token(data: bytes, path: str) -> str:
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise ValidationError("the signature is not a JWS: it is not ASCII text", path) from None
    if text.startswith("{"):
        text = _compact_from_json_serialization(text, path)
    segments = text.split(".")
    if len(segments) != 3:
        raise ValidationError(
            "the signature is not a JWS compact serialization (three base64url parts "
            "separated by dots)",
            path,
        )
    if not segments[1]:
        raise ValidationError(
            "the JWS has a detached payload; its payload must be the signed statement", path
        )
    return text


def _compact_from_json_serialization(text: str, path: str) -> str:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError("the signature is not a JWS: invalid JSON", path) from None
    if not isinstance(document, dict):
        raise ValidationError("the signature is not a JWS JSON serialization", path)
    signature = document
    if "signatures" in document:
        signatures = document["signatures"]
        if not isinstance(signatures, list) or len(signatures) != 1:
            raise ValidationError(
                "a JWS JSON serialization must hold exactly one signature here", path
            )
        signature = signatures[0]
    if not isinstance(signature, dict):
        raise ValidationError("the signature is not a JWS JSON serialization", path)
    if signature.get("header"):
        raise ValidationError(
            "unprotected JWS header parameters are not supported; put them in the protected header",
            path,
        )
    pieces = (signature.get("protected"), document.get("payload"), signature.get("signature"))
    if not all(isinstance(p, str) for p in pieces):
        raise ValidationError(
            "a JWS JSON serialization needs string protected, payload and signature members",
            path,
        )
    return ".".join(pieces)  # type: ignore[arg-type]


def _signed_statement(payload: bytes, path: str) -> dict[str, Any]:
    try:
        signed = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ValidationError(
            "the JWS payload is not a valid JSON serialization of a statement", path
        ) from None
    if not isinstance(signed, dict):
        raise ValidationError("the JWS payload is not a JSON object (a statement)", path)
    return signed


def _verify_with_certificate(token: str, x5c: Any, algorithm: str, path: str) -> None:
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        raise ValidationError(
            "the JWS header x5c must be a non-empty array of base64 certificates", path
        )
    try:
        der = base64.b64decode(x5c[0], validate=True)
        certificate = x509.load_der_x509_certificate(der)
        public_key = certificate.public_key()
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValidationError(
            f"the first certificate of the JWS header x5c cannot be read: {exc}", path
        ) from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValidationError(
            "the first certificate of the JWS header x5c does not hold an RSA key", path
        )
    try:
        _jws.decode_complete(token, key=public_key, algorithms=[algorithm])
    except jwt.InvalidSignatureError:
        raise ValidationError(
            "the JWS signature does not verify with the certificate in its x5c header", path
        ) from None
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise ValidationError(f"the JWS signature cannot be verified: {exc}", path) from None


def _matches_received(signed: dict[str, Any], received: dict[str, Any], position: int) -> bool:
    attachments = received.get("attachments")
    if not isinstance(attachments, list):
        return statements_equivalent(signed, received)
    without_this = [a for i, a in enumerate(attachments) if i != position]
    without_any = [a for a in attachments if not is_signature_attachment(a)]
    candidates = [without_this]
    if len(without_any) != len(without_this):
        candidates.append(without_any)
    for remaining in candidates:
        candidate = {k: v for k, v in received.items() if k != "attachments"}
        if remaining:
            candidate["attachments"] = remaining
        if statements_equivalent(signed, candidate):
            return True
    return False
