"""Property-based hostile input (hypothesis): whatever arrives, never a 500, never a leak,
and a refused request stores nothing."""

from __future__ import annotations

import json
import os
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import assert_clean, statement

# Deterministic in CI; LRS_FUZZ_SCALE=20 hunts for bugs with more, random cases.
SCALE = int(os.environ.get("LRS_FUZZ_SCALE", "1"))
SETTINGS = settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=SCALE == 1,
    database=None,
)

AGENT = quote(json.dumps({"mbox": "mailto:zs@example.gov.cn"}))
STATE = f"/xapi/activities/state?activityId=http://example.gov.cn/c1&agent={AGENT}&stateId=s"
WRITES = [
    ("POST", "/xapi/statements"),
    ("PUT", "/xapi/statements?statementId=2d3c8a7e-3c5e-4c36-a9a4-3a1f0c6f3b10"),
    ("POST", STATE),
    ("PUT", STATE),
    ("POST", "/xapi/activities/profile?activityId=http://example.gov.cn/c1&profileId=p"),
    ("PUT", f"/xapi/agents/profile?agent={AGENT}&profileId=p"),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)

CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "text/plain", "", "multipart/mixed",
    "multipart/mixed; boundary=x", "application/x-www-form-urlencoded", "application/octet-stream",
]) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)


def send(http, tenant, method, path, version="2.0.0", headers=None, **kw):
    all_headers = tenant.headers(version)
    all_headers.update(headers or {})
    return http.open(path, method=method, headers=all_headers, **kw)


def _stored_nothing_if_refused(response, before, after):
    if response.status_code >= 400:
        assert after == before, (response.status_code, response.data[:300])


@SETTINGS
@given(target=st.sampled_from(WRITES), body=st.binary(max_size=300), content_type=CONTENT_TYPES)
def test_arbitrary_bytes(http, admin, counts, target, body, content_type):
    method, path = target
    before = counts()
    res = send(http, admin, method, path, data=body,
               headers={"Content-Type": content_type, "If-None-Match": "*"})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())


@SETTINGS
@given(target=st.sampled_from(WRITES), value=json_values)
def test_arbitrary_json(http, admin, counts, target, value):
    method, path = target
    before = counts()
    res = send(http, admin, method, path, json=value, headers={"If-None-Match": "*"})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())


