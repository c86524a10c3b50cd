"""Signed statements (xAPI Data 2.6): JWS attachments checked against their statements."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from lrs.domain.errors import ValidationError
from lrs.domain.statements.attachments import SIGNATURE_USAGE_TYPE, match_attachments
from lrs.domain.statements.signature import verify_signed_statements
from lrs.http.multipart import parse_multipart_mixed

STATEMENT = {
    "id": "0f9b8b7e-2f7d-4a47-9a55-1c2a3e0f4b11",
    "actor": {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@example.com"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"en-US": "attended"}},
    "object": {"objectType": "Activity", "id": "http://example.com/meetings/1"},
    "context": {"contextActivities": {"parent": [{"id": "http://example.com/program"}]}},
    "timestamp": "2024-05-01T10:00:00.000Z",
}


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def self_signed(private_key, public_key=None) -> str:
    """A self-signed certificate in x5c form (standard base64 of the DER)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xAPI signer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key or private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(private_key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def sign(payload, private_key, algorithm="RS256", headers=None) -> bytes:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return jwt.PyJWS().encode(raw, private_key, algorithm=algorithm, headers=headers).encode()


def signed(
    token: bytes, statement=None, content_type="application/octet-stream"
) -> tuple[list[dict], dict[str, tuple[str, bytes]]]:
    """The received statement (signature attachment added) and the attachment data."""
    received = copy.deepcopy(statement or STATEMENT)
    sha2 = hashlib.sha256(token).hexdigest()
    received.setdefault("attachments", []).append(
        {
            "usageType": SIGNATURE_USAGE_TYPE,
            "display": {"en-US": "Signed by the test"},
            "contentType": content_type,
            "length": len(token),
            "sha2": sha2,
        }
    )
    return [received], {sha2: (content_type, token)}


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_rsa_signatures_without_certificate_are_accepted(key, algorithm):
    verify_signed_statements(*signed(sign(STATEMENT, key, algorithm)))


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_signature_verified_with_x5c_certificate(key, algorithm):
    token = sign(STATEMENT, key, algorithm, {"x5c": [self_signed(key)]})
    verify_signed_statements(*signed(token))


def test_statements_without_signatures_pass():
    verify_signed_statements([STATEMENT, {"attachments": [{"usageType": "http://x/y"}]}, None], {})


def test_payload_without_id_matches_statement_with_id(key):
    payload = {k: v for k, v in STATEMENT.items() if k != "id"}
    verify_signed_statements(*signed(sign(payload, key)))


def test_payload_compared_by_statement_comparison_rules(key):
    payload = copy.deepcopy(STATEMENT)
    payload["timestamp"] = "2024-05-01T12:00:00+02:00"
    payload["context"]["contextActivities"]["parent"] = {"id": "http://example.com/program"}
    payload["verb"].pop("display")
    payload["actor"]["mbox"] = "mailto:ann@EXAMPLE.COM"
    payload["id"] = payload["id"].upper()
    received = copy.deepcopy(STATEMENT)
    received["authority"] = {"mbox": "mailto:lrs@example.com"}
    received["stored"] = "2024-05-01T10:00:05.000Z"
    received["version"] = "1.0.3"
    verify_signed_statements(*signed(sign(payload, key), received))


def test_payload_keeps_other_attachments(key):
    other = {
        "usageType": "http://example.com/usage",
        "display": {"en-US": "certificate"},
        "contentType": "application/pdf",
        "length": 10,
        "sha2": "ab" * 32,
        "fileUrl": "http://example.com/cert.pdf",
    }
    with_other = {**STATEMENT, "attachments": [other]}
    verify_signed_statements(*signed(sign(with_other, key), with_other))
    # The signed statement had the other attachment, the received one lost it.
    with pytest.raises(ValidationError, match="payload is not the statement"):
        verify_signed_statements(*signed(sign(with_other, key), STATEMENT))


def test_signature_attachment_first_in_the_list(key):
    other = {
        "usageType": "http://example.com/usage",
        "display": {"en-US": "x"},
        "contentType": "text/plain",
        "length": 1,
        "sha2": "cd" * 32,
        "fileUrl": "http://example.com/x",
    }
    payload_statement = {**STATEMENT, "attachments": [other]}
    statements, data = signed(sign(payload_statement, key), payload_statement)
    statements[0]["attachments"].reverse()
    assert statements[0]["attachments"][0]["usageType"] == SIGNATURE_USAGE_TYPE
    verify_signed_statements(statements, data)


def test_statement_signed_twice(key, other_key):
    first = sign(STATEMENT, key)
    statements, data = signed(first)
    second = sign(STATEMENT, other_key, "RS512")
    more, more_data = signed(second, statements[0])
    verify_signed_statements(more, {**data, **more_data})


def test_jws_json_serialization_with_one_signature(key):
    header, payload, signature = sign(STATEMENT, key).decode().split(".")
    flattened = json.dumps({"protected": header, "payload": payload, "signature": signature})
    verify_signed_statements(*signed(flattened.encode()))
    general = json.dumps(
        {"payload": payload, "signatures": [{"protected": header, "signature": signature}]}
    )
    verify_signed_statements(*signed(general.encode()))


def test_surrounding_whitespace_is_tolerated(key):
    verify_signed_statements(*signed(b"\r\n" + sign(STATEMENT, key) + b"\r\n"))


def test_hash_lookup_is_case_insensitive(key):
    statements, data = signed(sign(STATEMENT, key))
    ((sha2, entry),) = data.items()
    verify_signed_statements(statements, {sha2.upper(): entry})


# --- refused --------------------------------------------------------------------------------


def expect_refused(statements, data, match):
    with pytest.raises(ValidationError, match=match) as info:
        verify_signed_statements(statements, data)
    assert info.value.status == 400
    assert info.value.path.startswith("statements[0].attachments[")
    return info.value


def test_hmac_algorithm_is_refused():
    token = sign(STATEMENT, b"a shared secret of thirty-two bytes!", "HS256")
    expect_refused(*signed(token), "RS256, RS384 or RS512")


@pytest.mark.parametrize("algorithm", ["PS256", "ES256"])
def test_other_asymmetric_algorithms_are_refused(key, algorithm):
    signer = key if algorithm.startswith("PS") else ec.generate_private_key(ec.SECP256R1())
    expect_refused(*signed(sign(STATEMENT, signer, algorithm)), "RS256, RS384 or RS512")


def test_alg_none_is_refused():
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "none"}).encode())
    token = f"{header}.{b64(json.dumps(STATEMENT).encode())}.".encode()
    expect_refused(*signed(token), "RS256, RS384 or RS512")


