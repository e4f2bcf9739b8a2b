-- The founding assembly.

-- Who represents each member organization: one titular and alternates,
-- proposed by the organization (or the secretariat) and confirmed by the
-- secretariat. `state` keeps a proposal beside the confirmed mandate until
-- it is confirmed in turn; sessions count only confirmed ones.
CREATE TABLE representatives (
    organization_id UUID NOT NULL REFERENCES organizations (id),
    state           TEXT NOT NULL CHECK (state IN ('proposed', 'confirmed')),
    user_id         UUID NOT NULL REFERENCES users (id),
    titular         BOOLEAN NOT NULL,
    position        INTEGER NOT NULL,
    proposed_by     UUID NOT NULL REFERENCES users (id),
    proposed_at     TIMESTAMPTZ NOT NULL,
    confirmed_by    UUID REFERENCES users (id),
    confirmed_at    TIMESTAMPTZ,
    PRIMARY KEY (organization_id, state, user_id)
);
CREATE UNIQUE INDEX representatives_one_titular ON representatives (organization_id, state) WHERE titular;

-- A session of the assembly; the agenda is a JSON array of items, each
-- with its own id, in order.
CREATE TABLE sessions (
    id              UUID PRIMARY KEY,
    title           TEXT NOT NULL,
    starts_at       TIMESTAMPTZ NOT NULL,
    place           TEXT NOT NULL,
    modality        TEXT NOT NULL CHECK (modality IN ('in_person', 'online', 'hybrid')),
    status          TEXT NOT NULL CHECK (status IN ('convened', 'open', 'closed')),
    quorum          DOUBLE PRECISION NOT NULL,
    speaker_seconds INTEGER NOT NULL,
    agenda          TEXT NOT NULL,
    current_item    UUID,
    created_by      UUID NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    opened_at       TIMESTAMPTZ,
    closed_at       TIMESTAMPTZ
);

-- Who is in the session now, and how they came (online check-in, or marked
-- in the room by the secretariat).
CREATE TABLE session_attendance (
    session_id      UUID NOT NULL REFERENCES sessions (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    present         BOOLEAN NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('online', 'room')),
    marked_by       UUID NOT NULL REFERENCES users (id),
    first_at        TIMESTAMPTZ NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

-- The speakers list, in the order the secretariat gives it.
CREATE TABLE session_speakers (
    id              UUID PRIMARY KEY,
    session_id      UUID NOT NULL REFERENCES sessions (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    position        INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('waiting', 'speaking', 'done')),
    limit_seconds   INTEGER NOT NULL,
    requested_by    UUID NOT NULL REFERENCES users (id),
    requested_at    TIMESTAMPTZ NOT NULL,
    started_at      TIMESTAMPTZ,
    stopped_at      TIMESTAMPTZ
);
CREATE INDEX session_speakers_session_idx ON session_speakers (session_id, position);
CREATE UNIQUE INDEX session_speakers_one_speaking ON session_speakers (session_id) WHERE status = 'speaking';

-- A ballot opened inside a session counts over the organizations present
-- then; it keeps how many member organizations there were, for the acta.
ALTER TABLE ballots ADD COLUMN session_id UUID REFERENCES sessions (id);
ALTER TABLE ballots ADD COLUMN session_members INTEGER;
-- A vote the secretariat recorded from a show of hands in the room.
ALTER TABLE votes ADD COLUMN by_hand BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE vote_casts ADD COLUMN by_hand BOOLEAN NOT NULL DEFAULT FALSE;
