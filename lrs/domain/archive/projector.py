"""The projector: drains the outbox into the learning archive, exactly once in effect.

Ingest stays fast because statements only write an outbox row
(``statement.stored`` {"id"}) in their own transaction; the projector reads
those events in id order, in batches, and applies each batch in ONE write
transaction that also marks its events done. A crash before the commit leaves
the events pending (the next run redoes the whole batch); a crash after it
leaves nothing to redo. Projection is idempotent besides (projected markers,
ledger-first decisions), so even a replayed event changes nothing.

``trainee.linked`` {"agent_key", "trainee_key"} (written where the identity
registry makes an account link) projects the statements that agent stored
before the link, which were unattributed until then: exactly those the
projection left an *unattributed* marker on, so a new trainee's link (usually
made by the trainee's first statement, projected after it) costs one indexed
lookup instead of re-reading the agent's every statement. A store projected
before markers existed has none for its old statements; it keeps the full
re-read until ``lrs archive rebuild`` (which records them all) has run.

``account.released`` {"agent_key", "trainee_key"} (written where the registry
ends a link: a liaison's unlink, or a conflict resolved for another owner, whose
``trainee.linked`` follows it) takes the agent's statements projected to that
trainee out of the archive: reversal entries for their credits, their rows
refolded from what remains, their markers turned back into unattributed ones
(:meth:`Projection.release`), so the next owner's link projects them there.

A batch reads its statements, their projected markers and their actors'
account links with one query each, not one per event.

Two projectors (gunicorn workers) never apply the same events: on SQLite the
write transaction serialises them and the second sees the events done; on
MongoDB the batch holds the ``archive-projector`` lease (``lock_projector``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lrs.domain.archive import aggregates
from lrs.domain.archive.attribution import actor_key
from lrs.domain.archive.policy_book import PolicyBook
from lrs.domain.archive.projection import Projection
from lrs.domain.archive.read_ahead import read_ahead, statement_ids
from lrs.domain.identity.membership import statement_day
from lrs.domain.identity.vocabulary import ACCOUNT_RELEASED, TRAINEE_LINKED, TRAINEE_MOVED
from lrs.domain.statements.service import STATEMENT_STORED
from lrs.storage.port import (
    OutboxEvent,
    StatementQuery,
    StatementRecord,
    Store,
    UnitOfWork,
)
from lrs.timeutil import format_timestamp, utcnow

log = logging.getLogger(__name__)

TOPICS = (STATEMENT_STORED, TRAINEE_LINKED, ACCOUNT_RELEASED, TRAINEE_MOVED)
# Events per transaction. On SQLite a batch holds the write lock while it is applied
# (~250 us of CPU per statement): 100 keeps that near 25-50 ms (LRS_ARCHIVE_BATCH).
BATCH = 100
CHECKPOINT = "projector"
# Archive meta set once every unattributed statement of the store has its marker.
MARKERS = "unattributed-markers"
STATEMENT_PAGE = 500
VISIBILITY_WAIT = timedelta(seconds=60)


@dataclass
class DrainReport:
    events: int = 0
    batches: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, outcomes: dict[str, int]) -> None:
        for name, count in outcomes.items():
            self.outcomes[name] = self.outcomes.get(name, 0) + count


def _order(event: OutboxEvent) -> tuple[int, Any]:
    # SQLite ids are integers; MongoDB ids are ObjectId hex text of one length, so
    # text order is creation order.
    return (0, event.id) if isinstance(event.id, int) else (1, str(event.id))


class Projector:
    def __init__(
        self, store: Store, book: PolicyBook, batch: int = BATCH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.book = book
        self.batch = batch
        self.clock = clock
        self._markers_kept = False  # once true for this store, true for good
        self._judged: aggregates.Judge | None = None
        # The last applied batch: seconds waiting for its write transaction (another
        # writer held the lock) and holding it. The follower paces itself by them.
        self.last_wait = 0.0
        self.last_hold = 0.0

    def drain(self, progress: Callable[[int, int], None] | None = None) -> DrainReport:
        """Apply batches until no event is pending; ``progress(done, pending)`` after each."""
        report = DrainReport()
        while True:
            handled, outcomes = self.drain_once()
            if handled == 0:
                return report
            report.events += handled
            report.batches += 1
            report.add(outcomes)
            if progress is not None:
                progress(report.events, self.pending())

    def _judge(self, now: datetime) -> aggregates.Judge:
        # Kept across batches (policies resolved once per unit), renewed each day.
        today = statement_day({}, now)
        if self._judged is None or self._judged.today != today:
            self._judged = aggregates.Judge(self.book, today)
        return self._judged

    def pending(self) -> int:
        with self.store.read() as uow:
            return uow.outbox.lag().pending

    def drain_once(self) -> tuple[int, dict[str, int]]:
        """One batch in one transaction: the archive changes and the events marked done."""
        # Read outside the write lock what a batch reads most (lrs.domain.archive.read_ahead).
        ahead = read_ahead(self.store, self._pending)
        if not ahead.events:
            return 0, {}
        start = time.monotonic()
        with self.store.transaction() as uow:
            uow.archive.lock_projector()
            locked = time.monotonic()
            events = ahead.still_pending(self._pending(uow))
            if not events:
                return 0, {}
            now = self.clock()
            self._check_markers(uow, now)
            projection = Projection(uow, self.book, now)
            judge = self._judge(now)
            records = _records(uow, projection, events, ahead.records)
            done: list[OutboxEvent] = []
            for event in events:
                if not self._apply(uow, projection, event, records, now, judge):
                    break  # not visible yet: this event and the rest wait for the next run
                done.append(event)
            if not done:
                return 0, {}
            events = done
            projection.flush()
            aggregates.settle(uow, projection.touched, judge, projection.rows.rows_of)
            uow.outbox.mark_done([e.id for e in events])
            self._checkpoint(uow, events[-1], now, len(events), projection.counts)
        self.last_wait, self.last_hold = locked - start, time.monotonic() - locked
        return len(events), projection.counts

    def _pending(self, uow: UnitOfWork) -> list[OutboxEvent]:
        # Usually every pending event is ours: one walk of the pending index in id order.
        # (Asking per topic made the rare trainee.linked query walk every pending
        # statement.stored row on each batch, quadratic in a backlog.)
        events = uow.outbox.pending(limit=self.batch)
        if all(e.topic in TOPICS for e in events):
            return events
        # Per topic, so other consumers' events never block this queue; merged in id order.
        events = [e for topic in TOPICS for e in uow.outbox.pending(topic, limit=self.batch)]
        return sorted(events, key=_order)[: self.batch]

    def _apply(
        self, uow: UnitOfWork, projection: Projection, event: OutboxEvent,
        records: dict[str, StatementRecord], now: datetime, judge: aggregates.Judge,
    ) -> bool:
        """Apply one event; False when its statement is not readable yet."""
        if event.topic == TRAINEE_MOVED:
            # Rows this batch changed are settled at its end, against what moved() stored.
            aggregates.moved(uow, str(event.payload.get("trainee_key", "")), judge)
            return True
        if event.topic == STATEMENT_STORED:
            statement_id = str(event.payload.get("id", ""))
            record = records.get(statement_id)
            if record is None:
                # On a standalone MongoDB a batch's outbox rows are applied just before
                # its statements become visible (the watermark moves last): wait for it.
                # An event whose statement never appears is given up after a while.
                if now - event.created < VISIBILITY_WAIT:
                    return False
                log.warning("statement %s of outbox event %s not found; skipped",
                            statement_id, event.id)
                return True
            projection.project(record)
            return True
        agent_key = event.payload.get("agent_key")
        if not isinstance(agent_key, str):
            return True
        projection.attributor.forget(agent_key)
        if event.topic == ACCOUNT_RELEASED:
            trainee_key = event.payload.get("trainee_key")
            if isinstance(trainee_key, str):
                projection.release(agent_key, trainee_key, _agent_statements(uow, agent_key))
            return True
        # The agent's statements left unattributed before the link, in store order. A
        # marker is cleared first: one projected unattributed again gets a fresh one.
        waiting = uow.archive.unattributed(agent_key)
        if waiting:
            uow.archive.clear_unattributed(agent_key, waiting)
        if not self._markers_kept and uow.archive.get_meta(MARKERS) is None:
            _project_agent(projection, uow, agent_key)
            return True
        found = uow.statements.get_many(waiting) if waiting else {}
        projection.project_many([found[i] for i in waiting if i in found])
        return True

    def _check_markers(self, uow: UnitOfWork, now: datetime) -> None:
        """Whether every unattributed statement of the store has its marker: since its
        first projection (every event was still pending then, so each statement passes
        the marker-keeping projection) or since a rebuild (which re-projects them all)."""
        if self._markers_kept:
            return
        if uow.archive.get_meta(MARKERS) is not None:
            self._markers_kept = True  # cached only once committed: a rollback loses nothing
        elif uow.archive.get_meta(CHECKPOINT) is None:
            uow.archive.set_meta(MARKERS, {"since": format_timestamp(now)})
            # A new store: the aggregates are kept from its first event on.
            uow.archive.set_meta(aggregates.META, {"version": aggregates.VERSION})
        # else: projected by an older version, no markers for its past (see the module doc)

    def _checkpoint(
        self, uow: UnitOfWork, last: OutboxEvent, now: datetime, count: int,
        outcomes: dict[str, int],
    ) -> None:
        state = uow.archive.get_meta(CHECKPOINT) or {}
        totals = dict(state.get("outcomes") or {})
        for name, n in outcomes.items():
            totals[name] = totals.get(name, 0) + n
        uow.archive.set_meta(CHECKPOINT, {
            "lastEventId": str(last.id),
            "lastEventCreated": format_timestamp(last.created),
            "lastProjectedAt": format_timestamp(now),
            "events": int(state.get("events", 0)) + count,
            "outcomes": totals,
        })


def _records(
    uow: UnitOfWork, projection: Projection, events: list[OutboxEvent],
    read: dict[str, StatementRecord],
) -> dict[str, StatementRecord]:
    """The batch's statements by id (those ``read`` ahead reused), with their markers and
    owners prefetched."""
    ids = statement_ids(events)
    missing = [i for i in ids if i not in read]
    records = {**read, **(uow.statements.get_many(missing) if missing else {})}
    projection.prefetch([records[i] for i in dict.fromkeys(ids) if i in records])
    return records


def _agent_statements(uow: UnitOfWork, agent_key: str) -> list[StatementRecord]:
    """Every statement the agent is the actor of, voided or not, in store order."""
    found: list[StatementRecord] = []
    after: int | None = None
    while True:
        page = uow.statements.query(StatementQuery(
            agent_keys=(agent_key,), ascending=True, limit=STATEMENT_PAGE, after_seq=after,
            include_voided=True,
        ))
        found += [r for r in page if actor_key(r) == agent_key]
        if len(page) < STATEMENT_PAGE:
            return found
        after = page[-1].seq


def _project_agent(projection: Projection, uow: UnitOfWork, agent_key: str) -> None:
    """Every statement of the agent, in store order (stores without complete markers)."""
    after: int | None = None
    while True:
        page = uow.statements.query(StatementQuery(
            agent_keys=(agent_key,), ascending=True, limit=STATEMENT_PAGE, after_seq=after,
            include_voided=True,
        ))
        projection.project_many(page)
        if len(page) < STATEMENT_PAGE:
            return
        after = page[-1].seq


@dataclass
class RebuildReport:
    statements: int = 0
    rows_deleted: int = 0
    ledger_entries_added: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def rebuild(
    store: Store, book: PolicyBook, progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> RebuildReport:
    """Recompute the DERIVED rows from the stored statements, in store order.

    The ledger is not rewritten (§9.1.1): decisions already in it are reused, and an
    entry is appended only where a decision is missing. Pending outbox events are
    left for the projector, which finds their statements already projected.
    """
    report = RebuildReport()
    with store.transaction() as uow:
        uow.archive.lock_projector()
        report.rows_deleted = uow.archive.delete_rows()
    after: int | None = None
    while True:
        with store.transaction() as uow:
            uow.archive.lock_projector()
            page = uow.statements.query(StatementQuery(
                ascending=True, limit=STATEMENT_PAGE, after_seq=after, include_voided=True,
            ))
            projection = Projection(uow, book, clock())
            projection.project_many(page)
            projection.flush()
            if len(page) < STATEMENT_PAGE:
                # Every statement was re-projected, leaving a marker on each one that is
                # still unattributed: trainee.linked events can rely on them from now on.
                uow.archive.set_meta(MARKERS, {"since": format_timestamp(clock())})
        report.statements += len(page)
        report.ledger_entries_added += projection.appended
        for name, count in projection.counts.items():
            report.outcomes[name] = report.outcomes.get(name, 0) + count
        if progress is not None:
            progress(len(page))
        if len(page) < STATEMENT_PAGE:
            aggregates.rebuild(store, book, statement_day({}, clock()))
            return report
        after = page[-1].seq


def status(store: Store) -> dict[str, Any]:
    """Projector lag: pending events, the oldest pending, the last projected."""
    with store.read() as uow:
        lag = uow.outbox.lag()
        state = uow.archive.get_meta(CHECKPOINT) or {}
    oldest = lag.oldest_pending
    return {
        "pendingEvents": lag.pending,
        "oldestPending": format_timestamp(oldest) if oldest else None,
        "lagSeconds": round((utcnow() - oldest).total_seconds(), 3) if oldest else 0,
        "lastEventId": state.get("lastEventId"),
        "lastEventCreated": state.get("lastEventCreated"),
        "lastProjectedAt": state.get("lastProjectedAt"),
        "eventsProjected": state.get("events", 0),
        "outcomes": state.get("outcomes", {}),
    }
