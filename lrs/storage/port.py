"""The storage port: the one narrow interface every store adapter implements.

Everything above this module (the service layer, the HTTP layer) talks to a
:class:`Store` and the :class:`UnitOfWork` it opens; nothing above it knows
whether rows live in SQLite or MongoDB. Adapters live in ``lrs.storage.sqlite``
and ``lrs.storage.mongo`` and both pass ``tests/contract``.

Design rules the adapters share:

* A unit of work is one transaction. ``commit`` makes every write in it visible
  at once; leaving the block without committing discards them all.
* A statement id is unique in the database itself. ``StatementRepository.add``
  inserts and reports an existing row with the same id instead of checking
  first, so two concurrent writers of one id cannot both succeed.
* Statements are ordered by ``seq``, a store-assigned integer that grows in
  commit order; ``stored`` timestamps never decrease along it. Paging uses
  ``seq`` as a keyset cursor, never an offset.
* Every row carries ``org``, the organisation path of the credential that
  wrote it (``""`` for the root). Reads take an optional scope: a path whose
  subtree may be seen (``None`` means everything).
* Side effects leave the request through the outbox, written in the same unit
  of work as the change that causes them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrs.storage.aggregates import AggregateRepository

# How an agent or activity appears in a statement; a statement links to the
# same agent or activity once per usage. Used by ``related_agents`` and
# ``related_activities`` so those queries are served by indexes.
AGENT_USAGES = (
    "actor",
    "object",
    "authority",
    "instructor",
    "team",
    "context_agent",
    "context_group",
)
ACTIVITY_USAGES = ("object", "parent", "grouping", "category", "other")


@dataclass(frozen=True)
class StatementRecord:
    """A statement as stored, with the keys the store indexes it by."""

    id: str
    statement: dict[str, Any]
    stored: datetime
    org: str
    authority_key: str
    verb_id: str
    registration: str | None = None
    voided: bool = False
    # The id of the statement this one voids, when its verb is "voided".
    voids: str | None = None
    # The id in a StatementRef object: queries also return statements that
    # target a matching statement (xAPI Communication 2.1.3).
    object_ref: str | None = None
    # (usage, agent key); usage is prefixed "sub_" inside a SubStatement.
    agents: tuple[tuple[str, str], ...] = ()
    # (usage, activity id); usage is prefixed "sub_" inside a SubStatement.
    activities: tuple[tuple[str, str], ...] = ()
    attachment_hashes: tuple[str, ...] = ()
    seq: int | None = None
    # The statement as the store keeps it (compact JSON text), set only for a
    # query with ``raw_json``: then ``statement`` may be left empty.
    raw: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StatementQuery:
    """Filters of a GET /statements query, already resolved to store keys."""

    agent_keys: tuple[str, ...] = ()  # any of these agents (one trainee may have many IFIs)
    related_agents: bool = False
    verb_id: str | None = None
    activity_id: str | None = None
    related_activities: bool = False
    registration: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False
    limit: int = 100
    # Keyset paging: only rows strictly after (or before, descending) this seq.
    after_seq: int | None = None
    # Rows stored after the first page was read are left out of later pages.
    max_seq: int | None = None
    org_scope: str | None = None
    authority_key: str | None = None  # statements/read/mine
    include_voided: bool = False
    # The caller only needs each statement's JSON text (GET with format=exact):
    # an adapter may fill ``StatementRecord.raw`` and skip parsing ``statement``.
    # Adapters that ignore it return full records, which stay correct.
    raw_json: bool = False


@dataclass(frozen=True)
class Attachment:
    sha2: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DocumentKey:
    """Identifies one document of the State, Activity Profile or Agent Profile resources."""

    kind: str  # "state" | "activity_profile" | "agent_profile"
    org: str
    doc_id: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""

    def scope(self) -> DocumentScope:
        return DocumentScope(
            self.kind, self.org, self.activity_id, self.agent_key, self.registration
        )


@dataclass(frozen=True)
class DocumentScope:
    """The set of documents a multiple-id GET or a DELETE-all addresses.

    For the State resource ``registration=None`` means any registration.
    """

    kind: str
    org: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str | None = ""


@dataclass(frozen=True)
class Document:
    key: DocumentKey
    content: bytes
    content_type: str
    etag: str
    updated: datetime


@dataclass(frozen=True)
class Credential:
    key: str
    secret_hash: str
    name: str
    scopes: tuple[str, ...]
    org: str = ""
    created: datetime | None = None
    revoked: bool = False
    # Profile-validation policy and other per-credential settings.
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxEvent:
    id: int | str
    topic: str
    payload: dict[str, Any]
    created: datetime


@dataclass(frozen=True)
class PatternState:
    """Where one registration stands in one profile pattern's automaton.

    Kept so each arriving statement is checked against the pattern without
    re-reading the registration's history.
    """

    pattern_id: str
    registration: str
    subregistration: str = ""
    # The automaton states the statements so far can have reached.
    states: tuple[str, ...] = ()
    failed: bool = False
    updated: datetime | None = None


@dataclass(frozen=True)
class Violation:
    """A statement that broke a profile rule, recorded in ``flag`` mode (and for reports)."""

    statement_id: str
    profile_id: str
    # The template or pattern id, and the rule within it, e.g. "rules[2]".
    subject_id: str
    rule: str
    message: str
    location: str = ""
    registration: str | None = None
    org: str = ""
    created: datetime | None = None


@dataclass(frozen=True)
class Trainee:
    """A cadre in the trainee registry (GB/T 38856 §6.1.3 basic information).

    ``key`` is the keyed hash (HMAC-SHA-256, hex) of the agreed identifier; the
    identifier itself is never stored. ``unit`` is the org path of the unit the
    trainee is in now ("" when unknown); org-scoped reads go by it.
    """

    key: str
    masked_id: str
    name: str = ""
    position: str = ""  # 职务
    rank: str = ""  # 职级
    unit: str = ""
    # Made by an ingest hook from an unknown agreed identifier; a liaison's
    # upsert completes it.
    provisional: bool = False
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class Membership:
    """The trainee was in ``unit`` (an org path) from ``joined`` until the day before ``left``."""

    unit: str
    joined: date | None = None  # None: since before the registry knew
    left: date | None = None  # None: still there
    source: str = ""  # "statement" | "api" | "import" | "resolution"


@dataclass(frozen=True)
class AccountLink:
    """One agent identifier (an xAPI IFI) linked to a trainee; ``org`` is the linker's path."""

    agent_key: str
    trainee_key: str
    ifi: dict[str, Any]
    source: str  # "statement" | "api" | "import" | "resolution"
    org: str = ""
    linked: datetime | None = None
    linked_by: str = ""  # credential key, or "cli"
    statement_id: str | None = None
    unlinked: datetime | None = None
    unlinked_by: str = ""


