"""The embedded store's archive aggregates (lrs.storage.port.aggregates).

Increments are ``INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x``: one
statement per cell, inside the projector's write transaction. Scopes are key
ranges (``unit = ? OR unit >= 'scope/' AND unit < 'scope0'``, '0' being the
character after '/'), so a summary reads one index range, not a LIKE scan.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

import orjson

from lrs.storage.port.aggregates import (
    COUNT_FIELDS,
    TOTAL_FIELDS,
    AggregateRepository,
    UnitCounts,
    UnitTotals,
)


def _child(column: str, org: str) -> tuple[str, list[Any]]:
    """SQL for :func:`lrs.storage.port.aggregates.child_org` of ``column`` (the same
    character counts as Python's: SQLite's substr and length count characters)."""
    start = len(org) + 2 if org else 1
    prefix = org + "/" if org else ""
    rest = f"substr({column}, {start})"
    return (f"CASE WHEN {column} = '' THEN '' WHEN {column} = ? THEN ? ELSE ? || "
            f"CASE WHEN instr({rest}, '/') = 0 THEN {rest} "
            f"ELSE substr({rest}, 1, instr({rest}, '/') - 1) END END", [org, org, prefix])

AGGREGATES_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_agg_totals (
    period_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    institution TEXT NOT NULL,
""" + "".join(f"    {name} INTEGER NOT NULL DEFAULT 0,\n" for name in TOTAL_FIELDS) + """
    PRIMARY KEY (period_key, unit, institution)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive_agg_counts (
    period_key TEXT NOT NULL,
    unit TEXT NOT NULL,
""" + "".join(f"    {name} INTEGER NOT NULL DEFAULT 0,\n" for name in COUNT_FIELDS) + """
    PRIMARY KEY (period_key, unit)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive_agg_members (
    unit TEXT PRIMARY KEY,
    trainees INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive_agg_contributions (
    trainee_key TEXT NOT NULL,
    period_key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (trainee_key, period_key)
) WITHOUT ROWID;
-- The units of the few trainees who earned in several in one period, by unit path, so
-- a summary corrects its counts for its own subtree with one range read.
CREATE TABLE IF NOT EXISTS archive_agg_spread (
    period_key TEXT NOT NULL,
    unit TEXT NOT NULL,
    trainee_key TEXT NOT NULL,
    PRIMARY KEY (period_key, unit, trainee_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS archive_agg_spread_trainee
    ON archive_agg_spread (trainee_key, period_key);
"""


def _scope(column: str, scope: str) -> tuple[str, list[Any]]:
    if not scope:
        return "", []
    return f" AND ({column} = ? OR ({column} >= ? AND {column} < ?))", [
        scope, scope + "/", scope + "0"]


def _in_scope(path: str, scope: str) -> bool:
    return not scope or path == scope or path.startswith(scope + "/")


def _upsert(table: str, keys: tuple[str, ...], delta: Mapping[str, int]) -> str:
    names = [*keys, *delta]
    updates = ", ".join(f"{name} = {name} + excluded.{name}" for name in delta)
    return (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}")


def _check(delta: Mapping[str, int], fields: tuple[str, ...]) -> None:
    # Column names are interpolated into SQL: only the declared fields pass.
    unknown = set(delta) - set(fields)
    if unknown:
        raise ValueError(f"unknown aggregate fields: {sorted(unknown)}")


