"""Pull from a second real `lrs serve`: paging, checkpoints, voids, attachments, refusals
and dead letters, faults (500, 429 Retry-After, half a page, remote down), kill -9."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from adapters.pull import Puller
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import retry_letter
from tests.gateway.conftest import VERSION, hub_ids, hub_settings, post, remote_ids, statement
from tests.reliability.conftest import LRS, lrs_env

CADRE = "https://w3id.org/xapi/cadre-training"


def cadre_example(name: str) -> dict:
    path = Path(__file__).parents[2] / "profiles/cadre-training/examples" / name
    return {**json.loads(path.read_text("utf-8")), "id": str(uuid.uuid4())}


def add_job(hub, base, remote, name="pa", **kw):
    return jobs.add_pull_job(hub.store, hub.settings, name=name, endpoint=base,
                             key=remote.key, secret=remote.secret, **{"page_size": 7, **kw})


def post_attachment(remote) -> str:
    data = "结业证书 certificate".encode()
    sha2 = hashlib.sha256(data).hexdigest()
    s = statement(attachments=[{
        "usageType": "http://id.tincanapi.com/attachment/certificate",
        "display": {"zh-CN": "证书"}, "contentType": "text/plain", "length": len(data),
        "sha2": sha2,
    }])
    boundary = "b" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json.dumps(s)}\r\n"
            f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {sha2}\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    res = remote.http.post(remote.base + "/statements", data=body,
                           headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
    assert res.status_code == 200, res.text
    return s["id"]


def test_pull_brings_every_statement_once_with_voids_attachments_and_dead_letters(remote, hub):
    plain = [statement() for _ in range(20)]
    target = statement()
    post(remote, plain + [target])
    # Voided at the source before the hub ever saw it: the query hides the target.
    voiding = statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                        object={"objectType": "StatementRef", "id": target["id"]})
    # Declares the cadre profile but breaks its templates: refused under `enforce`.
    bad = cadre_example("invalid/class-registered-no-class-kind.json")
    post(remote, [voiding, bad])
    with_file = post_attachment(remote)

    add_job(hub, remote.base, remote, profile_policy="enforce")
    report = Puller(hub, hub.settings, "pa").run()
    assert report.error is None and report.caught_up and report.pages >= 3
    assert report.refused == 1

    served = remote_ids(remote)
    live = set(hub_ids(hub, include_voided=False))
    assert live == served - {bad["id"]}
    # The voided target came across as voided, and stays out of queries.
    assert target["id"] in hub_ids(hub) and target["id"] not in live
    with hub.store.read() as uow:
        assert uow.statements.get(target["id"]).voided
        record = uow.statements.get(with_file)
        files = uow.attachments.get_many(list(record.attachment_hashes))
        assert [a.data for a in files.values()] == ["结业证书 certificate".encode()]
        letters = uow.gateway.dead_letters("pa")
    assert [d.item for d in letters] == [bad["id"]]
    assert "cadre-training" in letters[0].reason

    # A second run stores nothing new (the window re-reads a margin as duplicates).
    again = Puller(hub, hub.settings, "pa").run()
    assert again.error is None and again.stored == 0
    assert set(hub_ids(hub, include_voided=False)) == live

    # The operator relaxes the job's policy; the dead letter is retried and stored.
    old_key = jobs.get_job(hub.store, "pa").config["credential"]
    job = jobs.set_profile_policy(hub.store, "pa", "flag")
    credential = jobs.job_credential(hub.store, job)
    assert credential.key != old_key and credential.settings["profile_policy"] == "flag"
    with hub.store.read() as uow:
        assert uow.credentials.get(old_key).revoked
    retried = retry_letter(hub, credential, letters[0])
    assert not retried.refused and retried.stored == [bad["id"]]
    with hub.store.read() as uow:
        assert uow.gateway.dead_letters("pa") == []
        assert uow.gateway.get_dead_letter(letters[0].id).status == "resolved"
    assert set(hub_ids(hub, include_voided=False)) == served
    # From the beginning again: what the old credential wrote is still a duplicate.
    jobs.update_state(hub.store, "pa", {"since": None, "more": None})
    third = Puller(hub, hub.settings, "pa").run()
    assert third.error is None and third.refused == 0 and third.stored == 0
    assert third.duplicates == third.received == len(served)


def test_faults_500_429_and_a_half_page_are_retried_without_loss(remote, hub, proxy):
    post(remote, [statement() for _ in range(30)])
    add_job(hub, proxy.base, remote)
    proxy.faults.extend([
        ("status", 500), ("status", 503),
        ("status", 429, {"Retry-After": "1"}),
        ("half",), ("half",),
    ])
    started = time.monotonic()
    puller = Puller(hub, hub.settings, "pa", {"backoff": 0.05})
    report = puller.run()
    assert report.error is None and report.caught_up
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert not proxy.faults
    ids = hub_ids(hub)
    assert len(ids) == len(set(ids))
    assert set(hub_ids(hub, include_voided=False)) >= remote_ids(remote) - _refused(hub)


def _refused(hub) -> set[str]:
    with hub.store.read() as uow:
        return {d.item for d in uow.gateway.dead_letters(status=None)}


def test_remote_down_is_an_error_on_the_job_then_it_catches_up(remote, hub, proxy):
    post(remote, [statement() for _ in range(5)])
    add_job(hub, proxy.base, remote)
    proxy.down()
    report = Puller(hub, hub.settings, "pa", {"retries": 1, "backoff": 0.01}).run()
    assert report.error and "ConnectionError" in report.error
    status = jobs.job_status(hub.store, jobs.get_job(hub.store, "pa"))
    assert status["consecutiveFailures"] == 1 and status["counters"]["errors"] == 1
    assert status["lastError"]["message"] == report.error
    assert remote.secret not in json.dumps(status)  # never printed

    proxy.up()
    report = Puller(hub, hub.settings, "pa").run()
    assert report.error is None and report.caught_up
    status = jobs.job_status(hub.store, jobs.get_job(hub.store, "pa"))
    assert status["consecutiveFailures"] == 0 and status["lagSeconds"] == 0
    assert set(hub_ids(hub, include_voided=False)) == remote_ids(remote) - _refused(hub)


def test_paused_job_pulls_nothing(remote, hub):
    add_job(hub, remote.base, remote)
    jobs.set_paused(hub.store, "pa", True)
    assert Puller(hub, hub.settings, "pa").run().pages == 0
    assert hub_ids(hub) == []


def test_kill_9_of_the_puller_mid_page_resumes_without_loss_or_duplication(
    remote, proxy, tmp_path
):
    post(remote, [statement() for _ in range(60)])
    data = tmp_path / "hub"
    env = lrs_env(data)
    subprocess.run([LRS, "gateway", "pull", "add", "--name", "pa", "--endpoint", proxy.base,
                    "--key", remote.key, "--secret", remote.secret, "--page-size", "5"],
                   env=env, check=True, capture_output=True, timeout=120)
    proxy.delay = 0.15
    for kill_after in (1.2, 1.9, 2.6):
        proc = subprocess.Popen([LRS, "gateway", "pull", "run", "pa", "--once"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_after)
        proc.kill()  # SIGKILL: mid-page, mid-ingest or between ingest and checkpoint
        proc.wait(timeout=30)
    proxy.delay = 0
    done = subprocess.run([LRS, "gateway", "pull", "run", "pa", "--once"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "caught up" in done.stdout

    from lrs.gateway_hub import build_hub

    hub = build_hub(hub_settings(data))
    try:
        ids = hub_ids(hub)
        assert len(ids) == len(set(ids))
        assert set(hub_ids(hub, include_voided=False)) == remote_ids(remote) - _refused(hub)
        with hub.store.read() as uow:
            # One outbox event per stored statement: nothing was stored twice.
            events = uow.outbox.after(None, "statement.stored", limit=100_000)
        assert len(events) == len(ids)
    finally:
        hub.store.close()


def test_cli_lists_jobs_without_secrets_and_validates_input(remote, tmp_path):
    env = lrs_env(tmp_path / "hub")
    bad = subprocess.run([LRS, "gateway", "pull", "add", "--name", "x y", "--endpoint",
                          "ftp://nope", "--key", "k", "--secret", "s"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "job name" in bad.stderr
    ok = subprocess.run([LRS, "gateway", "pull", "add", "--name", "pa", "--endpoint",
                         remote.base, "--key", remote.key, "--secret-env", "PA_SECRET"],
                        env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    listed = subprocess.run([LRS, "gateway", "pull", "list", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    job = json.loads(listed.stdout)[0]
    assert job["config"]["secretEnv"] == "PA_SECRET" and remote.secret not in listed.stdout
    missing = subprocess.run([LRS, "gateway", "pull", "run", "pa", "--once"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "PA_SECRET" in missing.stderr
    run = subprocess.run([LRS, "gateway", "pull", "run", "pa", "--once"],
                         env={**env, "PA_SECRET": remote.secret},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "caught up" in run.stdout, run.stdout + run.stderr


def test_the_secret_is_encrypted_at_rest(remote, hub):
    add_job(hub, remote.base, remote)
    with hub.store.read() as uow:
        config = uow.gateway.get_job("pa").config
    raw = json.dumps(config)
    assert remote.secret not in raw and base64.b64encode(remote.secret.encode()).decode() not in raw
    assert set(config) >= {"secretEncrypted", "credential"}


def test_the_gateway_secret_setting_keys_the_credentials_at_rest(tmp_path):
    from dataclasses import replace

    from lrs.config import Settings
    from lrs.domain.errors import ValidationError
    from lrs.domain.gateway.secrets import seal, unseal

    settings = Settings.from_env({"LRS_GATEWAY_SECRET": "g" * 32, "LRS_IDENTITY_SECRET": "i" * 32,
                                  "LRS_DATA_DIR": str(tmp_path)})
    sealed = seal(settings, "remote-secret", None)
    assert unseal(settings, sealed) == "remote-secret"
    # Without the gateway secret the key comes from the identity secret: another key.
    with pytest.raises(ValidationError, match="LRS_GATEWAY_SECRET"):
        unseal(replace(settings, gateway_secret=""), sealed)
    assert "g" * 32 not in repr(settings)


@pytest.mark.parametrize("field,value,message", [
    ("endpoint", "not a url", "endpoint"), ("since", "yesterday", "since"),
    ("page_size", 0, "page size"),
])
def test_bad_job_settings_are_refused_by_name(remote, hub, field, value, message):
    from lrs.domain.errors import ValidationError

    kw = {"endpoint": remote.base, field: value}
    with pytest.raises(ValidationError, match=message):
        jobs.add_pull_job(hub.store, hub.settings, name="pa", key="k", secret="s", **kw)
    assert VERSION


def test_since_profile_filter_org_and_xapi_1_0_3(remote, hub):
    from lrs.timeutil import format_timestamp, utcnow

    before = format_timestamp(utcnow())
    time.sleep(0.01)
    cadre = cadre_example("valid/course-registered.json")
    plain = statement()
    post(remote, [cadre, plain])
    add_job(hub, remote.base, remote, since=before, org="fj/fz", profile=CADRE,
            version="1.0.3")
    report = Puller(hub, hub.settings, "pa").run()
    assert report.error is None and report.received == 2 and report.skipped == 1
    assert hub_ids(hub) == [cadre["id"]]
    credential_key = jobs.get_job(hub.store, "pa").config["credential"]
    with hub.store.read() as uow:
        record = uow.statements.get(cadre["id"])
        credential = uow.credentials.get(credential_key)
    assert record.org == "fj/fz" and record.authority_key.endswith(credential.key)
    assert credential.settings["gateway_job"] == "pa"
    from lrs.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="version"):
        add_job(hub, remote.base, remote, name="pb", version="0.9")