@dataclass(frozen=True)
class IdentityConflict:
    """A claim the registry contradicts, kept until an authorised user resolves it.

    At most one *open* conflict exists per ``dedupe_key``; a repeated claim
    raises ``count`` instead of adding a row. ``org`` is the lowest org path
    covering every unit concerned, so the authority over all of them resolves it.
    """

    kind: str  # "account_claim" | "unit_mismatch"
    dedupe_key: str
    org: str
    trainee_key: str  # the claimant (account_claim) or the trainee concerned
    other_trainee_key: str | None = None  # the account's current owner
    agent_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    status: str = "open"  # "open" | "resolved" | "dismissed"
    count: int = 1
    resolution: dict[str, Any] = field(default_factory=dict)
    created: datetime | None = None
    updated: datetime | None = None
    id: int | str | None = None


@dataclass(frozen=True)
class ArchiveRow:
    """One derived learning-archive row (GB/T 38856 §9.1.2's smallest units).

    ``kind`` "course" is one trainee × one course × one period, "class" one
    trainee × one theme class × one period. ``data`` holds the process and
    result data (JSON-safe; Decimal amounts as strings). Rows are derived from
    statements and the credit ledger and may be rebuilt; history lives in the ledger.
    """

    kind: str  # "course" | "class"
    trainee_key: str
    period_key: str
    activity_id: str
    unit: str = ""  # org path the record was earned under ("" unknown)
    institution: str = ""  # institution code of the platform that reported it
    org: str = ""  # org path of the credential that stored its first statement
    data: dict[str, Any] = field(default_factory=dict)
    updated: datetime | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """One credit decision, append-only and hash-chained per trainee (§9.1.1).

    A reversal (a voided crediting statement) is a new entry with negative
    amounts and ``reverses`` = the reversed entry's ``seq``.
    """

    trainee_key: str
    seq: int  # 1, 2, … per trainee
    period_key: str
    kind: str  # "course" | "class" | "bonus"
    activity_id: str
    credit_hours: Decimal
    credits: Decimal
    requirement: str
    unit: str
    policy_id: str
    statement_id: str
    recorded: datetime
    reason: str = ""
    reverses: int | None = None
    org: str = ""
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class ProjectedStatement:
    """A statement the archive projection has applied (the projection's idempotency key)."""

    statement_id: str
    trainee_key: str
    # (kind, period_key, activity_id) of every archive row it touched.
    rows: tuple[tuple[str, str, str], ...] = ()
    projected: datetime | None = None


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    oldest_pending: datetime | None


