-- What a revision proposes as the section's new title (NULL: unchanged).
ALTER TABLE proposal_revisions ADD COLUMN section_title TEXT;

-- A consolidated text lists the proposals it replaces (a JSON array of
-- ids); each of those points back at it.
ALTER TABLE proposals ADD COLUMN supersedes TEXT;
ALTER TABLE proposals ADD COLUMN superseded_by UUID;

-- Organizations that co-sign a proposal: invited by the author
-- organization, accepted by a delegate of the invited one.
CREATE TABLE proposal_cosponsors (
    proposal_id     UUID NOT NULL REFERENCES proposals (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    invited_by      UUID NOT NULL REFERENCES users (id),
    invited_at      TIMESTAMPTZ NOT NULL,
    accepted_by     UUID REFERENCES users (id),
    accepted_at     TIMESTAMPTZ,
    PRIMARY KEY (proposal_id, organization_id)
);

-- Each member organization's stance on each article before the votes (the
-- objection map); the last one counts.
CREATE TABLE stances (
    section_id      UUID NOT NULL,
    document_id     UUID NOT NULL REFERENCES documents (id),
    organization_id UUID NOT NULL REFERENCES organizations (id),
    stance          TEXT NOT NULL CHECK (stance IN ('agree', 'can_live', 'object')),
    reason          TEXT NOT NULL,
    said_by         UUID NOT NULL REFERENCES users (id),
    said_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (section_id, organization_id)
);
CREATE INDEX stances_document_idx ON stances (document_id);
