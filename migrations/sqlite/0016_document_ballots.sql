-- Ballots on a whole document (rival proposals on one article, the
-- approval of the whole text, a block of articles), beside those on one
-- proposal: `kind` says which, `subject` (JSON) what is decided, and a
-- ballot names its document always and its proposal only for `proposal`.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt. Its children
-- (votes, casts, reminders) point at it by name; with the foreign keys
-- deferred, the rows put back satisfy them again before the commit checks.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE ballots_copy AS SELECT * FROM ballots;
DROP TABLE ballots;
CREATE TABLE ballots (
    id                  BLOB PRIMARY KEY,
    proposal_id         BLOB REFERENCES proposals (id),
    status              TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    majority            TEXT NOT NULL CHECK (majority IN ('simple', 'absolute', 'two_thirds')),
    quorum              REAL NOT NULL,
    secret              BOOLEAN NOT NULL,
    live_results        BOOLEAN NOT NULL,
    question            TEXT NOT NULL,
    text                TEXT NOT NULL,
    text_sha256         TEXT NOT NULL,
    revision            INTEGER NOT NULL,
    opened_at           TEXT NOT NULL,
    opened_by           BLOB NOT NULL REFERENCES users (id),
    closes_at           TEXT,
    closed_at           TEXT,
    closed_by           BLOB REFERENCES users (id),
    cancelled_reason    TEXT,
    result              TEXT,
    decision            TEXT,
    -- In PostgreSQL's order (added there), so a backup's rows line up.
    kind                TEXT NOT NULL DEFAULT 'proposal'
                        CHECK (kind IN ('proposal', 'alternatives', 'approval', 'block')),
    document_id         BLOB REFERENCES documents (id),
    subject             TEXT,
    alternatives_result TEXT
);
INSERT INTO ballots (id, proposal_id, status, majority, quorum, secret, live_results, question, text,
                     text_sha256, revision, opened_at, opened_by, closes_at, closed_at, closed_by,
                     cancelled_reason, result, decision)
    SELECT id, proposal_id, status, majority, quorum, secret, live_results, question, text,
           text_sha256, revision, opened_at, opened_by, closes_at, closed_at, closed_by,
           cancelled_reason, result, decision FROM ballots_copy;
UPDATE ballots SET document_id = (SELECT p.document_id FROM proposals p WHERE p.id = ballots.proposal_id);
DROP TABLE ballots_copy;
CREATE UNIQUE INDEX ballots_one_open_per_proposal ON ballots (proposal_id) WHERE status = 'open';
CREATE INDEX ballots_due_idx ON ballots (closes_at) WHERE status = 'open';
CREATE INDEX ballots_document_idx ON ballots (document_id, id);

-- A ranked (or plurality) vote: the options' ids in order, as JSON.
ALTER TABLE votes ADD COLUMN ranking TEXT;
ALTER TABLE vote_casts ADD COLUMN ranking TEXT;

-- The approval that made a document final: which ballot, which version,
-- and the SHA-256 of the full text approved.
ALTER TABLE documents ADD COLUMN final_ballot_id BLOB;
ALTER TABLE documents ADD COLUMN final_version INTEGER;
ALTER TABLE documents ADD COLUMN final_sha256 TEXT;
