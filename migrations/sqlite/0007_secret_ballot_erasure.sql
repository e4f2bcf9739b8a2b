-- A secret ballot's choices are erased when it closes or is cancelled: the
-- rows of who took part, and when, stay; the choice becomes NULL. SQLite
-- cannot drop NOT NULL in place, so both tables are rebuilt (nothing refers
-- to them).
CREATE TABLE votes_new (
    ballot_id       BLOB NOT NULL REFERENCES ballots (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    choice          TEXT CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_by         BLOB NOT NULL REFERENCES users (id),
    cast_at         TEXT NOT NULL,
    PRIMARY KEY (ballot_id, organization_id)
);
INSERT INTO votes_new SELECT ballot_id, organization_id, choice, cast_by, cast_at FROM votes;
DROP TABLE votes;
ALTER TABLE votes_new RENAME TO votes;

CREATE TABLE vote_casts_new (
    id              BLOB PRIMARY KEY,
    ballot_id       BLOB NOT NULL REFERENCES ballots (id),
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    choice          TEXT CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_by         BLOB NOT NULL REFERENCES users (id),
    cast_at         TEXT NOT NULL
);
INSERT INTO vote_casts_new SELECT id, ballot_id, organization_id, choice, cast_by, cast_at FROM vote_casts;
DROP TABLE vote_casts;
ALTER TABLE vote_casts_new RENAME TO vote_casts;
CREATE INDEX vote_casts_ballot_idx ON vote_casts (ballot_id, id);
