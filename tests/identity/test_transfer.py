"""A cadre moves from unit A to unit B on 1 July: what each unit sees."""

from __future__ import annotations

import pytest

from tests.identity.conftest import KEYS, account, courses, learned

AGREED = "FJ-350100-2019-004217"
KEY = KEYS.key(AGREED)
UNIT_A = "fj/fz/11350100MB0B23456K"
UNIT_B = "fj/xm/11350200MB0C34567P"
CODE_A, CODE_B = UNIT_A.rsplit("/", 1)[1], UNIT_B.rsplit("/", 1)[1]
ON_A = account("https://a.example.gov.cn", "zs001")


@pytest.fixture
def moved(client):
    """Registered in A from January; statements in March and June (A), August and
    September (B); transferred on 1 July at unit B's request, accepted by the
    department above both."""
    liaison_a = client("trainees/write", role="unit", unit=UNIT_A)
    liaison_a.upsert(
        agreed_id=AGREED,
        name="张三",
        unit=UNIT_A,
        position="科长",
        rank="四级调研员",
        joined="2026-01-01",
        accounts=[ON_A],
    )
    platform = client("statements/write", role="institution")
    platform.send(
        learned(ON_A, AGREED, CODE_A, "2026-03-10T09:00:00+08:00", "mar"),
        # 30 June 23:30 in Beijing is still June, although it is 15:30Z.
        learned(ON_A, AGREED, CODE_A, "2026-06-30T23:30:00+08:00", "jun"),
    )
    liaison_b = client("trainees/write", role="unit", unit=UNIT_B)
    asked = liaison_b.post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_B, "date": "2026-07-01"}
    )
    # Unit B cannot take the trainee alone: the department above both units decides.
    assert asked.status_code == 202, asked.get_json()
    fujian = client("trainees/write", role="department", unit="fj")
    moved = fujian.post(
        f"/xapi/identity/conflicts/{asked.get_json()['conflict']['id']}/resolve",
        {"decision": "accept_transfer"},
    )
    assert moved.status_code == 200, moved.get_json()
    platform.send(
        # 30 June 16:30Z is 1 July 00:30 in Beijing: earned under B.
        learned(ON_A, AGREED, CODE_B, "2026-06-30T16:30:00Z", "jul"),
        learned(ON_A, AGREED, CODE_B, "2026-09-01T10:00:00+08:00", "sep"),
    )
    return client


def test_the_registry_keeps_both_memberships(moved):
    view = moved("all").get(f"/xapi/trainees/{KEY}").get_json()
    assert view["unit"] == UNIT_B and view["joined"] == "2026-07-01"
    assert [(m["unit"], m["joined"], m["left"]) for m in view["memberships"]] == [
        (UNIT_A, "2026-01-01", "2026-07-01"),
        (UNIT_B, "2026-07-01", None),
    ]


def test_the_old_unit_sees_only_what_was_earned_under_it(moved):
    unit_a = moved("trainees/read", role="unit", unit=UNIT_A)
    page = unit_a.history(KEY, ascending="true").get_json()
    assert courses(page["statements"]) == ["mar", "jun"]
    assert {e["unit"] for e in page["statements"]} == {UNIT_A}
    trainee = page["trainee"]
    assert trainee["access"] == "former" and trainee["name"] == "张*"
    assert [m["unit"] for m in trainee["memberships"]] == [UNIT_A]
    assert "accounts" not in trainee and "unit" not in trainee  # not where they went


def test_the_new_unit_sees_the_trainee_and_the_history_that_follows_them(moved):
    unit_b = moved("trainees/read", role="unit", unit=UNIT_B)
    page = unit_b.history(KEY, ascending="true").get_json()
    assert courses(page["statements"]) == ["mar", "jun", "jul", "sep"]
    assert [e["unit"] for e in page["statements"]] == [UNIT_A, UNIT_A, UNIT_B, UNIT_B]
    assert page["trainee"]["name"] == "张三" and page["trainee"]["access"] == "full"


def test_unit_lists(moved):
    unit_a = moved("trainees/read", role="unit", unit=UNIT_A)
    unit_b = moved("trainees/read", role="unit", unit=UNIT_B)
    assert unit_a.get(f"/xapi/units/{UNIT_A}/trainees").get_json()["trainees"] == []
    former = unit_a.get(f"/xapi/units/{UNIT_A}/trainees?status=former").get_json()
    assert [(t["key"], t["name"]) for t in former["trainees"]] == [(KEY, "张*")]
    now = unit_b.get(f"/xapi/units/{UNIT_B}/trainees").get_json()["trainees"]
    assert len(now) == 1
    state = now[0]
    assert (state["name"], state["position"], state["rank"]) == ("张三", "科长", "四级调研员")
    assert (state["unit"], state["joined"]) == (UNIT_B, "2026-07-01")
    assert [a["agent"] for a in state["accounts"]] == [ON_A]
    assert unit_b.get(f"/xapi/units/{UNIT_B}/trainees?status=former").get_json()["trainees"] == []
    assert unit_a.get(f"/xapi/units/{UNIT_B}/trainees").status_code == 403


def test_a_department_sees_its_subtree_and_others_see_nothing(moved):
    fujian = moved("trainees/read", role="department", unit="fj")
    assert len(fujian.history(KEY).get_json()["statements"]) == 4
    listed = fujian.get("/xapi/units/fj/trainees").get_json()["trainees"]
    assert [t["unit"] for t in listed] == [UNIT_B]
    fuzhou = moved("trainees/read", role="department", unit="fj/fz")
    assert courses(fuzhou.history(KEY, ascending="true").get_json()["statements"]) == [
        "mar",
        "jun",
    ]
    hunan = moved("trainees/read", role="department", unit="hn")
    assert hunan.history(KEY).status_code == 404


def test_history_pages_with_a_cursor(moved):
    unit_b = moved("trainees/read", role="unit", unit=UNIT_B)
    first = unit_b.history(KEY, limit=3).get_json()
    assert courses(first["statements"]) == ["sep", "jul", "jun"]
    rest = unit_b.get(first["more"]).get_json()
    assert courses(rest["statements"]) == ["mar"] and rest["more"] == ""
    unit_a = moved("trainees/read", role="unit", unit=UNIT_A)
    first = unit_a.history(KEY, limit=1).get_json()
    assert courses(first["statements"]) == ["jun"]
    assert courses(unit_a.get(first["more"]).get_json()["statements"]) == ["mar"]


def test_no_conflict_when_codes_match_the_registry_on_the_day(moved):
    conflicts = moved("all").get("/xapi/identity/conflicts").get_json()["conflicts"]
    assert conflicts == []


def test_transfer_rules(moved):
    liaison_b = moved("trainees/write", role="unit", unit=UNIT_B)
    again = liaison_b.post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_B, "date": "2026-09-01"}
    )
    assert again.status_code == 409
    back = liaison_b.post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_A, "date": "2026-06-01"}
    )
    assert back.status_code == 409  # before joining B
    outsider = moved("trainees/write", role="unit", unit="hn/cs/X1")
    refused = outsider.post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": "fj/fz/OTHER", "date": "2026-10-01"}
    )
    assert refused.status_code == 403
    undated = liaison_b.post(f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_A})
    assert undated.status_code == 400


def test_an_upsert_with_another_unit_needs_the_date(moved):
    liaison_a = moved("trainees/write", role="unit", unit=UNIT_A)
    response = liaison_a.post("/xapi/trainees", {"agreed_id": AGREED, "unit": UNIT_A})
    assert response.status_code == 400
    assert "transfer" in response.get_json()["error"]["message"]
