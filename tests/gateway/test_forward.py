"""Forward this hub's outbox to a second real `lrs serve`: filters, its own cursor beside
the archive projector, faults (500, 429, down), 4xx dead letters, kill -9."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import timedelta

from adapters.forward import Forwarder, add_forward_job
from lrs.domain.archive.policy_book import load_policy_book
from lrs.domain.archive.projector import Projector
from lrs.domain.credentials import create_credential
from lrs.domain.gateway import jobs
from lrs.domain.gateway.ingest import ingest
from tests.gateway.conftest import hub_ids, hub_settings, statement
from tests.reliability.conftest import LRS, lrs_env, served_ids


def store_in_hub(hub, statements, org="fj/fz"):
    credential, _ = create_credential(hub.store, f"platform {org}", "statements/write", org=org)
    report = ingest(hub, credential, "test", statements)
    assert not report.refused, report.refused
    return [s["id"] for s in statements]


def add(hub, base, remote, name="up", **kw):
    return add_forward_job(hub.store, hub.settings, name=name, endpoint=base, key=remote.key,
                           secret=remote.secret, **{"batch": 10, **kw})


def forwarder(hub, name, options=None):
    # Stores whose outbox ids are not commit-ordered (MongoDB) make the forwarder trail
    # by a settling time; these tests store nothing concurrently, so none is needed.
    return Forwarder(hub.store, hub.settings, name, options, settle=timedelta(0))


def remote_has(remote, ids) -> set[str]:
    served = set(served_ids(remote.http, remote.base))
    return set(ids) & served


def test_forwards_only_the_org_subtree_and_verbs_asked_for_beside_the_projector(remote, hub):
    fz = store_in_hub(hub, [statement() for _ in range(25)], org="fj/fz")
    xm = store_in_hub(hub, [statement() for _ in range(5)], org="fj/xm")
    other_verb = store_in_hub(hub, [statement(verb={"id": "http://adlnet.gov/expapi/verbs/x"})])
    # The archive projector drains the shared queue first: the forwarder has its own cursor.
    Projector(hub.store, load_policy_book(hub.settings)).drain()
    add(hub, remote.base, remote, org="fj/fz",
        verbs=("http://adlnet.gov/expapi/verbs/experienced",))
    report = forwarder(hub, "up").run()
    assert report.error is None and report.caught_up
    assert report.stored == 25 and report.skipped == 6
    assert remote_has(remote, fz) == set(fz)
    assert remote_has(remote, xm + other_verb) == set()
    # New statements after the cursor; nothing is sent twice.
    more = store_in_hub(hub, [statement() for _ in range(3)])
    again = forwarder(hub, "up").run()
    assert again.stored == 3 and remote_has(remote, more) == set(more)
    status = jobs.job_status(hub.store, jobs.get_job(hub.store, "up"))
    assert status["counters"]["sent"] == 28 and status["lagSeconds"] == 0


def test_5xx_and_429_are_retried_and_a_down_upstream_keeps_the_cursor(remote, hub, proxy):
    ids = store_in_hub(hub, [statement() for _ in range(20)])
    add(hub, proxy.base, remote)
    proxy.faults.extend([("status", 500), ("status", 429, {"Retry-After": "1"})])
    report = forwarder(hub, "up", {"backoff": 0.05}).run(max_batches=1)
    assert report.error is None and report.stored == 10 and not proxy.faults
    proxy.down()
    failed = forwarder(hub, "up", {"retries": 1, "backoff": 0.01}).run()
    assert failed.error and failed.stored == 0
    assert jobs.get_job(hub.store, "up").state["consecutiveFailures"] == 1
    proxy.up()
    done = forwarder(hub, "up").run()
    assert done.error is None and done.stored == 10 and done.caught_up
    assert remote_has(remote, ids) == set(ids)


def test_a_statement_the_upstream_refuses_is_a_dead_letter_and_the_rest_go_on(remote, hub):
    clash = statement()
    # The upstream already holds this id with other content: 409 forever.
    res = remote.http.post(remote.base + "/statements",
                           json=[{**clash, "object": {"id": "https://other.example.cn/x"}}])
    assert res.status_code == 200
    ids = store_in_hub(hub, [statement(), clash, statement()])
    add(hub, remote.base, remote)
    report = forwarder(hub, "up").run()
    assert report.error is None and report.stored == 2 and report.refused == 1
    assert remote_has(remote, [ids[0], ids[2]]) == {ids[0], ids[2]}
    with hub.store.read() as uow:
        letters = uow.gateway.dead_letters("up")
    assert [d.item for d in letters] == [clash["id"]] and "409" in letters[0].reason
    # Retrying cannot fix a conflict: still a dead letter, one more attempt.
    assert forwarder(hub, "up").retry(letters[0])
    with hub.store.read() as uow:
        assert uow.gateway.get_dead_letter(letters[0].id).attempts == 2


def test_kill_9_mid_batch_resumes_without_loss(remote, proxy, tmp_path):
    from lrs.gateway_hub import build_hub

    data = tmp_path / "hub"
    hub = build_hub(hub_settings(data))
    ids = store_in_hub(hub, [statement() for _ in range(60)])
    hub.store.close()
    env = lrs_env(data)
    subprocess.run([LRS, "gateway", "forward", "add", "--name", "up", "--endpoint", proxy.base,
                    "--key", remote.key, "--secret", remote.secret, "--batch", "5"],
                   env=env, check=True, capture_output=True, timeout=120)
    proxy.delay = 0.15
    for kill_after in (1.0, 1.7):
        proc = subprocess.Popen([LRS, "gateway", "forward", "run", "up", "--once"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_after)
        proc.kill()
        proc.wait(timeout=30)
    proxy.delay = 0
    done = subprocess.run([LRS, "gateway", "forward", "run", "up", "--once"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "caught up" in done.stdout, done.stdout + done.stderr
    assert remote_has(remote, ids) == set(ids)
    hub = build_hub(hub_settings(data))
    try:
        assert hub_ids(hub) == ids  # the hub itself is untouched
    finally:
        hub.store.close()


def test_cli_status_dead_letters_and_retry(remote, tmp_path):
    from lrs.gateway_hub import build_hub

    data = tmp_path / "hub"
    hub = build_hub(hub_settings(data))
    clash = statement()
    remote.http.post(remote.base + "/statements",
                     json=[{**clash, "object": {"id": "https://other.example.cn/y"}}])
    store_in_hub(hub, [statement(), clash])
    hub.store.close()
    env = lrs_env(data)

    def lrs(*args):
        return subprocess.run([LRS, "gateway", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    assert lrs("forward", "add", "--name", "up", "--endpoint", remote.base, "--key",
               remote.key, "--secret", remote.secret).returncode == 0
    run = lrs("forward", "run", "up", "--once")
    assert run.returncode == 0 and "1 sent, 1 refused" in run.stdout, run.stdout + run.stderr
    status = lrs("status")
    assert "forward up: active" in status.stdout and "dead letters open 1" in status.stdout
    assert remote.secret not in status.stdout + lrs("status", "--json").stdout
    letters = lrs("dead-letters", "--json")
    [letter] = json.loads(letters.stdout)
    assert letter["item"] == clash["id"] and "409" in letter["reason"]
    retry = lrs("retry", letter["id"])
    assert retry.returncode == 1 and "still refused" in retry.stdout
    assert lrs("retry", "nope").returncode == 1
    paused = lrs("forward", "pause", "up")
    assert paused.returncode == 0 and "paused" in lrs("forward", "list").stdout
