"""Issue 12.1: a unit cannot take over a trainee of another department on its own word.

Unit X (Xiamen) knows a Fuzhou trainee's agreed identifier; a lookup gives it the
key. Every route that moves a trainee into X (a transfer, an upsert with X and
``joined``, a CSV import row) must leave the trainee where they are and X blind
until the old unit's side, or the department above both, agrees.
"""

from __future__ import annotations

import pytest

from tests.identity.conftest import KEYS, account, learned

AGREED = "FJ-350100-2020-000731"
KEY = KEYS.key(AGREED)
UNIT_A = "fj/fz/11350100MB0B23456K"
UNIT_X = "fj/xm/11350200MB0C34567P"
ON_A = account("https://a.example.gov.cn", "ww007")


@pytest.fixture
def world(client):
    liaison_a = client("trainees/write", role="unit", unit=UNIT_A)
    liaison_a.upsert(
        agreed_id=AGREED, name="王五", unit=UNIT_A, joined="2026-01-01", accounts=[ON_A]
    )
    client("statements/write", role="institution").send(
        learned(ON_A, AGREED, UNIT_A.rsplit("/", 1)[1], "2026-03-10T09:00:00+08:00", "mar")
    )
    return {
        "a": liaison_a,
        "x": client("trainees/write", role="unit", unit=UNIT_X),
        "fj": client("trainees/write", role="department", unit="fj"),
        "admin": client("all"),
    }


def still_in_a(world) -> None:
    """The registry is unchanged and unit X sees nothing of the trainee."""
    view = world["admin"].get(f"/xapi/trainees/{KEY}").get_json()
    assert view["unit"] == UNIT_A and view["name"] == "王五"
    assert [m["unit"] for m in view["memberships"]] == [UNIT_A]
    x = world["x"]
    assert x.get(f"/xapi/trainees/{KEY}").status_code == 404
    assert x.history(KEY).status_code == 404
    assert x.post("/xapi/trainees/lookup", {"agreed_id": AGREED}).get_json()["trainee"] is None
    assert x.get(f"/xapi/units/{UNIT_X}/trainees").get_json()["trainees"] == []


def test_lookup_gives_the_key_but_not_the_trainee(world):
    found = world["x"].post("/xapi/trainees/lookup", {"agreed_id": AGREED}).get_json()
    assert found == {"key": KEY, "trainee": None}


def test_a_transfer_asked_by_the_receiving_unit_waits(world):
    asked = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    assert asked.status_code == 202, asked.get_json()
    body = asked.get_json()
    assert body["status"] == "pending" and body["conflict"]["kind"] == "transfer_request"
    assert (body["conflict"]["unit"], body["conflict"]["day"]) == (UNIT_X, "2026-07-01")
    assert UNIT_A not in asked.get_data(as_text=True)  # where the trainee is stays hidden
    still_in_a(world)
    # Asking again counts on the same request.
    again = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    assert again.get_json()["conflict"] == {**body["conflict"], "count": 2}
    # The asking unit can neither see nor decide its own request.
    assert world["x"].get("/xapi/identity/conflicts").get_json()["conflicts"] == []
    cid = body["conflict"]["id"]
    decide = world["x"].post(
        f"/xapi/identity/conflicts/{cid}/resolve", {"decision": "accept_transfer"}
    )
    assert decide.status_code == 404
    still_in_a(world)


