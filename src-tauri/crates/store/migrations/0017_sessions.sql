-- 0017: the sessions of people signed in to `depot serve` (issue 14), kept
-- in the workspace so that restarting the server (an upgrade, a reboot)
-- signs nobody out. Only the SHA-256 of a session's token is kept: a copy
-- of the workspace file opens no session. epoch: the user's session_epoch
-- at sign-in ("sign out everywhere", a password reset or a disable move the
-- user's epoch on, which ends the session). last_seen is written at most
-- once a minute per session, for the idle timeout.

CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    epoch         INTEGER NOT NULL,
    signed_in_at  INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_by_user ON sessions(user_id);
