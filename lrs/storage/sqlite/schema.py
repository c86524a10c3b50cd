"""The embedded store's tables. Applied idempotently when a store opens."""

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- seq is the commit-ordered cursor; id is unique in the database itself so a
-- duplicate insert is caught by the constraint, never by a read beforehand.
CREATE TABLE IF NOT EXISTS statements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    stored TEXT NOT NULL,
    org TEXT NOT NULL,
    authority_key TEXT NOT NULL,
    verb_id TEXT NOT NULL,
    registration TEXT,
    voided INTEGER NOT NULL DEFAULT 0,
    voids TEXT,
    object_ref TEXT,
    attachment_hashes TEXT NOT NULL DEFAULT '[]',
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_verb ON statements (verb_id, seq);
CREATE INDEX IF NOT EXISTS statements_registration ON statements (registration, seq)
    WHERE registration IS NOT NULL;
CREATE INDEX IF NOT EXISTS statements_stored ON statements (stored);
CREATE INDEX IF NOT EXISTS statements_org ON statements (org, seq);
CREATE INDEX IF NOT EXISTS statements_object_ref ON statements (object_ref)
    WHERE object_ref IS NOT NULL;
CREATE INDEX IF NOT EXISTS statements_authority ON statements (authority_key, seq);

-- Link tables: one row per (statement, usage, agent/activity), so agent,
-- activity and related_* filters are index lookups.
CREATE TABLE IF NOT EXISTS statement_agents (
    agent_key TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES statements (seq),
    usage TEXT NOT NULL,
    PRIMARY KEY (agent_key, seq, usage)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS statement_activities (
    activity_id TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES statements (seq),
    usage TEXT NOT NULL,
    PRIMARY KEY (activity_id, seq, usage)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS activities (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS attachments (
    sha2 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL,
    org TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    agent_key TEXT NOT NULL,
    registration TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content BLOB NOT NULL,
    content_type TEXT NOT NULL,
    etag TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (kind, org, activity_id, agent_key, registration, doc_id)
);

CREATE TABLE IF NOT EXISTS credentials (
    key TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    org TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS pattern_states (
    pattern_id TEXT NOT NULL,
    registration TEXT NOT NULL,
    subregistration TEXT NOT NULL,
    states TEXT NOT NULL,
    failed INTEGER NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (pattern_id, registration, subregistration)
);

CREATE TABLE IF NOT EXISTS violations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    message TEXT NOT NULL,
    location TEXT NOT NULL,
    registration TEXT,
    org TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS violations_statement ON violations (statement_id);
CREATE INDEX IF NOT EXISTS violations_org ON violations (org, id);
CREATE INDEX IF NOT EXISTS violations_registration ON violations (registration, id)
    WHERE registration IS NOT NULL;

CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (done, id);
"""
