"""The Statement resource through HTTP."""

from __future__ import annotations

import hashlib
import json
import uuid

from lrs.http.multipart import build_multipart_mixed, parse_multipart_mixed

from .conftest import statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(client, body, **kw):
    return client.post("/xapi/statements", json=body, **kw)


def query(client, qs=""):
    res = client.get("/xapi/statements" + qs)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


class TestWriting:
    def test_post_one_returns_its_id_and_sets_lrs_properties(self, client):
        res = post(client, statement())
        assert res.status_code == 200
        (sid,) = res.get_json()
        got = client.get(f"/xapi/statements?statementId={sid}")
        assert got.status_code == 200
        body = got.get_json()
        assert body["id"] == sid
        assert body["stored"].endswith("Z") and body["timestamp"] == body["stored"]
        assert body["authority"]["account"]["name"] == client.credential.key
        assert body["version"] == ("2.0.0" if client.version == "2.0.0" else "1.0.0")
        assert got.headers["X-Experience-API-Version"] == client.version
        assert "X-Experience-API-Consistent-Through" in got.headers
        assert "Last-Modified" in got.headers

    def test_put_with_statement_id(self, client):
        sid = str(uuid.uuid4())
        res = client.put(f"/xapi/statements?statementId={sid}", json=statement())
        assert res.status_code == 204
        assert client.get(f"/xapi/statements?statementId={sid}").get_json()["id"] == sid

    def test_put_needs_statement_id_matching_body(self, client):
        assert client.put("/xapi/statements", json=statement()).status_code == 400
        res = client.put(
            f"/xapi/statements?statementId={uuid.uuid4()}", json=statement(id=str(uuid.uuid4()))
        )
        assert res.status_code == 400
        assert "statement.id" in res.get_json()["error"]["message"]

    def test_same_id_same_content_is_accepted_once(self, client):
        body = statement(id=str(uuid.uuid4()))
        assert post(client, body).status_code == 200
        assert post(client, body).status_code == 200
        assert (
            client.put(f"/xapi/statements?statementId={body['id']}", json=body).status_code == 204
        )
        found = query(client, f"?verb={body['verb']['id']}&limit=50")
        assert [s["id"] for s in found["statements"]].count(body["id"]) == 1

    def test_same_id_different_content_is_409(self, client):
        body = statement(id=str(uuid.uuid4()))
        post(client, body)
        changed = {**body, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
        res = post(client, changed)
        assert res.status_code == 409
        assert body["id"] in res.get_json()["error"]["message"]

    def test_batch_is_atomic(self, client):
        good = statement(id=str(uuid.uuid4()))
        bad = statement(id=str(uuid.uuid4()), actor={"mbox": "not-an-email"})
        res = post(client, [good, bad])
        assert res.status_code == 400
        assert "statements[1].actor" in res.get_json()["error"]["message"]
        assert client.get(f"/xapi/statements?statementId={good['id']}").status_code == 404

    def test_batch_with_conflict_stores_nothing(self, client):
        stored = statement(id=str(uuid.uuid4()))
        post(client, stored)
        fresh = statement(id=str(uuid.uuid4()))
        conflicting = {**stored, "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
        assert post(client, [fresh, conflicting]).status_code == 409
        assert client.get(f"/xapi/statements?statementId={fresh['id']}").status_code == 404

    def test_batch_with_duplicate_ids_is_400(self, client):
        sid = str(uuid.uuid4())
        assert post(client, [statement(id=sid), statement(id=sid)]).status_code == 400

    def test_bad_json_and_content_type(self, client):
        res = client.post(
            "/xapi/statements", data=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert res.status_code == 400
        res = client.post("/xapi/statements", data=b"x", headers={"Content-Type": "text/plain"})
        assert res.status_code == 400
        res = client.post(
            "/xapi/statements", data=b'{"a":"\xff"}', headers={"Content-Type": "application/json"}
        )
        assert res.status_code == 400

    def test_huge_body_is_413(self, client):
        res = client.post(
            "/xapi/statements",
            data=b"[" + b" " * 2_100_000 + b"]",
            headers={"Content-Type": "application/json"},
        )
        assert res.status_code == 413

    def test_context_activities_object_becomes_array(self, client):
        body = statement(
            context={"contextActivities": {"parent": {"id": "http://example.gov.cn/classes/9"}}}
        )
        (sid,) = post(client, body).get_json()
        got = client.get(f"/xapi/statements?statementId={sid}").get_json()
        assert got["context"]["contextActivities"]["parent"] == [
            {"id": "http://example.gov.cn/classes/9"}
        ]


class TestVoiding:
    def test_voided_statement_leaves_queries(self, client):
        (target,) = post(client, statement()).get_json()
        voiding = statement(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}
        )
        (voider,) = post(client, voiding).get_json()
        assert client.get(f"/xapi/statements?statementId={target}").status_code == 404
        assert client.get(f"/xapi/statements?voidedStatementId={target}").status_code == 200
        ids = [s["id"] for s in query(client)["statements"]]
        assert target not in ids and voider in ids

    def test_voiding_a_voiding_statement_is_refused(self, client):
        (target,) = post(client, statement()).get_json()
        (voider,) = post(
            client,
            statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}),
        ).get_json()
        res = post(
            client,
            statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider}),
        )
        assert res.status_code == 400
        assert client.get(f"/xapi/statements?statementId={voider}").status_code == 200


