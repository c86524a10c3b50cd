"""One cadre, many platforms: linking by the agreed identifier, and reading across identifiers."""

from __future__ import annotations

from lrs.domain.identity.keys import mask_id
from tests.identity.conftest import KEYS, account, agent_param, courses, learned, mbox

AGREED = "FJ-350100-2019-004217"
KEY = KEYS.key(AGREED)
UNIT_A = "fj/fz/11350100MB0B23456K"
CODE_A = "11350100MB0B23456K"

ON_A = account("https://a.example.gov.cn", "zs001")
ON_B = mbox("zhangsan@unit-b.gov.cn")
ON_C = account("https://c.example.gov.cn", "3f9a7")


def three_platforms(client):
    """Platforms A, B and C each send one statement for the same cadre under their own IFI."""
    for platform, actor, course in (("A", ON_A, "1"), ("B", ON_B, "2"), ("C", ON_C, "3")):
        pushing = client("statements/write", role="institution")
        pushing.send(learned(actor, AGREED, CODE_A, course=course))
        assert platform


class TestOneTraineeThreePlatforms:
    def test_the_extension_links_every_ifi_to_one_provisional_trainee(self, client):
        three_platforms(client)
        admin = client("all")
        view = admin.get(f"/xapi/trainees/{KEY}").get_json()
        assert view["provisional"] is True and view["masked_id"] == mask_id(AGREED)
        agents = [a["agent"] for a in view["accounts"]]
        assert agents == [ON_A, ON_B, ON_C]
        assert all(a["source"] == "statement" and a["statement_id"] for a in view["accounts"])

    def test_agents_resource_returns_a_person_with_all_ifis(self, client):
        three_platforms(client)
        liaison = client("trainees/write", role="unit", unit=UNIT_A)
        liaison.upsert(agreed_id=AGREED, name="张三", unit=UNIT_A, joined="2026-01-01")
        admin = client("all")
        for asked in (ON_A, ON_B, ON_C):
            person = admin.get(f"/xapi/agents?agent={agent_param(asked)}").get_json()
            assert person["objectType"] == "Person"
            assert person["name"] == ["张三"]
            assert person["mbox"] == ["mailto:zhangsan@unit-b.gov.cn"]
            assert sorted(a["name"] for a in person["account"]) == ["3f9a7", "zs001"]

    def test_names_are_masked_for_an_institution(self, client):
        three_platforms(client)
        client("all").upsert(agreed_id=AGREED, name="张三", unit=UNIT_A)
        platform = client("statements/read", role="institution")
        person = platform.get(f"/xapi/agents?agent={agent_param(ON_B)}").get_json()
        assert person["name"] == ["张*"] and len(person["account"]) == 2

    def test_an_unlinked_agent_is_a_plain_person(self, client):
        three_platforms(client)
        stranger = {"objectType": "Agent", "name": "李四", "mbox": "mailto:ls@x.gov.cn"}
        person = client("all").get(f"/xapi/agents?agent={agent_param(stranger)}").get_json()
        assert person == {"objectType": "Person", "name": ["李四"], "mbox": ["mailto:ls@x.gov.cn"]}

    def test_trainee_query_returns_statements_of_every_identifier(self, client):
        three_platforms(client)
        client("statements/write").send(learned(mbox("someone@else.gov.cn"), course="9"))
        reader = client("statements/read")
        assert sorted(courses(reader.statements(f"trainee={KEY}"))) == ["1", "2", "3"]
        resolved = reader.statements(f"agent={agent_param(ON_C)}&resolve_identity=true")
        assert sorted(courses(resolved)) == ["1", "2", "3"]
        assert courses(reader.statements(f"agent={agent_param(ON_C)}")) == ["3"]

    def test_trainee_query_pages_keep_the_extension(self, client):
        three_platforms(client)
        first = client("statements/read").get(f"/xapi/statements?trainee={KEY}&limit=2")
        body = first.get_json()
        assert len(body["statements"]) == 2 and body["more"]
        rest = client("statements/read").get(body["more"]).get_json()
        assert len(rest["statements"]) == 1

    def test_trainee_query_edge_cases(self, client):
        three_platforms(client)
        reader = client("statements/read")
        unknown = "0" * 64
        assert reader.statements(f"trainee={unknown}") == []  # not "everything"
        bad = reader.get(f"/xapi/statements?trainee={AGREED}")
        assert bad.status_code == 400 and "trainee key" in bad.get_json()["error"]["message"]
        both = reader.get(f"/xapi/statements?trainee={KEY}&agent={agent_param(ON_A)}")
        assert both.status_code == 400
        alone = reader.get("/xapi/statements?resolve_identity=true")
        assert alone.status_code == 400

    def test_history_lists_every_platform_with_the_unit_earned_under(self, client):
        three_platforms(client)
        client("all").upsert(agreed_id=AGREED, name="张三", unit=UNIT_A, joined="2026-01-01")
        page = client("trainees/read", role="unit", unit=UNIT_A).history(KEY).get_json()
        assert sorted(courses(page["statements"])) == ["1", "2", "3"]
        assert {e["unit"] for e in page["statements"]} == {UNIT_A}
        assert {e["claimed_unit_code"] for e in page["statements"]} == {CODE_A}
        assert page["trainee"]["name"] == "张三" and page["more"] == ""

    def test_lookup_turns_an_agreed_identifier_into_its_key(self, client):
        three_platforms(client)
        found = client("all").post("/xapi/trainees/lookup", {"agreed_id": AGREED}).get_json()
        assert found["key"] == KEY and found["trainee"]["key"] == KEY
        other = client("trainees/read", role="unit", unit="hn/cs/X1")
        hidden = other.post("/xapi/trainees/lookup", {"agreed_id": AGREED}).get_json()
        assert hidden == {"key": KEY, "trainee": None}

    def test_statements_are_stored_unchanged(self, client):
        platform = client("statements/write")
        sent = learned(ON_A, AGREED, CODE_A)
        sid = platform.send(sent)[0]
        stored = client("all").get(f"/xapi/statements?statementId={sid}").get_json()
        assert stored["actor"] == ON_A and stored["context"] == sent["context"]


