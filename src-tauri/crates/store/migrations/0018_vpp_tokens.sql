-- 0018: Apps and Books (VPP) tokens (issue 15), one per location of Apple's
-- portal. secret: the .vpptoken content sealed by the vault (slot
-- "vpp-token", bound to the row id); never stored in clear. location_uid:
-- Apple's id of the location's library, so a second token for the same
-- location is refused (renew the first). state: Apple's last verdict (ok,
-- expired, revoked, invalid, takenOver by another MDM, failing); problem:
-- what went wrong, with what to do. portal_*: the Intune Company Portal's
-- licence counts at the last sync (counts_at).

CREATE TABLE vpp_tokens (
    id                        INTEGER PRIMARY KEY,
    name                      TEXT    NOT NULL UNIQUE COLLATE NOCASE
                              CHECK (length(name) BETWEEN 1 AND 100),
    location_name             TEXT    NOT NULL,
    location_uid              TEXT    NOT NULL UNIQUE,
    org_name                  TEXT    NOT NULL,
    apps_url                  TEXT    NOT NULL,
    secret                    BLOB    NOT NULL,
    expires_at                INTEGER NOT NULL,
    state                     TEXT    NOT NULL DEFAULT 'ok'
                              CHECK (state IN ('ok', 'expired', 'revoked', 'invalid', 'takenOver', 'failing')),
    problem                   TEXT,
    problem_number            INTEGER,
    other_mdm                 TEXT,
    portal_total              INTEGER,
    portal_assigned           INTEGER,
    portal_available          INTEGER,
    portal_retired            INTEGER,
    portal_device_assignable  INTEGER CHECK (portal_device_assignable IN (0, 1)),
    counts_at                 INTEGER,
    last_sync_at              INTEGER,
    retry_at                  INTEGER,
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL
) STRICT;
