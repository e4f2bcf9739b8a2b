-- Accounts: organizations, people, invitations, and server settings.
-- Ids are UUIDv7 made in Rust (stored as 16-byte blobs); times are RFC 3339 text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id         BLOB PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    name_normalized   TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('member', 'observer')),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    CONSTRAINT organizations_name_normalized_key UNIQUE (name_normalized)
);

CREATE TABLE users (
    id              BLOB PRIMARY KEY NOT NULL,
    email           TEXT NOT NULL,
    email_normalized       TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    role            TEXT NOT NULL CHECK (role IN ('secretariat', 'delegate', 'observer')),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    token_version   BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    CONSTRAINT users_email_normalized_key UNIQUE (email_normalized)
);
CREATE INDEX users_organization_idx ON users (organization_id);

CREATE TABLE invitations (
    id              BLOB PRIMARY KEY NOT NULL,
    token_hash      TEXT NOT NULL,
    email           TEXT NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    role            TEXT NOT NULL CHECK (role IN ('secretariat', 'delegate', 'observer')),
    created_by      BLOB REFERENCES users (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    used_by         BLOB REFERENCES users (id),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);
