"""Storing and reading statements: the thin service layer between HTTP and the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from lrs import compactjson
from lrs.domain.activities import merge_activity_definitions, save_definitions
from lrs.domain.errors import Conflict, NotFound, ValidationError
from lrs.domain.statements.comparison import statements_equivalent
from lrs.domain.statements.hooks import IngestContext, IngestHook, prepare_hooks
from lrs.domain.statements.records import build_record, defined_activities, normalize_statement
from lrs.storage.port import Attachment, Credential, StatementQuery, StatementRecord, Store
from lrs.timeutil import format_timestamp, utcnow

STATEMENT_STORED = "statement.stored"


@dataclass(frozen=True)
class StoreRequest:
    """Validated statements of one PUT or POST, with the attachment data that came with them."""

    statements: list[dict[str, Any]]
    credential: Credential
    version: str
    authority: dict[str, Any]
    attachments: dict[str, tuple[str, bytes]]
    hooks: Sequence[IngestHook] = field(default_factory=tuple)


def store_statements(store: Store, request: StoreRequest) -> list[str]:
    """Store every statement of the request, or none of them; return their ids in order.

    A statement whose id is already stored with equivalent content is
    accepted and not stored again; with different content the whole request
    fails with 409 (xAPI Communication 2.1.2, statement immutability).
    """
    _check_batch_ids(request.statements)
    # Records (and their JSON) are made before taking the write lock: write
    # transactions run one at a time across all workers, so work done inside
    # one is work no other worker can overlap.
    provisional = utcnow()
    records = _build_records(request, provisional)
    # Hooks' stateless work (e.g. profile template checks) is done here too.
    hooks = prepare_hooks(
        request.hooks, records, IngestContext(request.credential, request.version)
    )
    with store.transaction() as uow:
        # `stored` is the time the write lock was taken (never earlier than
        # the newest stored statement), so statements are stamped in commit
        # order and a transaction's stamp is at most its own duration old when
        # it commits; Consistent-Through relies on that bound.
        stored = utcnow()
        last = uow.statements.last_stored()
        if last is not None and last > stored:
            stored = last
        records = _stamp(records, request, stored)
        batch_ids = {r.id: r for r in records}
        new: list[StatementRecord] = []
        # Definitions are folded per request first, so an activity that many
        # statements of a batch define costs one read and write, not one each.
        definitions: dict[str, dict[str, Any]] = {}
        last_seen: dict[str, dict[str, Any]] = {}
        for index, record in enumerate(records):
            existing = uow.statements.add(record)
            if existing is not None:
                _require_equivalent(existing, record, index)
                continue
            new.append(record)
            for activity_id, definition in defined_activities(record.statement):
                if last_seen.get(activity_id) == definition:
                    continue  # folding the same definition again changes nothing
                last_seen[activity_id] = definition
                definitions[activity_id] = merge_activity_definitions(
                    definitions.get(activity_id, {}), definition
                )
        save_definitions(uow.activities, definitions)
        for record in new:
            if record.voids:
                _void(uow, record, batch_ids, request.credential.org or None)
        for sha2, (content_type, data) in request.attachments.items():
            uow.attachments.put(Attachment(sha2, content_type, data))
        for hook in hooks:
            hook(uow, new)
        for record in new:
            uow.outbox.add(STATEMENT_STORED, {"id": record.id})
    return [r.statement["id"] for r in records]


def _stamp(
    records: list[StatementRecord], request: StoreRequest, stored: datetime
) -> list[StatementRecord]:
    """The records with their final ``stored`` (and a defaulted ``timestamp``) and JSON."""
    stamp = format_timestamp(stored)
    restamped = []
    for original, record in zip(request.statements, records, strict=True):
        statement = {**record.statement, "stored": stamp}
        if "timestamp" not in original:
            statement["timestamp"] = stamp
        raw = compactjson.dumps(statement)
        restamped.append(replace(record, statement=statement, stored=stored, raw=raw))
    return restamped


def _build_records(request: StoreRequest, stored: datetime) -> list[StatementRecord]:
    records = []
    for s in request.statements:
        statement = normalize_statement(
            s, authority=request.authority, stored=stored, version=request.version
        )
        records.append(
            build_record(
                statement,
                stored=stored,
                credential=request.credential,
            )
        )
    return records


def _check_batch_ids(statements: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for index, statement in enumerate(statements):
        sid = statement.get("id")
        if sid is None:
            continue
        key = sid.lower()
        if key in seen:
            raise ValidationError(
                f"statement id {sid} appears twice in one request (also at index {seen[key]})",
                f"statements[{index}].id",
            )
        seen[key] = index


def _require_equivalent(existing: StatementRecord, record: StatementRecord, index: int) -> None:
    if not statements_equivalent(existing.statement, record.statement):
        raise Conflict(
            f"statement {record.id} is already stored with different content",
            f"statements[{index}].id",
        )


def _void(
    uow, record: StatementRecord, batch: dict[str, StatementRecord], org_scope: str | None
) -> None:
    # Only statements the writer's org can see: another org's statement is
    # "absent" to it, so it can neither void it nor learn that it exists.
    voided_id = record.voids
    if voided_id is None:
        return
    target = batch.get(voided_id) or uow.statements.get(voided_id, org_scope)
    if target is None:
        return
    if target.voids is not None:
        raise ValidationError(
            f"statement {record.voids} is itself a voiding statement and cannot be voided",
            "statement.object.id",
        )
    # A target that is absent now may arrive later; the spec lets the LRS
    # accept such a voiding statement (Data 2.3.2), so only what exists is marked.
    uow.statements.mark_voided(record.voids)


def get_statement(
    store: Store,
    statement_id: str,
    *,
    voided: bool,
    org_scope: str | None,
    authority_key: str | None,
) -> StatementRecord:
    """One statement by id; a voided one only through ``voidedStatementId``."""
    with store.read() as uow:
        record = uow.statements.get(statement_id.lower(), org_scope)
    if record is None or (authority_key is not None and record.authority_key != authority_key):
        raise NotFound(f"no statement with id {statement_id}")
    if record.voided != voided:
        if record.voided:
            raise NotFound(f"statement {statement_id} is voided; fetch it with voidedStatementId")
        raise NotFound(f"statement {statement_id} is not voided; fetch it with statementId")
    return record


@dataclass(frozen=True)
class StatementPage:
    records: list[StatementRecord]
    next_after_seq: int | None
    max_seq: int


def query_statements(store: Store, q: StatementQuery) -> StatementPage:
    """One page of matching statements, and where the next page starts if there is one."""
    with store.read() as uow:
        max_seq = q.max_seq if q.max_seq is not None else uow.statements.last_seq()
        rows = uow.statements.query(replace(q, limit=q.limit + 1, max_seq=max_seq))
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return StatementPage(rows, rows[-1].seq if more and rows else None, max_seq)


def last_seq(store: Store) -> int:
    """The sequence number of the last stored statement (0 for none): how far a walk over
    every statement goes."""
    with store.read() as uow:
        return uow.statements.last_seq()


def attachments_for(store: Store, records: list[StatementRecord]) -> list[Attachment]:
    """The raw attachments referenced by these statements, each once."""
    hashes = list(dict.fromkeys(h for r in records for h in r.attachment_hashes))
    with store.read() as uow:
        found = uow.attachments.get_many(hashes)
    return [found[h] for h in hashes if h in found]
