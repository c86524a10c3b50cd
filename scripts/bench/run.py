"""The LRS benchmark: TRAX-style use cases over HTTP against a real ``lrs serve``.

For each store size the store is pre-loaded *directly through the service
layer* (``lrs.domain.statements.service.store_statements`` in batches of
1,000: normalisation, index links, activity definitions and outbox rows, but no
HTTP, no request validation and no ingest hooks), cached under ``--cache-dir``
and copied for each run. Then ``lrs serve`` (gunicorn) is started on the copy
and driven from ``requests`` sessions (keep-alive), one per client thread.

Cases: POST of 1 / 10 / 100 / 1000 statements (low and high actor/activity
variety), GET by agent (common and rare), verb (common and rare), activity,
agent+verb+activity, registration, related_agents, related_activities, a
``since`` query followed through its ``more`` links, State document PUT/GET,
plus hooks for the archive summary and unit report once those endpoints exist.
Each reports statements/s (requests/s for documents), p50/p95/p99 latency and
errors; the server's peak RSS (all gunicorn processes, from /proc) is reported
per store size. The floor is the same statements put with plain
``sqlite3.executemany`` into a two-column table without validation.

MongoDB runs through mongomock, in-process (Flask test client, no HTTP server),
at a small size only (``--mongo-size``, default 2,000 statements) and for
correctness: the same statements are preloaded into mongomock and into an
SQLite twin (trainees registered, identity hook, archive projected), the cases
run against both with small budgets, and the answers of eight statement
queries (agent common and rare, verb, activity, agent+verb+activity,
registration, related agents, related activities; 500 per page) are compared
id by id. No projector runs beside these in-process apps, so the projector
catch-up is not timed there (waiting for it only waited out its 600 s limit,
twice: the part never finished). Its timings mean nothing for a real MongoDB.

    python scripts/bench/run.py --quick
    python scripts/bench/run.py --sizes 10000,100000,1000000 --out results.json
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from generate import (  # noqa: E402
    GENERATOR_VERSION,
    CadreTrainingGenerator,
    describe,
)

VERSION = "2.0.0"
PRELOAD_BATCH = 1000
# 2: trainees registered first, identity hook on, learning archive projected.
PRELOAD_VERSION = 2
# LRS_ARCHIVE_PROJECTOR for the server ("" = the product default); set by main().
SERVER_PROJECTOR = ""
PAGE_LIMIT = 100

# ---------------------------------------------------------------------------- measuring


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


@dataclass
class CaseResult:
    name: str
    group: str
    requests: int = 0
    statements: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    note: str = ""
    available: bool = True
    first_error: str = ""
    server_cpu_s: float | None = None  # CPU the server processes used during the case
    follower_cpu_s: float | None = None  # of which the followers (the archive projector)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        return {
            "name": self.name,
            "group": self.group,
            "available": self.available,
            "note": self.note,
            "requests": self.requests,
            "statements": self.statements,
            "errors": self.errors,
            "first_error": self.first_error,
            "seconds": round(self.seconds, 3),
            "statements_per_s": round(self.statements / self.seconds, 1) if self.seconds else None,
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else None,
            "p50_ms": round(percentile(lat, 50), 2) if lat else None,
            "p95_ms": round(percentile(lat, 95), 2) if lat else None,
            "p99_ms": round(percentile(lat, 99), 2) if lat else None,
            "max_ms": round(lat[-1], 2) if lat else None,
            # Server CPU per statement (per request for documents and queries):
            # steadier than rates when other work shares the machine.
            "follower_cpu_ms_per_statement": (
                round(self.follower_cpu_s * 1000 / self.statements, 3)
                if self.follower_cpu_s is not None and self.statements and self.group == "ingest"
                else None
            ),
            "server_cpu_ms_per_statement": (
                round(1000 * self.server_cpu_s / self.statements, 3)
                if self.server_cpu_s is not None and self.statements and self.group == "ingest"
                else None
            ),
            "server_cpu_ms_per_request": (
                round(1000 * self.server_cpu_s / self.requests, 3)
                if self.server_cpu_s is not None and self.requests
                else None
            ),
        }


class Client:
    """What one benchmark thread speaks through: HTTP (requests) or a Flask test client."""

    def __init__(self, base: str | None, auth: str, app=None, ident: int = 0) -> None:
        self.id = ident
        self.cursor: dict[str, int] = {}  # per-case position in this client's own stream
        self.base = base
        self.headers = {"Authorization": auth, "X-Experience-API-Version": VERSION}
        self.session = requests.Session() if base else None
        self.test = app.test_client() if app is not None else None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        hdrs = {**self.headers, **(headers or {})}
        if body is not None:
            hdrs.setdefault("Content-Type", "application/json")
        if self.session is not None:
            r = self.session.request(method, self.base + path, data=body, headers=hdrs,
                                     timeout=120)
            return r.status_code, r.content
        r = self.test.open(path, method=method, data=body, headers=hdrs)
        return r.status_code, r.get_data()


Step = Callable[[Client, int], tuple[int, int, str]]  # -> (requests, statements, error)


def run_case(name: str, group: str, clients: list[Client], step: Step, *, max_requests: int,
             max_seconds: float, note: str = "",
             cpu_probe: Callable[[], float] | None = None,
             follower_probe: Callable[[], float] | None = None) -> CaseResult:
    """Call ``step`` from every client thread until ``max_requests`` or ``max_seconds``."""
    result = CaseResult(name, group, note=note)
    lock = threading.Lock()
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + max_seconds

    def worker(client: Client) -> None:
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            t0 = time.perf_counter()
            try:
                n_req, n_st, error = step(client, index)
            except Exception as exc:  # a broken connection is an error, not a crash
                n_req, n_st, error = 1, 0, f"{type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                result.requests += n_req
                result.statements += n_st
                # one latency per request: paging steps report the mean of their pages
                result.latencies_ms.extend([elapsed / max(1, n_req)] * max(1, n_req))
                if error:
                    result.errors += 1
                    result.first_error = result.first_error or error[:300]

    cpu_before = cpu_probe() if cpu_probe else None
    follower_before = follower_probe() if follower_probe else None
    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - start
    if cpu_probe and cpu_before is not None:
        result.server_cpu_s = cpu_probe() - cpu_before
    if follower_probe and follower_before is not None:
        result.follower_cpu_s = follower_probe() - follower_before
    return result


def is_follower(pid: int) -> bool:
    """Whether ``pid`` is one of `lrs serve`'s followers (archive projector, gateway)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"follow" in fh.read()
    except OSError:
        return False


