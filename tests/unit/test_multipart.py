"""multipart/mixed parsing and building, and matching parts to statement attachments."""

from __future__ import annotations

import hashlib
import json
import random
import time

import pytest

from lrs.domain.errors import ValidationError
from lrs.domain.statements.attachments import (
    attachments_needing_parts,
    match_attachments,
    require_no_raw_attachments,
    sha2_hex_digest_matches,
)
from lrs.http.multipart import (
    Part,
    boundary_from_content_type,
    build_multipart_mixed,
    parse_multipart_mixed,
)

B = "-------314159265358979323846"
CT = f"multipart/mixed; boundary={B}"
TXT1 = b"here is a simple attachment"
TXT2 = b"here is another simple attachment"
TXT3 = b"here is a third attachment"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(data: bytes, content_type: str = "text/plain", **extra) -> dict:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": content_type,
        "length": len(data),
        "sha2": sha256(data),
        **extra,
    }


def statement(*attachments: dict) -> dict:
    s = {
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"},
        "object": {"id": "http://example.com/activity"},
    }
    if attachments:
        s["attachments"] = list(attachments)
    return s


def part_bytes(data: bytes, *headers: str) -> bytes:
    return "".join(f"{h}\r\n" for h in headers).encode() + b"\r\n" + data + b"\r\n"


def body(*parts: bytes, boundary: str = B, close: bytes = b"--\r\n") -> bytes:
    dash = b"--" + boundary.encode()
    return b"".join(dash + b"\r\n" + p for p in parts) + dash + close


def json_part(obj) -> bytes:
    return part_bytes(json.dumps(obj).encode(), "Content-Type: application/json")


def att_part(data: bytes, ct: str = "text/plain", sha: str | None = None) -> bytes:
    return part_bytes(
        data,
        f"Content-Type: {ct}",
        "Content-Transfer-Encoding: binary",
        f"X-Experience-API-Hash: {sha or sha256(data)}",
    )


def parse_and_match(raw: bytes, content_type: str = CT):
    parts = parse_multipart_mixed(raw, content_type)
    statements = json.loads(parts[0].body)
    if isinstance(statements, dict):
        statements = [statements]
    return match_attachments(statements, parts[1:], version="1.0.3")


# --- the Content-Type header -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header, boundary",
    [
        (CT, B),
        ('multipart/mixed; boundary="a b:c"', "a b:c"),
        ("Multipart/Mixed;BOUNDARY=xyz", "xyz"),
        ("multipart/mixed; charset=utf-8; boundary=xyz;", "xyz"),
        ('multipart/mixed; boundary="q\\:x"', "q:x"),
    ],
)
def test_boundary_is_read_from_content_type(header, boundary):
    assert boundary_from_content_type(header) == boundary


@pytest.mark.parametrize(
    "header",
    [
        "multipart/mixed;",
        "multipart/mixed",
        "multipart/mixed; boundary=",
        'multipart/mixed; boundary=""',
        "multipart/form-data; boundary=xyz",
        "application/json",
        "multipart/mixed; boundary=" + "a" * 71,
        'multipart/mixed; boundary="ends with space "',
        "multipart/mixed; boundary=a; boundary=b",
        "multipart/mixed; boundary=abc junk",
        "multipart/mixed; boundary=\u00e9",
        'multipart/mixed; boundary="q\\"x"',
        'multipart/mixed; boundary="unterminated',
    ],
)
def test_bad_content_type_is_refused(header):
    with pytest.raises(ValidationError) as info:
        parse_multipart_mixed(body(json_part(statement())), header)
    assert info.value.status == 400
    assert info.value.path == "Content-Type"


def test_content_type_that_is_not_a_string_is_refused():
    with pytest.raises(ValidationError):
        parse_multipart_mixed(b"", None)  # type: ignore[arg-type]


# --- framing ---------------------------------------------------------------------------------


