-- 0003: devices as Apple reports them, and the sync state machine (SYN-1..8).

ALTER TABLE devices ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN color TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN asset_tag TEXT;
ALTER TABLE devices ADD COLUMN os TEXT;
ALTER TABLE devices ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN profile_status TEXT NOT NULL DEFAULT 'empty';
ALTER TABLE devices ADD COLUMN profile_uuid TEXT;
ALTER TABLE devices ADD COLUMN profile_assign_time INTEGER;
ALTER TABLE devices ADD COLUMN profile_push_time INTEGER;
ALTER TABLE devices ADD COLUMN assigned_at INTEGER;
ALTER TABLE devices ADD COLUMN assigned_by TEXT;
-- The op_date of the record this row was last written from (latest wins).
ALTER TABLE devices ADD COLUMN op_date INTEGER;
ALTER TABLE devices ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
-- Set when Apple no longer lists the device for this token (SYN-3); purged
-- 30 days later. NULL: the device is assigned to the token.
ALTER TABLE devices ADD COLUMN removed_at INTEGER;
-- The full-fetch run that last listed the device: after a completed fetch,
-- devices not listed by it are marked removed.
ALTER TABLE devices ADD COLUMN seen_run INTEGER;

CREATE INDEX devices_by_token_active ON devices(token_id, removed_at);

-- Per token: where the cursor state machine stands, and pacing facts.
CREATE TABLE sync_state (
    token_id        INTEGER PRIMARY KEY REFERENCES tokens(id) ON DELETE CASCADE,
    phase           TEXT    NOT NULL DEFAULT 'fetch' CHECK (phase IN ('fetch', 'sync')),
    cursor          TEXT,              -- opaque, up to Apple's 1000+ characters
    cursor_at       INTEGER,           -- when this cursor chain started (age limit: 7 days)
    fetch_run       INTEGER,           -- the run whose full fetch is in progress
    last_full_at    INTEGER,
    last_success_at INTEGER,
    last_manual_at  INTEGER,
    last_error_code TEXT,
    last_error      TEXT,
    last_error_at   INTEGER
) STRICT;

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    token_id    INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('full', 'delta')),
    trigger     TEXT    NOT NULL CHECK (trigger IN ('manual', 'automatic')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    result      TEXT    NOT NULL DEFAULT 'running'
        CHECK (result IN ('running', 'ok', 'failed', 'cancelled')),
    pages       INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    modified    INTEGER NOT NULL DEFAULT 0,
    removed     INTEGER NOT NULL DEFAULT 0,
    error_code  TEXT,
    error       TEXT
) STRICT;
CREATE INDEX sync_runs_by_token ON sync_runs(token_id, id);
