-- Links to set a new password: by mail ("¿Olvidó su contraseña?", 1 hour) or
-- made by the secretariat for someone without mail (24 hours). Single use;
-- only the token's hash is kept. A newer link of the same person, or any
-- use, ends the older ones (used_at is set on all of them).
CREATE TABLE password_resets (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX password_resets_user ON password_resets (user_id);
