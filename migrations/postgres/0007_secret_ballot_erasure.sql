-- A secret ballot's choices are erased when it closes or is cancelled: the
-- rows of who took part, and when, stay; the choice becomes NULL.
ALTER TABLE votes ALTER COLUMN choice DROP NOT NULL;
ALTER TABLE vote_casts ALTER COLUMN choice DROP NOT NULL;
ALTER TABLE vote_casts ADD CONSTRAINT vote_casts_choice_check CHECK (choice IN ('yes', 'no', 'abstain'));