@dataclass(frozen=True)
class GatewayJob:
    """One long-running gateway job (adapters/): a pull from a platform LRS, a forward
    to an upstream LRS, or a legacy import. ``config`` is what the operator set
    (endpoint, the remote key, the secret only encrypted, filters); ``state`` is what
    the job keeps between runs (its checkpoint, counters, last error)."""

    name: str
    kind: str  # "pull" | "forward" | "import"
    org: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    paused: bool = False
    created: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class DeadLetter:
    """An item a gateway job could not deliver and will not retry by itself.

    ``id`` is derived from (job, item), so a replayed page or a second import of a
    refused row counts one more attempt on the same letter instead of adding one.
    """

    id: str
    job: str
    item: str  # a statement id, or "row 12" of an import
    reason: str
    payload: dict[str, Any] = field(default_factory=dict)
    org: str = ""
    status: str = "open"  # "open" | "resolved" | "discarded"
    attempts: int = 1
    created: datetime | None = None
    updated: datetime | None = None


# Marker for DocumentRepository.save: replace whatever is there.
ANY = "*"


class StatementRepository(ABC):
    @abstractmethod
    def add(self, record: StatementRecord) -> StatementRecord | None:
        """Insert ``record``; return the stored row instead if its id already exists.

        The record's ``seq`` is assigned by the store. A returned existing row
        means nothing was written; the caller compares the two for equivalence.
        """

    @abstractmethod
    def get(self, statement_id: str, org_scope: str | None = None) -> StatementRecord | None:
        """The statement with this id, voided or not, if visible within ``org_scope``."""

    @abstractmethod
    def get_many(self, statement_ids: list[str]) -> dict[str, StatementRecord]:
        """The statements with these ids that :meth:`get` would return (unscoped), by id;
        one query for a whole projector batch instead of one per statement."""

    @abstractmethod
    def mark_voided(self, statement_id: str) -> None:
        """Flag a stored statement as voided (no-op when it is absent)."""

    @abstractmethod
    def query(self, q: StatementQuery) -> list[StatementRecord]:
        """Up to ``q.limit`` matching statements in ``seq`` order."""

    @abstractmethod
    def last_seq(self) -> int:
        """The highest ``seq`` committed so far (0 when empty)."""

    @abstractmethod
    def last_stored(self) -> datetime | None:
        """The ``stored`` time of the newest statement, used to keep ``stored`` monotonic."""