def test_statement_and_attachments_as_the_conformance_suite_sends_them():
    s = statement(attachment(TXT1), attachment(TXT2))
    raw = body(json_part(s), att_part(TXT1), att_part(TXT2))
    parts = parse_multipart_mixed(raw, CT)
    assert [p.content_type for p in parts] == ["application/json", "text/plain", "text/plain"]
    assert json.loads(parts[0].body) == s
    assert parts[1].body == TXT1 and parts[2].body == TXT2
    assert parts[1].sha2 == sha256(TXT1)
    assert parts[1].content_transfer_encoding == "binary"
    assert parts[1].headers["x-experience-api-hash"] == sha256(TXT1)


def test_signed_statement_layout_of_the_suite_is_accepted():
    # helper.signStatement: a leading CRLF (empty preamble), no space after the
    # header colons, and no line break after the closing delimiter.
    boundary = "-------------1234567"
    sig = b"aaa.bbb.ccc"
    raw = (
        f"\r\n--{boundary}\r\nContent-Type:application/json\r\n\r\n".encode()
        + b'{"a":1}'
        + f"\r\n--{boundary}\r\nContent-Type:application/octet-stream\r\n"
        f"Content-Transfer-Encoding:binary\r\nX-Experience-API-Hash:{sha256(sig)}\r\n\r\n".encode()
        + sig
        + f"\r\n--{boundary}--".encode()
    )
    parts = parse_multipart_mixed(raw, f"multipart/mixed; boundary={boundary}")
    assert parts[0].body == b'{"a":1}'
    assert parts[1].body == sig
    assert parts[1].content_type == "application/octet-stream"


def test_preamble_and_epilogue_are_ignored():
    raw = b"This is a preamble.\r\n" + body(json_part({}), close=b"--\r\nepilogue text")
    assert parse_multipart_mixed(raw, CT)[0].body == b"{}"


def test_transport_padding_after_boundaries_is_allowed():
    dash = f"--{B}".encode()
    raw = dash + b" \t\r\n" + json_part({}) + dash + b"-- \r\n"
    assert parse_multipart_mixed(raw, CT)[0].body == b"{}"


def test_body_with_bare_lf_line_breaks_is_accepted():
    raw = (
        f"--{B}\nContent-Type: application/json\n\n{{}}\n"
        f"--{B}\nContent-Type: text/plain\nX-Experience-API-Hash: {sha256(TXT1)}\n\n".encode()
        + TXT1
        + f"\n--{B}--\n".encode()
    )
    parts = parse_multipart_mixed(raw, CT)
    assert parts[0].body == b"{}" and parts[1].body == TXT1


def test_mixed_line_break_styles_are_refused():
    raw = f"--{B}\r\nContent-Type: application/json\r\n\r\n{{}}\n--{B}--\n".encode()
    with pytest.raises(ValidationError, match="closing boundary"):
        parse_multipart_mixed(raw, CT)


def test_binary_data_with_crlf_and_dashes_survives():
    data = bytes(range(256)) * 4 + b"\r\n--\r\n--" + B[:-1].encode() + b"\r\n\r\n"
    raw = body(json_part({}), att_part(data, "application/octet-stream"))
    assert parse_multipart_mixed(raw, CT)[1].body == data


def test_folded_header_lines_are_unfolded():
    raw = body(part_bytes(b"{}", "Content-Type:", "  application/json"))
    assert parse_multipart_mixed(raw, CT)[0].content_type == "application/json"


