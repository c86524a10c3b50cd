"""Store statements a gateway job brought in, exactly as a POST would, refusing per statement.

A page from a platform LRS (or a batch of imported rows) is stored in one
transaction when every statement is accepted: the same validation, signature
checks, profile policy, identity hook and outbox as ``POST /xapi/statements``.
If the hub refuses it, each statement is tried alone, so the good ones are kept
and each refused one goes to the job's dead letters with the reason. Statement
ids are the idempotency key: a page stored again (a crash before the checkpoint)
is accepted as duplicates and nothing is stored twice.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lrs.domain.credentials import authority_agent
from lrs.domain.errors import LRSError
from lrs.domain.statements import service
from lrs.domain.statements.hooks import IngestHook
from lrs.domain.statements.signature import verify_signed_statements
from lrs.domain.statements.validation import validate_statement
from lrs.storage.port import Credential, DeadLetter, Store

if TYPE_CHECKING:  # cryptography is imported only where secrets are used
    from lrs.domain.gateway.secrets import GatewaySettings

# Dead-letter ids: UUIDv5 of (job, item) in this namespace.
LETTER_NAMESPACE = uuid.UUID("6f1d2c1e-5a7b-4c1e-9a51-0c2a3b4d5e6f")


def letter_id(job: str, item: str) -> str:
    return uuid.uuid5(LETTER_NAMESPACE, f"{job}\x00{item}").hex


@dataclass(frozen=True)
class Hub:
    """What storing needs from the running LRS (taken from a built app's extensions)."""

    store: Store
    hooks: Sequence[IngestHook]
    authority_homepage: str
    settings: GatewaySettings | None = None


@dataclass
class IngestReport:
    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)

    def add(self, other: IngestReport) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.refused += other.refused


def _existing(store: Store, ids: list[str]) -> set[str]:
    with store.read() as uow:
        return set(uow.statements.get_many([i.lower() for i in ids]))


def _attachments_for(
    statement: dict[str, Any], attachments: dict[str, tuple[str, bytes]]
) -> dict[str, tuple[str, bytes]]:
    wanted = {a.get("sha2") for a in statement.get("attachments") or [] if isinstance(a, dict)}
    return {sha2: value for sha2, value in attachments.items() if sha2 in wanted}


def _store(
    hub: Hub, credential: Credential, version: str, statements: list[dict[str, Any]],
    attachments: dict[str, tuple[str, bytes]],
) -> None:
    for statement in statements:
        validate_statement(statement, version)
    verify_signed_statements(statements, attachments)
    service.store_statements(hub.store, service.StoreRequest(
        statements=statements, credential=credential, version=version,
        authority=authority_agent(credential, hub.authority_homepage),
        attachments=attachments, hooks=hub.hooks,
    ))


def statement_version(statement: dict[str, Any], default: str) -> str:
    """The rules a statement is checked by: its own ``version`` (a 1.0.3 source may hold
    statements sent as 2.0.0, and the other way round), else the job's."""
    stated = statement.get("version")
    if isinstance(stated, str):
        if stated.startswith("2.0"):
            return "2.0.0"
        if stated.startswith("1.0"):
            return "1.0.3"
    return default


def ingest(
    hub: Hub, credential: Credential, job: str, statements: list[dict[str, Any]],
    attachments: dict[str, tuple[str, bytes]] | None = None, version: str = "2.0.0",
    items: list[str] | None = None,
) -> IngestReport:
    """Store ``statements`` for ``job`` (all at once, else one by one); refused ones become
    dead letters named by ``items`` (default: the statement ids). Runs of statements of
    one xAPI version are stored together, in order."""
    items = items or [str(s.get("id", f"statement {i}")) for i, s in enumerate(statements)]
    report = IngestReport()
    start = 0
    for end in range(1, len(statements) + 1):
        if end == len(statements) or (statement_version(statements[end], version)
                                      != statement_version(statements[start], version)):
            report.add(_ingest_run(hub, credential, job, statements[start:end], attachments,
                                   statement_version(statements[start], version),
                                   items[start:end]))
            start = end
    return report


def _ingest_run(
    hub: Hub, credential: Credential, job: str, statements: list[dict[str, Any]],
    attachments: dict[str, tuple[str, bytes]] | None, version: str, items: list[str],
) -> IngestReport:
    attachments = attachments or {}
    report = IngestReport()
    if not statements:
        return report
    ids = [str(s.get("id", "")) for s in statements]
    already = _existing(hub.store, [i for i in ids if i])
    try:
        _store(hub, credential, version, statements, attachments)
    except LRSError:
        # One statement spoilt the batch: find which, keep the rest.
        for statement, item in zip(statements, items, strict=True):
            report.add(_ingest_one(hub, credential, job, statement, item, attachments,
                                   version, already))
        return report
    for sid in ids:
        (report.duplicates if sid.lower() in already else report.stored).append(sid)
    return report


def _ingest_one(
    hub: Hub, credential: Credential, job: str, statement: dict[str, Any], item: str,
    attachments: dict[str, tuple[str, bytes]], version: str, already: set[str],
) -> IngestReport:
    report = IngestReport()
    own = _attachments_for(statement, attachments)
    try:
        _store(hub, credential, version, [statement], own)
    except LRSError as exc:
        reason = str(exc)
        report.refused.append((item, reason))
        with hub.store.transaction() as uow:
            uow.gateway.put_dead_letter(DeadLetter(
                letter_id(job, item), job, item, reason,
                {"statement": statement, "version": version, "attachments": {
                    sha2: [ctype, base64.b64encode(data).decode()]
                    for sha2, (ctype, data) in own.items()
                }},
                credential.org,
            ))
        return report
    sid = str(statement.get("id", ""))
    (report.duplicates if sid.lower() in already else report.stored).append(sid)
    return report


def retry_letter(hub: Hub, credential: Credential, letter: DeadLetter) -> IngestReport:
    """Store a dead letter's statement again (after a fix: a profile, a policy, the data);
    resolved when stored, else counted as one more attempt with the new reason."""
    payload = letter.payload
    attachments = {
        sha2: (ctype, base64.b64decode(data))
        for sha2, (ctype, data) in (payload.get("attachments") or {}).items()
    }
    report = ingest(hub, credential, letter.job, [payload["statement"]], attachments,
                    payload.get("version", "2.0.0"), [letter.item])
    if not report.refused:
        with hub.store.transaction() as uow:
            uow.gateway.set_dead_letter_status(letter.id, "resolved")
    return report
