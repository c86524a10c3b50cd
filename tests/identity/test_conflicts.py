"""Contradicting claims wait in the conflict list; statements are stored either way."""

from __future__ import annotations

from tests.identity.conftest import KEYS, account, agent_param, courses, learned

ZS, LS = "FJ-350100-2019-004217", "FJ-350100-2020-000583"
ZS_KEY, LS_KEY = KEYS.key(ZS), KEYS.key(LS)
UNIT_A = "fj/fz/11350100MB0B23456K"
UNIT_B = "fj/xm/11350200MB0C34567P"
CODE_A, CODE_B = UNIT_A.rsplit("/", 1)[1], UNIT_B.rsplit("/", 1)[1]
SHARED = account("https://a.example.gov.cn", "zs001")


def registered(client):
    admin = client("all")
    admin.upsert(agreed_id=ZS, name="张三", unit=UNIT_A, joined="2026-01-01", accounts=[SHARED])
    admin.upsert(agreed_id=LS, name="李四", unit=UNIT_B, joined="2026-01-01")
    return admin


def open_conflicts(reader):
    response = reader.get("/xapi/identity/conflicts")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["conflicts"]


class TestAccountClaimedByTwoIdentifiers:
    def test_left_unresolved_then_resolved(self, client):
        admin = registered(client)
        platform = client("statements/write", role="institution")
        # Platform A now says account zs001 belongs to 李四's agreed identifier.
        first = platform.send(learned(SHARED, LS, CODE_B, course="1"))[0]
        platform.send(learned(SHARED, LS, CODE_B, course="2"))

        # Unresolved: both statements are stored, the account stays with 张三.
        (conflict,) = open_conflicts(admin)
        assert conflict["kind"] == "account_claim" and conflict["count"] == 2
        assert (conflict["trainee"], conflict["other_trainee"]) == (LS_KEY, ZS_KEY)
        assert conflict["org"] == "fj"  # covers both units
        assert conflict["details"]["statement_id"] == first
        assert conflict["details"]["ifi"] == {"account": SHARED["account"]}
        reader = client("statements/read")
        assert sorted(courses(reader.statements(f"trainee={ZS_KEY}"))) == ["1", "2"]
        assert reader.statements(f"trainee={LS_KEY}") == []
        person = admin.get(f"/xapi/agents?agent={agent_param(SHARED)}").get_json()
        assert person["name"] == ["张三"]

        # Neither unit alone may decide; the department over both may.
        unit_a = client("trainees/write", role="unit", unit=UNIT_A)
        assert open_conflicts(unit_a) == []
        url = f"/xapi/identity/conflicts/{conflict['id']}/resolve"
        assert unit_a.post(url, {"decision": "owner", "owner": LS_KEY}).status_code == 404
        fujian = client("trainees/write", role="department", unit="fj")
        bad = fujian.post(url, {"decision": "owner", "owner": "f" * 64})
        assert bad.status_code == 400
        done = fujian.post(url, {"decision": "owner", "owner": LS_KEY})
        assert done.status_code == 200, done.get_json()
        assert done.get_json()["status"] == "resolved"

        # Resolved: the account is 李四's now; 张三 keeps nothing of it.
        assert open_conflicts(admin) == []
        assert sorted(courses(reader.statements(f"trainee={LS_KEY}"))) == ["1", "2"]
        assert reader.statements(f"trainee={ZS_KEY}") == []
        zs = admin.get(f"/xapi/trainees/{ZS_KEY}").get_json()
        assert zs["accounts"] == []
        ls = admin.get(f"/xapi/trainees/{LS_KEY}").get_json()
        assert [(a["agent"], a["source"]) for a in ls["accounts"]] == [(SHARED, "resolution")]
        assert fujian.post(url, {"decision": "dismiss"}).status_code == 409
        everything = admin.get("/xapi/identity/conflicts?status=all").get_json()["conflicts"]
        assert everything[0]["resolution"]["owner"] == LS_KEY

    def test_dismissed_keeps_the_owner(self, client):
        admin = registered(client)
        client("statements/write").send(learned(SHARED, LS))
        (conflict,) = open_conflicts(admin)
        url = f"/xapi/identity/conflicts/{conflict['id']}/resolve"
        assert admin.post(url, {"decision": "accept_transfer"}).status_code == 400
        assert admin.post(url, {"decision": "dismiss"}).get_json()["status"] == "dismissed"
        assert len(client("statements/read").statements(f"trainee={ZS_KEY}")) == 1

    def test_a_liaison_claim_through_the_api_is_a_conflict_too(self, client):
        admin = registered(client)
        response = admin.post(f"/xapi/trainees/{LS_KEY}/accounts", SHARED)
        assert response.status_code == 202
        assert response.get_json()["conflict"]["kind"] == "account_claim"
        again = admin.post(f"/xapi/trainees/{ZS_KEY}/accounts", SHARED)
        assert (again.status_code, again.get_json()["status"]) == (200, "unchanged")
        new = admin.post(f"/xapi/trainees/{LS_KEY}/accounts", account("https://b.cn", "ls"))
        assert (new.status_code, new.get_json()["status"]) == (201, "linked")

    def test_an_unlinked_account_is_not_relinked_by_statements(self, client):
        admin = registered(client)
        gone = admin.delete(f"/xapi/trainees/{ZS_KEY}/accounts?agent={agent_param(SHARED)}")
        assert gone.status_code == 204
        client("statements/write").send(learned(SHARED, ZS, CODE_A))
        (conflict,) = open_conflicts(admin)
        assert conflict["details"]["reason"] == "unlinked before"
        assert conflict["other_trainee"] is None
        assert admin.get(f"/xapi/trainees/{ZS_KEY}").get_json()["accounts"] == []
        # A liaison may link it again explicitly.
        assert admin.post(f"/xapi/trainees/{ZS_KEY}/accounts", SHARED).status_code == 201
        missing = admin.delete(f"/xapi/trainees/{LS_KEY}/accounts?agent={agent_param(SHARED)}")
        assert missing.status_code == 404