def test_content_type_parameters_are_kept_in_headers_and_dropped_from_content_type():
    raw = body(part_bytes(b"{}", "Content-Type: Application/JSON; charset=UTF-8"))
    part = parse_multipart_mixed(raw, CT)[0]
    assert part.content_type == "application/json"
    assert part.headers["content-type"] == "Application/JSON; charset=UTF-8"


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "does not contain the boundary"),
        (b"no boundary here at all", "does not contain the boundary"),
        (f"--{B}--\r\n".encode(), "no parts"),
        (f"--{B}Content-Type: application/json\r\n\r\n{{}}\r\n--{B}--".encode(), "CRLF"),
        (f"--{B}\r\nContent-Type: application/json\r\n\r\n{{}}".encode(), "closing boundary"),
        (f"--{B}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{B}".encode(), "line break"),
        (
            f"--{B}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{B}X\r\n--{B}--".encode(),
            "line break",
        ),
        (
            f"--{B}\r\nContent-Type: application/json\r\n\r\n{{}}\r\n--{B}--junk".encode(),
            "after the closing boundary",
        ),
        (f"--{B}\r\nContent-Type: application/json\r\n{{}}\r\n--{B}--".encode(), "empty line"),
        (body(part_bytes(b"{}", "Content-Type application/json")), "malformed part header"),
        (body(part_bytes(b"{}", ": no name")), "malformed part header"),
        (body(part_bytes(b"{}", " folded-first: x")), "continuation"),
        (
            body(part_bytes(b"{}", "Content-Type: application/json", "content-type: text/plain")),
            "more than once",
        ),
        (body(part_bytes(b"{}", "Content-Type: application/json\x00")), "control character"),
        (body(part_bytes(b"{}", "Content-Type: application/json\nX: y")), "control character"),
    ],
)
def test_bad_framing_is_refused(raw, message):
    with pytest.raises(ValidationError, match=message):
        parse_multipart_mixed(raw, CT)


def test_non_utf8_header_is_refused():
    raw = body(b"Content-Type: application/\xff\r\n\r\n{}\r\n")
    with pytest.raises(ValidationError, match="UTF-8"):
        parse_multipart_mixed(raw, CT)


def test_body_that_is_not_bytes_is_refused():
    with pytest.raises(ValidationError):
        parse_multipart_mixed("text", CT)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_bodies_are_accepted():
    raw = body(json_part({}))
    assert parse_multipart_mixed(bytearray(raw), CT)[0].body == b"{}"
    assert parse_multipart_mixed(memoryview(raw), CT)[0].body == b"{}"


def test_empty_part_without_headers_is_framed_but_first_part_must_be_json():
    raw = f"--{B}\r\n\r\n--{B}--".encode()
    with pytest.raises(ValidationError, match="application/json") as info:
        parse_multipart_mixed(raw, CT)
    assert info.value.path == "body.parts[0].Content-Type"


# --- xAPI structure --------------------------------------------------------------------------


def test_first_part_must_be_application_json():
    raw = body(part_bytes(b"{}", "Content-Type: text/plain"), att_part(TXT1))
    with pytest.raises(ValidationError, match="application/json"):
        parse_multipart_mixed(raw, CT)


def test_first_part_without_content_type_is_refused():
    raw = body(part_bytes(b"{}"))
    with pytest.raises(ValidationError, match="application/json"):
        parse_multipart_mixed(raw, CT)


def test_statements_split_over_two_json_parts_are_refused():
    s = statement(attachment(TXT1))
    raw = body(json_part(s), json_part(s), att_part(TXT1))
    with pytest.raises(ValidationError, match="X-Experience-API-Hash") as info:
        parse_multipart_mixed(raw, CT)
    assert info.value.path == "body.parts[1].X-Experience-API-Hash"


def test_attachment_part_without_hash_is_refused():
    raw = body(
        json_part(statement(attachment(TXT1))),
        part_bytes(TXT1, "Content-Type: text/plain", "Content-Transfer-Encoding: binary"),
    )
    with pytest.raises(ValidationError, match="X-Experience-API-Hash"):
        parse_multipart_mixed(raw, CT)


def test_attachment_part_with_empty_hash_is_refused():
    raw = body(json_part({}), part_bytes(TXT1, "X-Experience-API-Hash:  "))
    with pytest.raises(ValidationError, match="X-Experience-API-Hash"):
        parse_multipart_mixed(raw, CT)


def test_content_transfer_encoding_other_than_binary_is_refused():
    raw = body(
        json_part(statement(attachment(TXT1))),
        part_bytes(
            TXT1,
            "Content-Type: text/plain",
            "Content-Transfer-Encoding: base64",
            f"X-Experience-API-Hash: {sha256(TXT1)}",
        ),
    )
    with pytest.raises(ValidationError, match="binary") as info:
        parse_multipart_mixed(raw, CT)
    assert info.value.path == "body.parts[1].Content-Transfer-Encoding"


