-- Sessions ended by signing out (a token's jti), until the token would have
-- expired anyway: signing out ends the token, not only the cookie.
CREATE TABLE ended_sessions (
    id         BLOB PRIMARY KEY,
    expires_at TEXT NOT NULL
);