class TestQueries:
    def test_filters(self, client):
        reg = str(uuid.uuid4())
        lisi = {"mbox": "mailto:lisi@example.gov.cn"}
        post(client, statement(actor=lisi, context={"registration": reg}))
        post(
            client,
            statement(
                verb={"id": "http://adlnet.gov/expapi/verbs/passed"}, context={"instructor": lisi}
            ),
        )
        agent = json.dumps(lisi)
        assert len(query(client, f"?agent={agent}")["statements"]) == 1
        assert len(query(client, f"?agent={agent}&related_agents=true")["statements"]) == 2
        assert len(query(client, f"?registration={reg}")["statements"]) == 1
        passed = query(client, "?verb=http://adlnet.gov/expapi/verbs/passed")["statements"]
        assert [s["verb"]["id"] for s in passed] == ["http://adlnet.gov/expapi/verbs/passed"]

    def test_paging_with_more_is_stable(self, client):
        ids = [post(client, statement()).get_json()[0] for _ in range(5)]
        first = query(client, "?limit=2")
        assert [s["id"] for s in first["statements"]] == ids[::-1][:2]
        post(client, statement())  # arrives between pages: not in this result set
        seen = [s["id"] for s in first["statements"]]
        more = first["more"]
        while more:
            page = client.get(more).get_json()
            seen += [s["id"] for s in page["statements"]]
            more = page["more"]
        assert seen == ids[::-1]

    def test_ascending_since_until(self, client):
        ids = [post(client, statement()).get_json()[0] for _ in range(3)]
        asc = query(client, "?ascending=true")["statements"]
        assert [s["id"] for s in asc] == ids
        stored = asc[0]["stored"]
        later = query(client, f"?since={stored}")["statements"]
        assert ids[0] not in [s["id"] for s in later]
        upto = query(client, f"?until={stored}")["statements"]
        assert ids[0] in [s["id"] for s in upto]

    def test_formats(self, client):
        (sid,) = post(client, statement()).get_json()
        ids = client.get(f"/xapi/statements?statementId={sid}&format=ids").get_json()
        assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:zhangsan@example.gov.cn"}
        assert ids["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
        assert ids["object"] == {"id": "http://example.gov.cn/courses/1"}
        canonical = client.get(
            f"/xapi/statements?statementId={sid}&format=canonical",
            headers={"Accept-Language": "en-US"},
        ).get_json()
        assert canonical["verb"]["display"] == {"en-US": "completed"}
        assert canonical["object"]["definition"]["name"] == {"en-US": "Course one"}

    def test_bad_parameters_name_the_parameter(self, client):
        for qs, name in [
            ("?limit=-1", "limit"),
            ("?since=yesterday", "since"),
            ("?agent={bad", "agent"),
            ("?statementId=abc", "statementId"),
            ("?format=pretty", "format"),
            ("?bogus=1", "bogus"),
            (f"?statementId={uuid.uuid4()}&verb=http://x.y/z", "verb"),
        ]:
            res = client.get("/xapi/statements" + qs)
            assert res.status_code == 400, qs
            assert res.get_json()["error"]["path"] == name, qs


class TestAttachments:
    def test_multipart_round_trip(self, client):
        data = "学习证明".encode()
        sha2 = hashlib.sha256(data).hexdigest()
        body = statement(
            attachments=[
                {
                    "usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
                    "display": {"en-US": "certificate"},
                    "contentType": "text/plain",
                    "length": len(data),
                    "sha2": sha2,
                }
            ]
        )
        payload, content_type = build_multipart_mixed(
            json.dumps(body).encode(), [(sha2, "text/plain", data)]
        )
        res = client.post("/xapi/statements", data=payload, headers={"Content-Type": content_type})
        assert res.status_code == 200, res.get_json()
        (sid,) = res.get_json()
        got = client.get(f"/xapi/statements?statementId={sid}&attachments=true")
        assert got.status_code == 200
        parts = parse_multipart_mixed(got.data, got.headers["Content-Type"])
        assert json.loads(parts[0].body)["id"] == sid
        assert parts[1].body == data

    def test_raw_attachment_without_part_is_refused(self, client):
        body = statement(
            attachments=[
                {
                    "usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
                    "display": {"en-US": "certificate"},
                    "contentType": "text/plain",
                    "length": 3,
                    "sha2": hashlib.sha256(b"abc").hexdigest(),
                }
            ]
        )
        assert post(client, body).status_code == 400


class TestAccess:
    def test_version_header_required_except_about(self, app, client):
        http = app.test_client()
        assert http.get("/xapi/about").status_code == 200
        res = http.get("/xapi/statements", headers={"Authorization": client.auth})
        assert res.status_code == 400

    def test_auth_required(self, app):
        res = app.test_client().get(
            "/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}
        )
        assert res.status_code == 401
        assert "WWW-Authenticate" in res.headers

    def test_scopes(self, make_client):
        reader = make_client(scopes="statements/read")
        assert reader.post("/xapi/statements", json=statement()).status_code == 403
        writer = make_client(scopes="statements/write")
        assert writer.post("/xapi/statements", json=statement()).status_code == 200
        assert writer.get("/xapi/statements").status_code == 403

    def test_read_mine_sees_own_statements_only(self, make_client):
        mine = make_client(scopes="statements/write,statements/read/mine")
        other = make_client(scopes="all")
        (own,) = mine.post("/xapi/statements", json=statement()).get_json()
        other.post("/xapi/statements", json=statement())
        ids = [s["id"] for s in mine.get("/xapi/statements").get_json()["statements"]]
        assert ids == [own]

    def test_org_scoped_credentials_are_isolated(self, make_client):
        fuzhou = make_client(org="fj/fz")
        changsha = make_client(org="hn/cs")
        province = make_client(org="fj")
        (sid,) = fuzhou.post("/xapi/statements", json=statement()).get_json()
        assert changsha.get(f"/xapi/statements?statementId={sid}").status_code == 404
        assert province.get(f"/xapi/statements?statementId={sid}").status_code == 200
        assert changsha.get("/xapi/statements").get_json()["statements"] == []

    def test_alternate_syntax_only_in_1_0_3(self, app, make_client):
        old = make_client(version="1.0.3")
        form = {
            "X-Experience-API-Version": "1.0.3",
            "Authorization": old.auth,
            "content": json.dumps(statement()),
            "statementId": str(uuid.uuid4()),
        }
        http = app.test_client()
        assert http.post("/xapi/statements?method=PUT", data=form).status_code == 204
        form["X-Experience-API-Version"] = "2.0.0"
        form["statementId"] = str(uuid.uuid4())
        assert http.post("/xapi/statements?method=PUT", data=form).status_code == 400

    def test_cors_preflight(self, app):
        res = app.test_client().options("/xapi/statements")
        assert res.status_code == 204
        assert res.headers["Access-Control-Allow-Origin"] == "*"

    def test_head_has_no_body(self, client):
        res = client.request("HEAD", "/xapi/statements")
        assert res.status_code == 200 and res.data == b""


class TestOtherResources:
    def test_about(self, app):
        body = app.test_client().get("/xapi/about").get_json()
        assert set(body["version"]) == {"1.0.3", "2.0.0"}

    def test_activities_merge_definitions(self, client):
        post(client, statement())
        post(
            client,
            statement(
                object={
                    "id": "http://example.gov.cn/courses/1",
                    "definition": {"name": {"fr-FR": "Cours un"}},
                }
            ),
        )
        res = client.get("/xapi/activities?activityId=http://example.gov.cn/courses/1")
        assert res.get_json()["definition"]["name"] == {
            "zh-CN": "课程一",
            "en-US": "Course one",
            "fr-FR": "Cours un",
        }

    def test_agents_person(self, client):
        agent = json.dumps({"mbox": "mailto:zhangsan@example.gov.cn", "name": "张三"})
        person = client.get(f"/xapi/agents?agent={agent}").get_json()
        assert person["objectType"] == "Person"
        assert person["mbox"] == ["mailto:zhangsan@example.gov.cn"]


class TestConsistentThrough:
    def test_trails_the_clock_by_the_margin_and_never_passes_a_later_stored(self, client):
        from datetime import UTC, datetime, timedelta

        res = client.get("/xapi/statements")
        through = datetime.fromisoformat(
            res.headers["X-Experience-API-Consistent-Through"].replace("Z", "+00:00")
        )
        now = datetime.now(UTC)
        assert now - timedelta(seconds=3) < through <= now - timedelta(milliseconds=900)
        (sid,) = post(client, statement()).get_json()
        stored = client.get(f"/xapi/statements?statementId={sid}").get_json()["stored"]
        assert datetime.fromisoformat(stored.replace("Z", "+00:00")) > through