def test_missing_content_transfer_encoding_is_taken_as_binary():
    raw = body(
        json_part({}),
        part_bytes(TXT1, "Content-Type: text/plain", f"X-Experience-API-Hash: {sha256(TXT1)}"),
    )
    assert parse_multipart_mixed(raw, CT)[1].content_transfer_encoding is None


def test_content_transfer_encoding_is_case_insensitive():
    raw = body(
        json_part({}),
        part_bytes(
            TXT1, "Content-Transfer-Encoding: BINARY", f"X-Experience-API-Hash: {sha256(TXT1)}"
        ),
    )
    assert parse_multipart_mixed(raw, CT)[1].content_transfer_encoding == "binary"


def test_statement_part_alone_is_accepted():
    s = statement(attachment(TXT1, fileUrl="http://example.com/file.txt"))
    raw = body(json_part(s))
    assert parse_and_match(raw) == {}


# --- hostile input ---------------------------------------------------------------------------


def test_too_many_parts_are_refused():
    raw = body(json_part({}), *[att_part(TXT1)] * 20)
    with pytest.raises(ValidationError, match="more than 10 parts"):
        parse_multipart_mixed(raw, CT, max_parts=10)
    assert len(parse_multipart_mixed(raw, CT, max_parts=21)) == 21


def test_oversized_header_block_is_refused():
    raw = body(part_bytes(b"{}", "Content-Type: application/json", "X-Pad: " + "a" * 20_000))
    with pytest.raises(ValidationError, match="longer than"):
        parse_multipart_mixed(raw, CT)


@pytest.mark.parametrize(
    "raw",
    [
        b"\r\n" * 3_000_000,
        b"-" * 6_000_000,
        (b"\r\n--" + B[:-1].encode()) * 200_000,
        (b"\n--" + B.encode() + b"x") * 150_000,
        f"--{B}\r\n".encode() + b"\r\n" * 3_000_000,
        f"--{B}\r\n".encode() + b"a" * 6_000_000,
        f"--{B}\r\nContent-Type: application/json\r\n\r\n".encode() + b"\r\n-" * 3_000_000,
    ],
    ids=[
        "crlfs",
        "dashes",
        "near-boundaries",
        "boundary-prefixes",
        "blank",
        "no-header-end",
        "near-delims",
    ],
)
def test_large_hostile_bodies_fail_fast(raw):
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        parse_multipart_mixed(raw, CT)
    assert time.perf_counter() - started < 2.0


def test_many_small_parts_parse_in_linear_time():
    raw = body(json_part({}), *[att_part(b"x")] * 9_000)
    started = time.perf_counter()
    assert len(parse_multipart_mixed(raw, CT)) == 9_001
    assert time.perf_counter() - started < 2.0


def test_random_mutations_raise_only_validation_errors():
    rng = random.Random(20240601)
    s = statement(attachment(TXT1), attachment(TXT2))
    valid = body(json_part(s), att_part(TXT1), att_part(TXT2))
    alphabet = b"\r\n-:;= \t\x00\xffaZ" + B.encode()
    for _ in range(3000):
        raw = bytearray(valid)
        for _ in range(rng.randint(1, 6)):
            op = rng.randint(0, 2)
            pos = rng.randrange(len(raw) + 1)
            if op == 0 and raw:
                del raw[pos : pos + rng.randint(1, 8)]
            elif op == 1:
                raw[pos:pos] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
            elif raw:
                raw[min(pos, len(raw) - 1)] = rng.choice(alphabet)
        try:
            parts = parse_multipart_mixed(bytes(raw), CT)
            match_attachments([s], parts, version="1.0.3")
        except ValidationError:
            pass


def test_random_bytes_raise_only_validation_errors():
    rng = random.Random(7)
    for _ in range(500):
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
        if rng.random() < 0.5:
            raw = f"--{B}\r\n".encode() + raw
        with pytest.raises(ValidationError):
            parse_multipart_mixed(raw, CT)


