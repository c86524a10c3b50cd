"""The MongoDB collections of the cadre registry, the training archive and the gateway.

Declared like the xAPI collections in :mod:`.schema` (same base ``meta``).
"""

from __future__ import annotations

from mongoengine import (
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

from lrs.storage.mongo.schema import _BASE_META


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


class AggregateTotalsDoc(Document):
    """Per period × unit × institution totals of the archive (lrs.storage.port.aggregates)."""

    id = StringField(primary_key=True)  # "<period>|<unit>|<institution>"
    period_key = StringField(required=True)
    unit = StringField(default="")
    institution = StringField(default="")
    ancestors = ListField(StringField())  # the unit path's prefixes: fj, fj/fz, fj/fz/u1

    meta = {
        **_BASE_META,
        "collection": "archive_agg_totals",
        "strict": False,  # the summed fields are $inc'd, not declared one by one
        # A summary reads one period's range of unit paths (the shard key's prefix).
        "indexes": [{"fields": ["period_key", "unit", "institution"], "name": "period_unit"},
                    # A summary: one period's documents under an org, grouped by child org.
                    {"fields": ["period_key", "ancestors"], "name": "period_ancestors"}],
    }


class AggregateCountsDoc(Document):
    """Per period × unit trainee counts of the archive (lrs.storage.port.aggregates)."""

    id = StringField(primary_key=True)  # "<period>|<unit>"
    period_key = StringField(required=True)
    unit = StringField(default="")
    ancestors = ListField(StringField())

    meta = {
        **_BASE_META,
        "collection": "archive_agg_counts",
        "strict": False,
        "indexes": [{"fields": ["period_key", "unit"], "name": "period_unit"},
                    {"fields": ["period_key", "ancestors"], "name": "period_ancestors"}],
    }


class AggregateMembersDoc(Document):
    """Current trainees per unit (lrs.storage.port.aggregates)."""

    id = StringField(primary_key=True)  # the unit's org path
    unit = StringField(default="")
    trainees = LongField(default=0)
    ancestors = ListField(StringField())

    meta = {
        **_BASE_META,
        "collection": "archive_agg_members",
        "indexes": [{"fields": ["unit"], "name": "unit"},
                    {"fields": ["ancestors"], "name": "ancestors"}],
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
