"""Forged authority, other tenants' credentials and revoked credentials."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from lrs.storage.sqlite.store import SqliteStore

from .conftest import Tenant, assert_clean, new_id, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
AGENT = quote(json.dumps({"mbox": "mailto:zs@example.gov.cn"}))
STATE = f"/xapi/activities/state?activityId=http://example.gov.cn/c1&agent={AGENT}&stateId=s"
ACTIVITY_PROFILE = "/xapi/activities/profile?activityId=http://example.gov.cn/c1&profileId=p"
AGENT_PROFILE = f"/xapi/agents/profile?agent={AGENT}&profileId=p"
DOCUMENTS = (STATE, ACTIVITY_PROFILE, AGENT_PROFILE)


def stored_authority(db_path, statement_id: str) -> tuple[dict, str]:
    store = SqliteStore(db_path)
    try:
        with store.read() as uow:
            record = uow.statements.get(statement_id)
    finally:
        store.close()
    return record.statement["authority"], record.authority_key


class TestForgedAuthority:
    FORGED = [
        {"objectType": "Agent", "mbox": "mailto:minister@example.gov.cn"},
        {"objectType": "Agent", "account": {"homePage": "http://localhost/xapi/credentials",
                                            "name": "root"}},
        {"objectType": "Group", "member": [
            {"account": {"homePage": "http://oauth.example", "name": "app"}},
            {"mbox": "mailto:minister@example.gov.cn"},
        ]},
    ]

    @pytest.mark.parametrize("forged", FORGED)
    @pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
    def test_post_put_and_batch(self, http, store, db_path, forged, version):
        writer = Tenant(store, "platform A", "statements/write", org="fj/fz")
        expected_name = writer.key
        ids = []
        res = http.post("/xapi/statements", json=statement(authority=forged),
                        headers=writer.headers(version))
        assert res.status_code == 200, res.data
        ids += res.get_json()
        sid = new_id()
        res = http.put(f"/xapi/statements?statementId={sid}", json=statement(authority=forged),
                       headers=writer.headers(version))
        assert res.status_code == 204, res.data
        ids.append(sid)
        res = http.post("/xapi/statements", json=[statement(authority=forged)] * 3,
                        headers=writer.headers(version))
        ids += res.get_json()
        for statement_id in ids:
            authority, authority_key = stored_authority(db_path, statement_id)
            assert authority["account"]["name"] == expected_name
            assert authority != forged
            assert expected_name in authority_key

    def test_alternate_syntax_cannot_forge_either(self, http, store, db_path):
        writer = Tenant(store, "platform B", "all")
        sid = new_id()
        form = {
            "Authorization": writer.auth,
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
            "statementId": sid,
            "content": json.dumps(statement(authority=self.FORGED[0])),
        }
        res = http.post("/xapi/statements?method=PUT", data=form)
        assert res.status_code == 204, res.data
        authority, _ = stored_authority(db_path, sid)
        assert authority["account"]["name"] == writer.key

    def test_resending_with_another_authority_is_the_same_statement(self, http, store, db_path):
        # Authority is not part of statement equivalence: a replay with a forged
        # authority neither conflicts nor changes the stored authority.
        writer = Tenant(store, "platform C", "all")
        body = statement(id=new_id())
        assert http.post("/xapi/statements", json=body, headers=writer.headers()).status_code == 200
        res = http.post("/xapi/statements", json={**body, "authority": self.FORGED[0]},
                        headers=writer.headers())
        assert res.status_code == 200
        authority, _ = stored_authority(db_path, body["id"])
        assert authority["account"]["name"] == writer.key


class TestOtherTenants:
    @pytest.fixture
    def tenants(self, http, store):
        a = Tenant(store, "福州", "all", org="fj/fz")
        b = Tenant(store, "长沙", "all", org="hn/cs")
        ids = http.post("/xapi/statements", json=[statement(), statement()],
                        headers=a.headers()).get_json()
        for path in DOCUMENTS:
            res = http.put(path, json={"owner": "a"}, headers=a.headers(**{"If-None-Match": "*"}))
            assert res.status_code == 204
        return a, b, ids

    def test_cannot_read_statements(self, http, tenants):
        a, b, ids = tenants
        for sid in ids:
            res = http.get(f"/xapi/statements?statementId={sid}", headers=b.headers())
            assert res.status_code == 404
            assert_clean(res)
        assert http.get("/xapi/statements", headers=b.headers()).get_json()["statements"] == []
        res = http.get(f"/xapi/statements?agent={AGENT}", headers=b.headers())
        assert res.get_json()["statements"] == []

    def test_a_more_cursor_carries_no_tenant(self, http, tenants):
        a, b, ids = tenants
        page = http.get("/xapi/statements?limit=1", headers=a.headers()).get_json()
        assert page["more"]
        # B replays A's cursor: it is a query, evaluated with B's own scope.
        res = http.get(page["more"], headers=b.headers())
        assert res.status_code == 200
        assert res.get_json()["statements"] == []
        # A cursor naming an org (or any parameter it cannot carry) is refused.
        forged = base64.urlsafe_b64encode(json.dumps({"org_scope": ""}).encode()).decode()
        res = http.get(f"/xapi/statements?more={forged.rstrip('=')}", headers=b.headers())
        assert res.status_code == 400
        assert_clean(res)

    def test_regression_cannot_void_statements(self, http, tenants):
        # Voiding used to look the target up in every org: B could void A's statements.
        a, b, ids = tenants
        void = statement(verb={"id": VOIDED},
                         object={"objectType": "StatementRef", "id": ids[0]})
        res = http.post("/xapi/statements", json=void, headers=b.headers())
        assert res.status_code == 200  # an unknown target may arrive later (Data 2.3.2)
        got = http.get(f"/xapi/statements?statementId={ids[0]}", headers=a.headers())
        assert got.status_code == 200, got.data
        res = http.get(f"/xapi/statements?voidedStatementId={ids[0]}", headers=a.headers())
        assert res.status_code == 404
        assert {s["id"] for s in http.get(
            "/xapi/statements", headers=a.headers()).get_json()["statements"]} == set(ids)

    def test_own_org_can_still_void(self, http, store, tenants):
        a, _, ids = tenants
        sibling = Tenant(store, "福州 2", "all", org="fj/fz")
        void = statement(verb={"id": VOIDED},
                         object={"objectType": "StatementRef", "id": ids[1]})
        assert http.post("/xapi/statements", json=void, headers=sibling.headers()).status_code \
            == 200
        assert http.get(f"/xapi/statements?voidedStatementId={ids[1]}",
                        headers=a.headers()).status_code == 200

    def test_cannot_read_or_change_documents(self, http, tenants, counts):
        a, b, _ = tenants
        for path in DOCUMENTS:
            res = http.get(path, headers=b.headers())
            assert res.status_code == 404
            assert_clean(res)
            listing = path.rsplit("&", 1)[0]
            assert http.get(listing, headers=b.headers()).get_json() == []
            # B's writes land in B's own namespace; A's document is untouched.
            http.post(path, json={"owner": "b"}, headers=b.headers())
            http.delete(path, headers=b.headers())
            assert http.get(path, headers=a.headers()).get_json() == {"owner": "a"}
        state_all = STATE.rsplit("&", 1)[0]
        assert http.delete(state_all, headers=b.headers()).status_code == 204
        assert http.get(STATE, headers=a.headers()).get_json() == {"owner": "a"}

    def test_cannot_overwrite_a_statement_id(self, http, tenants, counts):
        a, b, ids = tenants
        before = counts()
        res = http.put(f"/xapi/statements?statementId={ids[0]}",
                       json=statement(verb={"id": "http://example.gov.cn/verbs/forged"}),
                       headers=b.headers())
        assert res.status_code == 409
        assert_clean(res)
        assert counts() == before
        got = http.get(f"/xapi/statements?statementId={ids[0]}", headers=a.headers()).get_json()
        assert got["verb"]["id"] == statement()["verb"]["id"]

    def test_read_mine_sees_only_its_own(self, http, store, tenants):
        a, _, ids = tenants
        mine = Tenant(store, "reader", "statements/read/mine,statements/write", org="fj/fz")
        own = http.post("/xapi/statements", json=statement(), headers=mine.headers()).get_json()
        got = http.get("/xapi/statements", headers=mine.headers()).get_json()["statements"]
        assert [s["id"] for s in got] == own
        assert http.get(f"/xapi/statements?statementId={ids[0]}",
                        headers=mine.headers()).status_code == 404

    def test_read_only_scopes_cannot_write(self, http, store, counts):
        reader = Tenant(store, "reader", "all/read")
        before = counts()
        for method, path, kw in [
            ("POST", "/xapi/statements", {"json": statement()}),
            ("PUT", f"/xapi/statements?statementId={new_id()}", {"json": statement()}),
            ("PUT", STATE, {"json": {}}),
            ("POST", ACTIVITY_PROFILE, {"json": {}}),
            ("DELETE", AGENT_PROFILE, {}),
        ]:
            res = http.open(path, method=method, headers=reader.headers(), **kw)
            assert res.status_code == 403, (method, path)
            assert_clean(res)
        assert counts() == before


class TestRevokedCredentials:
    def _revoke(self, store, key):
        with store.transaction() as uow:
            assert uow.credentials.revoke(key)

    def test_revoked_before_first_use(self, http, store, counts):
        tenant = Tenant(store, "gone", "all")
        self._revoke(store, tenant.key)
        before = counts()
        for method, path, kw in [
            ("POST", "/xapi/statements", {"json": statement()}),
            ("GET", "/xapi/statements", {}),
            ("PUT", STATE, {"json": {}}),
            ("GET", "/xapi/agents?agent=" + AGENT, {}),
        ]:
            res = http.open(path, method=method, headers=tenant.headers(), **kw)
            assert res.status_code == 401, (method, path, res.data)
            assert res.headers["WWW-Authenticate"].startswith("Basic")
            assert_clean(res)
        assert counts() == before

    def test_revoked_while_in_use_stops_at_once(self, http, store, counts):
        tenant = Tenant(store, "soon gone", "all")
        assert http.post("/xapi/statements", json=statement(),
                         headers=tenant.headers()).status_code == 200
        self._revoke(store, tenant.key)
        before = counts()
        res = http.post("/xapi/statements", json=statement(), headers=tenant.headers())
        assert res.status_code == 401
        assert_clean(res)
        assert counts() == before

    @pytest.mark.parametrize(
        "authorization",
        [
            None,
            "",
            "Basic",
            "Basic !!!",
            "Bearer abc",
            "Basic " + base64.b64encode(b"no-colon").decode(),
            "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
            "Basic " + base64.b64encode(b"' OR 1=1 --:' OR 1=1 --").decode(),
            "Basic " + base64.b64encode(b'{"$gt": ""}:{"$gt": ""}').decode(),
            "Basic " + "A" * 10_000,
        ],
    )
    def test_bad_credentials(self, http, counts, authorization):
        headers = {"X-Experience-API-Version": "2.0.0"}
        if authorization is not None:
            headers["Authorization"] = authorization
        before = counts()
        res = http.post("/xapi/statements", json=statement(), headers=headers)
        assert res.status_code == 401
        assert_clean(res)
        assert counts() == before

    def test_wrong_secret_for_a_real_key(self, http, store, counts):
        tenant = Tenant(store, "real", "all")
        headers = {
            "X-Experience-API-Version": "2.0.0",
            "Authorization": "Basic " + base64.b64encode(f"{tenant.key}:guess".encode()).decode(),
        }
        before = counts()
        assert http.post("/xapi/statements", json=statement(), headers=headers).status_code == 401
        assert counts() == before
