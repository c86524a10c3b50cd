"""Issue 12.7 (access and privacy): what an outside probe found, each through HTTP."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from urllib.parse import urlencode

from tests.identity.conftest import KEYS

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "profiles" / "cadre-training" / "examples"
AGREED_ID = "https://w3id.org/xapi/cadre-training/extensions/agreed-identifier"
ID_NUMBER = "35010219900101123X"


# ---------------------------------------------------------------- conflict ids


def test_a_conflict_id_past_2_63_is_not_found(client):
    admin = client("all")
    for cid in (str(2**63), str(2**64 + 5), "9" * 40, "-1", "1e3", "%EF%BC%91"):
        res = admin.post(f"/xapi/identity/conflicts/{cid}/resolve", {"decision": "dismiss"})
        assert res.status_code == 404, (cid, res.get_json())
        assert res.get_json()["error"]["status"] == 404


# ---------------------------------------------------------------- alternate HEAD


def test_alternate_syntax_head_announces_no_body(client):
    admin = client("all")
    admin.send(
        {
            "actor": {"mbox": "mailto:head@example.gov.cn"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "http://example.gov.cn/course/head"},
        }
    )
    form = urlencode({"Authorization": admin.auth, "X-Experience-API-Version": "1.0.3"})
    res = admin.http.post(
        "/xapi/statements?method=HEAD",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert res.status_code == 200
    assert res.headers["Content-Length"] == "0" and res.get_data() == b""
    assert res.headers["X-Experience-API-Version"] == "1.0.3"
    # A real HEAD still announces the length of the GET's body.
    head = admin.open("HEAD", "/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert int(head.headers["Content-Length"]) > 0


# ---------------------------------------------------------------- archives: 403 = 404


def test_an_archive_outside_scope_looks_like_an_unknown_key(client):
    admin = client("all")
    admin.upsert(agreed_id="FJ-ARC-1", name="张三", unit="fj/fz/U1", joined="2026-01-01")
    known, unknown = KEYS.key("FJ-ARC-1"), KEYS.key("FJ-NOBODY")
    outsiders = [
        client("trainees/read", role="unit", unit="fj/xm/U9"),
        client("trainees/read", role="trainee", trainee=KEYS.key("FJ-OTHER")),
        client("trainees/read", role="institution", org="hn"),
    ]
    for reader in outsiders:
        for suffix in ("", "/ledger", "/ledger?verify=true"):
            a = reader.get(f"/xapi/archives/trainees/{known}{suffix}")
            b = reader.get(f"/xapi/archives/trainees/{unknown}{suffix}")
            assert (
                (a.status_code, a.get_json())
                == (b.status_code, b.get_json())
                == (
                    404,
                    {"error": {"status": 404, "message": "no trainee with this key"}},
                )
            )
    assert admin.get(f"/xapi/archives/trainees/{known}").status_code == 200


# ---------------------------------------------------------------- ID card numbers


def _statement_with_id_number() -> dict:
    statement = json.loads((EXAMPLES / "valid" / "course-registered.json").read_text("utf-8"))
    statement = copy.deepcopy(statement)
    statement["id"] = str(uuid.uuid4())
    statement["context"]["extensions"][AGREED_ID] = ID_NUMBER
    return statement


def test_an_id_card_number_is_never_stored_in_or_echoed_by_violations(client):
    flagging = client("all", profile_policy="flag")
    statement = _statement_with_id_number()
    stored = flagging.post("/xapi/statements", statement)
    assert stored.status_code == 200, stored.get_json()
    res = flagging.get(f"/xapi/profiles/violations?statementId={statement['id']}")
    violations = res.get_json()["violations"]
    assert any(v["rule"] == "inlineSchema" for v in violations), violations
    text = res.get_data(as_text=True)
    assert ID_NUMBER not in text and ID_NUMBER.lower() not in text
    assert "身份证号码已隐去" in text
    enforcing = client("all", profile_policy="enforce")
    refused = enforcing.post("/xapi/statements", _statement_with_id_number())
    assert refused.status_code == 400
    message = refused.get_json()["error"]["message"]
    assert ID_NUMBER not in message and "inlineSchema" in message


def test_the_mask_leaves_other_numbers_alone():
    from lrs.domain.redaction import redact_id_numbers

    assert redact_id_numbers(f"value '{ID_NUMBER.lower()}' x") == (
        "value '[身份证号码已隐去 ID card number removed]' x"
    )
    # Longer runs, dates and agreed identifiers stay as they are.
    for text in ("1350102199001011234X", "FJ-350100-2019-004217", "20260101", "350102199013011234"):
        assert redact_id_numbers(text) == text