# --- building ---------------------------------------------------------------------------------


def test_build_then_parse_round_trips():
    first = json.dumps({"statements": [statement(attachment(TXT1))], "more": ""}).encode()
    raw, content_type = build_multipart_mixed(
        first,
        [
            (sha256(TXT1), "text/plain; charset=ascii", TXT1),
            (sha256(TXT2), "text/plain", TXT2),
            (sha256(TXT1), "text/plain; charset=ascii", TXT1),  # sent once
        ],
    )
    boundary = boundary_from_content_type(content_type)
    assert content_type == f"multipart/mixed; boundary={boundary}"
    assert boundary.isalnum()  # safe for parsers that put it into a regular expression
    parts = parse_multipart_mixed(raw, content_type)
    assert [p.body for p in parts] == [first, TXT1, TXT2]
    assert parts[1].headers["content-type"] == "text/plain; charset=ascii"
    assert parts[1].content_transfer_encoding == "binary"
    assert raw.count(sha256(TXT1).encode()) == 2  # once in the JSON, once as the header
    assert raw.startswith(f"--{boundary}\r\n".encode())
    assert raw.endswith(f"--{boundary}--\r\n".encode())


def test_build_without_attachments():
    raw, content_type = build_multipart_mixed(b"{}", [])
    parts = parse_multipart_mixed(raw, content_type)
    assert len(parts) == 1 and parts[0].body == b"{}"


def test_build_sanitises_unsafe_content_type_and_refuses_unsafe_hash():
    raw, content_type = build_multipart_mixed(b"{}", [("abc", "text/plain\r\nX-Evil: 1", b"x")])
    parts = parse_multipart_mixed(raw, content_type)
    assert parts[1].content_type == "application/octet-stream"
    assert "x-evil" not in parts[1].headers
    with pytest.raises(ValueError):
        build_multipart_mixed(b"{}", [("ab\r\nc", "text/plain", b"x")])


def test_build_picks_a_boundary_absent_from_the_data(monkeypatch):
    tokens = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr("lrs.http.multipart.secrets.token_hex", lambda n: next(tokens))
    data = b"xx" + b"a" * 40
    raw, content_type = build_multipart_mixed(b"{}", [(sha256(data), "text/plain", data)])
    assert content_type.endswith("b" * 32)
    assert parse_multipart_mixed(raw, content_type)[1].body == data


# --- matching parts to attachments -----------------------------------------------------------


def test_attachments_are_matched_by_hash():
    s1 = statement(attachment(TXT1), attachment(TXT2, "text/plain; charset=ascii"))
    s2 = statement(attachment(TXT1))  # the same data used twice, sent once
    raw = body(json_part([s1, s2]), att_part(TXT1), att_part(TXT2, "text/plain; charset=ascii"))
    result = parse_and_match(raw)
    assert result == {
        sha256(TXT1): ("text/plain", TXT1),
        sha256(TXT2): ("text/plain; charset=ascii", TXT2),
    }


def test_statement_part_may_be_passed_along():
    s = statement(attachment(TXT1))
    parts = parse_multipart_mixed(body(json_part(s), att_part(TXT1)), CT)
    assert match_attachments([s], parts, version="2.0.0") == {sha256(TXT1): ("text/plain", TXT1)}


def test_declared_length_is_not_checked_against_data_without_content_length():
    # The conformance suite sends an image as hex text but declares the binary size.
    hex_image = bytes(range(200)).hex().encode()
    att = attachment(hex_image, "image/jpeg", length=200)
    raw = body(json_part(statement(att)), att_part(hex_image, "image/jpeg"))
    assert parse_and_match(raw) == {sha256(hex_image): ("image/jpeg", hex_image)}


def test_attachment_without_part_is_refused():
    s = statement(attachment(TXT1), attachment(TXT2))
    raw = body(json_part(s), att_part(TXT1))
    with pytest.raises(ValidationError, match="no fileUrl and no multipart part") as info:
        parse_and_match(raw)
    assert info.value.path == "statements[0].attachments[1]"