class ActivityRepository(ABC):
    @abstractmethod
    def merge_definition(self, activity_id: str, definition: dict[str, Any]) -> None:
        """Fold ``definition`` into the canonical definition kept for ``activity_id``."""

    @abstractmethod
    def get(self, activity_id: str) -> dict[str, Any] | None:
        """The merged definition, or None if the activity was never defined."""


class AttachmentRepository(ABC):
    @abstractmethod
    def put(self, attachment: Attachment) -> None:
        """Store by content hash; storing the same hash twice keeps one copy."""

    @abstractmethod
    def get_many(self, hashes: list[str]) -> dict[str, Attachment]: ...


class DocumentRepository(ABC):
    @abstractmethod
    def get(self, key: DocumentKey) -> Document | None: ...

    @abstractmethod
    def list_ids(self, scope: DocumentScope, since: datetime | None = None) -> list[str]: ...

    @abstractmethod
    def save(self, document: Document, expected_etag: str | None) -> None:
        """Write ``document`` if the current ETag is ``expected_etag``.

        ``expected_etag=None`` requires that no document exists; ``ANY``
        replaces unconditionally. Raises ``ConcurrentUpdate`` when another
        writer got there first, so no update is ever lost silently.
        """

    @abstractmethod
    def delete(self, key: DocumentKey) -> None: ...

    @abstractmethod
    def delete_all(self, scope: DocumentScope) -> None: ...


class CredentialRepository(ABC):
    @abstractmethod
    def add(self, credential: Credential) -> None: ...

    @abstractmethod
    def get(self, key: str) -> Credential | None: ...

    @abstractmethod
    def list(self) -> list[Credential]: ...

    @abstractmethod
    def revoke(self, key: str) -> bool:
        """Mark revoked; False when no such credential."""


class Outbox(ABC):
    @abstractmethod
    def add(self, topic: str, payload: dict[str, Any]) -> None: ...

    @abstractmethod
    def pending(self, topic: str | None = None, limit: int = 100) -> list[OutboxEvent]: ...

    @abstractmethod
    def mark_done(self, event_ids: list[int | str]) -> None: ...

    @abstractmethod
    def lag(self) -> OutboxLag:
        """How many events are pending and when the oldest was written (lag reporting)."""


    # True when event ids grow in commit order (SQLite: one writer at a time). A
    # consumer with its own cursor (:meth:`after`) may then trust that no event
    # with a lower id commits later; otherwise it reads only settled events.
    commit_ordered: bool = True

    def after(
        self, cursor: int | str | None, topic: str, limit: int = 100,
        created_before: datetime | None = None,
    ) -> list[OutboxEvent]:
        """Events of ``topic`` after ``cursor`` in id order, done or not: for consumers
        that keep their own cursor (the gateway forwarder), so they never take events
        from the queue the archive projector drains. ``created_before`` leaves out
        events written since (stores whose ids are not commit-ordered)."""
        raise NotImplementedError


class PatternStateRepository(ABC):
    @abstractmethod
    def get(
        self, pattern_id: str, registration: str, subregistration: str = ""
    ) -> PatternState | None: ...

    @abstractmethod
    def save(self, state: PatternState) -> None:
        """Insert or replace the state for (pattern, registration, subregistration)."""


class ViolationRepository(ABC):
    @abstractmethod
    def add(self, violations: list[Violation]) -> None: ...

    @abstractmethod
    def for_statement(self, statement_id: str, org_scope: str | None = None) -> list[Violation]: ...

    @abstractmethod
    def for_registration(
        self, registration: str, org_scope: str | None = None, limit: int = 1000
    ) -> list[Violation]: ...

    def recent(self, org_scope: str | None = None, limit: int = 100) -> list[Violation]:
        """The newest violations recorded for statements of ``org_scope`` (None: all),
        newest first."""
        raise NotImplementedError


