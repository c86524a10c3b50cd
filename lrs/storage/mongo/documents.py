"""The MongoDB collections, declared as mongoengine documents with their indexes.

mongoengine is the schema: each class names a collection, its fields and, in
``meta["indexes"]``, every index the adapter's queries rely on. The adapter
reads and writes through the underlying pymongo collections (atomic
``find_one_and_update``, bulk writes, sessions), so the classes are never
saved one by one on hot paths, and ``auto_create_index`` is off: indexes are
built once, at start-up, by :func:`ensure_indexes`.

Client-supplied JSON (statements, activity definitions) is kept as a JSON
string, not as a BSON sub-document: xAPI extensions are keyed by IRIs full of
``.`` and may start with ``$``, integers may exceed BSON's int64, and key order
must survive the round trip for signed statements. Nothing queries inside it;
every queried key is a top-level field.

Shard keys (see :data:`SHARD_KEYS` and docs/mongodb.md) are never
timestamp-prefixed, so inserts spread over all shards instead of piling onto
the last chunk.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mongoengine import (
    BinaryField,
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    LongField,
    ObjectIdField,
    StringField,
)

# Every class leaves index creation to ensure_indexes (start-up, not first use)
# and forbids the _cls field: each collection holds one kind of document.
_BASE_META: dict[str, Any] = {"auto_create_index": False, "allow_inheritance": False}


class StatementDoc(Document):
    """One statement. ``_id`` is the statement id, unique in the whole cluster.

    ``agents`` and ``activities`` are multikey arrays: the plain key of every
    agent/activity the statement relates to (``related_agents`` /
    ``related_activities`` queries), plus ``"actor|<key>"`` / ``"object|<key>"``
    and ``"object|<activity id>"`` for the default (non-related) queries. Agent
    keys start with an IFI name (``mbox:``…), activity ids with a scheme, so a
    plain key never collides with a usage-qualified one.
    """

    id = StringField(primary_key=True)
    # Assigned at commit; absent while the statement is pending (see unit_of_work).
    seq = LongField()
    stored = DateTimeField(required=True)
    org = StringField(required=True)
    authority_key = StringField(required=True)
    verb = StringField(required=True)
    registration = StringField()  # absent, not null, when the statement has none
    voided = BooleanField(default=False)
    voids = StringField()
    object_ref = StringField()
    # True once some statement's StatementRef targets this one: the filters of a
    # query also select statements that target a match (Communication 2.1.3),
    # and the small partial indexes below find those targets.
    referenced = BooleanField()
    agents = ListField(StringField())
    activities = ListField(StringField())
    # The raw (usage, key) pairs, so a record round-trips exactly.
    links = DictField()
    attachment_hashes = ListField(StringField())
    payload = StringField(required=True)  # the statement, as JSON text
    # The unit of work that inserted it and has not committed yet.
    pending = StringField()
    pending_since = DateTimeField()

    meta = {
        **_BASE_META,
        "collection": "statements",
        "indexes": [
            # Unfiltered paging (newest or oldest first) and the watermark cap.
            {"fields": ["seq"], "name": "seq"},
            {"fields": ["agents", "seq"], "name": "agents_seq"},
            {"fields": ["activities", "seq"], "name": "activities_seq"},
            {"fields": ["verb", "seq"], "name": "verb_seq"},
            {
                "fields": ["registration", "seq"],
                "name": "registration_seq",
                "partialFilterExpression": {"registration": {"$exists": True}},
            },
            {"fields": ["authority_key", "seq"], "name": "authority_seq"},
            {"fields": ["org", "seq"], "name": "org_seq"},
            # since/until become seq bounds: stored never decreases along seq.
            {"fields": ["stored", "seq"], "name": "stored_seq"},
            # "Is anything pointing at this statement?" when a target arrives late.
            {
                "fields": ["object_ref"],
                "name": "object_ref",
                "partialFilterExpression": {"object_ref": {"$exists": True}},
            },
            # StatementRef targets matching a query: only referenced rows are indexed.
            *[
                {
                    "fields": [name],
                    "name": f"referenced_{name}",
                    "partialFilterExpression": {"referenced": True},
                }
                for name in ("agents", "activities", "verb", "registration")
            ],
            # Dead units of work are found and cleaned by age.
            {
                "fields": ["pending_since"],
                "name": "pending",
                "partialFilterExpression": {"pending_since": {"$exists": True}},
            },
        ],
    }


class CounterDoc(Document):
    """The statement sequence: ``seq`` allocated, ``visible`` committed through.

    ``visible`` is the consistent-through watermark readers cap every
    statement read at; ``last_stored`` keeps ``stored`` monotonic along seq.
    """

    id = StringField(primary_key=True)
    seq = LongField(default=0)
    visible = LongField(default=0)
    last_stored = DateTimeField()

    meta = {**_BASE_META, "collection": "counters"}


class LockDoc(Document):
    """A lease: the standalone commit lock (``_id: "commit"``) or the write lock of
    one State/Profile document (``_id: "document:<id>"``); deleted on release."""

    id = StringField(primary_key=True)
    owner = StringField()
    expires = DateTimeField()

    meta = {**_BASE_META, "collection": "locks"}


class JournalDoc(Document):
    """The commit record of a standalone unit of work: its whole write set.

    Inserting it is the commit point; whoever finds one left behind (the next
    committer, or start-up) rolls it forward. See unit_of_work.
    """

    id = StringField(primary_key=True)  # the unit of work's token
    # [statement id, seq, stored, payload or None, referenced]: how to flip each
    # pending statement visible. The payload is there only when ``stored`` had
    # to be raised to keep it monotonic.
    seqs = ListField(ListField())
    # Each operation BSON-encoded: filters and updates hold "$" keys, which a
    # stored document may not have on every server version.
    ops = ListField(BinaryField())
    visible = LongField()
    last_stored = DateTimeField()
    created = DateTimeField()

    meta = {**_BASE_META, "collection": "journal"}


class ActivityDoc(Document):
    id = StringField(primary_key=True)  # the activity IRI
    definition = StringField(required=True)  # merged definition, JSON text

    meta = {**_BASE_META, "collection": "activities"}


class AttachmentDoc(Document):
    """Attachment metadata; the bytes are inline when small, else in chunks.

    A BSON document is at most 16 MiB and a request body may be 32 MiB, so
    larger attachments are split into :class:`AttachmentChunkDoc` rows.
    """

    id = StringField(primary_key=True)  # sha2 of the content
    content_type = StringField(required=True)
    length = LongField(required=True)
    data = BinaryField()
    chunks = IntField(default=0)

    meta = {**_BASE_META, "collection": "attachments"}


class AttachmentChunkDoc(Document):
    id = StringField(primary_key=True)  # "<sha2>:<n>"
    sha2 = StringField(required=True)
    n = IntField(required=True)
    data = BinaryField(required=True)

    meta = {
        **_BASE_META,
        "collection": "attachment_chunks",
        "indexes": [{"fields": ["sha2", "n"], "name": "sha2_n"}],
    }


class DocumentDoc(Document):
    """A State, Activity Profile or Agent Profile document.

    ``_id`` is a digest of the full key and ``scope`` a digest of the part a
    multiple-id GET or a DELETE-all addresses (kind, org, activity, agent), so
    those reads hit one index range and, sharded on ``scope``, one shard.
    """

    id = StringField(primary_key=True)
    scope = StringField(required=True)
    kind = StringField(required=True)
    org = StringField(required=True)
    activity_id = StringField(required=True)
    agent_key = StringField(required=True)
    registration = StringField(required=True)
    doc_id = StringField(required=True)
    content = BinaryField(required=True)
    content_type = StringField(required=True)
    etag = StringField(required=True)
    updated = DateTimeField(required=True)

    meta = {
        **_BASE_META,
        "collection": "documents",
        "indexes": [
            {"fields": ["scope", "registration", "doc_id"], "name": "scope_registration_doc"},
            {"fields": ["scope", "updated"], "name": "scope_updated"},
        ],
    }


class CredentialDoc(Document):
    id = StringField(primary_key=True)  # the key
    secret_hash = StringField(required=True)
    name = StringField(required=True)
    scopes = ListField(StringField())
    org = StringField(required=True)
    created = DateTimeField(required=True)
    revoked = BooleanField(default=False)
    settings = StringField(default="{}")  # JSON text

    meta = {
        **_BASE_META,
        "collection": "credentials",
        "indexes": [{"fields": ["created", "id"], "name": "created"}],
    }


class OutboxDoc(Document):
    id = ObjectIdField(primary_key=True)  # assigned by the writer: ordered per process
    topic = StringField(required=True)
    payload = StringField(required=True)  # JSON text
    created = DateTimeField(required=True)
    done = BooleanField(default=False)

    meta = {
        **_BASE_META,
        "collection": "outbox",
        "indexes": [
            # The queue's read: undone events in id order, of one topic or all.
            {"fields": ["done", "topic", "id"], "name": "pending_topic"},
            {"fields": ["done", "id"], "name": "pending"},
            # Consumers with their own cursor (the gateway forwarder): one topic in id order.
            {"fields": ["topic", "id"], "name": "topic_cursor"},
        ],
    }


class PatternStateDoc(Document):
    id = StringField(primary_key=True)  # digest of (pattern, registration, subregistration)
    pattern_id = StringField(required=True)
    registration = StringField(required=True)
    subregistration = StringField(required=True)
    states = ListField(StringField())
    failed = BooleanField(default=False)
    updated = DateTimeField(required=True)

    meta = {**_BASE_META, "collection": "pattern_states"}


class ViolationDoc(Document):
    id = ObjectIdField(primary_key=True)
    statement_id = StringField(required=True)
    profile_id = StringField(required=True)
    subject_id = StringField(required=True)
    rule = StringField(required=True)
    message = StringField(required=True)
    location = StringField(required=True)
    registration = StringField()
    org = StringField(required=True)
    created = DateTimeField(required=True)

    meta = {
        **_BASE_META,
        "collection": "violations",
        "indexes": [
            {"fields": ["statement_id", "id"], "name": "statement"},
            {"fields": ["org", "id"], "name": "org"},
            {
                "fields": ["registration", "id"],
                "name": "registration",
                "partialFilterExpression": {"registration": {"$exists": True}},
            },
        ],
    }


class TraineeDoc(Document):
    """A trainee of the registry; ``_id`` is the keyed hash of the agreed identifier."""

    id = StringField(primary_key=True)
    masked_id = StringField(required=True)
    name = StringField(default="")
    position = StringField(default="")
    rank = StringField(default="")
    unit = StringField(default="")  # org path of the current unit
    provisional = BooleanField(default=False)
    created = DateTimeField(required=True)
    updated = DateTimeField(required=True)

    meta = {
        **_BASE_META,
        "collection": "trainees",
        # Org-scoped listing in key order: unit prefix range, then key.
        "indexes": [{"fields": ["unit", "id"], "name": "unit_key"}],
    }


class MembershipsDoc(Document):
    """All unit memberships of one trainee, replaced together (``set_memberships``)."""

    id = StringField(primary_key=True)  # the trainee key
    memberships = ListField(DictField())  # {unit, joined, left, source}; dates as ISO text
    units = ListField(StringField())  # every unit ever, for with_memberships_in

    meta = {
        **_BASE_META,
        "collection": "trainee_memberships",
        "indexes": [{"fields": ["units", "id"], "name": "units_key"}],
    }


class AccountLinkDoc(Document):
    """One agent key linked to a trainee; ``active`` is set until the link ends."""

    id = ObjectIdField(primary_key=True)  # creation order
    agent_key = StringField(required=True)
    trainee_key = StringField(required=True)
    ifi = StringField(required=True)  # JSON text
    source = StringField(required=True)
    org = StringField(default="")
    linked = DateTimeField(required=True)
    linked_by = StringField(default="")
    statement_id = StringField()
    unlinked = DateTimeField()
    unlinked_by = StringField(default="")
    active = BooleanField()

    meta = {
        **_BASE_META,
        "collection": "trainee_links",
        "indexes": [
            # One active link per agent key, decided by the database.
            {
                "fields": ["agent_key"],
                "name": "active_agent",
                "unique": True,
                "partialFilterExpression": {"active": True},
            },
            {"fields": ["trainee_key", "id"], "name": "trainee"},
            {"fields": ["agent_key", "trainee_key"], "name": "history"},
        ],
    }


class IdentityConflictDoc(Document):
    id = ObjectIdField(primary_key=True)
    kind = StringField(required=True)
    dedupe_key = StringField(required=True)
    status = StringField(required=True)
    org = StringField(default="")
    trainee_key = StringField(required=True)
    other_trainee_key = StringField()
    agent_key = StringField()
    details = StringField(default="{}")  # JSON text
    count = IntField(default=1)
    resolution = StringField(default="{}")  # JSON text
    created = DateTimeField(required=True)
    updated = DateTimeField(required=True)
    applied = ListField(StringField())  # last operation ids counted (journal replay)

    meta = {
        **_BASE_META,
        "collection": "identity_conflicts",
        "indexes": [
            # At most one open conflict per dedupe key.
            {
                "fields": ["dedupe_key"],
                "name": "open_dedupe",
                "unique": True,
                "partialFilterExpression": {"status": "open"},
            },
            {"fields": ["status", "id"], "name": "status"},
            {"fields": ["trainee_key", "id"], "name": "trainee"},
            {"fields": ["other_trainee_key", "id"], "name": "other_trainee"},
        ],
    }


class ArchiveRowDoc(Document):
    """A derived learning-archive row: trainee × course|class × period (GB/T 38856 §9.1.2)."""

    id = StringField(primary_key=True)  # "<trainee>|<period>|<kind>|<digest of activity>"
    trainee_key = StringField(required=True)
    kind = StringField(required=True)
    period_key = StringField(required=True)
    activity_id = StringField(required=True)
    unit = StringField(default="")  # org path earned under
    institution = StringField(default="")
    org = StringField(default="")
    data = StringField(default="{}")  # JSON text; Decimal amounts as strings
    updated = DateTimeField(required=True)

    meta = {
        **_BASE_META,
        "collection": "archive_rows",
        "indexes": [
            # One trainee's archive for a period (the shard key's prefix).
            {"fields": ["trainee_key", "period_key", "kind", "activity_id"], "name": "trainee"},
            # No double counting: one course across periods.
            {"fields": ["trainee_key", "activity_id"], "name": "trainee_activity"},
            # Unit reports and summaries: period, then the unit path prefix range.
            {"fields": ["period_key", "unit", "trainee_key"], "name": "period_unit"},
            # An institution's page: what statements of its org earned.
            {"fields": ["period_key", "org", "trainee_key"], "name": "period_org"},
            {"fields": ["activity_id", "trainee_key"], "name": "activity"},
        ],
    }


class ArchiveLedgerDoc(Document):
    """One credit decision; append-only, hash-chained per trainee (§9.1.1)."""

    id = StringField(primary_key=True)  # "<trainee>:<seq, 12 digits>"
    trainee_key = StringField(required=True)
    seq = LongField(required=True)
    period_key = StringField(required=True)
    kind = StringField(required=True)
    activity_id = StringField(required=True)
    credit_hours = StringField(required=True)  # Decimal text
    credits = StringField(required=True)
    requirement = StringField(default="")
    unit = StringField(default="")
    policy_id = StringField(default="")
    statement_id = StringField(required=True)
    recorded = DateTimeField(required=True)
    reason = StringField(default="")
    reverses = LongField()
    org = StringField(default="")
    prev_hash = StringField(default="")
    hash = StringField(required=True)

    meta = {
        **_BASE_META,
        "collection": "archive_ledger",
        "indexes": [
            {"fields": ["trainee_key", "seq"], "name": "trainee_seq", "unique": True},
            # One decision per statement, kind and activity (starts with the shard key).
            {
                "fields": ["trainee_key", "statement_id", "kind", "activity_id"],
                "name": "decision",
                "unique": True,
            },
            {"fields": ["statement_id"], "name": "statement"},
        ],
    }


class ArchiveProjectedDoc(Document):
    """A statement the projection applied; ``_id`` is the statement id (idempotency)."""

    id = StringField(primary_key=True)
    trainee_key = StringField(required=True)
    rows = ListField(ListField(StringField()))
    projected = DateTimeField(required=True)

    meta = {**_BASE_META, "collection": "archive_projected"}


class ArchiveUnattributedDoc(Document):
    """A statement left unattributed: its actor was linked to no trainee when projected.
    ``_id`` is "<agent key>|<statement id>"; a trainee.linked event reads one agent's."""

    id = StringField(primary_key=True)
    agent_key = StringField(required=True)
    seq = LongField(required=True)
    statement_id = StringField(required=True)

    meta = {
        **_BASE_META,
        "collection": "archive_unattributed",
        "indexes": [{"fields": ["agent_key", "seq"], "name": "agent_seq"}],
    }