def test_tampered_payload_is_refused(key):
    payload = copy.deepcopy(STATEMENT)
    payload["verb"]["id"] = "http://adlnet.gov/expapi/verbs/failed"
    expect_refused(*signed(sign(payload, key)), "payload is not the statement")


def test_payload_with_different_id_is_refused(key):
    payload = {**STATEMENT, "id": "1c9b3a59-7c43-4d51-8b1e-9b0d8c0b1f22"}
    expect_refused(*signed(sign(payload, key)), "payload is not the statement")


def test_payload_that_is_not_json_is_refused(key):
    # The conformance suite's "breakJson": the first double quote replaced by a single one.
    broken = json.dumps(STATEMENT).replace('"', "'", 1).encode()
    expect_refused(*signed(sign(broken, key)), "not a valid JSON serialization")


def test_payload_that_is_not_an_object_is_refused(key):
    expect_refused(*signed(sign([STATEMENT], key)), "not a JSON object")


def test_signature_attachment_with_wrong_content_type_is_refused(key):
    token = sign(STATEMENT, key)
    error = expect_refused(*signed(token, content_type="text/plain; charset=ascii"), "contentType")
    assert error.path == "statements[0].attachments[0].contentType"


def test_signature_attachment_without_data_is_refused(key):
    statements, _ = signed(sign(STATEMENT, key))
    expect_refused(statements, {}, "no data")


def test_bad_signature_with_x5c_is_refused(key, other_key):
    token = sign(STATEMENT, key, "RS256", {"x5c": [self_signed(other_key)]})
    expect_refused(*signed(token), "does not verify")


def test_tampered_signature_bytes_with_x5c_are_refused(key):
    header, payload, signature = sign(STATEMENT, key, "RS256", {"x5c": [self_signed(key)]}).split(
        b"."
    )
    flipped = bytearray(base64.urlsafe_b64decode(signature + b"=" * (-len(signature) % 4)))
    flipped[10] ^= 0xFF
    bad = base64.urlsafe_b64encode(bytes(flipped)).rstrip(b"=")
    expect_refused(*signed(b".".join([header, payload, bad])), "does not verify")