def test_excess_part_is_refused():
    s = statement(attachment(TXT1), attachment(TXT2))
    raw = body(json_part(s), att_part(TXT1), att_part(TXT2), att_part(TXT3))
    with pytest.raises(ValidationError, match="matches the sha2 of no attachment") as info:
        parse_and_match(raw)
    assert info.value.path == "body.parts[3]"


def test_hash_header_that_is_not_the_data_digest_is_refused():
    s = statement(attachment(TXT1))
    other = "b018994f8bbe0f08992a65c48c8c8c56f09e9baceaa6227ed85c90ae52b73c89"
    raw = body(json_part(s), att_part(TXT1, sha=other))
    with pytest.raises(ValidationError, match="not the SHA-2 digest"):
        parse_and_match(raw)


def test_hash_header_matching_sha2_but_not_the_data_is_refused():
    s = statement(attachment(TXT1))
    raw = body(json_part(s), att_part(TXT2, sha=sha256(TXT1)))
    with pytest.raises(ValidationError, match="not the SHA-2 digest"):
        parse_and_match(raw)


@pytest.mark.parametrize("bad", ["not-hex", "abc", "g" * 64, sha256(TXT1)[:-1]])
def test_hash_header_that_is_not_a_sha2_digest_is_refused(bad):
    raw = body(json_part(statement(attachment(TXT1))), att_part(TXT1, sha=bad))
    with pytest.raises(ValidationError, match="not a hex SHA-2 digest"):
        parse_and_match(raw)


@pytest.mark.parametrize("algorithm", ["sha224", "sha256", "sha384", "sha512"])
def test_every_sha2_size_is_accepted(algorithm):
    digest = hashlib.new(algorithm, TXT1).hexdigest()
    att = {**attachment(TXT1), "sha2": digest}
    raw = body(json_part(statement(att)), att_part(TXT1, sha=digest))
    assert parse_and_match(raw) == {digest: ("text/plain", TXT1)}


def test_hashes_are_matched_case_insensitively_and_keyed_as_the_statement_spells_them():
    upper = sha256(TXT1).upper()
    att = {**attachment(TXT1), "sha2": upper}
    raw = body(json_part(statement(att)), att_part(TXT1))
    assert parse_and_match(raw) == {upper: ("text/plain", TXT1)}


def test_content_type_mismatch_is_refused():
    raw = body(json_part(statement(attachment(TXT1, "image/jpeg"))), att_part(TXT1, "text/plain"))
    with pytest.raises(ValidationError, match="Content-Type") as info:
        parse_and_match(raw)
    assert info.value.path == "statements[0].attachments[0].contentType"


def test_content_type_compared_as_media_type():
    att = attachment(TXT1, "Text/Plain; charset=ascii")
    raw = body(json_part(statement(att)), att_part(TXT1, "text/plain"))
    assert parse_and_match(raw) == {sha256(TXT1): ("text/plain", TXT1)}


def test_part_without_content_type_takes_the_attachment_content_type():
    att = attachment(TXT1, "text/plain; charset=ascii")
    raw = body(
        json_part(statement(att)), part_bytes(TXT1, f"X-Experience-API-Hash: {sha256(TXT1)}")
    )
    assert parse_and_match(raw) == {sha256(TXT1): ("text/plain; charset=ascii", TXT1)}


def test_content_length_must_match_data_and_length():
    att = attachment(TXT1)
    good = part_bytes(
        TXT1, f"X-Experience-API-Hash: {sha256(TXT1)}", f"Content-Length: {len(TXT1)}"
    )
    assert parse_and_match(body(json_part(statement(att)), good))
    wrong_size = part_bytes(TXT1, f"X-Experience-API-Hash: {sha256(TXT1)}", "Content-Length: 3")
    with pytest.raises(ValidationError, match="Content-Length"):
        parse_and_match(body(json_part(statement(att)), wrong_size))
    with pytest.raises(ValidationError, match="length"):
        parse_and_match(body(json_part(statement({**att, "length": 5})), good))


