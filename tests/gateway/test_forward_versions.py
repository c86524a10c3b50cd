"""Forwarding to an upstream that speaks only xAPI 1.0.3 (a second real `lrs serve` with
LRS_XAPI_VERSIONS=1.0.3): 2.0-only properties are downgraded, what cannot be is a dead
letter with its reason; and attachments the hub only knows by ``fileUrl``."""

from __future__ import annotations

import hashlib
import json
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.downgrade import CONTEXT_AGENTS, CONTEXT_GROUPS, NotDowngradable, to_1_0_3
from lrs.domain.credentials import create_credential as create_lrs_credential
from lrs.domain.gateway.ingest import ingest, letter_id
from lrs.domain.statements.attachments import SIGNATURE_USAGE_TYPE
from lrs.storage.port import DeadLetter
from tests.gateway.conftest import statement
from tests.gateway.test_forward import add, forwarder, remote_has, store_in_hub
from tests.reliability.conftest import LiveServer, create_credential

AGENT = {"objectType": "Agent", "mbox": "mailto:teacher@example.gov.cn"}
CONTEXT_AGENTS_VALUE = [{"objectType": "contextAgent", "agent": AGENT,
                         "relevantTypes": ["https://w3id.org/xapi/cadre/roles/instructor"]}]
CONTEXT_GROUPS_VALUE = [{"objectType": "contextGroup",
                         "group": {"objectType": "Group", "member": [AGENT]},
                         "relevantTypes": ["https://w3id.org/xapi/cadre/roles/class"]}]


@pytest.fixture(scope="module")
def remote103(tmp_path_factory):
    """An upstream LRS that serves xAPI 1.0.3 only."""
    data = tmp_path_factory.mktemp("remote103")
    key, secret = create_credential(data)
    server = LiveServer(data, workers=1, threads=4,
                        env={"LRS_XAPI_VERSIONS": "1.0.3"}).start()
    session = requests.Session()
    session.auth = (key, secret)
    session.headers["X-Experience-API-Version"] = "1.0.3"
    server.key, server.secret, server.http = key, secret, session
    yield server
    server.stop()


def fetched(remote, statement_id: str) -> dict:
    res = remote.http.get(remote.base + "/statements", params={"statementId": statement_id},
                          timeout=30)
    assert res.status_code == 200, res.text
    return res.json()


def letters(hub, job="up"):
    with hub.store.read() as uow:
        return {d.item: d for d in uow.gateway.dead_letters(job)}


def with_context_members(**overrides) -> dict:
    return statement(context={"contextAgents": CONTEXT_AGENTS_VALUE,
                              "contextGroups": CONTEXT_GROUPS_VALUE}, **overrides)


def test_a_1_0_3_upstream_gets_2_0_properties_in_context_extensions(remote103, hub):
    assert remote103.http.get(remote103.base + "/about").json()["version"] == ["1.0.3"]
    sub = statement(object={"objectType": "SubStatement", "actor": AGENT,
                            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
                            "object": {"id": "https://pa.example.cn/course/2"},
                            "context": {"contextAgents": CONTEXT_AGENTS_VALUE}})
    plain, members = statement(), with_context_members()
    ids = store_in_hub(hub, [plain, members, sub])
    add(hub, remote103.base, remote103)  # the job says 2.0.0; /about says 1.0.3 only
    report = forwarder(hub, "up").run()
    assert report.error is None and report.stored == 3 and report.refused == 0, report
    assert remote_has(remote103, ids) == set(ids) and letters(hub) == {}
    got = fetched(remote103, members["id"])
    assert "contextAgents" not in got["context"] and "contextGroups" not in got["context"]
    assert got["context"]["extensions"] == {CONTEXT_AGENTS: CONTEXT_AGENTS_VALUE,
                                            CONTEXT_GROUPS: CONTEXT_GROUPS_VALUE}
    assert got["version"] == "1.0.0"
    got_sub = fetched(remote103, sub["id"])["object"]["context"]
    assert got_sub == {"extensions": {CONTEXT_AGENTS: CONTEXT_AGENTS_VALUE}}
    # Sent again (as after a crash before the checkpoint): the same downgraded statement,
    # which the upstream takes as the one it has, no conflict.
    letter = DeadLetter(letter_id("up", members["id"]), "up", members["id"], "test",
                        {"statementId": members["id"]}, "fj/fz")
    with hub.store.transaction() as uow:
        uow.gateway.put_dead_letter(letter)
    assert forwarder(hub, "up").retry(letter) is None


