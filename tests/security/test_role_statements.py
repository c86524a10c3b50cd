"""Issue 12.2: a role narrows the statements a credential reads, as it narrows the registry.

A unit credential (``--role unit --unit U``) or a trainee credential with
``statements/read`` and no ``--org`` used to list every statement of the LRS.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from lrs.cli import main
from tests.identity.conftest import KEYS, account, courses, learned

UNIT_A = "fj/fz/11350100MB0B23456K"
UNIT_B = "fj/xm/11350200MB0C34567P"
ZS, LS = "FJ-ROLE-ZS", "FJ-ROLE-LS"
ZS_ON_A, ZS_ON_C = (
    account("https://a.example.gov.cn", "zs"),
    account("https://c.example.gov.cn", "zs"),
)
LS_ON_B = account("https://b.example.gov.cn", "ls")
STRANGER = account("https://a.example.gov.cn", "nobody")
STATE = "/xapi/activities/state?activityId=http://example.gov.cn/c/1&stateId=s&agent="


@pytest.fixture
def world(client):
    admin = client("all")
    admin.upsert(
        agreed_id=ZS, name="张三", unit=UNIT_A, joined="2026-01-01", accounts=[ZS_ON_A, ZS_ON_C]
    )
    admin.upsert(agreed_id=LS, name="李四", unit=UNIT_B, joined="2026-01-01", accounts=[LS_ON_B])
    ids = {}
    for name, actor in (("zs-a", ZS_ON_A), ("zs-c", ZS_ON_C), ("ls", LS_ON_B), ("x", STRANGER)):
        statement = learned(actor, course=name)
        statement["id"] = ids[name] = str(uuid.uuid4())
        admin.send(statement)
    return ids


def read(reader, query=""):
    res = reader.get(f"/xapi/statements?{query}")
    assert res.status_code == 200, res.get_json()
    return sorted(courses(res.get_json()["statements"]))


def agent(a):
    return quote(json.dumps(a))


def test_a_unit_reads_statements_per_trainee_it_has(client, world):
    unit = client("statements/read trainees/read", role="unit", unit=UNIT_A)
    listed = unit.get("/xapi/statements")
    assert listed.status_code == 403 and listed.get_json()["error"]["path"] == "trainee"
    assert read(unit, f"trainee={KEYS.key(ZS)}") == ["zs-a", "zs-c"]
    assert read(unit, f"agent={agent(ZS_ON_C)}") == ["zs-c"]
    assert read(unit, f"agent={agent(ZS_ON_C)}&resolve_identity=true") == ["zs-a", "zs-c"]
    # Another unit's trainee, or an agent linked to nobody, finds nothing.
    assert read(unit, f"trainee={KEYS.key(LS)}") == []
    assert read(unit, f"agent={agent(LS_ON_B)}") == []
    assert read(unit, f"agent={agent(STRANGER)}") == []
    assert unit.get(f"/xapi/statements?statementId={world['zs-a']}").status_code == 200
    for other in ("ls", "x"):
        assert unit.get(f"/xapi/statements?statementId={world[other]}").status_code == 404


def test_a_department_covers_its_subtree(client, world):
    fuzhou = client("statements/read", role="department", unit="fj/fz")
    assert read(fuzhou, f"trainee={KEYS.key(ZS)}") == ["zs-a", "zs-c"]
    assert read(fuzhou, f"trainee={KEYS.key(LS)}") == []
    fujian = client("statements/read", role="department", unit="fj")
    assert read(fujian, f"trainee={KEYS.key(LS)}") == ["ls"]


def test_a_trainee_reads_only_its_own_statements(client, world):
    me = client("statements/read", role="trainee", trainee=KEYS.key(ZS))
    assert read(me) == ["zs-a", "zs-c"]
    assert read(me, "verb=http://adlnet.gov/expapi/verbs/completed") == ["zs-a", "zs-c"]
    assert read(me, f"agent={agent(ZS_ON_A)}") == ["zs-a"]
    assert read(me, f"agent={agent(LS_ON_B)}") == []
    assert me.get(f"/xapi/statements?statementId={world['zs-c']}").status_code == 200
    assert me.get(f"/xapi/statements?statementId={world['ls']}").status_code == 404
    # A trainee credential bound to nobody reads nothing.
    nobody = client("statements/read", role="trainee")
    assert read(nobody) == []


def test_admins_and_institutions_keep_their_org_scope(client, world):
    assert read(client("statements/read")) == ["ls", "x", "zs-a", "zs-c"]
    assert read(client("all")) == ["ls", "x", "zs-a", "zs-c"]
    assert read(client("statements/read", org="hn")) == []


def test_narrowed_roles_may_not_use_documents(client, world):
    for reader in (
        client("all", role="unit", unit=UNIT_A),
        client("all", role="department", unit="fj"),
        client("all", role="trainee", trainee=KEYS.key(ZS)),
    ):
        res = reader.get(STATE + agent(ZS_ON_A))
        assert res.status_code == 403, res.get_json()
        assert "documents" in res.get_json()["error"]["message"]
        assert reader.open("PUT", STATE + agent(ZS_ON_A), json={"a": 1}).status_code == 403
    platform = client("all")
    assert platform.open("PUT", STATE + agent(ZS_ON_A), json={"a": 1}).status_code == 204


def test_the_cli_refuses_document_scopes_for_narrowed_roles(tmp_path, monkeypatch):
    monkeypatch.setenv("LRS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LRS_IDENTITY_SECRET", "test-identity-secret-0123456789")
    monkeypatch.delenv("LRS_DATABASE_URL", raising=False)
    runner = CliRunner()
    refused = runner.invoke(
        main,
        [
            "credentials",
            "create",
            "--name",
            "u",
            "--scopes",
            "statements/read,state",
            "--role",
            "unit",
            "--unit",
            UNIT_A,
        ],
    )
    assert refused.exit_code == 1 and "'state'" in refused.output
    fine = runner.invoke(
        main,
        [
            "credentials",
            "create",
            "--name",
            "u",
            "--scopes",
            "statements/read,trainees/read",
            "--role",
            "unit",
            "--unit",
            UNIT_A,
            "--json",
        ],
    )
    assert fine.exit_code == 0, fine.output


def test_violations_follow_the_statement(client, world):
    unit = client("statements/read", role="unit", unit=UNIT_A)
    mine = unit.get(f"/xapi/profiles/violations?statementId={world['zs-a']}")
    assert mine.status_code == 200
    other = unit.get(f"/xapi/profiles/violations?statementId={world['ls']}")
    assert other.status_code == 404
    by_registration = unit.get(f"/xapi/profiles/violations?registration={uuid.uuid4()}")
    assert by_registration.status_code == 403
    assert (
        client("all").get(f"/xapi/profiles/violations?statementId={world['ls']}").status_code == 200
    )