class ArchiveMetaDoc(Document):
    """The projector's checkpoint and other small archive settings."""

    id = StringField(primary_key=True)
    value = StringField(required=True)  # JSON text

    meta = {**_BASE_META, "collection": "archive_meta"}


class AggregateTotalsDoc(Document):
    """Per period × unit × institution totals of the archive (lrs.storage.aggregates)."""

    id = StringField(primary_key=True)  # "<period>|<unit>|<institution>"
    period_key = StringField(required=True)
    unit = StringField(default="")
    institution = StringField(default="")

    meta = {
        **_BASE_META,
        "collection": "archive_agg_totals",
        "strict": False,  # the summed fields are $inc'd, not declared one by one
        # A summary reads one period's range of unit paths (the shard key's prefix).
        "indexes": [{"fields": ["period_key", "unit", "institution"], "name": "period_unit"}],
    }


class AggregateCountsDoc(Document):
    """Per period × unit trainee counts of the archive (lrs.storage.aggregates)."""

    id = StringField(primary_key=True)  # "<period>|<unit>"
    period_key = StringField(required=True)
    unit = StringField(default="")

    meta = {
        **_BASE_META,
        "collection": "archive_agg_counts",
        "strict": False,
        "indexes": [{"fields": ["period_key", "unit"], "name": "period_unit"}],
    }


