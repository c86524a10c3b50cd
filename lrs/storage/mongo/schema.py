"""The MongoDB collections, declared as mongoengine documents with their indexes.

mongoengine is the schema: each class names a collection, its fields and, in
``meta["indexes"]``, every index the adapter's queries rely on. The adapter
reads and writes through the underlying pymongo collections (atomic
``find_one_and_update``, bulk writes, sessions), so the classes are never
saved one by one on hot paths, and ``auto_create_index`` is off: indexes are
built once, at start-up, by :func:`.indexes.ensure_indexes`.

Client-supplied JSON (statements, activity definitions) is kept as a JSON
string, not as a BSON sub-document: xAPI extensions are keyed by IRIs full of
``.`` and may start with ``$``, integers may exceed BSON's int64, and key order
must survive the round trip for signed statements. Nothing queries inside it;
every queried key is a top-level field.

Shard keys (see ``SHARD_KEYS`` in :mod:`.indexes` and docs/mongodb.md) are never
timestamp-prefixed, so inserts spread over all shards instead of piling onto
the last chunk.
"""

from __future__ import annotations

import hashlib
import json
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


def digest(*parts: str) -> str:
    """A fixed-length id for a composite key (documents, pattern states)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")  # a separator no IRI or key contains
    return h.hexdigest()


def json_text(value: Any) -> str:
    """Client-supplied JSON as stored: a string, key order and big numbers kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