def _paths(value, prefix=()):
    """Every (path, container) in a JSON value, for mutation."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


RICH = statement(
    id="0b5c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d",
    actor={"objectType": "Agent", "name": "张三", "account": {
        "homePage": "http://gbpx.gov.cn", "name": "110101199001011234"}},
    verb={"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"zh-CN": "回答"}},
    object={"objectType": "Activity", "id": "http://example.gov.cn/q/1", "definition": {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": "choice", "correctResponsesPattern": ["a"],
        "choices": [{"id": "a", "description": {"zh-CN": "甲"}}]}},
    result={"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": True,
            "duration": "PT1H2M3S", "extensions": {"http://example.gov.cn/x": [1, {"a": None}]}},
    context={"registration": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
             "contextActivities": {"parent": [{"id": "http://example.gov.cn/course/1"}]},
             "language": "zh-CN", "platform": "platform A"},
    timestamp="2026-11-23T10:00:00+08:00",
)
RICH_PATHS = list(_paths(RICH))[1:]


def _mutate(value, path, new):
    value = json.loads(json.dumps(value))
    target = value
    for step in path[:-1]:
        target = target[step]
    if new is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return value


_DELETE = object()


@SETTINGS
@given(
    path=st.sampled_from(RICH_PATHS),
    new=json_values | st.just(_DELETE) | st.sampled_from([
        "' OR 1=1 --", '{"$gt": ""}', "\x00", "9" * 400, 1e308, -0.0, 2**70, "",
        "http://例子.中国/路径", "mailto:a@b", "PT", "2026-13-45T25:61:61Z",
    ]),
    version=st.sampled_from(["1.0.3", "2.0.0"]),
)
def test_mutated_statement(http, admin, counts, path, new, version):
    body = _mutate(RICH, path, new)
    body["id"] = None  # a fresh id each time: an accepted mutation is a new statement
    del body["id"]
    before = counts()
    res = send(http, admin, "POST", "/xapi/statements", version, json=body)
    assert_clean(res)
    after = counts()
    if res.status_code == 200:
        assert after["statements"] == before["statements"] + 1
        assert after["outbox"] == before["outbox"] + 1
    else:
        assert res.status_code == 400, res.data
        assert res.get_json()["error"]["path"].startswith("statement")
        assert after == before


@SETTINGS
@given(
    size=st.integers(min_value=2, max_value=8),
    bad=st.data(),
    version=st.sampled_from(["1.0.3", "2.0.0"]),
)
def test_a_batch_with_one_bad_statement_stores_none(http, admin, counts, size, bad, version):
    batch = [statement() for _ in range(size)]
    index = bad.draw(st.integers(min_value=0, max_value=size - 1))
    path = bad.draw(st.sampled_from([("actor",), ("verb", "id"), ("object",), ("timestamp",)]))
    batch[index] = _mutate(batch[index], path, bad.draw(st.sampled_from([1, "", [], None])))
    before = counts()
    res = send(http, admin, "POST", "/xapi/statements", version, json=batch)
    assert res.status_code == 400
    assert_clean(res)
    assert res.get_json()["error"]["path"].startswith(f"statements[{index}]")
    assert counts() == before


PARAMS = {
    "/xapi/statements": [
        "statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
        "related_activities", "related_agents", "since", "until", "limit", "format",
        "attachments", "ascending", "more",
    ],
    "/xapi/activities/state": ["activityId", "agent", "registration", "stateId", "since"],
    "/xapi/activities/profile": ["activityId", "profileId", "since"],
    "/xapi/agents/profile": ["agent", "profileId", "since"],
    "/xapi/activities": ["activityId"],
    "/xapi/agents": ["agent"],
}
param_values = st.text(max_size=40) | st.sampled_from([
    "' OR 1=1 --", '{"$gt": ""}', '{"mbox": {"$ne": null}}', "[" * 2000, "9" * 30,
    "0001-01-01T00:00:00+05:00", "%00", "true", "TRUE", "-1", "1e9", "\ud7ff",
])


@SETTINGS
@given(
    path=st.sampled_from(sorted(PARAMS)),
    data=st.data(),
    method=st.sampled_from(["GET", "HEAD", "PUT", "POST", "DELETE"]),
)
def test_arbitrary_query_parameters(http, admin, counts, path, data, method):
    names = data.draw(st.lists(st.sampled_from(PARAMS[path]), min_size=1, max_size=4))
    query = "&".join(f"{quote(n)}={quote(data.draw(param_values), safe='')}" for n in names)
    before = counts()
    res = send(http, admin, method, f"{path}?{query}", json={"k": 1},
               headers={"If-Match": '"x"'})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())


header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40
)


@SETTINGS
@given(
    name=st.sampled_from([
        "X-Experience-API-Version", "If-Match", "If-None-Match", "Accept-Language",
        "Content-Type", "Authorization",
    ]),
    value=header_values,
    method=st.sampled_from(["GET", "PUT", "POST"]),
)
def test_arbitrary_header_values(http, admin, counts, name, value, method):
    path = STATE if method != "GET" else "/xapi/statements?format=canonical"
    before = counts()
    res = send(http, admin, method, path, json={"k": 1}, headers={name: value})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())


part_headers = st.lists(
    st.sampled_from([
        b"Content-Type: application/json", b"Content-Type: text/plain",
        b"Content-Transfer-Encoding: binary", b"Content-Transfer-Encoding: base64",
        b"X-Experience-API-Hash: " + b"0" * 64, b"X-Experience-API-Hash:", b"Bad header",
        b"\xff\xfe: \x00",
    ]),
    max_size=3,
)


@SETTINGS
@given(
    parts=st.lists(st.tuples(part_headers, st.binary(max_size=60) | st.sampled_from([
        json.dumps(statement()).encode(), b"[]", b"{"])), max_size=4),
    close=st.booleans(),
    line_break=st.sampled_from([b"\r\n", b"\n"]),
)
def test_arbitrary_multipart(http, admin, counts, parts, close, line_break):
    body = b""
    for headers, payload in parts:
        body += b"--b" + line_break + line_break.join(headers) + line_break * 2 + payload
        body += line_break
    if close:
        body += b"--b--" + line_break
    before = counts()
    res = send(http, admin, "POST", "/xapi/statements", data=body,
               headers={"Content-Type": "multipart/mixed; boundary=b"})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@SETTINGS
@given(form=st.lists(st.tuples(st.sampled_from([
    "method", "content", "Content-Type", "X-Experience-API-Version", "Authorization",
    "statementId", "If-Match", "agent", "stateId", "activityId",
]), st.text(max_size=30)), max_size=6), method=st.sampled_from(["PUT", "GET", "POST", "x"]))
def test_arbitrary_alternate_syntax(http, admin, counts, version, form, method):
    fields = [("Authorization", admin.auth), *form]
    before = counts()
    res = http.post(f"/xapi/statements?method={method}", data=urlencode(fields),
                    content_type="application/x-www-form-urlencoded",
                    headers={"X-Experience-API-Version": version})
    assert_clean(res)
    _stored_nothing_if_refused(res, before, counts())
