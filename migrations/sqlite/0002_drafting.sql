-- (SQLite: ids are 16-byte blobs, times RFC 3339 text.)
-- The charter (documents, sections, versions), proposals with revisions,
-- comments with their history and flags, and the event log.

CREATE TABLE documents (
    id         BLOB PRIMARY KEY,
    title      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The current text; `position` orders the sections (numbers are derived).
CREATE TABLE sections (
    id          BLOB PRIMARY KEY,
    document_id BLOB NOT NULL REFERENCES documents (id),
    kind        TEXT NOT NULL CHECK (kind IN ('chapter', 'article')),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    position    INTEGER NOT NULL
);
CREATE INDEX sections_document_idx ON sections (document_id, position);

-- Every version as a full snapshot (JSON array of sections).
CREATE TABLE document_versions (
    document_id BLOB NOT NULL REFERENCES documents (id),
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  BLOB REFERENCES users (id),
    proposal_id BLOB,
    summary     TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);

CREATE TABLE proposals (
    id               BLOB PRIMARY KEY,
    document_id      BLOB NOT NULL REFERENCES documents (id),
    kind             TEXT NOT NULL CHECK (kind IN ('amend', 'add', 'delete', 'general')),
    section_id       BLOB,
    after_section_id BLOB,
    title            TEXT NOT NULL,
    rationale        TEXT NOT NULL,
    status           TEXT NOT NULL,
    organization_id  BLOB NOT NULL REFERENCES organizations (id),
    author_id        BLOB NOT NULL REFERENCES users (id),
    base_version     INTEGER NOT NULL,
    locked           BOOLEAN NOT NULL DEFAULT FALSE,
    outdated         BOOLEAN NOT NULL DEFAULT FALSE,
    ballot_id        BLOB,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX proposals_document_idx ON proposals (document_id, id);

CREATE TABLE proposal_revisions (
    proposal_id BLOB NOT NULL REFERENCES proposals (id),
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    note        TEXT NOT NULL,
    author_id   BLOB NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (proposal_id, number)
);

CREATE TABLE comments (
    id              BLOB PRIMARY KEY,
    proposal_id     BLOB NOT NULL REFERENCES proposals (id),
    parent_id       BLOB REFERENCES comments (id),
    author_id       BLOB NOT NULL REFERENCES users (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    body            TEXT NOT NULL,
    anchor_revision INTEGER,
    anchor_quote    TEXT,
    created_at      TEXT NOT NULL,
    edited_at       TEXT,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    hidden          BOOLEAN NOT NULL DEFAULT FALSE,
    hidden_reason   TEXT
);
CREATE INDEX comments_proposal_idx ON comments (proposal_id, id);

-- Earlier bodies of edited comments.
CREATE TABLE comment_edits (
    id         BLOB PRIMARY KEY,
    comment_id BLOB NOT NULL REFERENCES comments (id),
    body       TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX comment_edits_comment_idx ON comment_edits (comment_id, id);

CREATE TABLE flags (
    id          BLOB PRIMARY KEY,
    comment_id  BLOB NOT NULL REFERENCES comments (id),
    user_id     BLOB NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    action      TEXT,
    resolved_by BLOB REFERENCES users (id),
    resolved_at TEXT,
    created_at  TEXT NOT NULL,
    CONSTRAINT flags_comment_id_key UNIQUE (comment_id, user_id)
);

-- One row per topic: updating it in the writing transaction serializes the
-- writers of a topic, so sequence order is commit order.
CREATE TABLE topic_heads (
    topic TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL
);

CREATE TABLE events (
    topic      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    data       TEXT NOT NULL,
    actor_id   BLOB,
    actor_name TEXT,
    comment_id BLOB,
    at         TEXT NOT NULL,
    PRIMARY KEY (topic, seq)
);