def test_the_department_above_both_accepts_and_then_the_unit_reads(world):
    asked = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    cid = asked.get_json()["conflict"]["id"]
    listed = world["fj"].get("/xapi/identity/conflicts").get_json()["conflicts"]
    assert [(c["id"], c["kind"], c["org"]) for c in listed] == [(cid, "transfer_request", "fj")]
    # Accepted as asked: another unit is refused.
    other = world["fj"].post(
        f"/xapi/identity/conflicts/{cid}/resolve",
        {"decision": "accept_transfer", "unit": "fj/xm/OTHER"},
    )
    assert other.status_code == 400 and other.get_json()["error"]["path"] == "unit"
    done = world["fj"].post(
        f"/xapi/identity/conflicts/{cid}/resolve", {"decision": "accept_transfer"}
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["resolution"]["unit"] == UNIT_X
    view = world["x"].get(f"/xapi/trainees/{KEY}").get_json()
    assert view["unit"] == UNIT_X and view["name"] == "王五"
    assert len(world["x"].history(KEY).get_json()["statements"]) == 1


def test_a_dismissed_request_changes_nothing(world):
    asked = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    cid = asked.get_json()["conflict"]["id"]
    dismissed = world["fj"].post(f"/xapi/identity/conflicts/{cid}/resolve", {"decision": "dismiss"})
    assert dismissed.status_code == 200 and dismissed.get_json()["status"] == "dismissed"
    still_in_a(world)


def test_the_old_unit_or_a_department_over_both_transfers_at_once(world):
    gave = world["a"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    assert gave.status_code == 200, gave.get_json()
    assert world["x"].get(f"/xapi/trainees/{KEY}").get_json()["unit"] == UNIT_X
    back = world["fj"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_A, "date": "2026-09-01"}
    )
    assert back.status_code == 200 and back.get_json()["unit"] == UNIT_A


def test_a_request_that_could_never_be_accepted_is_refused_now(world):
    early = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2025-06-01"}
    )
    assert early.status_code == 409
    assert world["fj"].get("/xapi/identity/conflicts").get_json()["conflicts"] == []


def test_an_upsert_into_the_receiving_unit_waits_and_applies_nothing(world):
    response = world["x"].post(
        "/xapi/trainees",
        {
            "agreed_id": AGREED,
            "name": "冒名",
            "unit": UNIT_X,
            "joined": "2026-07-01",
            "accounts": [account("https://x.example.gov.cn", "thief")],
        },
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["conflict"]["kind"] == "transfer_request"
    still_in_a(world)
    view = world["admin"].get(f"/xapi/trainees/{KEY}").get_json()
    assert [a["agent"] for a in view["accounts"]] == [ON_A]


def test_an_upsert_without_a_day_is_still_refused(world):
    response = world["x"].post("/xapi/trainees", {"agreed_id": AGREED, "unit": UNIT_X})
    assert response.status_code == 400 and response.get_json()["error"]["path"] == "joined"


def test_a_csv_import_row_into_the_receiving_unit_waits(world):
    csv = f"agreed_id,name,unit,joined\n{AGREED},冒名,{UNIT_X},2026-07-01\n"
    response = world["x"].post(
        "/xapi/trainees/import", data=csv.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["accepted"], report["updated"], report["refused"]) == (0, 0, [])
    assert [c["row"] for c in report["conflicts"]] == [2]
    assert AGREED not in response.get_data(as_text=True)
    still_in_a(world)
    listed = world["fj"].get("/xapi/identity/conflicts").get_json()["conflicts"]
    assert [c["kind"] for c in listed] == ["transfer_request"]


def test_a_provisional_trainee_is_registered_by_the_receiving_unit(client):
    """Known only from statements, a trainee has no old unit whose side could be asked."""
    newcomer = "FJ-NEW-0001"
    client("statements/write", role="institution").send(
        learned(account("https://a.example.gov.cn", "new1"), newcomer)
    )
    x = client("trainees/write", role="unit", unit=UNIT_X)
    moved = x.post(
        f"/xapi/trainees/{KEYS.key(newcomer)}/transfers", {"unit": UNIT_X, "date": "2026-01-01"}
    )
    assert moved.status_code == 200, moved.get_json()


def test_a_direct_transfer_settles_the_pending_requests(world):
    into_x = world["x"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    cid = into_x.get_json()["conflict"]["id"]
    gave = world["a"].post(
        f"/xapi/trainees/{KEY}/transfers", {"unit": UNIT_X, "date": "2026-07-01"}
    )
    assert gave.status_code == 200, gave.get_json()
    assert world["fj"].get("/xapi/identity/conflicts").get_json()["conflicts"] == []
    closed = world["fj"].get("/xapi/identity/conflicts?status=all").get_json()["conflicts"]
    assert [(c["id"], c["status"], c["resolution"]["decision"]) for c in closed] == [
        (cid, "resolved", "accept_transfer")
    ]
