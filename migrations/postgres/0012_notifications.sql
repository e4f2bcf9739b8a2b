-- A notice is one thing to hear of (a ballot opened, a reply); each person
-- it is for has a notification of it, read or not. Notices of one kind in
-- one thread (a discussion) within a minute fold into the first unread
-- notification, whose count grows.
CREATE TABLE notices (
    id         UUID PRIMARY KEY,
    kind       TEXT NOT NULL,
    thread     UUID,
    link       TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE notifications (
    user_id    UUID NOT NULL REFERENCES users (id),
    notice_id  UUID NOT NULL REFERENCES notices (id),
    count      BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, notice_id)
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
-- Each reminder of a ballot is sent once, whichever node gets there first.
CREATE TABLE ballot_reminders (
    ballot_id  UUID NOT NULL REFERENCES ballots (id),
    hours      BIGINT NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ballot_id, hours)
);