def test_what_has_no_1_0_3_form_is_a_dead_letter_and_the_rest_go_on(remote103, hub):
    clash = statement(context={"contextAgents": CONTEXT_AGENTS_VALUE,
                               "extensions": {CONTEXT_AGENTS: "something else"}})
    signed, jws = signed_statement(with_context_members())
    fine = statement()
    credential_ids = store_in_hub(hub, [clash, fine])
    store_signed(hub, signed, jws)
    add(hub, remote103.base, remote103)
    report = forwarder(hub, "up").run()
    assert report.error is None and report.stored == 1 and report.refused == 2
    assert remote_has(remote103, [*credential_ids, signed["id"]]) == {fine["id"]}
    found = letters(hub)
    assert set(found) == {clash["id"], signed["id"]}
    assert "context.extensions" in found[clash["id"]].reason
    assert "签名" in found[signed["id"]].reason and "signature" in found[signed["id"]].reason
    # A retry gives the same clear reason; nothing reaches the upstream.
    assert "signature" in forwarder(hub, "up").retry(found[signed["id"]])


def test_a_2_0_upstream_gets_the_statement_unchanged(remote, hub):
    members = with_context_members()
    store_in_hub(hub, [members])
    add(hub, remote.base, remote)
    report = forwarder(hub, "up").run()
    assert report.error is None and report.stored == 1
    got = remote.http.get(remote.base + "/statements", params={"statementId": members["id"]},
                          timeout=30).json()
    assert got["context"]["contextAgents"] == CONTEXT_AGENTS_VALUE
    assert got["version"] == "2.0.0"


def file_url_statement() -> dict:
    data = f"certificate {uuid.uuid4()}".encode()
    return statement(attachments=[{
        "usageType": "https://w3id.org/xapi/cadre/attachments/certificate",
        "display": {"zh-CN": "结业证书"}, "contentType": "application/pdf",
        "length": len(data), "sha2": hashlib.sha256(data).hexdigest(),
        "fileUrl": "https://pa.example.cn/files/certificate.pdf"}])


@pytest.mark.parametrize("upstream", ["remote", "remote103"])
def test_a_file_url_attachment_goes_as_metadata(upstream, request, hub):
    remote = request.getfixturevalue(upstream)
    linked = file_url_statement()
    ids = store_in_hub(hub, [linked, statement()])
    add(hub, remote.base, remote)
    report = forwarder(hub, "up").run()
    assert report.error is None and report.stored == 2 and report.refused == 0
    assert remote_has(remote, ids) == set(ids) and letters(hub) == {}
    got = fetched(remote, linked["id"])
    assert got["attachments"] == linked["attachments"]


def test_a_refused_file_url_statement_says_the_hub_never_had_the_bytes(remote, hub):
    linked = file_url_statement()
    # The upstream already holds this id with other content: refused (409) forever.
    res = remote.http.post(remote.base + "/statements",
                           json=[{**linked, "object": {"id": "https://other.example.cn/y"}}])
    assert res.status_code == 200, res.text
    store_in_hub(hub, [linked])
    add(hub, remote.base, remote)
    report = forwarder(hub, "up").run()
    assert report.refused == 1
    reason = letters(hub)[linked["id"]].reason
    assert "409" in reason and "fileUrl" in reason
    assert linked["attachments"][0]["sha2"] in reason


def test_to_1_0_3_leaves_the_stored_statement_alone():
    original = with_context_members(version="2.0.0")
    before = json.dumps(original, sort_keys=True)
    out = to_1_0_3(original)
    assert json.dumps(original, sort_keys=True) == before
    assert out["version"] == "1.0.0" and "contextAgents" not in out["context"]
    assert to_1_0_3(statement(version="1.0.0"))["version"] == "1.0.0"
    with pytest.raises(NotDowngradable):
        to_1_0_3(signed_statement(with_context_members())[0])
    # A signed statement with nothing to move goes as it is.
    plain, _ = signed_statement(statement())
    assert to_1_0_3(plain) == plain


# ------------------------------------------------------------------ signed statements

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signed_statement(body: dict) -> tuple[dict, bytes]:
    """The statement with a signature attachment (xAPI Data 2.6), and the JWS."""
    token = jwt.api_jws.encode(json.dumps(body).encode(), _KEY, algorithm="RS256")
    raw = token.encode() if isinstance(token, str) else token
    return {**body, "attachments": [{
        "usageType": SIGNATURE_USAGE_TYPE, "display": {"en-US": "signature"},
        "contentType": "application/octet-stream", "length": len(raw),
        "sha2": hashlib.sha256(raw).hexdigest()}]}, raw


def store_signed(hub, signed: dict, jws: bytes) -> None:
    credential, _ = create_lrs_credential(hub.store, f"signer {uuid.uuid4().hex[:6]}",
                                          "statements/write", org="fj/fz")
    sha2 = signed["attachments"][0]["sha2"]
    report = ingest(hub, credential, "test", [signed], {sha2: ("application/octet-stream", jws)})
    assert not report.refused, report.refused
