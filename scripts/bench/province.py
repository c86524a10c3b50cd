"""Province-scale reports: summaries and unit reports at 500,000 trainees over HTTP.

Generates (once, cached under ``--cache-dir``) a province of ``--departments`` ×
``--cities`` × ``--units`` units with ``--trainees`` trainees each (defaults: 5 × 20
× 50 × 100 = 500,000 trainees), written through the storage port: the trainee
registry and the learning archive's derived rows (``--courses`` credited course
rows per trainee in 2024, spread over three platforms, a few trainees moved
between two units of a city with rows in both). No statements: reports read the
registry and the archive, never statements. Then ``lrs archive rebuild
--aggregates-only``'s function builds the per-unit aggregates, timed.

A real ``lrs serve`` (``--workers`` × ``--threads``) is started on a copy, and one
client measures, each ``--requests`` times: the province summary, a city's summary
(random cities), a unit's report (random units, ≈100 trainees). Server memory (all
processes, VmRSS from /proc) is sampled before and after. Each case also runs
its plain-SQLite floor in the same run: the SQL the answer needs, through
``sqlite3`` on the same file, without HTTP, Python views or authorisation.
``--compare-rows`` adds the summary the way it was computed before the
aggregates (every trainee's rows, in process) for one city and one department.

    python scripts/bench/province.py                      # 500,000 trainees
    python scripts/bench/province.py --departments 1 --cities 4 --units 10  # quick
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from run import RssSampler, Server, percentile  # noqa: E402

from lrs.storage.port import ArchiveRow, Trainee  # noqa: E402

PROVINCE = "sx"
PERIOD = "2024"
PLATFORMS = ("inst-a", "inst-b", "inst-c")
GENERATOR_VERSION = 2  # 2: spread units in their own table


def unit_path(d: int, c: int, u: int) -> str:
    return f"{PROVINCE}/d{d}/c{c:02d}/u{u:03d}"


def trainee_key(n: int) -> str:
    return hashlib.sha256(f"province-bench-{n}".encode()).hexdigest()


def generate(path: Path, shape: tuple[int, int, int, int], courses: int) -> dict[str, Any]:
    from lrs.config import Settings
    from lrs.domain.archive import aggregates
    from lrs.domain.archive.policy_book import load_policy_book
    from lrs.storage.sqlite.store import SqliteStore

    departments, cities, units, per_unit = shape
    rng = random.Random(7)
    store = SqliteStore(path)
    started = time.perf_counter()
    n = 0
    for d in range(departments):
        for c in range(cities):
            with store.transaction() as uow:
                for u in range(units):
                    unit = unit_path(d, c, u)
                    for _ in range(per_unit):
                        key = trainee_key(n)
                        # One in 200 moved here this year from the city's first unit.
                        moved = u > 0 and n % 200 == 0
                        uow.trainees.save(Trainee(key=key, masked_id="4401**********1234",
                                                  name=f"学员{n}", unit=unit))
                        for i in range(courses):
                            earned = unit_path(d, c, 0) if moved and i == 0 else unit
                            hours = rng.choice(("0.5", "1", "1.5", "2"))
                            required = i % 2 == 0
                            uow.archive.save_row(ArchiveRow(
                                kind="course", trainee_key=key, period_key=PERIOD,
                                activity_id=f"https://courses.example.cn/c/{rng.randrange(400)}-{i}",
                                unit=earned, institution=PLATFORMS[rng.randrange(3)],
                                org=f"{PROVINCE}/platforms/{PLATFORMS[0]}",
                                data={"credited": True, "completed": True,
                                      "requirement": "required" if required else "elective",
                                      "creditHours": hours,
                                      "credits": hours if required else str(float(hours) / 2)},
                            ))
                        n += 1
            print(f"\r  generated {n:,} trainees", end="", file=sys.stderr, flush=True)
    written = time.perf_counter() - started
    print(file=sys.stderr)
    book = load_policy_book(Settings())
    started = time.perf_counter()
    aggregates.rebuild(store, book, date(2024, 12, 31))
    rebuilt = time.perf_counter() - started
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"trainees": n, "rows": n * courses, "generate_s": round(written, 1),
            "aggregates_rebuild_s": round(rebuilt, 1),
            "file_mb": round(path.stat().st_size / 2**20, 1)}


def prepare(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Any]]:
    shape = (args.departments, args.cities, args.units, args.trainees)
    stem = f"province-{'x'.join(map(str, shape))}-c{args.courses}-g{GENERATOR_VERSION}"
    base, meta_path = args.cache_dir / f"{stem}.sqlite3", args.cache_dir / f"{stem}.json"
    if args.rebuild or not (base.exists() and meta_path.exists()):
        args.cache_dir.mkdir(parents=True, exist_ok=True)
        for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm"), meta_path):
            p.unlink(missing_ok=True)
        meta = generate(base, shape, args.courses)
        meta_path.write_text(json.dumps(meta, indent=1))
    meta = json.loads(meta_path.read_text())
    (work / "data").mkdir()
    copy = work / "data" / "lrs.sqlite3"
    shutil.copyfile(base, copy)
    return copy, meta


def timed(fn, n: int) -> dict[str, float]:
    fn()  # warm: the first call pays for cold pages and caches, not for the query
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(percentile(latencies, 95), 2),
            "max_ms": round(latencies[-1], 2)}


def floors(path: Path, city: str, unit: str) -> dict[str, Any]:
    """The SQL each answer needs, through plain sqlite3 (no HTTP, no views, no auth)."""
    conn = sqlite3.connect(path)

    def subtree(table: str, scope: str) -> None:
        conn.execute(f"SELECT * FROM {table} WHERE period_key = ? AND (unit = ? OR "
                     "(unit >= ? AND unit < ?))", [PERIOD, scope, scope + "/", scope + "0"]
                     ).fetchall()

    def summary(scope: str) -> None:
        subtree("archive_agg_totals", scope)
        subtree("archive_agg_counts", scope)
        conn.execute("SELECT * FROM archive_agg_members WHERE unit = ? OR (unit >= ? AND "
                     "unit < ?)", [scope, scope + "/", scope + "0"]).fetchall()

    def report() -> None:
        keys = [k for (k,) in conn.execute("SELECT key FROM trainees WHERE unit = ?", [unit])]
        conn.execute(f"SELECT * FROM archive_rows WHERE period_key = ? AND trainee_key IN "
                     f"({','.join('?' * len(keys))})", [PERIOD, *keys]).fetchall()

    found = {"province": timed(lambda: summary(PROVINCE), 20),
             "city": timed(lambda: summary(city), 50),
             "unit": timed(report, 50)}
    conn.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=5)
    parser.add_argument("--cities", type=int, default=20)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--trainees", type=int, default=100, help="per unit")
    parser.add_argument("--courses", type=int, default=3, help="course rows per trainee")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cache-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "lrs-bench")
    parser.add_argument("--rebuild", action="store_true", help="generate the province again")
    parser.add_argument("--compare-rows", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="lrs-province-"))
    try:
        path, meta = prepare(args, work)
        print(f"  province: {json.dumps(meta)}", file=sys.stderr)
        city = f"{PROVINCE}/d0/c00"
        report: dict[str, Any] = {"store": meta, "floor": floors(path, city, unit_path(0, 0, 1))}
        server = Server(f"sqlite:///{path}", path.parent, args.workers, args.threads,
                        work / "server.log")
        try:
            session = requests.Session()
            session.headers.update({"Authorization": server.credential(),
                                    "X-Experience-API-Version": "2.0.0"})
            rss = RssSampler(server.proc.pid)

            def resident_mb() -> float:
                return round(sum(rss._status(p, "VmRSS") for p in rss.tree()) / 1024, 1)

            def get(url: str) -> None:
                res = session.get(server.base + url, timeout=120)
                assert res.status_code == 200, (url, res.status_code, res.text[:300])

            cities = [f"{PROVINCE}/d{d}/c{c:02d}" for d in range(args.departments)
                      for c in range(args.cities)]
            units = [unit_path(d, c, u) for d in range(args.departments)
                     for c in range(args.cities) for u in range(args.units)]
            for _ in range(2 * args.workers):  # every worker has answered each kind once
                get(f"/xapi/archives/summary?org={PROVINCE}&period={PERIOD}")
                get(f"/xapi/archives/units/{units[0]}/report?period={PERIOD}")
            before = resident_mb()
            report["http"] = {
                "province": timed(lambda: get(f"/xapi/archives/summary?org={PROVINCE}"
                                              f"&period={PERIOD}"), args.requests),
                "city": timed(lambda: get(f"/xapi/archives/summary?org={rng.choice(cities)}"
                                          f"&period={PERIOD}"), args.requests),
                "unit": timed(lambda: get(f"/xapi/archives/units/{rng.choice(units)}/report"
                                          f"?period={PERIOD}"), args.requests),
            }
            report["server_rss_mb"] = {"before": before, "after": resident_mb()}
        finally:
            server.stop()
        for case, figures in report["http"].items():
            figures["floor_ratio_p95"] = round(
                figures["p95_ms"] / max(report["floor"][case]["p95_ms"], 0.001), 1)
        if args.compare_rows:
            report["rows_path"] = compare_rows(path, city, f"{PROVINCE}/d0")
        print(json.dumps(report, indent=1))
        if args.out:
            args.out.write_text(json.dumps(report, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def compare_rows(path: Path, city: str, department: str) -> dict[str, Any]:
    """The summary as computed before the aggregates: every trainee's rows, in process."""
    import resource

    from lrs.config import Settings
    from lrs.domain.archive.policy_book import load_policy_book, resolve_period
    from lrs.domain.archive.reports.scope import UnitPolicies
    from lrs.domain.archive.reports.summary_rows import summary_from_rows
    from lrs.storage.sqlite.store import SqliteStore

    book = load_policy_book(Settings())
    store = SqliteStore(path)
    found = {}
    try:
        for name, org in (("city", city), ("department", department)):
            policy, period = resolve_period(book, org, PERIOD, date(2024, 12, 31))
            policies = UnitPolicies(book, period.key, date(2024, 12, 31), policy)
            started = time.perf_counter()
            with store.read() as uow:
                summary_from_rows(uow, org, period.key, policies)
            found[name] = {"seconds": round(time.perf_counter() - started, 2),
                           "peak_rss_mb": round(
                               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    finally:
        store.close()
    return found


if __name__ == "__main__":
    sys.exit(main())