class TestTraineeCredential:
    def test_a_trainee_sees_only_itself(self, client):
        three_platforms(client)
        client("all").upsert(agreed_id=AGREED, name="张三", unit=UNIT_A)
        other_key = client("all").upsert(agreed_id="FJ-OTHER-1", name="李四", unit=UNIT_A)["key"]
        me = client("trainees/read statements/read", role="trainee", trainee=KEY)
        assert me.get(f"/xapi/trainees/{KEY}").get_json()["name"] == "张三"
        assert len(me.history(KEY).get_json()["statements"]) == 3
        assert me.get(f"/xapi/trainees/{other_key}").status_code == 404
        assert me.history(other_key).status_code == 404
        assert me.get(f"/xapi/statements?trainee={other_key}").status_code == 403
        assert me.get(f"/xapi/units/{UNIT_A}/trainees").status_code == 403
        assert me.post("/xapi/trainees", {"agreed_id": "X", "unit": UNIT_A}).status_code == 403

    def test_scopes_are_required(self, client):
        three_platforms(client)
        platform = client("statements/write")
        assert platform.get(f"/xapi/trainees/{KEY}").status_code == 403
        reader = client("trainees/read", role="unit", unit=UNIT_A)
        assert reader.post("/xapi/trainees", {"agreed_id": "X", "unit": UNIT_A}).status_code == 403

    def test_requests_need_the_version_header(self, client, app):
        response = app.test_client().get(
            f"/xapi/trainees/{KEY}", headers={"Authorization": client("all").auth}
        )
        assert response.status_code == 400
