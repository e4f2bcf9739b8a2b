-- Signed checkpoints of every topic's head. Two nodes that sign the same
-- heads make one checkpoint: the digest is unique.
CREATE TABLE checkpoints (
    id         BLOB PRIMARY KEY,
    at         TEXT NOT NULL,
    heads      TEXT NOT NULL,
    digest     TEXT NOT NULL,
    signature  TEXT NOT NULL,
    public_key TEXT NOT NULL,
    CONSTRAINT checkpoints_digest_key UNIQUE (digest)
);
