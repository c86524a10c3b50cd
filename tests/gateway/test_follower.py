"""`lrs gateway follow` in-process: every active pull and forward job, a failing one backs
off while the others run, import jobs are left alone, and it stops when told."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from adapters import follower as follower_module
from adapters.forward import add_forward_job
from adapters.legacy.convert import Platform
from adapters.legacy.importer import import_file
from lrs.domain.gateway import jobs
from tests.gateway.conftest import hub_ids, post, remote_ids, statement
from tests.reliability.conftest import served_ids


def test_follow_runs_pull_and_forward_and_backs_off_a_failing_job(remote, hub, monkeypatch):
    post(remote, [statement() for _ in range(12)])
    jobs.add_pull_job(hub.store, hub.settings, name="a-pull", endpoint=remote.base,
                      key=remote.key, secret=remote.secret, page_size=5)
    jobs.add_pull_job(hub.store, hub.settings, name="b-down", endpoint="http://127.0.0.1:9/xapi",
                      key="k", secret="s")
    fixture = Path(__file__).parents[1] / "fixtures/legacy/platform-a.csv"
    import_file(hub, hub.settings, fixture.read_bytes(), Platform("p", "https://p.example.cn"))
    local = statement()
    from lrs.domain.credentials import create_credential
    from lrs.domain.gateway.ingest import ingest

    credential, _ = create_credential(hub.store, "local", "statements/write")
    ingest(hub, credential, "t", [local])
    add_forward_job(hub.store, hub.settings, name="c-forward", endpoint=remote.base,
                    key=remote.key, secret=remote.secret)

    stop = threading.Event()
    passes = []
    real = follower_module._runner

    def counting(h, settings, kind, name):
        passes.append(name)
        if len(passes) >= 9:
            stop.set()
        runner = real(h, settings, kind, name)
        if kind == "pull" and name == "b-down":
            runner.client_options = {"retries": 0}
        if kind == "forward":
            runner.settle = timedelta(0)  # nothing is stored concurrently here (MongoDB)
        return runner

    monkeypatch.setattr(follower_module, "_runner", counting)
    thread = threading.Thread(target=follower_module.follow,
                              args=(hub, hub.settings, stop, 0.05))
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    # The failing job was tried, then left to wait while the others ran again.
    assert passes.count("b-down") == 1 and passes.count("a-pull") >= 3
    assert "import-p" not in passes
    assert set(hub_ids(hub, include_voided=False)) >= remote_ids(remote) - {local["id"]}
    assert local["id"] in set(served_ids(remote.http, remote.base))
    down = jobs.job_status(hub.store, jobs.get_job(hub.store, "b-down"))
    assert down["consecutiveFailures"] >= 1 and down["lastError"]
