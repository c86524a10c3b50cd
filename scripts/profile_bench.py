"""How fast profile validation is, single thread, on generated cadre-training statements.

    .venv/bin/python scripts/profile_bench.py [--count 20000] [--seed 1]

Prints statements/second for:

1. templates     Statement Template rules + extension inlineSchemas + cross-field checks
                 against the cadre profile, one statement at a time (pure, no store);
2. batch         1. plus pattern matching, per registration, pattern state in memory;
3. ingest        the service layer on a temporary SQLite store (batches of 100), with and
                 without the profile hook, credential policy ``flag``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts" / "bench"))

from generate import CadreTrainingGenerator  # noqa: E402

from lrs.domain.profiles import load_registry  # noqa: E402
from lrs.domain.profiles.extensions import extension_failures  # noqa: E402
from lrs.domain.profiles.ingest import ProfileValidationHook  # noqa: E402
from lrs.domain.profiles.policy import ProfileSettings  # noqa: E402
from lrs.domain.profiles.semantics import semantic_failures  # noqa: E402
from lrs.domain.profiles.templates import validate  # noqa: E402
from lrs.domain.profiles.validation import (  # noqa: E402
    MemoryPatternStates,
    check_statements,
    declared_selector,
)

CADRE = "https://w3id.org/xapi/cadre-training"


class Clock:
    """Wall time and this process's CPU time (the latter is steadier on a busy machine)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def rate(self, n: int) -> str:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        return (
            f"{n / cpu:,.0f} statements/s of CPU time ({cpu * 1e6 / n:.0f} µs each; "
            f"wall {n / wall:,.0f}/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    registry = load_registry(str(REPO / "profiles"))
    profile = registry.get(CADRE)
    gen = CadreTrainingGenerator(seed=args.seed, trainees=500, courses=100)
    statements = list(gen.statements(args.count))
    # The stored form: single context activities as arrays (the generator already sends them).
    print(f"{len(statements)} generated statements, profile {profile.version}")

    clock = Clock()
    invalid = 0
    for statement in statements:
        outcome = validate(statement, profile)
        failures = extension_failures(statement, profile.extension_rules)
        failures += semantic_failures(statement, profile, outcome.passed)
        invalid += (not outcome.valid) or bool(failures)
    print(f"templates: {clock.rate(len(statements))}; "
          f"{invalid} with a template/extension violation")

    states = MemoryPatternStates()
    clock = Clock()
    findings = 0
    for i in range(0, len(statements), 100):
        report = check_statements(
            statements[i : i + 100], registry, select=declared_selector(registry),
            mode_for=lambda _: "any-template", states=states,
        )
        report.save(states)
        findings += len(report.findings)
    print(f"batch:     {clock.rate(len(statements))}; "
          f"{findings} violations in total")

    from lrs.domain.credentials import authority_agent, create_credential
    from lrs.domain.statements import service
    from lrs.storage.sqlite.store import SqliteStore

    n = min(len(statements), 5_000)
    for hooked in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            store = SqliteStore(Path(tmp) / "bench.sqlite3")
            credential, _ = create_credential(
                store, "bench", "all", settings={"profile_policy": "flag"}
            )
            authority = authority_agent(credential, "http://localhost/xapi/credentials")
            hooks = [ProfileValidationHook(registry, ProfileSettings())] if hooked else []
            bodies = [json.loads(json.dumps(statements[i : i + 100])) for i in range(0, n, 100)]
            clock = Clock()
            for body in bodies:
                service.store_statements(
                    store, service.StoreRequest(body, credential, "2.0.0", authority, {}, hooks)
                )
            label = "with profile hook" if hooked else "without hooks"
            print(f"ingest {label}: {clock.rate(n)}")
            store.close()


if __name__ == "__main__":
    main()
