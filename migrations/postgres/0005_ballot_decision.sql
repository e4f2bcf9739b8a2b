-- What each ballot decides, stated in full when it opens (kind, the article
-- at the base version, its current text and the proposed one), as the
-- canonical JSON the minutes hash. Empty for ballots opened before.
ALTER TABLE ballots ADD COLUMN decision TEXT;
