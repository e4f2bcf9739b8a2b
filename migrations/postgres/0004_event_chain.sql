-- Tamper evidence: each event carries the SHA-256 of its canonical form
-- chained to the previous event of its topic; the head keeps the last hash.
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE topic_heads ADD COLUMN hash TEXT NOT NULL DEFAULT '';