class AggregateMembersDoc(Document):
    """Current trainees per unit (lrs.storage.aggregates)."""

    id = StringField(primary_key=True)  # the unit's org path
    unit = StringField(default="")
    trainees = LongField(default=0)

    meta = {
        **_BASE_META,
        "collection": "archive_agg_members",
        "indexes": [{"fields": ["unit"], "name": "unit"}],
    }


class AggregateContributionDoc(Document):
    """What one trainee adds to one period's aggregates (JSON text), and the units of
    those who earned in several (``spread_units``, indexed sparsely)."""

    id = StringField(primary_key=True)  # "<trainee>|<period>"
    trainee_key = StringField(required=True)
    period_key = StringField(required=True)
    data = StringField(required=True)
    spread_units = ListField(StringField())  # only when there are several

    meta = {
        **_BASE_META,
        "collection": "archive_agg_contributions",
        "indexes": [
            {"fields": ["trainee_key", "period_key"], "name": "trainee"},
            {"fields": ["period_key", "spread_units"], "name": "spread",
             "partialFilterExpression": {"spread_units": {"$exists": True}}},
        ],
    }


class GatewayJobDoc(Document):
    """A gateway job (adapters/): config and checkpoint as JSON text."""

    id = StringField(primary_key=True)  # the job's name
    kind = StringField(required=True)
    org = StringField(default="")
    config = StringField(required=True)
    state = StringField(required=True)
    paused = BooleanField(default=False)
    created = DateTimeField()
    updated = DateTimeField()

    meta = {**_BASE_META, "collection": "gateway_jobs"}


class GatewayDeadLetterDoc(Document):
    """An item a gateway job could not deliver; id derived from (job, item)."""

    id = StringField(primary_key=True)
    job = StringField(required=True)
    item = StringField(required=True)
    reason = StringField(required=True)
    payload = StringField(required=True)  # JSON text
    org = StringField(default="")
    status = StringField(required=True)
    attempts = IntField(required=True)
    created = DateTimeField(required=True)
    updated = DateTimeField()

    meta = {
        **_BASE_META,
        "collection": "gateway_dead_letters",
        "indexes": [{"fields": ["job", "status", "created"], "name": "job_status"}],
    }


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


def digest(*parts: str) -> str:
    """A fixed-length id for a composite key (documents, pattern states)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")  # a separator no IRI or key contains
    return h.hexdigest()