class SqliteAggregates(AggregateRepository):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add_totals(
        self, period_key: str, unit: str, institution: str, delta: Mapping[str, int]
    ) -> None:
        _check(delta, TOTAL_FIELDS)
        if delta:
            self._conn.execute(
                _upsert("archive_agg_totals", ("period_key", "unit", "institution"), delta),
                [period_key, unit, institution, *delta.values()],
            )

    def add_counts(self, period_key: str, unit: str, delta: Mapping[str, int]) -> None:
        _check(delta, COUNT_FIELDS)
        if delta:
            self._conn.execute(
                _upsert("archive_agg_counts", ("period_key", "unit"), delta),
                [period_key, unit, *delta.values()],
            )

    def add_members(self, unit: str, delta: int) -> None:
        if delta:
            self._conn.execute(
                _upsert("archive_agg_members", ("unit",), {"trainees": delta}), [unit, delta]
            )

    def contributions(self, trainee_key: str) -> dict[str, dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT period_key, data FROM archive_agg_contributions WHERE trainee_key = ?",
            [trainee_key],
        )
        return {period: orjson.loads(data) for period, data in rows}

    def contributions_for(
        self, trainee_keys: list[str], period_key: str
    ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        keys = sorted(set(trainee_keys))
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            rows = self._conn.execute(
                "SELECT trainee_key, data FROM archive_agg_contributions "
                f"WHERE period_key = ? AND trainee_key IN ({', '.join('?' * len(chunk))})",
                [period_key, *chunk],
            )
            found.update((key, orjson.loads(data)) for key, data in rows)
        return found

    def put_contribution(
        self, trainee_key: str, period_key: str, data: dict[str, Any], units: list[str],
        units_changed: bool = True,
    ) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO archive_agg_contributions (trainee_key, period_key, data) "
            "VALUES (?, ?, ?)", [trainee_key, period_key, orjson.dumps(data).decode()],
        )
        if units_changed:
            self._set_spread(trainee_key, period_key, units if len(set(units)) > 1 else [])

    def delete_contribution(self, trainee_key: str, period_key: str) -> None:
        self._conn.execute(
            "DELETE FROM archive_agg_contributions WHERE trainee_key = ? AND period_key = ?",
            [trainee_key, period_key],
        )
        self._set_spread(trainee_key, period_key, [])

    def _set_spread(self, trainee_key: str, period_key: str, units: list[str]) -> None:
        self._conn.execute(
            "DELETE FROM archive_agg_spread WHERE trainee_key = ? AND period_key = ?",
            [trainee_key, period_key],
        )
        self._conn.executemany(
            "INSERT INTO archive_agg_spread (period_key, unit, trainee_key) VALUES (?, ?, ?)",
            [(period_key, unit, trainee_key) for unit in sorted(set(units))],
        )

    def totals_in(self, unit_scope: str, period_key: str) -> list[UnitTotals]:
        where, args = _scope("unit", unit_scope)
        rows = self._conn.execute(
            f"SELECT unit, institution, {', '.join(TOTAL_FIELDS)} FROM archive_agg_totals "
            f"WHERE period_key = ?{where} ORDER BY unit, institution", [period_key, *args],
        )
        return [UnitTotals(period_key, row[0], row[1], dict(zip(TOTAL_FIELDS, row[2:],
                                                                strict=True)))
                for row in rows]

    def counts_in(self, unit_scope: str, period_key: str) -> list[UnitCounts]:
        where, args = _scope("unit", unit_scope)
        rows = self._conn.execute(
            f"SELECT unit, {', '.join(COUNT_FIELDS)} FROM archive_agg_counts "
            f"WHERE period_key = ?{where} ORDER BY unit", [period_key, *args],
        )
        return [UnitCounts(period_key, row[0], dict(zip(COUNT_FIELDS, row[1:], strict=True)))
                for row in rows]

    def members_in(self, unit_scope: str) -> dict[str, int]:
        where, args = _scope("unit", unit_scope)
        rows = self._conn.execute(
            f"SELECT unit, trainees FROM archive_agg_members WHERE 1 = 1{where}", args
        )
        return {unit: n for unit, n in rows if n}

    def spread_in(self, unit_scope: str, period_key: str) -> dict[str, list[str]]:
        where, args = _scope("unit", unit_scope)
        found: dict[str, list[str]] = {}
        rows = self._conn.execute(
            f"SELECT trainee_key, unit FROM archive_agg_spread WHERE period_key = ?{where} "
            "ORDER BY trainee_key, unit", [period_key, *args],
        )
        for key, unit in rows:
            found.setdefault(key, []).append(unit)
        return found

    # Summaries: the database adds up the cells (a province has thousands of units).

    def totals_by_child(self, org: str, period_key: str) -> list[UnitTotals]:
        child, child_args = _child("unit", org)
        where, args = _scope("unit", org)
        sums = ", ".join(f"SUM({name})" for name in TOTAL_FIELDS)
        rows = self._conn.execute(
            f"SELECT {child} AS child, institution, {sums} FROM archive_agg_totals "
            f"WHERE period_key = ?{where} GROUP BY child, institution "
            "HAVING SUM(courses) + SUM(classes) > 0 ORDER BY child, institution",
            [*child_args, period_key, *args],
        )
        return [UnitTotals(period_key, row[0], row[1],
                           dict(zip(TOTAL_FIELDS, row[2:], strict=True))) for row in rows]

    def counts_by_child(self, org: str, period_key: str) -> list[UnitCounts]:
        child, child_args = _child("unit", org)
        where, args = _scope("unit", org)
        sums = ", ".join(f"SUM({name})" for name in COUNT_FIELDS)
        rows = self._conn.execute(
            f"SELECT {child} AS child, {sums} FROM archive_agg_counts "
            f"WHERE period_key = ?{where} GROUP BY child ORDER BY child",
            [*child_args, period_key, *args],
        )
        return [UnitCounts(period_key, row[0], dict(zip(COUNT_FIELDS, row[1:], strict=True)))
                for row in rows]

    def members_by_child(self, org: str) -> dict[str, int]:
        child, child_args = _child("unit", org)
        where, args = _scope("unit", org)
        rows = self._conn.execute(
            f"SELECT {child} AS child, SUM(trainees) FROM archive_agg_members "
            f"WHERE 1 = 1{where} GROUP BY child HAVING SUM(trainees) != 0 ORDER BY child",
            [*child_args, *args],
        )
        return dict(rows.fetchall())

    def idle_in(self, org: str, period_key: str) -> dict[str, int]:
        where, args = _scope("m.unit", org)
        rows = self._conn.execute(
            "SELECT m.unit, m.trainees - COALESCE(c.current, 0) FROM archive_agg_members m "
            "LEFT JOIN archive_agg_counts c ON c.period_key = ? AND c.unit = m.unit "
            f"WHERE m.trainees > COALESCE(c.current, 0){where}", [period_key, *args],
        )
        return dict(rows.fetchall())

    def spread_excess(self, org: str, period_key: str) -> tuple[dict[str, int], int]:
        child, child_args = _child("unit", org)
        where, args = _scope("unit", org)
        spread = f"SELECT trainee_key, unit FROM archive_agg_spread WHERE period_key = ?{where}"
        rows = self._conn.execute(
            f"SELECT child, SUM(n - 1) FROM (SELECT trainee_key, {child} AS child, "
            f"COUNT(*) AS n FROM ({spread}) GROUP BY trainee_key, child HAVING n > 1) "
            "GROUP BY child", [*child_args, period_key, *args],
        )
        per_child = dict(rows.fetchall())
        (overall,) = self._conn.execute(
            f"SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM ({spread}) "
            "GROUP BY trainee_key)", [period_key, *args],
        ).fetchone()
        return per_child, overall

    def clear(self) -> None:
        for table in ("archive_agg_totals", "archive_agg_counts", "archive_agg_members",
                      "archive_agg_contributions", "archive_agg_spread"):
            self._conn.execute(f"DELETE FROM {table}")
