-- The founding assembly.

-- Who represents each member organization: one titular and alternates,
-- proposed by the organization (or the secretariat) and confirmed by the
-- secretariat. `state` keeps a proposal beside the confirmed mandate until
-- it is confirmed in turn; sessions count only confirmed ones.
CREATE TABLE representatives (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    state           TEXT NOT NULL CHECK (state IN ('proposed', 'confirmed')),
    user_id         BLOB NOT NULL REFERENCES users (id),
    titular         BOOLEAN NOT NULL,
    position        INTEGER NOT NULL,
    proposed_by     BLOB NOT NULL REFERENCES users (id),
    proposed_at     TEXT NOT NULL,
    confirmed_by    BLOB REFERENCES users (id),
    confirmed_at    TEXT,
    PRIMARY KEY (organization_id, state, user_id)
);
CREATE UNIQUE INDEX representatives_one_titular ON representatives (organization_id, state) WHERE titular;

-- A session of the assembly; the agenda is a JSON array of items, each
-- with its own id, in order.
CREATE TABLE sessions (
    id              BLOB PRIMARY KEY,
    title           TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    place           TEXT NOT NULL,
    modality        TEXT NOT NULL CHECK (modality IN ('in_person', 'online', 'hybrid')),
    status          TEXT NOT NULL CHECK (status IN ('convened', 'open', 'closed')),
    quorum          REAL NOT NULL,
    speaker_seconds INTEGER NOT NULL,
    agenda          TEXT NOT NULL,
    current_item    BLOB,
    created_by      BLOB NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    opened_at       TEXT,
    closed_at       TEXT
);

-- Who is in the session now, and how they came (online check-in, or marked
-- in the room by the secretariat).
CREATE TABLE session_attendance (
    session_id      BLOB NOT NULL REFERENCES sessions (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    present         BOOLEAN NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('online', 'room')),
    marked_by       BLOB NOT NULL REFERENCES users (id),
    first_at        TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- The speakers list, in the order the secretariat gives it.
CREATE TABLE session_speakers (
    id              BLOB PRIMARY KEY,
    session_id      BLOB NOT NULL REFERENCES sessions (id),
    user_id         BLOB NOT NULL REFERENCES users (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('waiting', 'speaking', 'done')),
    limit_seconds   INTEGER NOT NULL,
    requested_by    BLOB NOT NULL REFERENCES users (id),
    requested_at    TEXT NOT NULL,
    started_at      TEXT,
    stopped_at      TEXT
);
CREATE INDEX session_speakers_session_idx ON session_speakers (session_id, position);
CREATE UNIQUE INDEX session_speakers_one_speaking ON session_speakers (session_id) WHERE status = 'speaking';

-- A ballot opened inside a session counts over the organizations present
-- then; it keeps how many member organizations there were, for the acta.
ALTER TABLE ballots ADD COLUMN session_id BLOB REFERENCES sessions (id);
ALTER TABLE ballots ADD COLUMN session_members INTEGER;
-- A vote the secretariat recorded from a show of hands in the room.
ALTER TABLE votes ADD COLUMN by_hand BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE vote_casts ADD COLUMN by_hand BOOLEAN NOT NULL DEFAULT FALSE;
