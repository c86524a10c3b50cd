"""The LRS's IRI regex (lrs/domain/statements/formats.py) against the reference grammar.

rfc3987-syntax (the test extra) is that reference. tests/conftest.py keeps jsonschema from
loading it in every test process (38 Earley grammars, ~2.7 s each time), so this module
loads it itself, in the one worker that runs these tests.
"""

from __future__ import annotations

import random

import pytest

from lrs.domain.statements import formats
from lrs.domain.statements.validation import is_iri
from tests.reference_grammar import is_valid_syntax_iri

# Shared IRI corpus; the fast regex in formats.py must agree with rfc3987_syntax on each.
IRI_CORPUS = [
    "http://example.com", "https://example.com/a/b?c=d#e", "http://例子.测试/路径?q=值#片段",
    "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee", "mailto:a@example.com", "tag:x.com,2020:y",
    "http://user:pw@example.com:8080/p", "http://example.com/%20x", "x:", "a+b-c.d:rest",
    "http://[::1]/", "http://[v1.fe]/", "ftp://example.com/a/../b", "http://example.com/a b",
    "http://example.com/%zz", "example.com/path", "ab=c://should.fail.com", "1http://x.com",
    "http://example.com/<>", "", "http://example.com/\ue000?\ue000", "http://例子.com#\ue000",
    "http://example.com/`", "http://ex ample.com", "://x.com", "http://x.com/{a}", "h:\\x",
]


@pytest.mark.parametrize("value", IRI_CORPUS)
def test_iri_regex_agrees_with_rfc3987_syntax(value):
    assert is_iri(value) is is_valid_syntax_iri(value)


def test_iri_regex_agrees_with_rfc3987_syntax_on_random_strings():
    alphabet = list("ab:/?#@%1.-_~!$&'()*+,;= Z\u00e9\u4e2d\ue000\ufffe\"<>\\^`{|}") + [
        "%2F", "%g1", "//", "http:", "urn:"]
    rng = random.Random(3987)
    for _ in range(120):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        value = rng.choice(["", "http://", "a:", "x:/", "h://u@"]) + value
        if "[" not in value:
            fast = formats._IRI_RE.fullmatch(value) is not None
            assert fast == is_valid_syntax_iri(value), value


def test_iri_regex_agrees_with_rfc3987_syntax_on_ip_literal_hosts():
    # Bracketed hosts built from the grammar's parts (h16 groups, "::", an IPv4 tail,
    # IPvFuture), with near misses: 5-digit groups, octets over 255, leading zeros, ":::".
    rng = random.Random(3986)

    def h16() -> str:
        return "".join(rng.choice("0123456789abcdefABCDEF")
                       for _ in range(rng.randint(1, 5 if rng.random() < 0.1 else 4)))

    def ipv4() -> str:
        return ".".join(rng.choice(["0", "9", "10", "99", "199", "249", "255", "256", "01"])
                        for _ in range(4))

    valid = 0
    for _ in range(600):
        groups = [h16() for _ in range(rng.randint(0, 8))]
        if groups and rng.random() < 0.3:
            groups[-1] = ipv4()
        host = ":".join(groups)
        if rng.random() < 0.7:
            cut = rng.choice([i for i, c in enumerate(host) if c == ":"] + [0, len(host)])
            host = host[:cut] + rng.choice(["::", "::", ":::"]) + host[cut:]
        if rng.random() < 0.1:
            host = f"v{h16()}.{rng.choice(['a:b', 'x', '~', '!', ''])}"
        value = f"http://{rng.choice(['', 'u@'])}[{host}]{rng.choice(['', ':80', '/p'])}"
        expected = is_valid_syntax_iri(value)
        valid += expected
        assert is_iri(value) is expected, value
    assert valid > 50  # the corpus holds valid literals, not only failures
