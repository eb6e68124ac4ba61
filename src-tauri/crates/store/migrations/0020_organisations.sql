-- 0020: Apple Business/School Manager API accounts (issue 17). org_accounts:
-- one per API account; the private key (PEM) is sealed in the vault (slot
-- "org-key", bound to the row id) and never handed upwards. api_url:
-- 'apple' for Apple's hosts, else a simulator's base (test setting).
-- org_servers: the organisation's MDM servers, each linked to the ADE token
-- of the same server name when Depot has one. org_devices: what the
-- organisation owns, as of the account's last sync. org_activities: assign
-- and unassign activities Depot started, followed to completion; results:
-- JSON [{serial, result, message}] from Apple's CSV log.

CREATE TABLE org_accounts (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE COLLATE NOCASE
                 CHECK (length(name) BETWEEN 1 AND 100),
    kind         TEXT    NOT NULL CHECK (kind IN ('business', 'school')),
    client_id    TEXT    NOT NULL UNIQUE,
    key_id       TEXT    NOT NULL,
    api_url      TEXT    NOT NULL,
    secret       BLOB    NOT NULL,
    last_sync_at INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE org_servers (
    account_id  INTEGER NOT NULL REFERENCES org_accounts(id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    server_type TEXT    NOT NULL,
    token_id    INTEGER REFERENCES tokens(id) ON DELETE SET NULL,
    devices     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id)
) STRICT;

CREATE TABLE org_devices (
    account_id           INTEGER NOT NULL REFERENCES org_accounts(id) ON DELETE CASCADE,
    serial               TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    server_id            TEXT,
    model                TEXT    NOT NULL DEFAULT '',
    family               TEXT    NOT NULL DEFAULT '',
    color                TEXT    NOT NULL DEFAULT '',
    capacity             TEXT    NOT NULL DEFAULT '',
    part_number          TEXT    NOT NULL DEFAULT '',
    order_number         TEXT    NOT NULL DEFAULT '',
    ordered_at           INTEGER,
    purchase_source_type TEXT    NOT NULL DEFAULT '',
    purchase_source_id   TEXT    NOT NULL DEFAULT '',
    added_at             INTEGER,
    updated_at           INTEGER,
    released_at          INTEGER,
    PRIMARY KEY (account_id, serial)
) STRICT;
CREATE INDEX org_devices_by_serial ON org_devices(serial);
CREATE INDEX org_devices_by_server ON org_devices(account_id, server_id, serial);

CREATE TABLE org_activities (
    id           TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES org_accounts(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('assign', 'unassign')),
    server_id    TEXT    NOT NULL,
    server_name  TEXT    NOT NULL,
    serials      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    sub_status   TEXT    NOT NULL DEFAULT '',
    results      TEXT,
    error        TEXT,
    operator     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    token_synced INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX org_activities_by_account ON org_activities(account_id, created_at);