class RssSampler:
    """Peak resident memory of a process tree (gunicorn master and workers), from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_total_kb = 0
        self.peak_process_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def tree(self) -> list[int]:
        pids = [self.pid]
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.pid:
                pids.append(int(entry))
        return pids

    @staticmethod
    def _status(pid: int, field_name: str) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith(field_name + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def sample(self) -> None:
        pids = self.tree()
        total = sum(self._status(p, "VmRSS") for p in pids)
        self.peak_total_kb = max(self.peak_total_kb, total)
        for p in pids:
            self.peak_process_kb = max(self.peak_process_kb, self._status(p, "VmHWM"))

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self.sample()

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far."""
        return self._cpu(self.tree())

    def follower_cpu_seconds(self) -> float:
        """The same for the follower processes only (the archive projector's share)."""
        return self._cpu([p for p in self.tree() if is_follower(p)])

    @staticmethod
    def _cpu(pids: list[int]) -> float:
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                continue
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> dict[str, float]:
        self.sample()
        self._stop.set()
        return {
            "server_peak_rss_mb": round(self.peak_total_kb / 1024, 1),
            "worker_peak_hwm_mb": round(self.peak_process_kb / 1024, 1),
        }


# ---------------------------------------------------------------------------- the store


def schema_fingerprint() -> str:
    from lrs.storage.sqlite import schema

    return hashlib.sha256(schema.SCHEMA.encode()).hexdigest()[:10]


