"""Hand-picked hostile requests: each gets a 4xx JSON error naming the field, nothing is stored.

Deep nesting, huge bodies, wrong content types, bad multipart, invalid UTF-8,
injection strings in every parameter. The regression tests for the 500s these
found are marked in their names (``regression_``).
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import quote

import pytest

from .conftest import MAX_BODY, assert_clean, new_id, statement

AGENT = json.dumps({"mbox": "mailto:zs@example.gov.cn"})
ACTIVITY = "http://example.gov.cn/course/1"
STATE = f"/xapi/activities/state?activityId={quote(ACTIVITY)}&agent={quote(AGENT)}"
ACTIVITY_PROFILE = f"/xapi/activities/profile?activityId={quote(ACTIVITY)}"
AGENT_PROFILE = f"/xapi/agents/profile?agent={quote(AGENT)}"

# Every resource that reads a request body, with a write that would store something.
BODY_TARGETS = [
    ("POST", "/xapi/statements"),
    ("PUT", "/xapi/statements?statementId=6a1f8d3c-2b4e-4c5d-9e6f-7a8b9c0d1e2f"),
    ("POST", STATE + "&stateId=s1"),
    ("PUT", STATE + "&stateId=s1"),
    ("POST", ACTIVITY_PROFILE + "&profileId=p1"),
    ("PUT", ACTIVITY_PROFILE + "&profileId=p1"),
    ("POST", AGENT_PROFILE + "&profileId=p1"),
    ("PUT", AGENT_PROFILE + "&profileId=p1"),
]
JSON_TARGETS = [t for t in BODY_TARGETS if "statements" in t[1] or t[0] == "POST"]


def send(http, tenant, method, path, version="2.0.0", headers=None, **kw):
    all_headers = tenant.headers(version)
    all_headers.update(headers or {})
    return http.open(path, method=method, headers=all_headers, **kw)


def nested(depth: int, leaf: str = "0") -> str:
    return "[" * depth + leaf + "]" * depth


def error_path(response) -> str:
    return response.get_json()["error"].get("path", "")


class TestDeepNesting:
    @pytest.mark.parametrize(("method", "path"), JSON_TARGETS)
    def test_100k_nested_arrays_in_a_body(self, http, admin, counts, method, path):
        before = counts()
        res = send(http, admin, method, path, data=nested(100_000), content_type="application/json")
        assert res.status_code == 400
        assert_clean(res)
        assert counts() == before

    @pytest.mark.parametrize("depth", [150, 990])
    def test_regression_nesting_deep_inside_a_statement(self, http, admin, counts, depth):
        # 990 levels parse, then used to blow the recursion limit in normalisation: a 500.
        raw = json.dumps(statement(result={"extensions": {"http://example.gov.cn/x": "@"}}))
        raw = raw.replace('"@"', nested(depth))
        before = counts()
        res = send(http, admin, "POST", "/xapi/statements", data=raw,
                   content_type="application/json")
        assert res.status_code == 400, res.data
        assert_clean(res)
        assert error_path(res) == "statements"  # the body of a POST
        assert "nested" in res.get_json()["error"]["message"]
        assert counts() == before

    def test_nesting_up_to_the_limit_is_stored(self, http, admin):
        # statement > result > extensions > value: 3 levels, then 97 arrays = 100 levels.
        value = json.loads(nested(97))
        body = statement(result={"extensions": {"http://example.gov.cn/x": value}})
        res = send(http, admin, "POST", "/xapi/statements", json=body)
        assert res.status_code == 200, res.data
        got = send(http, admin, "GET", f"/xapi/statements?statementId={res.get_json()[0]}")
        assert got.get_json()["result"]["extensions"]["http://example.gov.cn/x"] == value

    @pytest.mark.parametrize(
        "path",
        [
            "/xapi/statements?agent=",
            "/xapi/agents?agent=",
            STATE.split("&agent=")[0] + "&stateId=s&agent=",
            "/xapi/agents/profile?profileId=p&agent=",
        ],
    )
    def test_regression_deep_json_in_the_agent_parameter(self, http, admin, path):
        # json.loads of the parameter raised RecursionError: a 500.
        res = send(http, admin, "GET", path + quote(nested(100_000)))
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "agent"

    def test_regression_deep_json_in_a_forged_more_cursor(self, http, admin):
        token = base64.urlsafe_b64encode(nested(50_000).encode()).decode().rstrip("=")
        res = send(http, admin, "GET", f"/xapi/statements?more={token}")
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "more"

    def test_regression_merge_into_a_deep_stored_document(self, http, admin):
        # PUT stores any bytes; a later POST merge must refuse them cleanly, not 500.
        url = STATE + "&stateId=deep"
        put = send(http, admin, "PUT", url, data=json.dumps({"a": json.loads(nested(900))}),
                   content_type="application/json")
        assert put.status_code == 204
        res = send(http, admin, "POST", url, json={"b": 1})
        assert res.status_code == 400
        assert_clean(res)


class TestLoneSurrogates:
    """``"\\ud800"`` is valid JSON but not Unicode: it used to fail as a 500 when stored."""

    BAD = '"x\\ud800y"'

    def test_regression_in_a_statement(self, http, admin, counts):
        before = counts()
        for actor, verb in [
            ('{"mbox":"mailto:a@b.cn","name":' + self.BAD + "}", '{"id":"http://v.cn/v"}'),
            ('{"mbox":"mailto:a@b.cn"}', '{"id":"http://v.cn/v","display":{"en":' + self.BAD
             + "}}"),
        ]:
            raw = '{"actor":' + actor + ',"verb":' + verb + ',"object":{"id":"http://o.cn/o"}}'
            res = send(http, admin, "POST", "/xapi/statements", data=raw,
                       content_type="application/json")
            assert res.status_code == 400, res.data
            assert_clean(res)
            assert "surrogate" in res.get_json()["error"]["message"]
        assert counts() == before

    def test_regression_in_extensions_and_display(self, http, admin, counts):
        before = counts()
        for field in ('"result":{"extensions":{"http://e.cn/x":' + self.BAD + "}}",
                      '"context":{"extensions":{"http://e.cn/x":{' + self.BAD + ":1}}}"):
            raw = ('{"actor":{"mbox":"mailto:a@b.cn"},"verb":{"id":"http://v.cn/v"},'
                   '"object":{"id":"http://o.cn/o"},' + field + "}")
            res = send(http, admin, "POST", "/xapi/statements", data=raw,
                       content_type="application/json")
            assert res.status_code == 400, res.data
            assert_clean(res)
        assert counts() == before

    def test_regression_in_the_agent_parameter(self, http, admin):
        agent = '{"account":{"homePage":"http://x.cn","name":' + self.BAD + "}}"
        for path in ("/xapi/statements?agent=", "/xapi/agents?agent=",
                     "/xapi/agents/profile?agent="):
            res = send(http, admin, "GET", path + quote(agent))
            assert res.status_code == 400, (path, res.data)
            assert_clean(res)
            assert error_path(res) == "agent"

    def test_regression_in_a_merged_document(self, http, admin, counts):
        url = STATE + "&stateId=sur"
        assert send(http, admin, "POST", url, json={"a": 1}).status_code == 204
        before = counts()
        res = send(http, admin, "POST", url, data='{"b":' + self.BAD + "}",
                   content_type="application/json")
        assert res.status_code == 400
        assert_clean(res)
        assert counts() == before

    def test_escaped_surrogate_pairs_are_fine(self, http, admin):
        raw = ('{"actor":{"mbox":"mailto:a@b.cn","name":"\\ud83d\\ude00"},'
               '"verb":{"id":"http://v.cn/v"},"object":{"id":"http://o.cn/o"}}')
        res = send(http, admin, "POST", "/xapi/statements", data=raw,
                   content_type="application/json")
        assert res.status_code == 200, res.data


class TestOutOfRangeValues:
    @pytest.mark.parametrize(
        "path",
        ["/xapi/statements?since=", "/xapi/statements?until=", STATE + "&since=",
         ACTIVITY_PROFILE + "&since="],
    )
    @pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
    def test_regression_timestamps_without_a_utc_instant(self, http, admin, path, value):
        # Valid ISO 8601, but converting to UTC overflowed in the store: a 500.
        res = send(http, admin, "GET", path + quote(value))
        assert res.status_code == 400, (path, res.data)
        assert_clean(res)
        assert error_path(res) == path.rsplit("&", 1)[-1].rsplit("?", 1)[-1].rstrip("=")

    def test_regression_huge_cursor_numbers(self, http, admin):
        state = {"_after": "9" * 30, "_max": "1"}
        token = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
        res = send(http, admin, "GET", f"/xapi/statements?more={token}")
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "more"

    @pytest.mark.parametrize("value", ["9" * 5000, "²", "١٢", "-1", "1e3", " 1"])
    def test_regression_limit_that_is_not_a_plain_number(self, http, admin, value):
        # "²".isdigit() is true but int("²") raises; 5000 digits exceed int()'s limit.
        res = send(http, admin, "GET", "/xapi/statements?limit=" + quote(value))
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "limit"


class TestHugeBodies:
    @pytest.mark.parametrize(("method", "path"), BODY_TARGETS)
    def test_body_over_the_limit_is_413_naming_the_body(self, http, admin, counts, method, path):
        before = counts()
        body = json.dumps(statement(result={"response": "x" * (MAX_BODY + 10)}))
        res = send(http, admin, method, path, data=body, content_type="application/json",
                   headers={"If-None-Match": "*"})
        assert res.status_code == 413
        assert_clean(res)
        assert error_path(res) == "body"
        assert counts() == before

    def test_multipart_over_the_limit(self, http, admin, counts):
        before = counts()
        body = b"--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\n\r\n"
        body += b"x" * (MAX_BODY + 1) + b"\r\n--b--\r\n"
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="multipart/mixed; boundary=b")
        assert res.status_code == 413
        assert_clean(res)
        assert counts() == before

    def test_regression_alternate_syntax_over_the_limit_is_413(self, http, admin, counts):
        # Was a 400 naming "method"; the body is what is too large.
        before = counts()
        form = "content=" + quote(json.dumps(statement())) + "&pad=" + "x" * MAX_BODY
        res = http.post(
            "/xapi/statements?method=PUT",
            data=form,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Experience-API-Version": "1.0.3"},
        )
        assert res.status_code == 413
        assert_clean(res)
        assert error_path(res) == "body"
        assert counts() == before


class TestContentTypes:
    @pytest.mark.parametrize(
        "content_type",
        ["text/plain", "application/xml", "application/x-www-form-urlencoded", "image/png",
         "multipart/form-data; boundary=x", "application/json-patch+json"],
    )
    @pytest.mark.parametrize("method", ["POST", "PUT"])
    def test_statements_refuse_other_types(self, http, admin, counts, content_type, method):
        before = counts()
        path = "/xapi/statements"
        if method == "PUT":
            path += f"?statementId={new_id()}"
        res = send(http, admin, method, path, data=json.dumps(statement()),
                   content_type=content_type)
        assert res.status_code == 400, res.data
        assert_clean(res)
        assert error_path(res) == "Content-Type"
        assert counts() == before

    @pytest.mark.parametrize("path", [STATE + "&stateId=s", ACTIVITY_PROFILE + "&profileId=p"])
    def test_document_merge_needs_json(self, http, admin, counts, path):
        before = counts()
        res = send(http, admin, "POST", path, data='{"a": 1}', content_type="text/plain")
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "Content-Type"
        assert counts() == before

    def test_json_with_a_wrong_charset_parameter_still_needs_utf8(self, http, admin, counts):
        before = counts()
        body = json.dumps(statement(), ensure_ascii=False).replace("zs@", "张@").encode("gbk")
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="application/json; charset=gbk")
        assert res.status_code == 400
        assert_clean(res)
        assert counts() == before


def multipart(*parts: bytes, boundary: str = "xyz") -> bytes:
    out = b""
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


class TestBadMultipart:
    def _attachment_statement(self, data: bytes):
        return statement(attachments=[{
            "usageType": "http://example.gov.cn/usage/cert",
            "display": {"zh-CN": "证书"},
            "contentType": "text/plain",
            "length": len(data),
            "sha2": hashlib.sha256(data).hexdigest(),
        }])

    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"--xyz--\r\n",
            b"no boundary at all",
            b"--xyz\r\nContent-Type: application/json\r\n\r\n{}",  # no closing boundary
            multipart(b"Content-Type: application/json\r\n\r\n[[[["),
            multipart(b"Content-Type: text/plain\r\n\r\n{}"),
            multipart(b"Content-Type: application/json\r\nX: " + b"h" * 20000 + b"\r\n\r\n{}"),
            multipart(b"\xff\xfe: \xff\r\n\r\n{}"),
        ],
    )
    def test_malformed_framing(self, http, admin, counts, body):
        before = counts()
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="multipart/mixed; boundary=xyz")
        assert res.status_code == 400, res.data
        assert_clean(res)
        assert counts() == before

    @pytest.mark.parametrize(
        "content_type",
        ["multipart/mixed", "multipart/mixed; boundary=", "multipart/mixed; boundary=" + "b" * 80,
         'multipart/mixed; boundary="unterminated', "multipart/mixed; boundary=a; boundary=b"],
    )
    def test_bad_boundary_parameter(self, http, admin, counts, content_type):
        before = counts()
        res = send(http, admin, "POST", "/xapi/statements", data=b"--a\r\n\r\n{}\r\n--a--",
                   content_type=content_type)
        assert res.status_code == 400
        assert_clean(res)
        assert error_path(res) == "Content-Type"
        assert counts() == before

    def test_attachment_whose_hash_does_not_match(self, http, admin, counts):
        before = counts()
        body = multipart(
            b"Content-Type: application/json\r\n\r\n"
            + json.dumps(self._attachment_statement(b"real")).encode(),
            b"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            b"X-Experience-API-Hash: " + hashlib.sha256(b"real").hexdigest().encode()
            + b"\r\n\r\nforged",
        )
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="multipart/mixed; boundary=xyz")
        assert res.status_code == 400, res.data
        assert_clean(res)
        assert counts() == before

    def test_missing_attachment_part(self, http, admin, counts):
        before = counts()
        body = multipart(b"Content-Type: application/json\r\n\r\n"
                         + json.dumps(self._attachment_statement(b"data")).encode())
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="multipart/mixed; boundary=xyz")
        assert res.status_code == 400
        assert_clean(res)
        assert counts() == before

    def test_a_good_multipart_request_is_stored(self, http, admin, counts):
        data = "培训证书".encode()
        body = multipart(
            b"Content-Type: application/json\r\n\r\n"
            + json.dumps(self._attachment_statement(data)).encode(),
            b"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            b"X-Experience-API-Hash: " + hashlib.sha256(data).hexdigest().encode()
            + b"\r\n\r\n" + data,
        )
        before = counts()
        res = send(http, admin, "POST", "/xapi/statements", data=body,
                   content_type="multipart/mixed; boundary=xyz")
        assert res.status_code == 200, res.data
        after = counts()
        assert after["statements"] == before["statements"] + 1
        assert after["attachments"] == before["attachments"] + 1


class TestInvalidUtf8:
    @pytest.mark.parametrize(("method", "path"), JSON_TARGETS)
    def test_in_a_body(self, http, admin, counts, method, path):
        before = counts()
        raw = json.dumps(statement()).encode().replace(b"zs@", b"\xff\xfe@")
        res = send(http, admin, method, path, data=raw, content_type="application/json")
        assert res.status_code == 400
        assert_clean(res)
        assert "UTF-8" in res.get_json()["error"]["message"]
        assert counts() == before

    @pytest.mark.parametrize(
        "query",
        [
            "/xapi/statements?verb=http://v.cn/%FF%FE",
            "/xapi/statements?agent=%7B%22mbox%22%3A%22mailto%3A%FF%40b.cn%22%7D",
            "/xapi/statements?%FF=1",
            "/xapi/activities?activityId=http://a.cn/%C3%28",
            STATE + "&stateId=%ED%A0%80",
            ACTIVITY_PROFILE + "&profileId=%C0%AF",
        ],
    )
    def test_in_query_parameters(self, http, admin, query):
        res = send(http, admin, "GET", query)
        assert res.status_code in (200, 400, 404), res.data
        assert_clean(res)

    def test_in_headers(self, http, admin):
        for name, value in [
            ("X-Experience-API-Version", "2.0.\xff"),
            ("If-None-Match", '"\xff"'),
            ("Accept-Language", "zh-\xff"),
            ("Authorization", "Basic " + base64.b64encode(b"\xff:\xfe").decode()),
        ]:
            res = send(http, admin, "GET", STATE + "&stateId=s", headers={name: value})
            assert res.status_code in (400, 401, 404), (name, res.data)
            assert_clean(res)


INJECTIONS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "1; DROP TABLE statements; --",
    "\" OR \"\"=\"",
    "%' OR 1=1 --",
    "_",
    "%",
    "\\",
    '{"$gt": ""}',
    '{"$ne": null}',
    '{"$where": "sleep(1000)"}',
    "[$ne]=1",
    "*",
    "../../../../etc/passwd",
    "\x00",
    "'||(SELECT sqlite_version())||'",
    "1 UNION SELECT * FROM credentials --",
]

# Every parameter of every resource.
PARAMETERS = {
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
VALID = {
    "agent": AGENT,
    "activityId": ACTIVITY,
    "stateId": "s1",
    "profileId": "p1",
}


def _query(path: str, name: str, value: str) -> str:
    params = {k: v for k, v in VALID.items() if k in PARAMETERS[path] and k != name}
    if path == "/xapi/statements":
        params = {}
    params[name] = value
    return path + "?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


class TestInjection:
    @pytest.fixture
    def seeded(self, http, admin, counts):
        ids = send(http, admin, "POST", "/xapi/statements",
                   json=[statement(), statement(object={"id": ACTIVITY + "/2"})]).get_json()
        for path in (STATE + "&stateId=s1", ACTIVITY_PROFILE + "&profileId=p1",
                     AGENT_PROFILE + "&profileId=p1"):
            res = send(http, admin, "PUT", path, json={"seed": 1}, headers={"If-None-Match": "*"})
            assert res.status_code == 204
        return ids, counts()

    @pytest.mark.parametrize(
        ("path", "name"), [(p, n) for p, names in PARAMETERS.items() for n in names]
    )
    def test_every_parameter(self, http, admin, counts, seeded, path, name):
        ids, before = seeded
        documents = "profile" in path or "state" in path
        for value in INJECTIONS:
            url = _query(path, name, value)
            for method in ("GET", "PUT", "POST", "DELETE") if documents else ("GET",):
                kw = {"json": {"x": 1}} if method in ("PUT", "POST") else {}
                # If-Match that matches nothing: a write that gets past validation is a 412.
                res = send(http, admin, method, url, headers={"If-Match": '"nope"'}, **kw)
                assert res.status_code < 500, (method, url, res.data)
                assert_clean(res)
                if res.status_code == 200 and path == "/xapi/statements":
                    # An injected filter never widens a query to every statement.
                    found = {s["id"] for s in res.get_json()["statements"]}
                    assert not (name in ("verb", "activity", "agent", "registration")
                                and found == set(ids)), url
        assert counts() == before

    @pytest.mark.parametrize(
        "value",
        ["http://example.gov.cn/course/1'OR'1'='1", "http://example.gov.cn/course/1'--",
         "http://example.gov.cn/%25'OR(1=1)--"],
    )
    def test_iri_shaped_injection_matches_nothing(self, http, admin, seeded, value):
        # Quotes are legal in IRIs, so these pass validation and reach the store.
        res = send(http, admin, "GET", "/xapi/statements?activity=" + quote(value))
        assert res.status_code == 200, res.data
        assert res.get_json()["statements"] == []
        res = send(http, admin, "GET", f"/xapi/activities?activityId={quote(value)}")
        assert res.status_code == 200
        assert res.get_json() == {"objectType": "Activity", "id": value}

    def test_account_name_injection_matches_nothing(self, http, admin, seeded):
        agent = json.dumps({"account": {"homePage": "http://x.cn", "name": "' OR 1=1 --"}})
        res = send(http, admin, "GET", "/xapi/statements?agent=" + quote(agent))
        assert res.status_code == 200
        assert res.get_json()["statements"] == []

    def test_document_ids_are_literal(self, http, admin, seeded):
        # A NoSQL operator or SQL wildcard as an id names one literal document.
        for doc_id in ('{"$gt": ""}', "%", "_", "' OR 1=1 --"):
            url = STATE + "&stateId=" + quote(doc_id)
            assert send(http, admin, "GET", url).status_code == 404
            res = send(http, admin, "PUT", url, data=b"v", content_type="text/plain")
            assert res.status_code == 204
            assert send(http, admin, "GET", url).get_data() == b"v"
        listed = send(http, admin, "GET", STATE).get_json()
        assert sorted(listed) == sorted(['{"$gt": ""}', "%", "_", "' OR 1=1 --", "s1"])
        # The seeded document is untouched.
        assert send(http, admin, "GET", STATE + "&stateId=s1").get_json() == {"seed": 1}


class TestTraineeImport:
    @pytest.mark.parametrize(
        "body",
        [
            b"agreed_id,name\r\nA1,\xe5\xbc\xa0\r\xe4\xb8\x89\r\n",  # a bare CR inside a row
            b"agreed_id,name\n\"" + b"x" * 200_000 + b"\"\n",  # a field over csv's limit
            b"\xf2\xac\xb1\x83\xc3\x88\xf3\xbe\x8a\xa2\xc2\xa8>\r\xf3\x87\x83\x9c",
        ],
    )
    def test_regression_unreadable_csv_is_a_400(self, http, admin, counts, body):
        # csv.Error ("new-line character seen in unquoted field") used to escape as a 500.
        before = counts()
        res = send(http, admin, "POST", "/xapi/trainees/import", data=body,
                   content_type="text/csv")
        assert res.status_code in (200, 400), res.data
        assert_clean(res)
        if res.status_code == 400:
            assert counts() == before