def test_part_for_file_url_attachment_is_accepted_and_returned():
    att = attachment(TXT1, fileUrl="http://example.com/f.txt")
    raw = body(json_part(statement(att)), att_part(TXT1))
    assert parse_and_match(raw) == {sha256(TXT1): ("text/plain", TXT1)}


def test_empty_file_url_counts_as_absent():
    att = attachment(TXT1, fileUrl="")
    with pytest.raises(ValidationError, match="no fileUrl"):
        parse_and_match(body(json_part(statement(att))))


def test_substatement_attachments_need_parts_too():
    sub = {**statement(attachment(TXT2)), "objectType": "SubStatement"}
    s = {**statement(attachment(TXT1)), "object": sub}
    with pytest.raises(ValidationError) as info:
        parse_and_match(body(json_part(s), att_part(TXT1)))
    assert info.value.path == "statements[0].object.attachments[0]"
    assert parse_and_match(body(json_part(s), att_part(TXT1), att_part(TXT2))).keys() == {
        sha256(TXT1),
        sha256(TXT2),
    }


def test_duplicate_parts_of_the_same_data_are_tolerated():
    s = statement(attachment(TXT1))
    assert parse_and_match(body(json_part(s), att_part(TXT1), att_part(TXT1))) == {
        sha256(TXT1): ("text/plain", TXT1)
    }


def test_sha2_that_is_not_a_string_is_refused():
    att = {**attachment(TXT1), "sha2": 12345}
    with pytest.raises(ValidationError) as info:
        match_attachments([statement(att)], [], version="1.0.3")
    assert info.value.path == "statements[0].attachments[0].sha2"


def test_match_with_parts_built_directly():
    part = Part({"x-experience-api-hash": sha256(TXT1)}, TXT1)
    result = match_attachments([statement(attachment(TXT1))], [part], version="1.0.3")
    assert result == {sha256(TXT1): ("text/plain", TXT1)}
    with pytest.raises(ValidationError, match="X-Experience-API-Hash"):
        match_attachments([statement(attachment(TXT1))], [Part({}, TXT1)], version="1.0.3")


def test_malformed_statements_do_not_crash_matching():
    odd = [None, "x", {"attachments": "nope"}, {"attachments": [1, "a", None]}]
    assert match_attachments(odd, [], version="1.0.3") == {}


# --- application/json requests ---------------------------------------------------------------


def test_json_request_with_file_url_attachments_only_passes():
    require_no_raw_attachments([statement(attachment(TXT1, fileUrl="http://x.example/f"))])
    require_no_raw_attachments([statement(), {"attachments": []}])


def test_json_request_with_raw_attachment_is_refused():
    s = statement(attachment(TXT1, fileUrl="http://x.example/f"), attachment(TXT2))
    with pytest.raises(ValidationError, match="multipart/mixed") as info:
        require_no_raw_attachments([statement(), s])
    assert info.value.path == "statements[1].attachments[1]"


def test_attachments_needing_parts_lists_paths():
    sub = {**statement(attachment(TXT2)), "objectType": "SubStatement"}
    s = {
        **statement(attachment(TXT1, fileUrl="http://x.example/f"), attachment(TXT3)),
        "object": sub,
    }
    assert [p for p, _ in attachments_needing_parts(s)] == [
        "attachments[1]",
        "object.attachments[0]",
    ]


def test_sha2_digest_matches():
    assert sha2_hex_digest_matches(TXT1, sha256(TXT1))
    assert sha2_hex_digest_matches(TXT1, sha256(TXT1).upper())
    assert sha2_hex_digest_matches(TXT1, hashlib.sha512(TXT1).hexdigest())
    assert not sha2_hex_digest_matches(TXT1, sha256(TXT2))
    assert not sha2_hex_digest_matches(TXT1, hashlib.sha1(TXT1).hexdigest())
    assert not sha2_hex_digest_matches(TXT1, "zz")
