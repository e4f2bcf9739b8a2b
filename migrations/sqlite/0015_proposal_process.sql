-- What a revision proposes as the section's new title (NULL: unchanged).
ALTER TABLE proposal_revisions ADD COLUMN section_title TEXT;

-- A consolidated text lists the proposals it replaces (a JSON array of
-- ids); each of those points back at it.
ALTER TABLE proposals ADD COLUMN supersedes TEXT;
ALTER TABLE proposals ADD COLUMN superseded_by BLOB;

-- Organizations that co-sign a proposal: invited by the author
-- organization, accepted by a delegate of the invited one.
CREATE TABLE proposal_cosponsors (
    proposal_id     BLOB NOT NULL REFERENCES proposals (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    invited_by      BLOB NOT NULL REFERENCES users (id),
    invited_at      TEXT NOT NULL,
    accepted_by     BLOB REFERENCES users (id),
    accepted_at     TEXT,
    PRIMARY KEY (proposal_id, organization_id)
);

-- Each member organization's stance on each article before the votes (the
-- objection map); the last one counts.
CREATE TABLE stances (
    section_id      BLOB NOT NULL,
    document_id     BLOB NOT NULL REFERENCES documents (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    stance          TEXT NOT NULL CHECK (stance IN ('agree', 'can_live', 'object')),
    reason          TEXT NOT NULL,
    said_by         BLOB NOT NULL REFERENCES users (id),
    said_at         TEXT NOT NULL,
    PRIMARY KEY (section_id, organization_id)
);
CREATE INDEX stances_document_idx ON stances (document_id);
