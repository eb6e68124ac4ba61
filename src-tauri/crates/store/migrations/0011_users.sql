-- 0011: people who sign in to a Depot server (issue 14). The desktop app and
-- the CLI on the workspace act as its owner and need no account; these are
-- the administrators, help-desk staff and read-only viewers who reach the
-- workspace through `depot serve`.
--
-- name: unique, any case. role: what the person may do. scope_tags: a JSON
-- array; a person with tags sees only tokens carrying one of them (none: all).
-- password_hash: an argon2id PHC string, never the password. session_epoch:
-- a session is valid only while the epoch it signed in with is current;
-- "sign out everywhere", a password reset and a disable move it on.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE COLLATE NOCASE
                   CHECK (length(name) BETWEEN 1 AND 64),
    role           TEXT    NOT NULL CHECK (role IN ('administrator', 'help-desk', 'read-only')),
    scope_tags     TEXT    NOT NULL DEFAULT '[]',
    password_hash  TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    session_epoch  INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;
