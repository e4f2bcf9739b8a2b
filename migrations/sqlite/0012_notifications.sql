-- A notice is one thing to hear of (a ballot opened, a reply); each person
-- it is for has a notification of it, read or not. Notices of one kind in
-- one thread (a discussion) within a minute fold into the first unread
-- notification, whose count grows.
CREATE TABLE notices (
    id         BLOB PRIMARY KEY,
    kind       TEXT NOT NULL,
    thread     BLOB,
    link       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE notifications (
    user_id    BLOB NOT NULL REFERENCES users (id),
    notice_id  BLOB NOT NULL REFERENCES notices (id),
    count      INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    PRIMARY KEY (user_id, notice_id)
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
-- Each reminder of a ballot is sent once, whichever node gets there first.
CREATE TABLE ballot_reminders (
    ballot_id  BLOB NOT NULL REFERENCES ballots (id),
    hours      INTEGER NOT NULL,
    sent_at    TEXT NOT NULL,
    PRIMARY KEY (ballot_id, hours)
);
