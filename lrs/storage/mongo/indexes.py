"""Every collection of the MongoDB adapter, its shard key, and index creation at start-up."""

from __future__ import annotations

from typing import Any

from mongoengine import Document

from lrs.storage.mongo.schema import (
    ActivityDoc,
    AttachmentChunkDoc,
    AttachmentDoc,
    CounterDoc,
    CredentialDoc,
    DocumentDoc,
    JournalDoc,
    LockDoc,
    OutboxDoc,
    PatternStateDoc,
    StatementDoc,
    ViolationDoc,
)
from lrs.storage.mongo.schema_cadre import (
    AccountLinkDoc,
    AggregateContributionDoc,
    AggregateCountsDoc,
    AggregateMembersDoc,
    AggregateTotalsDoc,
    ArchiveLedgerDoc,
    ArchiveMetaDoc,
    ArchiveProjectedDoc,
    ArchiveRowDoc,
    ArchiveUnattributedDoc,
    GatewayDeadLetterDoc,
    GatewayJobDoc,
    IdentityConflictDoc,
    MembershipsDoc,
    TraineeDoc,
)

ALL_DOCUMENTS: tuple[type[Document], ...] = (
    StatementDoc,
    CounterDoc,
    LockDoc,
    JournalDoc,
    ActivityDoc,
    AttachmentDoc,
    AttachmentChunkDoc,
    DocumentDoc,
    CredentialDoc,
    OutboxDoc,
    PatternStateDoc,
    ViolationDoc,
    TraineeDoc,
    MembershipsDoc,
    AccountLinkDoc,
    IdentityConflictDoc,
    ArchiveRowDoc,
    ArchiveLedgerDoc,
    ArchiveProjectedDoc,
    ArchiveUnattributedDoc,
    ArchiveMetaDoc,
    AggregateTotalsDoc,
    AggregateCountsDoc,
    AggregateMembersDoc,
    AggregateContributionDoc,
    GatewayJobDoc,
    GatewayDeadLetterDoc,
)


# Collection → shard key, for `sh.shardCollection` on a sharded cluster. Hashed
# ids spread writes evenly; documents shard on their scope so a multiple-id GET
# or a DELETE-all is served by one shard. Small, hot or queue-like collections
# (counters, locks, journal, credentials, outbox) stay unsharded on the primary
# shard: they are tiny, and counters must stay a single-shard document.
SHARD_KEYS: dict[str, dict[str, str | int]] = {
    "statements": {"_id": "hashed"},
    "activities": {"_id": "hashed"},
    "attachments": {"_id": "hashed"},
    "attachment_chunks": {"sha2": "hashed"},
    "documents": {"scope": "hashed"},
    "pattern_states": {"_id": "hashed"},
    "violations": {"statement_id": "hashed"},
    "trainees": {"_id": "hashed"},
    "trainee_memberships": {"_id": "hashed"},
    # A unique index must start with the shard key, and a hashed key cannot be
    # unique: links shard on ranged agent_key (IFIs are not monotonic, so ranges
    # split evenly), which keeps the one-active-link index enforceable.
    # identity_conflicts stays unsharded (few rows; dedupe_key is unique).
    "trainee_links": {"agent_key": 1},
    # The learning archive keeps a trainee on one shard; trainee keys are HMAC
    # digests, so ranges split evenly (and the unique ledger indexes start with it).
    "archive_rows": {"trainee_key": 1, "period_key": 1},
    "archive_ledger": {"trainee_key": 1, "seq": 1},
    "archive_projected": {"_id": "hashed"},
    # One agent's markers on one shard: a trainee.linked event reads them together.
    "archive_unattributed": {"agent_key": 1, "seq": 1},
    # The aggregates are small (units, not trainees) and read by period and unit range;
    # contributions go with their trainee like the archive rows.
    "archive_agg_totals": {"period_key": 1, "unit": 1},
    "archive_agg_counts": {"period_key": 1, "unit": 1},
    "archive_agg_contributions": {"trainee_key": 1, "period_key": 1},
}


def collection_name(doc_cls: type[Document]) -> str:
    return doc_cls._get_collection_name()


def ensure_indexes(db: Any) -> None:
    """Create every index declared in the documents' ``meta`` on ``db`` (idempotent).

    The same loop as ``Document.ensure_indexes``, run against the store's own
    database handle instead of a global mongoengine connection alias, so one
    process can hold several stores (tests, migrations) at once.
    """
    for doc_cls in ALL_DOCUMENTS:
        collection = db[collection_name(doc_cls)]
        for spec in doc_cls._meta.get("index_specs") or []:
            options = dict(spec)
            fields = options.pop("fields")
            options.pop("cls", None)
            collection.create_index(fields, **options)
