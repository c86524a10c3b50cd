"""The embedded store's xAPI Profile pattern states and violations."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from lrs.storage.port.profiles import (
    PatternState,
    PatternStateRepository,
    Violation,
    ViolationRepository,
)
from lrs.storage.sqlite.common import SqliteRepository, org_filter
from lrs.timeutil import format_timestamp, parse_stored, utcnow


class SqlitePatternStates(SqliteRepository, PatternStateRepository):
    def get(
        self, pattern_id: str, registration: str, subregistration: str = ""
    ) -> PatternState | None:
        row = self._conn.execute(
            "SELECT states, failed, updated FROM pattern_states "
            "WHERE pattern_id = ? AND registration = ? AND subregistration = ?",
            (pattern_id, registration, subregistration),
        ).fetchone()
        if not row:
            return None
        states, failed, updated = row
        return PatternState(
            pattern_id,
            registration,
            subregistration,
            tuple(json.loads(states)),
            bool(failed),
            parse_stored(updated),
        )

    def save(self, state: PatternState) -> None:
        self._conn.execute(
            "INSERT INTO pattern_states "
            "(pattern_id, registration, subregistration, states, failed, updated) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "states = excluded.states, failed = excluded.failed, updated = excluded.updated",
            (
                state.pattern_id,
                state.registration,
                state.subregistration,
                json.dumps(list(state.states)),
                int(state.failed),
                format_timestamp(state.updated or utcnow()),
            ),
        )


_VIOLATION_COLUMNS = (
    "statement_id, profile_id, subject_id, rule, message, location, registration, org, created"
)


class SqliteViolations(SqliteRepository, ViolationRepository):
    def add(self, violations: list[Violation]) -> None:
        self._conn.executemany(
            f"INSERT INTO violations ({_VIOLATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    v.statement_id,
                    v.profile_id,
                    v.subject_id,
                    v.rule,
                    v.message,
                    v.location,
                    v.registration,
                    v.org,
                    format_timestamp(v.created or utcnow()),
                )
                for v in violations
            ],
        )

    def for_statement(self, statement_id: str, org_scope: str | None = None) -> list[Violation]:
        org_sql, org_params = org_filter("org", org_scope)
        rows = self._conn.execute(
            f"SELECT {_VIOLATION_COLUMNS} FROM violations "
            f"WHERE statement_id = ?{org_sql} ORDER BY id",
            [statement_id, *org_params],
        ).fetchall()
        return [_violation_from_row(r) for r in rows]

    def for_registration(
        self, registration: str, org_scope: str | None = None, limit: int = 1000
    ) -> list[Violation]:
        org_sql, org_params = org_filter("org", org_scope)
        rows = self._conn.execute(
            f"SELECT {_VIOLATION_COLUMNS} FROM violations WHERE registration = ?{org_sql} "
            "ORDER BY id LIMIT ?",
            [registration, *org_params, limit],
        ).fetchall()
        return [_violation_from_row(r) for r in rows]

    def recent(self, org_scope: str | None = None, limit: int = 100) -> list[Violation]:
        sql, params = f"SELECT {_VIOLATION_COLUMNS} FROM violations WHERE 1 = 1", []
        if org_scope:
            # The range [scope, scope + "0") lets the (org, id) index find the subtree;
            # the filter keeps it exact (as rows_in_units does).
            org_sql, org_params = org_filter("org", org_scope)
            sql += f" AND org >= ? AND org < ?{org_sql}"
            params = [org_scope, org_scope + "0", *org_params]
        rows = self._conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [_violation_from_row(r) for r in rows]


def _violation_from_row(row: tuple[Any, ...]) -> Violation:
    # The columns are Violation's fields in order; ``created`` (last) is stored as text.
    return replace(Violation(*row), created=parse_stored(row[-1]))