def test_swapped_payload_with_x5c_is_refused(key):
    # A valid signature over one statement, with the payload segment replaced.
    header, _, signature = sign(STATEMENT, key, "RS256", {"x5c": [self_signed(key)]}).split(b".")
    other = {**STATEMENT, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    payload = base64.urlsafe_b64encode(json.dumps(other).encode()).rstrip(b"=")
    expect_refused(*signed(b".".join([header, payload, signature]), other), "does not verify")


def test_x5c_with_non_rsa_key_is_refused(key):
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = sign(STATEMENT, key, "RS256", {"x5c": [self_signed(ec_key)]})
    expect_refused(*signed(token), "RSA key")


@pytest.mark.parametrize(
    "x5c", [[], "MIIB", [123], ["not base64!"], [base64.b64encode(b"junk").decode()]]
)
def test_malformed_x5c_is_refused(key, x5c):
    token = sign(STATEMENT, key, "RS256", {"x5c": x5c})
    expect_refused(*signed(token), "x5c")


@pytest.mark.parametrize(
    "token",
    [
        b"",
        b"not a jws",
        b"a.b",
        b"a.b.c.d",
        b"\xff\xfe.\x00.x",
        b"!!!.???.***",
        b"eyJhbGciOiJSUzI1NiJ9..c2ln",  # detached payload
        base64.urlsafe_b64encode(b"[1]").rstrip(b"=") + b".e30.c2ln",  # header not an object
        b'{"payload": "e30"}',
        b'{"payload": "e30", "signatures": []}',
        b'{"payload": "e30", "protected": "e30", "signature": "x", "header": {"alg": "RS256"}}',
        b"[1, 2]",
        b"{not json",
    ],
)
def test_malformed_jws_is_refused(token):
    statements, data = signed(token)
    with pytest.raises(ValidationError):
        verify_signed_statements(statements, data)


def test_unsupported_critical_header_is_refused(key):
    token = sign(
        STATEMENT, key, "RS256", {"crit": ["http://example.com/ext"], "http://example.com/ext": 1}
    )
    expect_refused(*signed(token), "well-formed JWS")


def test_error_path_names_the_statement_and_attachment(key):
    good, good_data = signed(sign(STATEMENT, key))
    bad, bad_data = signed(sign({**STATEMENT, "verb": {"id": "http://x/v"}}, key))
    with pytest.raises(ValidationError) as info:
        verify_signed_statements([good[0], bad[0]], {**good_data, **bad_data})
    assert info.value.path == "statements[1].attachments[0]"


# --- end to end, as the conformance suite sends it -------------------------------------------


def suite_body(statement: dict, token: bytes, boundary: str, content_type: str) -> bytes:
    """The body helper.signStatement builds (leading CRLF, no space after colons)."""
    sha2 = hashlib.sha256(token).hexdigest()
    body_statement = {
        **statement,
        "attachments": [
            {
                "usageType": SIGNATURE_USAGE_TYPE,
                "display": {"en-US": "Signed by the Test Suite"},
                "description": {"en-US": "Signed by the Test Suite"},
                "contentType": content_type,
                "length": len(token),
                "sha2": sha2,
            }
        ],
    }
    return (
        f"\r\n--{boundary}\r\nContent-Type:application/json\r\n\r\n".encode()
        + json.dumps(body_statement).encode()
        + f"\r\n--{boundary}\r\nContent-Type:{content_type}\r\nContent-Transfer-Encoding:binary\r\n"
        f"X-Experience-API-Hash:{sha2}\r\n\r\n".encode()
        + token
        + f"\r\n--{boundary}--".encode()
    )


def process(raw: bytes, boundary: str) -> None:
    parts = parse_multipart_mixed(raw, f"multipart/mixed; boundary={boundary}")
    statements = [json.loads(parts[0].body)]
    data = match_attachments(statements, parts[1:], version="1.0.3")
    verify_signed_statements(statements, data)


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_suite_signed_statement_is_accepted(key, algorithm):
    boundary = "-------------3141592653"
    process(
        suite_body(
            STATEMENT, sign(STATEMENT, key, algorithm), boundary, "application/octet-stream"
        ),
        boundary,
    )


def test_suite_signed_statement_with_bad_content_type_is_refused(key):
    boundary = "-------------42"
    raw = suite_body(STATEMENT, sign(STATEMENT, key), boundary, "text/plain; charset=ascii")
    with pytest.raises(ValidationError, match="contentType"):
        process(raw, boundary)


def test_suite_signed_statement_with_hs256_is_refused():
    boundary = "-------------43"
    raw = suite_body(
        STATEMENT,
        sign(STATEMENT, b"secret-secret-secret-secret-1234", "HS256"),
        boundary,
        "application/octet-stream",
    )
    with pytest.raises(ValidationError, match="RS256"):
        process(raw, boundary)
