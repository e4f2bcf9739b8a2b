-- Ballots on proposals: eligible organizations frozen at opening, the
-- current vote of each organization, every cast kept, and the stored result.

CREATE TABLE ballots (
    id               UUID PRIMARY KEY,
    proposal_id      UUID NOT NULL REFERENCES proposals (id),
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    majority         TEXT NOT NULL CHECK (majority IN ('simple', 'absolute', 'two_thirds')),
    quorum           DOUBLE PRECISION NOT NULL,
    secret           BOOLEAN NOT NULL,
    live_results     BOOLEAN NOT NULL,
    question         TEXT NOT NULL,
    text             TEXT NOT NULL,
    text_sha256      TEXT NOT NULL,
    revision         BIGINT NOT NULL,
    opened_at        TIMESTAMPTZ NOT NULL,
    opened_by        UUID NOT NULL REFERENCES users (id),
    closes_at        TIMESTAMPTZ,
    closed_at        TIMESTAMPTZ,
    closed_by        UUID REFERENCES users (id),
    cancelled_reason TEXT,
    result           TEXT
);
CREATE UNIQUE INDEX ballots_one_open_per_proposal ON ballots (proposal_id) WHERE status = 'open';
CREATE INDEX ballots_due_idx ON ballots (closes_at) WHERE status = 'open';

CREATE TABLE ballot_eligible (
    ballot_id         UUID NOT NULL REFERENCES ballots (id),
    organization_id   UUID NOT NULL REFERENCES organizations (id),
    organization_name TEXT NOT NULL,
    PRIMARY KEY (ballot_id, organization_id)
);

-- The current choice of each organization (the last one cast).
CREATE TABLE votes (
    ballot_id       UUID NOT NULL REFERENCES ballots (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    choice          TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_by         UUID NOT NULL REFERENCES users (id),
    cast_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ballot_id, organization_id)
);

-- Every cast and change, with who and when.
CREATE TABLE vote_casts (
    id              UUID PRIMARY KEY,
    ballot_id       UUID NOT NULL REFERENCES ballots (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    choice          TEXT NOT NULL,
    cast_by         UUID NOT NULL REFERENCES users (id),
    cast_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX vote_casts_ballot_idx ON vote_casts (ballot_id, id);
