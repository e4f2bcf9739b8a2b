-- Ballots on a whole document (rival proposals on one article, the
-- approval of the whole text, a block of articles), beside those on one
-- proposal: `kind` says which, `subject` (JSON) what is decided, and a
-- ballot names its document always and its proposal only for `proposal`.
ALTER TABLE ballots ADD COLUMN kind TEXT NOT NULL DEFAULT 'proposal'
    CHECK (kind IN ('proposal', 'alternatives', 'approval', 'block'));
ALTER TABLE ballots ADD COLUMN document_id UUID REFERENCES documents (id);
ALTER TABLE ballots ADD COLUMN subject TEXT;
ALTER TABLE ballots ADD COLUMN alternatives_result TEXT;
ALTER TABLE ballots ALTER COLUMN proposal_id DROP NOT NULL;
UPDATE ballots b SET document_id = p.document_id FROM proposals p WHERE p.id = b.proposal_id;
CREATE INDEX ballots_document_idx ON ballots (document_id, id);

-- A ranked (or plurality) vote: the options' ids in order, as JSON.
ALTER TABLE votes ADD COLUMN ranking TEXT;
ALTER TABLE vote_casts ADD COLUMN ranking TEXT;

-- The approval that made a document final: which ballot, which version,
-- and the SHA-256 of the full text approved.
ALTER TABLE documents ADD COLUMN final_ballot_id UUID;
ALTER TABLE documents ADD COLUMN final_version BIGINT;
ALTER TABLE documents ADD COLUMN final_sha256 TEXT;