def world(size: int) -> dict[str, int]:
    """How many trainees, courses and classes a store of ``size`` statements has."""
    return {
        "trainees": max(200, min(100_000, size // 10)),
        "courses": max(50, min(5_000, size // 200)),
        "classes": max(5, min(400, size // 2500)),
    }


def register_trainees(store, gen: CadreTrainingGenerator, keys) -> float:
    """Put the world's trainees in the registry, as units' liaisons do before training.

    One row per account (``lrs trainees import``'s path), unit = department/unit
    code, so statements are attributed at ingest and the archive is per unit.
    """
    from lrs.domain.identity.csv_import import import_rows
    from lrs.domain.identity.roles import Reader

    rows = []
    for t in gen.trainees:
        for site, account in t.accounts:
            rows.append((len(rows) + 2, {
                "agreed_id": t.agreed_id, "name": t.name, "unit": f"{t.department}/{t.unit}",
                "position": t.position, "rank": t.rank,
                "platform_home_page": site.home, "account_name": account,
            }))
    t0 = time.perf_counter()
    report = import_rows(store, keys, Reader("admin", "", None, "bench"), rows, "import")
    if report.refused:
        raise RuntimeError(f"registry import refused rows: {report.refused[:3]}")
    return time.perf_counter() - t0


def preload(store, size: int, seed: int, profile) -> dict[str, Any]:
    """Register the trainees, write ``size`` statements through the service layer with
    the identity hook, project the learning archive; return the query parameters."""
    from lrs.config import Settings
    from lrs.domain.archive.policy_book import load_policy_book
    from lrs.domain.archive.projector import Projector
    from lrs.domain.credentials import authority_agent, create_credential
    from lrs.domain.identity.ingest import identity_hook
    from lrs.domain.identity.keys import IdentityKeys
    from lrs.domain.statements import service

    keys = IdentityKeys(os.environ["LRS_IDENTITY_SECRET"].encode())
    credential, _ = create_credential(store, "bench-preload", "all")
    authority = authority_agent(credential, "http://localhost/xapi/credentials")
    gen = CadreTrainingGenerator(seed=seed, profile=profile, **world(size))
    registry_seconds = register_trainees(store, gen, keys)
    hooks = (identity_hook(keys),)
    t0 = time.perf_counter()
    done = 0
    for batch in gen.batches(size, PRELOAD_BATCH):
        service.store_statements(
            store,
            service.StoreRequest(batch, credential, VERSION, authority, {}, hooks=hooks),
        )
        done += len(batch)
        if done % 100_000 == 0:
            rate = done / (time.perf_counter() - t0)
            print(f"    preloaded {done:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - t0
    # The learning archive, projected in-process (what `lrs archive catch-up` does).
    p0, c0 = time.perf_counter(), time.process_time()
    drained = Projector(store, load_policy_book(Settings.from_env())).drain()
    projection = {
        "events": drained.events,
        "seconds": round(time.perf_counter() - p0, 1),
        "rate": round(size / max(time.perf_counter() - p0, 1e-9), 1),
        "cpu_us_per_statement": round((time.process_time() - c0) * 1e6 / size, 1),
        "outcomes": drained.outcomes,
    }
    print(f"    projected the archive: {projection['rate']:,.0f} st/s, "
          f"{projection['cpu_us_per_statement']:.0f} µs CPU/statement", file=sys.stderr)
    seconds = time.perf_counter() - t0
    agents = gen.agent_counts.most_common()
    verbs = gen.verb_counts.most_common()
    sample = next(s for s in reversed(gen.samples) if s["registration"])
    return {
        "preload_seconds": round(seconds, 1),
        "preload_rate": round(size / seconds, 1),
        "world": describe(gen),
        "agent_common": agents[0][0],
        "agent_common_count": agents[0][1],
        "agent_rare": agents[-1][0],
        "agent_rare_count": agents[-1][1],
        "verb_common": verbs[0][0],
        "verb_common_count": verbs[0][1],
        "verb_rare": verbs[-1][0],
        "verb_rare_count": verbs[-1][1],
        "activity": gen.course_counts.most_common(1)[0][0],
        "theme_class": gen.class_counts.most_common(1)[0][0] if gen.class_counts else "",
        "triple": sample,
        "registration": sample["registration"],
        "registry_seconds": round(registry_seconds, 1),
        "projection": projection,
        **report_targets(gen, keys),
    }


def report_targets(gen: CadreTrainingGenerator, keys) -> dict[str, Any]:
    """What the archive cases ask for: the busiest trainee, unit and province."""
    by_account = {(p.home, name): t for t in gen.trainees for p, name in t.accounts}
    busiest = None
    for agent, _count in gen.agent_counts.most_common():
        account = json.loads(agent).get("account", {})
        busiest = by_account.get((account.get("homePage"), account.get("name")))
        if busiest is not None:
            break
    units = collections.Counter(f"{t.department}/{t.unit}" for t in gen.trainees)
    unit, unit_size = units.most_common(1)[0]
    province = unit.split("/", 1)[0]
    return {
        "archive_trainee": keys.key(busiest.agreed_id) if busiest else "",
        "archive_unit": unit,
        "archive_unit_trainees": unit_size,
        "archive_org": province,
        "archive_org_trainees": sum(n for u, n in units.items() if u.startswith(province + "/")),
        "archive_period": str(gen.year),
    }


def profile_tag(profile) -> str:
    """Which vocabulary the statements follow: the profile file's content, or built-in."""
    from generate import DEFAULT_PROFILE

    path = DEFAULT_PROFILE if profile is True else profile
    if not path or not Path(path).exists():
        return "builtin"
    return "p" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:8]


def _finish_store(path: Path) -> None:
    # No ANALYZE: a production store has no statistics either, and the plans
    # measured must be the plans users get.
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _ensure_aggregates(path: Path) -> None:
    """Count the per-unit aggregates of a store cached before they existed (as ``lrs
    archive rebuild --aggregates-only`` does): a store the product made keeps them from
    its first event, and the projector settles them on every batch."""
    from lrs.config import Settings
    from lrs.domain.archive import aggregates
    from lrs.domain.archive.policy_book import load_policy_book
    from lrs.domain.identity.membership import statement_day
    from lrs.storage.sqlite.store import SqliteStore
    from lrs.timeutil import utcnow

    store = SqliteStore(path)
    try:
        with store.read() as uow:
            if aggregates.ready(uow):
                return
        print("  counting the per-unit aggregates of the cached store", file=sys.stderr,
              flush=True)
        t0 = time.perf_counter()
        book = load_policy_book(Settings.from_env())
        counted = aggregates.rebuild(store, book, statement_day({}, utcnow()))
        print(f"  aggregates counted for {counted:,} trainees in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        store.close()
    _finish_store(path)


def prepare_sqlite(size: int, seed: int, cache_dir: Path, work_dir: Path, profile,
                   rebuild: bool) -> tuple[Path, dict[str, Any]]:
    from lrs.storage.sqlite.store import SqliteStore

    stem = (f"lrs-{size}-s{seed}-g{GENERATOR_VERSION}-p{PRELOAD_VERSION}-"
            f"{profile_tag(profile)}")
    base = cache_dir / f"{stem}.sqlite3"
    meta_path = cache_dir / f"{stem}.json"
    if not rebuild and base.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("schema") != schema_fingerprint():
            # The schema changed since the store was built: opening it applies the
            # new tables and indexes (CREATE … IF NOT EXISTS); dropped ones stay.
            print(f"  migrating the cached {size:,}-statement store to the current schema",
                  file=sys.stderr, flush=True)
            SqliteStore(base).close()
            _finish_store(base)
            meta["schema"] = schema_fingerprint()
            meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    if rebuild or not (base.exists() and meta_path.exists()):
        for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm"), meta_path):
            p.unlink(missing_ok=True)
        print(f"  building the {size:,}-statement store (service layer, batches of "
              f"{PRELOAD_BATCH})", file=sys.stderr, flush=True)
        store = SqliteStore(base)
        meta = preload(store, size, seed, profile)
        store.close()
        _finish_store(base)
        meta["schema"] = schema_fingerprint()
        meta["file_mb"] = round(base.stat().st_size / 2**20, 1)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    else:
        print(f"  reusing the cached {size:,}-statement store {base.name}", file=sys.stderr)
    _ensure_aggregates(base)
    meta = json.loads(meta_path.read_text())
    work = work_dir / f"lrs-{size}.sqlite3"
    for p in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        p.unlink(missing_ok=True)
    shutil.copyfile(base, work)
    return work, meta


# ---------------------------------------------------------------------------- features


def detect_features(database_url: str) -> dict[str, Any]:
    """What is installed right now: ingest hooks, profile, identity, Mongo adapter, reports."""
    from lrs.app import create_app
    from lrs.config import Settings

    features: dict[str, Any] = {}
    settings = Settings.from_env()
    for name in ("lrs.domain.profiles", "lrs.domain.identity", "lrs.storage.mongo.store"):
        features[name] = importlib.util.find_spec(name) is not None
    profile_file = REPO / "profiles" / "cadre-training" / "v1.0.jsonld"
    features["cadre_profile_file"] = profile_file.exists()
    app = create_app(replace(settings, database_url=database_url))
    # Older revisions kept each service under its own "lrs.*" key.
    svc = app.extensions.get("lrs")
    hooks = svc.ingest_hooks if svc else app.extensions.get("lrs.ingest_hooks", [])
    features["ingest_hooks"] = [
        getattr(h, "__qualname__", None) or type(h).__qualname__ for h in hooks
    ]
    features["extensions"] = (
        sorted(vars(svc)) if svc else sorted(k for k in app.extensions if k.startswith("lrs."))
    )
    routes = sorted({r.rule for r in app.url_map.iter_rules()})
    features["routes"] = routes
    registry = svc.profiles if svc else app.extensions.get("lrs.profiles")
    try:
        features["profiles_loaded"] = sorted({p.id for p in registry.profiles()})
    except Exception:  # an older or newer registry: report what we can
        features["profiles_loaded"] = bool(registry)
    settings = svc.settings if svc else app.extensions["lrs.settings"]
    features["profile_policy"] = getattr(settings, "profile_policy", None)
    features["profile_mode"] = getattr(settings, "profile_mode", None)
    features["report_routes"] = [r for r in routes if re.search(r"archive|report|summar", r)]
    (svc.store if svc else app.extensions["lrs.store"]).close()
    try:
        from lrs.storage.factory import open_store

        store = open_store("mongomock://localhost/lrs_bench_probe")
        store.close()
        features["mongo_adapter"] = True
    except Exception as exc:
        features["mongo_adapter"] = False
        features["mongo_adapter_error"] = str(exc)[:200]
    return features


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, data_dir: Path, workers: int, threads: int,
                 log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LRS_DATABASE_URL": database_url,
            "LRS_DATA_DIR": str(data_dir),
            "LRS_LOG_LEVEL": "warning",
        }
        self.env.pop("LRS_ACCESS_LOG", None)
        # The in-process apps of the bench run no projector; the server runs
        # the product default unless --archive-projector names a mode.
        self.env.pop("LRS_ARCHIVE_PROJECTOR", None)
        if SERVER_PROJECTOR:
            self.env["LRS_ARCHIVE_PROJECTOR"] = SERVER_PROJECTOR
        lrs = shutil.which("lrs", path=str(Path(sys.executable).parent)) or "lrs"
        self.lrs = lrs
        self.log = open(log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [lrs, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            env=self.env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lrs serve exited with {self.proc.returncode}; see {log_path}")
            try:
                if requests.get(self.base + "/xapi/about", timeout=2).status_code == 200:
                    self._wait_for_followers()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("lrs serve did not answer within 120 s")

    def _wait_for_followers(self, limit: float = 30.0) -> None:
        """Until the followers have started (their CPU stops growing): a follower still
        importing its modules would charge its start-up to the first case."""
        sampler = RssSampler(self.proc.pid)
        deadline = time.time() + limit
        last = -1.0
        while time.time() < deadline:
            now = sampler.follower_cpu_seconds()
            if now == last and any(is_follower(p) for p in sampler.tree()):
                return
            last = now
            time.sleep(0.5)

    def credential(self) -> str:
        out = subprocess.run(
            [self.lrs, "credentials", "create", "--name", "bench", "--scopes", "all", "--json"],
            env=self.env, check=True, capture_output=True, text=True,
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        return "Basic " + base64.b64encode(f"{data['key']}:{data['secret']}".encode()).decode()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------- cases


@dataclass
class Budget:
    single: int
    batch10: int
    batch100: int
    batch1000: int
    get: int
    pages: int
    docs: int
    seconds: float


FULL = Budget(single=600, batch10=200, batch100=60, batch1000=12, get=300, pages=30, docs=300,
              seconds=20.0)
QUICK = Budget(single=150, batch10=50, batch100=15, batch1000=3, get=60, pages=10, docs=60,
               seconds=4.0)
# mongomock is an in-memory Python imitation: enough requests to check answers.
MONGO = Budget(single=20, batch10=5, batch100=2, batch1000=0, get=10, pages=3, docs=10,
               seconds=3.0)


def ingest_bodies(seed: int, batch: int, requests_n: int, variety: str, profile) -> list[bytes]:
    if variety == "low":
        gen = CadreTrainingGenerator(seed=seed, trainees=20, courses=10, classes=2, profile=profile)
    else:
        gen = CadreTrainingGenerator(seed=seed, trainees=50_000, courses=3_000, classes=200,
                                     profile=profile)
    bodies = []
    for statements in gen.batches(batch * requests_n, batch):
        payload = statements[0] if batch == 1 else statements
        bodies.append(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    return bodies


def post_step(name: str, bodies: list[list[bytes]], batch: int) -> Step:
    """POST the next body of the client's own stream.

    Each client sends its own registrations in order (as one platform would):
    statements of one registration sent by two clients at once could arrive
    out of order and break the profile's patterns.
    """

    def step(client: Client, index: int) -> tuple[int, int, str]:
        position = client.cursor.get(name, 0)
        client.cursor[name] = position + 1
        status, content = client.request("POST", "/xapi/statements",
                                         bodies[client.id % len(bodies)][position])
        if status != 200:
            return 1, 0, f"{status} {content[:200]!r}"
        return 1, batch, ""

    return step


def get_step(query: dict[str, str]) -> Step:
    path = "/xapi/statements?" + urllib.parse.urlencode(query)

    def step(client: Client, index: int) -> tuple[int, int, str]:
        status, content = client.request("GET", path)
        if status != 200:
            return 1, 0, f"{status} {content[:200]!r}"
        return 1, len(json.loads(content)["statements"]), ""

    return step


def report_step(path: str, query: dict[str, str]) -> Step:
    url = f"{path}?{urllib.parse.urlencode(query)}"

    def step(client: Client, index: int) -> tuple[int, int, str]:
        status, content = client.request("GET", url)
        if status != 200:
            return 1, 0, f"{status} {content[:200]!r}"
        return 1, 0, ""

    return step


def paging_step(query: dict[str, str], pages: int) -> Step:
    path = "/xapi/statements?" + urllib.parse.urlencode(query)

    def step(client: Client, index: int) -> tuple[int, int, str]:
        nxt, n_req, n_st = path, 0, 0
        while nxt and n_req < pages:
            status, content = client.request("GET", nxt)
            n_req += 1
            if status != 200:
                return n_req, n_st, f"{status} {content[:200]!r}"
            body = json.loads(content)
            n_st += len(body["statements"])
            nxt = body.get("more") or ""
        return n_req, n_st, ""

    return step


def doc_steps(prefix: str) -> tuple[Step, Step]:
    agent = json.dumps({"objectType": "Agent", "account": {
        "homePage": "https://www.fjgbxy.example.cn", "name": "fj0000001"}})
    activity = "https://www.fjgbxy.example.cn/courses/c00001"

    def path(index: int) -> str:
        return "/xapi/activities/state?" + urllib.parse.urlencode(
            {"activityId": activity, "agent": agent, "stateId": f"{prefix}-{index}"})

    def put(client: Client, index: int) -> tuple[int, int, str]:
        body = json.dumps({"bookmark": f"chapter-{index % 12}", "learned": index % 90}).encode()
        status, content = client.request("PUT", path(index), body,
                                         {"If-None-Match": "*"})
        return (1, 0, "") if status == 204 else (1, 0, f"{status} {content[:200]!r}")

    def get(client: Client, index: int) -> tuple[int, int, str]:
        status, content = client.request("GET", path(index))
        return (1, 0, "") if status == 200 else (1, 0, f"{status} {content[:200]!r}")

    return put, get


def run_cases(clients: list[Client], meta: dict[str, Any], budget: Budget, seed: int, profile,
              features: dict[str, Any], label: str, only: re.Pattern[str] | None,
              include_ingest: bool = True,
              cpu_probe: Callable[[], float] | None = None,
              single_clients: list[Client] | None = None,
              follower_probe: Callable[[], float] | None = None,
              projector_running: bool = True) -> list[CaseResult]:
    """``single_clients``: who sends the one-statement POSTs (``--single-clients``);
    every other case uses ``clients``. ``projector_running``: whether a projector
    works beside the app (a server's follower), so its catch-up can be timed; the
    in-process apps run none, and waiting for one would only wait out the limit."""
    results: list[CaseResult] = []

    def want(name: str) -> bool:
        return only is None or bool(only.search(name))

    def run(name: str, group: str, step: Step, n: int, note: str = "",
            senders: list[Client] | None = None) -> None:
        if not want(name):
            return
        r = run_case(name, group, senders or clients, step, max_requests=n,
                     max_seconds=budget.seconds, note=note, cpu_probe=cpu_probe,
                     follower_probe=follower_probe)
        s = r.summary()
        cpu = s["server_cpu_ms_per_statement"] or s["server_cpu_ms_per_request"]
        cpu_text = f"  cpu {cpu:.2f} ms/{'st' if group == 'ingest' else 'req'}" if cpu else ""
        if s["follower_cpu_ms_per_statement"] is not None:
            cpu_text += f" (follower {s['follower_cpu_ms_per_statement']:.2f})"
        print(f"    {label} {name:28} {s['statements_per_s'] or 0:>10,.1f} st/s  "
              f"p50 {s['p50_ms'] or 0:7.1f}  p95 {s['p95_ms'] or 0:7.1f}  "
              f"p99 {s['p99_ms'] or 0:7.1f} ms  err {r.errors}{cpu_text}", file=sys.stderr,
              flush=True)
        results.append(r)

    if include_ingest:
        plan = [(1, budget.single), (10, budget.batch10), (100, budget.batch100),
                (1000, budget.batch1000)]
        for variety in ("low", "high"):
            for k, (batch, n) in enumerate(plan):
                name = f"post_{batch}_{variety}"
                if not want(name) or n == 0:
                    continue
                senders = (single_clients or clients) if batch == 1 else clients
                streams = [
                    ingest_bodies(seed * 1000 + k * 10 + (variety == "high") + 100 * c, batch, n,
                                  variety, profile)
                    for c in range(len(senders))
                ]
                if projector_running and want(name):
                    # Each case starts with the archive caught up: otherwise the follower
                    # is still projecting the case before it, and a case pays for that.
                    wait_for_projector(clients[0])
                run(name, "ingest", post_step(name, streams, batch), n,
                    f"{batch} statement(s) per POST, {variety} actor/activity variety, "
                    f"{len(senders)} client(s)", senders)
                if projector_running and results and results[-1].name == name:
                    lag = projector_status(clients[0])
                    results[-1].note += (f"; projector {lag.get('pendingEvents')} events "
                                         f"behind ({lag.get('lagSeconds')} s) at the end")

    if projector_running and include_ingest and any(r.group == "ingest" for r in results):
        results.append(catch_up(clients[0]))

    limit = str(PAGE_LIMIT)
    t = meta["triple"]
    queries = [
        ("get_agent_common", {"agent": meta["agent_common"]},
         f"most active trainee ({meta['agent_common_count']} statements in preload)"),
        ("get_agent_rare", {"agent": meta["agent_rare"]},
         f"least active trainee ({meta['agent_rare_count']} statements)"),
        ("get_verb_common", {"verb": meta["verb_common"]},
         f"{meta['verb_common'].rsplit('/', 1)[-1]} ({meta['verb_common_count']} statements)"),
        ("get_verb_rare", {"verb": meta["verb_rare"]},
         f"{meta['verb_rare'].rsplit('/', 1)[-1]} ({meta['verb_rare_count']} statements)"),
        ("get_activity", {"activity": meta["activity"]}, "most used course"),
        ("get_agent_verb_activity", {"agent": t["agent"], "verb": t["verb"],
                                     "activity": t["activity"]}, "one trainee, verb, course"),
        ("get_registration", {"registration": meta["registration"]}, "one course enrolment"),
        ("get_related_agents", {"agent": meta["agent_common"], "related_agents": "true"},
         "most active trainee, related_agents=true"),
        ("get_related_activities", {"activity": meta["theme_class"] or meta["activity"],
                                    "related_activities": "true"},
         "a theme class (in contextActivities.grouping), related_activities=true"),
        ("get_verb_common_page500", {"verb": meta["verb_common"], "limit": "500"},
         "common verb, 500 statements a page"),
    ]
    for name, query, note in queries:
        query = {**query, "limit": query.get("limit", limit)}
        run(name, "query", get_step(query), budget.get, note)
    run("get_since_paging", "query",
        paging_step({"since": "2000-01-01T00:00:00Z", "limit": limit}, budget.pages),
        3, f"since (all statements), following `more` for up to {budget.pages} pages")

    put, get = doc_steps(f"bench-{label}-{int(time.time())}")
    run("state_put", "documents", put, budget.docs, "State document PUT (new stateId each)")
    run("state_get", "documents", get, budget.docs, "State document GET")

    period = meta.get("archive_period", "")
    reports = [
        ("archive_trainee", f"/xapi/archives/trainees/{meta.get('archive_trainee', '')}",
         {"period": period}, "the busiest trainee's archive for the year (course and class "
         "archives, totals, targets)"),
        ("unit_report", f"/xapi/archives/units/{meta.get('archive_unit', '')}/report",
         {"period": period}, f"the largest unit ({meta.get('archive_unit_trainees')} "
         "trainees): per-trainee totals and targets"),
        ("archive_summary", "/xapi/archives/summary", {"org": meta.get("archive_org", ""),
         "period": period}, f"a province ({meta.get('archive_org_trainees')} trainees): "
         "merged totals per city department and platform"),
    ]
    for name, path, query, note in reports:
        if not meta.get("archive_trainee"):
            if want(name):
                results.append(CaseResult(name, "reports", available=False,
                                          note="store preloaded without the archive"))
            continue
        run(name, "reports", report_step(path, query), budget.get, note)
    return results


def projector_status(client: Client) -> dict[str, Any]:
    """``/xapi/archives/status``: pendingEvents, lagSeconds (empty if unavailable)."""
    code, content = client.request("GET", "/xapi/archives/status")
    return json.loads(content) if code == 200 else {}


def wait_for_projector(client: Client, limit: float = 600.0) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """Poll the status every 0.25 s until nothing is pending (or ``limit`` seconds);
    the first status and the last."""
    first = last = projector_status(client)
    start = time.perf_counter()
    while last.get("pendingEvents", 0) and time.perf_counter() - start < limit:
        time.sleep(0.25)
        last = projector_status(client)
    return first, last


def catch_up(client: Client, limit: float = 600.0) -> CaseResult:
    """The archive projector's lag when the ingest cases end, and how long it takes to
    catch up (``/xapi/archives/status`` polled every 0.25 s)."""
    result = CaseResult("projector_catch_up", "archive")
    start = time.perf_counter()
    first, last = wait_for_projector(client, limit)
    result.seconds = time.perf_counter() - start
    result.note = (f"pending {first.get('pendingEvents')} events, oldest "
                   f"{first.get('lagSeconds')} s old when ingest ended; caught up in "
                   f"{result.seconds:.1f} s" + ("" if not last.get("pendingEvents") else
                                                f" (still {last['pendingEvents']} pending)"))
    result.statements = int(first.get("pendingEvents") or 0)
    print(f"    projector: {result.note}", file=sys.stderr, flush=True)
    return result


# ---------------------------------------------------------------------------- the floor


def floor(seed: int, work_dir: Path, profile, budget: Budget) -> list[dict[str, Any]]:
    """Plain ``sqlite3.executemany`` of the same statements, one transaction per batch."""
    out = []
    path = work_dir / "floor.sqlite3"
    for batch, n in ((1, budget.single), (10, budget.batch10), (100, budget.batch100),
                     (1000, budget.batch1000)):
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        gen = CadreTrainingGenerator(seed=seed + batch, trainees=50_000, courses=3_000,
                                     classes=200, profile=profile)
        rows = [
            [(s["id"], json.dumps(s, ensure_ascii=False, separators=(",", ":")))
             for s in batch_]
            for batch_ in gen.batches(batch * n, batch)
        ]
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE s (id TEXT PRIMARY KEY, payload TEXT NOT NULL)")
        t0 = time.perf_counter()
        for chunk in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO s (id, payload) VALUES (?, ?)", chunk)
            conn.execute("COMMIT")
        seconds = time.perf_counter() - t0
        conn.close()
        out.append({"batch": batch, "statements": batch * n,
                    "statements_per_s": round(batch * n / seconds, 1)})
        print(f"    floor batch {batch:>4}: {batch * n / seconds:,.0f} st/s", file=sys.stderr)
    return out


# ---------------------------------------------------------------------------- in-process runs


def service_ingest(store, seed: int, profile, hooks, batch: int = 100,
                   n: int = 20) -> dict[str, Any]:
    """Validation + service layer, no HTTP: where the time goes besides the web stack."""
    from lrs.domain.credentials import authority_agent, create_credential
    from lrs.domain.statements import service
    from lrs.domain.statements.validation import validate_statements

    credential, _ = create_credential(store, f"bench-svc-{seed}", "all")
    authority = authority_agent(credential, "http://localhost/xapi/credentials")
    bodies = ingest_bodies(seed, batch, n, "high", profile)
    t0 = time.perf_counter()
    for body in bodies:
        statements = validate_statements(json.loads(body), VERSION)
        service.store_statements(store, service.StoreRequest(
            statements, credential, VERSION, authority, {}, hooks=hooks))
    seconds = time.perf_counter() - t0
    return {"batch": batch, "statements": batch * n,
            "statements_per_s": round(batch * n / seconds, 1)}


def mongo_run(size: int, seed: int, profile, budget: Budget, work_dir: Path,
              only) -> dict[str, Any]:
    """mongomock, in-process; answers compared with SQLite's on the same statements."""
    from lrs.app import create_app
    from lrs.config import Settings
    from lrs.domain.credentials import create_credential
    from lrs.storage.factory import open_store
    from lrs.storage.sqlite.store import SqliteStore

    stores = {
        "mongomock": open_store(f"mongomock://localhost/lrs_bench_{os.getpid()}"),
        "sqlite": SqliteStore(work_dir / f"mongo-twin-{size}.sqlite3"),
    }
    out: dict[str, Any] = {"size": size, "mode": "in-process Flask test client, one thread"}
    answers: dict[str, dict[str, list[str]]] = {}
    for name, store in stores.items():
        meta = preload(store, size, seed, profile)
        app = create_app(replace(Settings.from_env(), database_url="sqlite:///unused",
                                 data_dir=work_dir), store=store)
        credential, secret = create_credential(store, "bench-mongo", "all")
        auth = "Basic " + base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
        client = Client(None, auth, app=app)
        t0 = time.perf_counter()
        results = run_cases([client], meta, budget, seed, profile, {}, name, only,
                            projector_running=False)
        out[name] = {
            "preload_rate": meta["preload_rate"],
            "cases": [r.summary() for r in results],
            "seconds": round(time.perf_counter() - t0, 1),
        }
        answers[name] = {}
        for case, query in (
            ("agent", {"agent": meta["agent_common"]}),
            ("agent_rare", {"agent": meta["agent_rare"]}),
            ("verb", {"verb": meta["verb_rare"]}),
            ("activity", {"activity": meta["activity"]}),
            ("triple", {k: meta["triple"][k] for k in ("agent", "verb", "activity")}),
            ("registration", {"registration": meta["registration"]}),
            ("related_agents", {"agent": meta["agent_common"], "related_agents": "true"}),
            ("related_activities", {"activity": meta["theme_class"] or meta["activity"],
                                    "related_activities": "true"}),
        ):
            status, content = client.request(
                "GET", "/xapi/statements?" + urllib.parse.urlencode({**query, "limit": "500"}))
            ids = [s["id"] for s in json.loads(content)["statements"]] if status == 200 else []
            answers[name][case] = ids
        store.close()
    agree = {case: answers["mongomock"][case] == answers["sqlite"][case]
             for case in answers["sqlite"]}
    out["answers_agree_with_sqlite"] = agree
    out["differences"] = {
        case: {
            "sqlite": len(answers["sqlite"][case]),
            "mongomock": len(answers["mongomock"][case]),
            "same_set": set(answers["sqlite"][case]) == set(answers["mongomock"][case]),
            "only_sqlite": sorted(set(answers["sqlite"][case])
                                  - set(answers["mongomock"][case]))[:5],
            "only_mongomock": sorted(set(answers["mongomock"][case])
                                     - set(answers["sqlite"][case]))[:5],
        }
        for case, same in agree.items() if not same
    }
    out["answer_sizes"] = {case: len(ids) for case, ids in answers["sqlite"].items()}
    return out


# ---------------------------------------------------------------------------- reporting


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(report: dict[str, Any]) -> str:
    f = report["features"]
    lines: list[str] = [
        f"Active: ingest hooks {', '.join(f['ingest_hooks']) or 'none'}; profiles "
        f"{f.get('profiles_loaded') or 'none'} (policy {f.get('profile_policy')}, mode "
        f"{f.get('profile_mode')}); MongoDB adapter {'yes' if f['mongo_adapter'] else 'no'}; "
        f"report routes {', '.join(f['report_routes']) or 'none'}. Client threads "
        f"{report['settings']['concurrency']}, gunicorn {report['settings']['workers']} workers x "
        f"{report['settings']['threads']} threads. Load average at start "
        f"{report['machine']['loadavg_at_start']}.",
        "",
    ]
    runs = report["sqlite"]
    sizes = [r["size"] for r in runs]
    names: list[str] = []
    for r in runs:
        for c in r["cases"]:
            if c["name"] not in names:
                names.append(c["name"])
    header = "| case | " + " | ".join(
        f"{s:,}: st/s | p50 | p95 | p99 ms" for s in sizes) + " |"
    lines.append(header)
    lines.append("|---|" + "---|---|---|---|" * len(sizes))
    for name in names:
        cells = []
        for r in runs:
            c = next((c for c in r["cases"] if c["name"] == name), None)
            if c is None:
                cells.append("– | – | – | –")
            elif not c["available"]:
                cells.append(f"{c['note']} | | |")
            else:
                rate = c["statements_per_s"] if c["group"] != "documents" else c["requests_per_s"]
                err = f" ({c['errors']} err)" if c["errors"] else ""
                unit = "" if c["group"] != "documents" else " req/s"
                cells.append(f"{fmt(rate)}{unit}{err} | {fmt(c['p50_ms'])} | {fmt(c['p95_ms'])} "
                             f"| {fmt(c['p99_ms'])}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    ingest = [n for n in names if n.startswith("post_")]
    if ingest:
        lines.append("Server CPU per statement (ms, all gunicorn processes) by ingest case:")
        lines.append("")
        lines.append("| case | " + " | ".join(f"{s:,}" for s in sizes) + " |")
        lines.append("|---|" + "---|" * len(sizes))
        for name in ingest:
            cells = []
            for r in runs:
                c = next((c for c in r["cases"] if c["name"] == name), None)
                cells.append(fmt(c.get("server_cpu_ms_per_statement"), 2) if c else "–")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append("| store size | preload (service layer) | file | server peak RSS (all "
                 "processes) | largest process peak |")
    lines.append("|---|---|---|---|---|")
    for r in runs:
        mem = r["memory"]
        lines.append(f"| {r['size']:,} | {fmt(r['meta'].get('preload_rate'))} st/s "
                     f"| {fmt(r['meta'].get('file_mb'))} MB | {fmt(mem['server_peak_rss_mb'])}"
                     f" MB | {fmt(mem['worker_peak_hwm_mb'])} MB |")
    if report.get("floor"):
        lines.append("")
        lines.append("| batch | floor: plain executemany st/s | LRS POST st/s (high variety, "
                     "largest store) | fraction of floor |")
        lines.append("|---|---|---|---|")
        last = runs[-1]["cases"] if runs else []
        for f in report["floor"]:
            c = next((c for c in last if c["name"] == f"post_{f['batch']}_high"), None)
            ours = c["statements_per_s"] if c else None
            frac = f"{ours / f['statements_per_s']:.1%}" if ours else "–"
            lines.append(f"| {f['batch']} | {fmt(f['statements_per_s'])} | {fmt(ours)} | {frac} |")
    if report.get("service_ingest"):
        s = report["service_ingest"]
        lines.append("")
        lines.append(f"Service layer without HTTP (validation + store_statements + hooks, batches "
                     f"of {s['batch']}): {fmt(s['statements_per_s'])} st/s.")
    mongo = report.get("mongo")
    if mongo:
        lines.append("")
        if "skipped" in mongo:
            lines.append(f"MongoDB (mongomock): skipped — {mongo['skipped']}")
        else:
            agree = mongo["answers_agree_with_sqlite"]
            lines.append(f"MongoDB via mongomock ({mongo['size']:,} statements, {mongo['mode']}; "
                         "correctness only): answers agree with SQLite on "
                         f"{sum(agree.values())}/{len(agree)} queries"
                         + ("" if all(agree.values()) else
                            f" (differ: {', '.join(k for k, v in agree.items() if not v)})"))
            lines.append("")
            lines.append("| case | mongomock st/s | p95 ms | sqlite in-process st/s | p95 ms |")
            lines.append("|---|---|---|---|---|")

            def rate(c: dict[str, Any]) -> str:
                if c.get("group") == "documents":
                    return f"{fmt(c.get('requests_per_s'))} req/s"
                return fmt(c.get("statements_per_s"))

            for c in mongo["mongomock"]["cases"]:
                if not c["available"]:
                    continue
                s = next((x for x in mongo["sqlite"]["cases"] if x["name"] == c["name"]), {})
                err = f" ({c['errors']} err)" if c["errors"] else ""
                lines.append(f"| {c['name']} | {rate(c)}{err} | {fmt(c['p95_ms'])} "
                             f"| {rate(s)} | {fmt(s.get('p95_ms'))} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="LRS benchmark (see module docstring)")
    parser.add_argument("--quick", action="store_true", help="10k store, small budgets (<2 min)")
    parser.add_argument("--sizes", default=None, help="store sizes, default 10000,100000")
    parser.add_argument("--backends", default="sqlite,mongomock")
    parser.add_argument("--mongo-size", type=int, default=None,
                        help="statements for the mongomock run (default 2000, quick 300)")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument("--single-clients", type=int, default=None,
                        help="client threads for the one-statement POSTs (default: --concurrency)")
    parser.add_argument("--single-requests", type=int, default=None,
                        help="requests per one-statement POST case (default 600, quick 150)")
    parser.add_argument("--ingest-scale", type=int, default=1,
                        help="multiply the requests (and time limit) of the batch POST cases "
                             "(default 60 of 100 and 12 of 1,000: one WAL checkpoint can "
                             "decide such a case)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", default=None, help="regex: only cases whose name matches")
    parser.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "lrs-bench"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached stores")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--no-profile", action="store_true",
                        help="generate with the built-in vocabulary even if the profile exists")
    parser.add_argument("--out", default=None, help="results JSON (default under cache dir)")
    parser.add_argument("--archive-projector", default="",
                        help="LRS_ARCHIVE_PROJECTOR for the server (default: the product's)")
    parser.add_argument("--profile-policy", default="enforce",
                        help="LRS_PROFILE_POLICY for the server (enforce, flag, off)")
    args = parser.parse_args(argv)
    # The server and the in-process runs read these; the bench sets them so the
    # profile hook checks every declared statement and refuses what breaks it.
    os.environ["LRS_PROFILE_POLICY"] = args.profile_policy
    os.environ.setdefault("LRS_IDENTITY_SECRET", "bench-identity-secret-0123456789abcdef")
    global SERVER_PROJECTOR
    SERVER_PROJECTOR = args.archive_projector
    # In-process apps (feature detection, the service-layer and mongomock runs)
    # project nothing in the background; the preload drains the archive itself.
    os.environ["LRS_ARCHIVE_PROJECTOR"] = "off"

    budget = QUICK if args.quick else FULL
    if args.single_requests:
        budget = replace(budget, single=args.single_requests)
    if args.ingest_scale > 1:
        budget = replace(budget, batch10=budget.batch10 * args.ingest_scale,
                         batch100=budget.batch100 * args.ingest_scale,
                         batch1000=budget.batch1000 * args.ingest_scale,
                         seconds=budget.seconds * args.ingest_scale)
    sizes = [int(s) for s in (args.sizes or ("10000" if args.quick else "10000,100000"))
             .split(",")]
    backends = args.backends.split(",")
    only = re.compile(args.cases) if args.cases else None
    profile: Any = not args.no_profile
    cache_dir = Path(args.cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="run-", dir=cache_dir))
    started = time.time()

    import gunicorn

    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": _cpu_model(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "flask": importlib.metadata.version("flask"),
            "gunicorn": gunicorn.__version__,
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
            "kernel": platform.release(),
        },
        "settings": {
            "quick": args.quick,
            "concurrency": args.concurrency,
            "single_clients": args.single_clients or args.concurrency,
            "workers": args.workers or int(os.environ.get("LRS_WORKERS", "2")),
            "threads": args.threads or int(os.environ.get("LRS_THREADS", "4")),
            "xapi_version": VERSION,
            "page_limit": PAGE_LIMIT,
            "budget": budget.__dict__,
            "seed": args.seed,
            "archive_projector": args.archive_projector or "default",
            "preload": "trainees registered (registry import), then the service layer "
                       "(store_statements, batches of 1000, identity hook; no HTTP, no "
                       "request validation, no profile hook), then the archive projected",
        },
        "sqlite": [],
    }
    probe_url = f"sqlite:///{work_dir / 'probe.sqlite3'}"
    report["features"] = detect_features(probe_url)
    f = report["features"]
    print(f"features: ingest hooks {f['ingest_hooks'] or 'none'}; profiles "
          f"{f.get('profiles_loaded')} (policy {f.get('profile_policy')}); mongo adapter "
          f"{f['mongo_adapter']}; report routes {f['report_routes'] or 'none'}", file=sys.stderr)

    if "sqlite" in backends:
        for size in sizes:
            print(f"== SQLite, {size:,} statements", file=sys.stderr, flush=True)
            path, meta = prepare_sqlite(size, args.seed, cache_dir, work_dir, profile,
                                        args.rebuild)
            server = Server(f"sqlite:///{path}", work_dir, args.workers or 0, args.threads or 0,
                            work_dir / "server.log")
            try:
                auth = server.credential()
                sampler = RssSampler(server.proc.pid).start()
                clients = [Client(server.base, auth, ident=c) for c in range(args.concurrency)]
                singles = [Client(server.base, auth, ident=c)
                           for c in range(args.single_clients or args.concurrency)]
                results = run_cases(clients, meta, budget, args.seed + size, profile, f,
                                    f"{size // 1000}k", only, cpu_probe=sampler.cpu_seconds,
                                    single_clients=singles,
                                    follower_probe=sampler.follower_cpu_seconds)
                memory = sampler.stop()
            finally:
                server.stop()
            load = os.getloadavg()
            report["sqlite"].append({"size": size, "meta": meta, "memory": memory,
                                     "loadavg_after": [round(x, 2) for x in load],
                                     "cases": [r.summary() for r in results]})
            path.unlink(missing_ok=True)
        if not args.no_floor:
            print("== floor (plain sqlite3.executemany)", file=sys.stderr)
            report["floor"] = floor(args.seed + 7, work_dir, profile, budget)
        from lrs.app import create_app
        from lrs.config import Settings
        from lrs.services import services
        from lrs.storage.sqlite.store import SqliteStore

        svc_store = SqliteStore(work_dir / "service.sqlite3")
        app = create_app(replace(Settings.from_env(), database_url="sqlite:///unused",
                                 data_dir=work_dir), store=svc_store)
        report["service_ingest"] = service_ingest(
            svc_store, args.seed + 11, profile, services(app).ingest_hooks)
        svc_store.close()

    if "mongomock" in backends:
        if not f["mongo_adapter"]:
            report["mongo"] = {"skipped": "no MongoDB adapter installed ("
                               + f.get("mongo_adapter_error", "") + ")"}
        else:
            size = args.mongo_size or (300 if args.quick else 2000)
            print(f"== MongoDB via mongomock, {size:,} statements (in-process)", file=sys.stderr)
            report["mongo"] = mongo_run(size, args.seed, profile, MONGO, work_dir, only)

    report["seconds"] = round(time.time() - started, 1)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else cache_dir / f"results-{stamp}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(markdown(report))
    print(f"\nresults: {out}  ({report['seconds']} s)", file=sys.stderr)
    shutil.rmtree(work_dir, ignore_errors=True)
    return 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