class TraineeRepository(ABC):
    @abstractmethod
    def get(self, key: str) -> Trainee | None: ...

    @abstractmethod
    def save(self, trainee: Trainee) -> None:
        """Insert or replace the trainee with this key."""

    @abstractmethod
    def list(
        self, org_scope: str | None = None, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        """Trainees whose current unit is within ``org_scope``, in key order after ``after_key``."""

    def get_many(self, keys: list[str]) -> dict[str, Trainee]:
        """The trainees with these keys that exist (adapters may batch this)."""
        found = {key: self.get(key) for key in dict.fromkeys(keys)}
        return {key: t for key, t in found.items() if t is not None}

    @abstractmethod
    def memberships(self, key: str) -> list[Membership]:
        """The trainee's unit memberships, oldest first (an unknown ``joined`` first)."""

    def memberships_many(self, keys: list[str]) -> dict[str, list[Membership]]:
        """:meth:`memberships` of each key that has any (adapters may batch this)."""
        found = {key: self.memberships(key) for key in dict.fromkeys(keys)}
        return {key: ms for key, ms in found.items() if ms}

    @abstractmethod
    def set_memberships(self, key: str, memberships: list[Membership]) -> None:
        """Replace the trainee's memberships with these."""

    @abstractmethod
    def with_memberships_in(
        self, org_scope: str, after_key: str | None = None, limit: int = 500
    ) -> list[Trainee]:
        """Trainees with any membership, past or current, within ``org_scope``, in key order."""


class AccountLinkRepository(ABC):
    @abstractmethod
    def link(self, link: AccountLink) -> AccountLink | None:
        """Make ``link`` active; return the active link instead if the agent key has one.

        One agent key has at most one active link, enforced by the database, so
        two concurrent claims cannot both win.
        """

    @abstractmethod
    def unlink(self, agent_key: str, when: datetime, by: str = "") -> AccountLink | None:
        """End the agent key's active link (kept as history); the ended link, or None."""

    @abstractmethod
    def owners(self, agent_keys: list[str]) -> dict[str, AccountLink]:
        """The active link of each of these agent keys that has one."""

    def owner_keys(self, agent_keys: list[str]) -> dict[str, str]:
        """Agent key → the key of the trainee it is actively linked to (adapters may do
        this cheaper than :meth:`owners`: the ingest hook calls it per request)."""
        return {key: link.trainee_key for key, link in self.owners(agent_keys).items()}

    @abstractmethod
    def agent_keys(self, trainee_key: str) -> list[str]:
        """The agent keys actively linked to the trainee (one indexed lookup)."""

    @abstractmethod
    def for_trainee(self, trainee_key: str, include_unlinked: bool = False) -> list[AccountLink]:
        """The trainee's links in the order they were made."""

    @abstractmethod
    def was_unlinked(self, agent_key: str, trainee_key: str) -> bool:
        """Whether a link between the two was made once and then ended."""


class IdentityConflictRepository(ABC):
    @abstractmethod
    def record(self, conflict: IdentityConflict) -> IdentityConflict:
        """Add an open conflict, or count one more claim on the open one with its dedupe key."""

    @abstractmethod
    def get(self, conflict_id: int | str) -> IdentityConflict | None: ...

    @abstractmethod
    def list(
        self,
        status: str | None = "open",
        org_scope: str | None = None,
        trainee_key: str | None = None,
        limit: int = 100,
    ) -> list[IdentityConflict]:
        """Conflicts in creation order; ``status=None`` means any status."""

    @abstractmethod
    def close(self, conflict_id: int | str, status: str, resolution: dict[str, Any]) -> bool:
        """Set an open conflict's final status; False when it is not open (or absent)."""


class ArchiveRepository(ABC):
    """The learning-archive projection (lrs.domain.archive): derived rows, the credit
    ledger, the projected-statement markers and the projector's checkpoint."""

    @abstractmethod
    def get_row(
        self, kind: str, trainee_key: str, period_key: str, activity_id: str
    ) -> ArchiveRow | None: ...

    @abstractmethod
    def save_row(self, row: ArchiveRow) -> None:
        """Insert or replace the row with this (kind, trainee, period, activity)."""

    @abstractmethod
    def delete_row(self, kind: str, trainee_key: str, period_key: str, activity_id: str) -> None:
        """Delete this derived row if it is there (a released account's last statements
        were all it held)."""

    @abstractmethod
    def rows_for_trainee(
        self, trainee_key: str, period_key: str | None = None
    ) -> list[ArchiveRow]:
        """The trainee's rows (of one period, or all), by kind, period and activity."""

    def rows_for_trainees(self, trainee_keys: list[str], period_key: str) -> list[ArchiveRow]:
        """:meth:`rows_for_trainee` of each of these trainees for one period, in (trainee,
        kind, period, activity) order; one query per batch of keys instead of one per
        trainee (adapters batch this)."""
        return [
            row
            for key in sorted(set(trainee_keys))
            for row in self.rows_for_trainee(key, period_key)
        ]

    @abstractmethod
    def rows_for_activity(self, trainee_key: str, activity_id: str) -> list[ArchiveRow]:
        """The trainee's rows about one activity in every period (no double counting)."""

    @abstractmethod
    def rows_in_units(
        self, unit_scope: str, period_key: str, after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        """Rows of ``period_key`` earned under ``unit_scope`` or below (``""``: all), in
        (trainee, kind, activity) order after ``after`` = (trainee, kind, period, activity)."""

    def trainees_in_units(self, unit_scope: str, period_key: str) -> list[str]:
        """Keys of the trainees with rows of ``period_key`` earned under ``unit_scope`` or
        below (``""``: all), in key order (adapters read just the index)."""
        keys: set[str] = set()
        after: tuple[str, str, str, str] | None = None
        while True:
            page = self.rows_in_units(unit_scope, period_key, after, 1000)
            keys.update(r.trainee_key for r in page)
            if len(page) < 1000:
                return sorted(keys)
            last = page[-1]
            after = (last.trainee_key, last.kind, last.period_key, last.activity_id)

    def rows_by_org(
        self, org_scope: str, period_key: str, after: tuple[str, str, str, str] | None = None,
        limit: int = 1000,
    ) -> list[ArchiveRow]:
        """Rows of ``period_key`` whose first statement was stored by a credential of
        ``org_scope`` or below (what an institution's statements earned), in (trainee,
        kind, activity) order after ``after`` = (trainee, kind, period, activity)."""
        raise NotImplementedError

    @abstractmethod
    def delete_rows(self) -> int:
        """Delete every derived row, projected and unattributed marker (rebuild); the
        ledger stays."""

    @abstractmethod
    def projected(self, statement_ids: list[str]) -> dict[str, ProjectedStatement]: ...

    @abstractmethod
    def mark_projected(self, marker: ProjectedStatement) -> None:
        """Insert or replace the marker for its statement id."""

    @abstractmethod
    def clear_projected(self, statement_ids: list[str]) -> None:
        """Forget these statements' projected markers (their account was released from the
        trainee they were projected to: they may be projected again, elsewhere)."""

    @abstractmethod
    def mark_unattributed(self, statement_id: str, seq: int, agent_key: str) -> None:
        """Remember that this statement (store position ``seq``) was left unattributed
        because its actor ``agent_key`` was linked to no trainee (idempotent)."""

    @abstractmethod
    def unattributed(self, agent_key: str) -> list[str]:
        """Ids of the agent's unattributed statements, in store (``seq``) order; a
        ``trainee.linked`` event projects exactly these."""

    @abstractmethod
    def clear_unattributed(self, agent_key: str, statement_ids: list[str]) -> None:
        """Forget these statements' unattributed markers for ``agent_key``."""

    @abstractmethod
    def last_entry(self, trainee_key: str) -> LedgerEntry | None: ...

    @abstractmethod
    def append(self, entry: LedgerEntry) -> None:
        """Append ``entry``; (trainee_key, seq) is unique in the database itself."""

    @abstractmethod
    def ledger(
        self, trainee_key: str, after_seq: int = 0, limit: int = 1000
    ) -> list[LedgerEntry]:
        """The trainee's entries with seq > ``after_seq``, in seq order."""

    @abstractmethod
    def entries_for_statement(self, statement_id: str) -> list[LedgerEntry]:
        """Entries recorded for (or reversing because of) this statement."""

    @abstractmethod
    def ledger_trainees(self, after_key: str | None = None, limit: int = 500) -> list[str]:
        """Trainee keys that have ledger entries, in key order after ``after_key``."""

    @abstractmethod
    def get_meta(self, name: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def set_meta(self, name: str, value: dict[str, Any]) -> None: ...

    @abstractmethod
    def lock_projector(self) -> None:
        """Hold the projector's lock until this (write) unit ends, so two projectors never
        apply the same events (SQLite: the write transaction already serialises them)."""


class GatewayRepository(ABC):
    """Gateway jobs and their dead letters (adapters/, lrs.domain.gateway)."""

    @abstractmethod
    def get_job(self, name: str) -> GatewayJob | None: ...

    @abstractmethod
    def save_job(self, job: GatewayJob) -> None:
        """Insert or replace the job with this name."""

    @abstractmethod
    def list_jobs(self, org_scope: str | None = None) -> list[GatewayJob]:
        """Jobs whose org is within ``org_scope``, by name."""

    @abstractmethod
    def put_dead_letter(self, letter: DeadLetter) -> DeadLetter:
        """Insert the letter; if one with its id exists, count one more attempt, take the
        new reason and payload and reopen it. Returns the stored letter."""

    @abstractmethod
    def get_dead_letter(self, letter_id: str) -> DeadLetter | None: ...

    @abstractmethod
    def set_dead_letter_status(self, letter_id: str, status: str, reason: str = "") -> bool:
        """Set a letter's status (and reason, when given); False when absent."""

    @abstractmethod
    def dead_letters(
        self, job: str | None = None, status: str | None = "open",
        org_scope: str | None = None, limit: int = 100,
    ) -> list[DeadLetter]:
        """Letters in creation order; ``status=None`` means any."""

    @abstractmethod
    def count_dead_letters(self, job: str) -> dict[str, int]:
        """Letters of the job by status."""


class UnitOfWork(ABC):
    """One transaction over every repository."""

    statements: StatementRepository
    activities: ActivityRepository
    attachments: AttachmentRepository
    documents: DocumentRepository
    credentials: CredentialRepository
    outbox: Outbox
    pattern_states: PatternStateRepository
    violations: ViolationRepository
    trainees: TraineeRepository
    account_links: AccountLinkRepository
    identity_conflicts: IdentityConflictRepository
    archive: ArchiveRepository
    aggregates: AggregateRepository
    gateway: GatewayRepository

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...


class Store(ABC):
    """A database. Thread-safe; each unit of work is used by one thread."""

    @abstractmethod
    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        """Open a transaction; use through :meth:`transaction` or :meth:`read`.

        A write unit of work takes the store's write lock (where it has one)
        at the start, so checks made inside it hold until commit.
        """

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work; commit when the block ends normally, else roll back."""
        uow = self.unit_of_work()
        try:
            yield uow
            uow.commit()
        except BaseException:
            uow.rollback()
            raise

    @contextmanager
    def read(self) -> Iterator[UnitOfWork]:
        """Yield a unit of work for reads only; nothing it does is kept."""
        uow = self.unit_of_work(write=False)
        try:
            yield uow
        finally:
            uow.rollback()