class TestUnitMismatch:
    def test_accepting_the_transfer_moves_the_trainee_from_the_statement_day(self, client):
        admin = registered(client)
        platform = client("statements/write", role="institution")
        platform.send(
            learned(SHARED, ZS, CODE_A, "2026-05-01T10:00:00+08:00", "may"),
            learned(SHARED, ZS, CODE_B, "2026-08-03T10:00:00+08:00", "aug"),
            learned(SHARED, ZS, CODE_B, "2026-08-20T10:00:00+08:00", "aug2"),
        )
        (conflict,) = open_conflicts(admin)
        assert conflict["kind"] == "unit_mismatch" and conflict["count"] == 2
        assert conflict["details"]["claimed_unit_code"] == CODE_B
        assert conflict["details"]["registry_unit"] == UNIT_A
        assert conflict["details"]["day"] == "2026-08-03"
        assert conflict["org"] == UNIT_A
        # Until decided, the registry stands: everything was earned under A.
        page = admin.history(ZS_KEY, ascending="true").get_json()
        assert [e["unit"] for e in page["statements"]] == [UNIT_A] * 3
        url = f"/xapi/identity/conflicts/{conflict['id']}/resolve"
        wrong = admin.post(url, {"decision": "accept_transfer", "unit": "fj/xm/OTHER"})
        assert wrong.status_code == 400
        done = admin.post(url, {"decision": "accept_transfer", "unit": UNIT_B})
        assert done.status_code == 200, done.get_json()
        page = admin.history(ZS_KEY, ascending="true").get_json()
        assert [e["unit"] for e in page["statements"]] == [UNIT_A, UNIT_B, UNIT_B]
        assert page["trainee"]["unit"] == UNIT_B

    def test_the_unit_concerned_may_dismiss(self, client):
        registered(client)
        client("statements/write").send(learned(SHARED, ZS, CODE_B))
        unit_a = client("trainees/write", role="unit", unit=UNIT_A)
        (conflict,) = open_conflicts(unit_a)
        url = f"/xapi/identity/conflicts/{conflict['id']}/resolve"
        assert unit_a.post(url, {"decision": "dismiss"}).status_code == 200
        assert open_conflicts(unit_a) == []

    def test_unusable_extensions_are_ignored_and_the_statement_kept(self, client):
        registered(client)
        platform = client("statements/write")
        ids = platform.send(
            learned(SHARED, "", CODE_B, course="empty"),
            learned(SHARED, 12345, CODE_B, course="number"),
            learned(SHARED, ZS, "not a code/with slash", course="badcode"),
        )
        assert len(ids) == 3
        assert open_conflicts(client("all")) == []
