-- 0001: the first workspace schema. Migrations are append-only: never edit a
-- file that has shipped; add the next number instead.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per ADE token ("MDM server" in Apple's portal). Secrets are not here:
-- they live encrypted in their own table (added by the tokens migration).
CREATE TABLE tokens (
    id                 INTEGER PRIMARY KEY,
    server_name        TEXT    NOT NULL,
    server_uuid        TEXT    NOT NULL,
    org_name           TEXT    NOT NULL,
    apple_id           TEXT    NOT NULL,
    expires_at         INTEGER NOT NULL,          -- Unix seconds, UTC
    terms_not_accepted INTEGER NOT NULL DEFAULT 0,
    rejected           INTEGER NOT NULL DEFAULT 0,
    scope_tags         TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    created_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE profiles (
    id         INTEGER PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES tokens(id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (token_id, name)
) STRICT;
CREATE INDEX profiles_by_token ON profiles(token_id);

CREATE TABLE devices (
    token_id INTEGER NOT NULL REFERENCES tokens(id),
    serial   TEXT    NOT NULL,
    PRIMARY KEY (token_id, serial)
) STRICT;
CREATE INDEX devices_by_serial ON devices(serial);

-- ACC-1: append-only. The triggers make UPDATE and DELETE fail loudly.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,  -- Unix seconds, UTC
    operator    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    object      TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT
) STRICT;
CREATE INDEX audit_log_by_time ON audit_log(at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
