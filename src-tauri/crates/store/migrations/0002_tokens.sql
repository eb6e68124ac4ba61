-- 0002: everything a real ADE token needs (TOK-1..9) and the secrets vault (TOK-3).

ALTER TABLE tokens ADD COLUMN org_id TEXT;
ALTER TABLE tokens ADD COLUMN org_type TEXT;
ALTER TABLE tokens ADD COLUMN admin_id TEXT;
-- Apple's base URL for this token (the simulator's for demo tokens).
ALTER TABLE tokens ADD COLUMN apple_url TEXT NOT NULL DEFAULT 'https://mdmenrollment.apple.com';
-- 'simulator': the token came from Depot's in-process simulator (demo mode);
-- its base URL is resolved at run time, not stored.
ALTER TABLE tokens ADD COLUMN environment TEXT NOT NULL DEFAULT 'apple'
    CHECK (environment IN ('apple', 'simulator'));
ALTER TABLE tokens ADD COLUMN renewed_at INTEGER;
ALTER TABLE tokens ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN default_profile_id INTEGER REFERENCES profiles(id);

-- One token per MDM server: a second file for the same server is a renewal.
CREATE UNIQUE INDEX tokens_by_server_uuid ON tokens(server_uuid);

-- The workspace's vault: an id (names the keychain entry) and a known value
-- encrypted under the workspace key, to tell a wrong key from damaged data.
CREATE TABLE vault (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    workspace_id TEXT    NOT NULL,
    key_check    BLOB    NOT NULL
) STRICT;

-- A token's secrets, encrypted (AES-256-GCM): the four OAuth values (JSON) and
-- the private key its server token is encrypted to. The certificate is public.
CREATE TABLE token_secrets (
    token_id        INTEGER PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    credentials     BLOB NOT NULL,
    private_key     BLOB NOT NULL,
    certificate_pem TEXT NOT NULL
) STRICT;

-- The key pair waiting for Apple's token file (wizard step 2). At most one.
CREATE TABLE pending_key (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    private_key     BLOB    NOT NULL,
    certificate_pem TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_log_by_action ON audit_log(action, id);
