-- What each person wants to hear and how (see domain::preferences); no row
-- means the defaults. A notification to be mailed says how ('email' at
-- once, or in the 'digest'); mailed_at marks it done (mailed, or read first),
-- once, whichever node got there first.
CREATE TABLE preferences (
    user_id       UUID PRIMARY KEY REFERENCES users (id),
    lang          TEXT NOT NULL,
    notifications TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
ALTER TABLE notifications ADD COLUMN mail TEXT;
ALTER TABLE notifications ADD COLUMN mailed_at TIMESTAMPTZ;
CREATE INDEX notifications_to_mail ON notifications (mail, created_at) WHERE mail IS NOT NULL AND mailed_at IS NULL;
-- The live feed (topic `me`) reads what was recorded in the last seconds.
CREATE INDEX notifications_created ON notifications (created_at);
ALTER TABLE outbox ADD COLUMN unsubscribe TEXT;
