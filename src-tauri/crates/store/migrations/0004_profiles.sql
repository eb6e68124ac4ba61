-- 0004: enrollment profiles with versions (PRO-13..19), enrollment URL
-- settings (PRO-18) and profile assignment runs with per-serial results (DEV-3).

ALTER TABLE profiles ADD COLUMN description TEXT;
ALTER TABLE profiles ADD COLUMN current_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE profiles ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
-- Names are unique per token regardless of case ("Sales" and "sales" clash).
CREATE UNIQUE INDEX profiles_by_token_name_nocase ON profiles(token_id, name COLLATE NOCASE);

-- Every edit is a new version and a new Apple profile (Apple has no update).
CREATE TABLE profile_versions (
    profile_id   INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    spec         TEXT    NOT NULL,  -- the depot.profile/v1 file of this version
    apple_json   TEXT    NOT NULL,  -- the exact JSON sent (or to be sent) to POST /profile
    apple_uuid   TEXT,              -- Apple's profile_uuid once uploaded
    upload_state TEXT    NOT NULL DEFAULT 'pending'
        CHECK (upload_state IN ('pending', 'uploaded', 'failed')),
    upload_error TEXT,
    upload_error_field TEXT,
    uploaded_at  INTEGER,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    PRIMARY KEY (profile_id, version)
) STRICT;
CREATE UNIQUE INDEX profile_versions_by_uuid ON profile_versions(apple_uuid)
    WHERE apple_uuid IS NOT NULL;

-- When the device last became the token's (new, or back after being removed):
-- devices new since a sync started get the token's default profile (SYN-7).
ALTER TABLE devices ADD COLUMN added_at INTEGER;

-- Which devices hold which Apple profile: joins devices to profile versions.
CREATE INDEX devices_by_profile_uuid ON devices(profile_uuid) WHERE profile_uuid IS NOT NULL;

-- Per-token override of the workspace's enrollment URLs (settings table keys
-- 'enrollment_url' and 'configuration_web_url').
ALTER TABLE tokens ADD COLUMN enrollment_url TEXT;
ALTER TABLE tokens ADD COLUMN configuration_web_url TEXT;

-- One assign or remove run: every serial is written as pending first, then each
-- batch's answers in one transaction, so a killed run resumes where it stopped
-- without sending a finished batch again.
CREATE TABLE assignment_runs (
    id              INTEGER PRIMARY KEY,
    token_id        INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('assign', 'remove')),
    reason          TEXT    NOT NULL CHECK (reason IN ('manual', 'edit', 'default')),
    profile_id      INTEGER,
    profile_version INTEGER,
    apple_uuid      TEXT,
    operator        TEXT    NOT NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    result          TEXT    NOT NULL DEFAULT 'running'
        CHECK (result IN ('running', 'ok', 'partial', 'failed', 'cancelled')),
    error           TEXT
) STRICT;
CREATE INDEX assignment_runs_by_token ON assignment_runs(token_id, id);

CREATE TABLE assignment_results (
    run_id  INTEGER NOT NULL REFERENCES assignment_runs(id) ON DELETE CASCADE,
    serial  TEXT    NOT NULL,
    batch   INTEGER NOT NULL,
    -- NULL while waiting to be sent; THROTTLED rows are sent again in the run;
    -- COOLDOWN: not sent, the serial failed less than 24 hours ago; NOT_SENT:
    -- the run stopped (Apple refused the whole call, or it was cancelled).
    outcome TEXT CHECK (outcome IN ('SUCCESS', 'NOT_ACCESSIBLE', 'FAILED', 'THROTTLED',
                                    'COOLDOWN', 'NOT_SENT')),
    detail  TEXT,
    at      INTEGER,
    PRIMARY KEY (run_id, serial)
) STRICT;
CREATE INDEX assignment_results_by_serial ON assignment_results(serial, run_id);

-- FAILED serials are not sent again for 24 hours (Apple's guidance).
CREATE TABLE assignment_cooldowns (
    token_id INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    serial   TEXT    NOT NULL,
    until    INTEGER NOT NULL,
    PRIMARY KEY (token_id, serial)
) STRICT;
