-- Where each document stands in its process (see domain::phase). Existing
-- documents are in `amendments`, which is how Minga worked before phases.
ALTER TABLE documents ADD COLUMN phase TEXT NOT NULL DEFAULT 'amendments'
    CHECK (phase IN ('drafting', 'amendments', 'deliberation', 'voting', 'final'));
ALTER TABLE documents ADD COLUMN amendments_close_at TEXT;
