-- 0009: the protocol-10 facts Apple sends about each device (spec §3.4):
-- IMEI and MEID lists, EID, Wi-Fi / Bluetooth / Ethernet MAC, replacement
-- flags; a search index over those identifiers; and Apple's replacement
-- details (§3.9), fetched when a replacement device is shown.
--
-- Every identifier holds only ASCII letters, digits and the separators
-- ':', '-', '.' and space (Depot drops anything else when it reads Apple's
-- answer), at most 64 characters; lists hold at most 8.

ALTER TABLE devices ADD COLUMN imei TEXT;           -- JSON array of strings; NULL: none
ALTER TABLE devices ADD COLUMN meid TEXT;           -- JSON array of strings; NULL: none
ALTER TABLE devices ADD COLUMN eid TEXT;
ALTER TABLE devices ADD COLUMN wifi_mac TEXT;
ALTER TABLE devices ADD COLUMN bluetooth_mac TEXT;
ALTER TABLE devices ADD COLUMN ethernet_mac TEXT;
ALTER TABLE devices ADD COLUMN is_replacement INTEGER;          -- 0/1; NULL: Apple did not say
ALTER TABLE devices ADD COLUMN released_by_replacement INTEGER; -- 0/1, from a sync 'deleted' record

-- Search by identifier: one row per distinct (key, device, kind), where key
-- is the identifier's letters and digits in upper case ('f0:18:98:aa:bb:cc'
-- → 'F01898AABBCC'), so a MAC matches with or without separators and a
-- prefix is an index range. Keyed by the device's rowid, like device_events.
-- Written by the sync (Db::apply_device_changes) only for devices that have
-- identifiers and only when they change; the trigger below removes a
-- deleted device's rows by their keys (no second index by device).
CREATE TABLE device_identifiers (
    value  TEXT    NOT NULL,
    device INTEGER NOT NULL,   -- devices.rowid
    kind   TEXT    NOT NULL CHECK (kind IN ('imei', 'meid', 'eid', 'wifi_mac',
                                            'bluetooth_mac', 'ethernet_mac')),
    PRIMARY KEY (value, device, kind)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER devices_identifiers_delete AFTER DELETE ON devices
WHEN OLD.imei IS NOT NULL OR OLD.meid IS NOT NULL OR OLD.eid IS NOT NULL
  OR OLD.wifi_mac IS NOT NULL OR OLD.bluetooth_mac IS NOT NULL OR OLD.ethernet_mac IS NOT NULL
BEGIN
    DELETE FROM device_identifiers
     WHERE device = OLD.rowid
       AND value IN (
           SELECT upper(replace(replace(replace(replace(v, ':', ''), '-', ''), '.', ''), ' ', ''))
             FROM (SELECT j.value AS v FROM json_each(coalesce(OLD.imei, '[]')) j
                   UNION ALL SELECT j.value FROM json_each(coalesce(OLD.meid, '[]')) j
                   UNION ALL SELECT OLD.eid
                   UNION ALL SELECT OLD.wifi_mac
                   UNION ALL SELECT OLD.bluetooth_mac
                   UNION ALL SELECT OLD.ethernet_mac)
            WHERE v IS NOT NULL);
END;

-- Apple's answer to "which device did this replacement device replace?",
-- asked when the device is shown (never during a sync). No row: not asked
-- yet. original_serial NULL: Apple answered DEVICE_NOT_FOUND.
CREATE TABLE device_replacements (
    token_id        INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    serial          TEXT    NOT NULL,
    original_serial TEXT,
    replaced_on     TEXT,              -- YYYY-MM-DD (UTC), as Apple gives it
    fetched_at      INTEGER NOT NULL,  -- Unix seconds
    PRIMARY KEY (token_id, serial)
) STRICT;

CREATE TRIGGER devices_replacements_delete AFTER DELETE ON devices
WHEN OLD.is_replacement = 1
BEGIN
    DELETE FROM device_replacements WHERE token_id = OLD.token_id AND serial = OLD.serial;
END;
