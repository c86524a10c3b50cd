"""The embedded store's gateway tables: jobs (config, checkpoint) and dead letters.

Applied with the main schema like the archive's (``CREATE … IF NOT EXISTS``), so an
existing data file gains the tables on its next start.
"""

from __future__ import annotations

from typing import Any

import orjson

from lrs import compactjson
from lrs.storage.port.gateway import DeadLetter, GatewayJob, GatewayRepository
from lrs.storage.sqlite.common import SqliteRepository, org_filter
from lrs.timeutil import format_timestamp, parse_stored, utcnow

GATEWAY_SCHEMA = """
CREATE TABLE IF NOT EXISTS gateway_jobs (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    config TEXT NOT NULL,
    state TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gateway_dead_letters (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    job TEXT NOT NULL,
    item TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    org TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gateway_dead_letters_job ON gateway_dead_letters (job, status, n);
"""

_LETTER_COLUMNS = "id, job, item, reason, payload, org, status, attempts, created, updated"


def _job(row: tuple[Any, ...]) -> GatewayJob:
    name, kind, org, config, state, paused, created, updated = row
    return GatewayJob(
        name, kind, org, orjson.loads(config), orjson.loads(state), bool(paused),
        parse_stored(created), parse_stored(updated),
    )


def _letter(row: tuple[Any, ...]) -> DeadLetter:
    lid, job, item, reason, payload, org, status, attempts, created, updated = row
    return DeadLetter(
        lid, job, item, reason, orjson.loads(payload), org, status, attempts,
        parse_stored(created), parse_stored(updated),
    )


class SqliteGateway(SqliteRepository, GatewayRepository):
    def get_job(self, name: str) -> GatewayJob | None:
        row = self._conn.execute(
            "SELECT name, kind, org, config, state, paused, created, updated "
            "FROM gateway_jobs WHERE name = ?", (name,),
        ).fetchone()
        return _job(row) if row else None

    def save_job(self, job: GatewayJob) -> None:
        now = format_timestamp(utcnow())
        self._conn.execute(
            "INSERT INTO gateway_jobs (name, kind, org, config, state, paused, created, updated)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " kind = excluded.kind, org = excluded.org, config = excluded.config,"
            " state = excluded.state, paused = excluded.paused, updated = excluded.updated",
            (job.name, job.kind, job.org, compactjson.dumps(job.config),
             compactjson.dumps(job.state), int(job.paused),
             format_timestamp(job.created) if job.created else now, now),
        )

    def list_jobs(self, org_scope: str | None = None) -> list[GatewayJob]:
        clause, params = org_filter("org", org_scope)
        rows = self._conn.execute(
            "SELECT name, kind, org, config, state, paused, created, updated "
            f"FROM gateway_jobs WHERE 1 = 1{clause} ORDER BY name", params,
        ).fetchall()
        return [_job(r) for r in rows]

    def put_dead_letter(self, letter: DeadLetter) -> DeadLetter:
        now = format_timestamp(utcnow())
        self._conn.execute(
            f"INSERT INTO gateway_dead_letters ({_LETTER_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, 'open', 1, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "reason = excluded.reason, payload = excluded.payload, status = 'open', "
            "attempts = attempts + 1, updated = excluded.updated",
            (letter.id, letter.job, letter.item, letter.reason,
             compactjson.dumps(letter.payload), letter.org, now, now),
        )
        stored = self.get_dead_letter(letter.id)
        assert stored is not None
        return stored

    def get_dead_letter(self, letter_id: str) -> DeadLetter | None:
        row = self._conn.execute(
            f"SELECT {_LETTER_COLUMNS} FROM gateway_dead_letters WHERE id = ?", (letter_id,)
        ).fetchone()
        return _letter(row) if row else None

    def set_dead_letter_status(self, letter_id: str, status: str, reason: str = "") -> bool:
        sql = "UPDATE gateway_dead_letters SET status = ?, updated = ?"
        params: list[Any] = [status, format_timestamp(utcnow())]
        if reason:
            sql += ", reason = ?"
            params.append(reason)
        cur = self._conn.execute(sql + " WHERE id = ?", [*params, letter_id])
        return cur.rowcount > 0

    def dead_letters(
        self, job: str | None = None, status: str | None = "open",
        org_scope: str | None = None, limit: int = 100,
    ) -> list[DeadLetter]:
        sql = f"SELECT {_LETTER_COLUMNS} FROM gateway_dead_letters WHERE 1 = 1"
        params: list[Any] = []
        if job is not None:
            sql += " AND job = ?"
            params.append(job)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        clause, org_params = org_filter("org", org_scope)
        rows = self._conn.execute(
            sql + clause + " ORDER BY n LIMIT ?", [*params, *org_params, limit]
        ).fetchall()
        return [_letter(r) for r in rows]

    def count_dead_letters(self, job: str) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT status, COUNT(*) FROM gateway_dead_letters WHERE job = ? GROUP BY status",
            (job,),
        ).fetchall()
        return dict(rows)
