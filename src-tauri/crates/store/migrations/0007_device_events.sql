-- 0007: what each sync did to each device (DEV-6: the drawer's sync events).
--
-- Keyed by the device's rowid, not its serial: a sync appends new devices
-- (growing rowids), so their 'added' events append too instead of landing at
-- random places in a serial-keyed index (a first sync of 200,000 devices writes
-- 200,000 of them). Deleting a device deletes its events (the trigger), so a
-- reused rowid never inherits another device's history.
CREATE TABLE device_events (
    id       INTEGER PRIMARY KEY,
    device   INTEGER NOT NULL,   -- devices.rowid
    at       INTEGER NOT NULL,   -- when Depot applied it
    op_date  INTEGER,            -- Apple's time of the change, when it gave one
    kind     TEXT    NOT NULL CHECK (kind IN ('added', 'modified', 'removed', 'returned')),
    -- modified: [{"field": column, "before": value, "after": value}, ...];
    -- removed: why ("released" by Apple, or "unlisted" by a full fetch).
    detail   TEXT
) STRICT;
CREATE INDEX device_events_by_device ON device_events(device, id);

CREATE TRIGGER devices_events_delete AFTER DELETE ON devices
BEGIN
    DELETE FROM device_events WHERE device = OLD.rowid;
END;

-- The devices already known get their arrival from what the table knows.
INSERT INTO device_events (device, at, op_date, kind)
    SELECT rowid, coalesce(added_at, updated_at), op_date, 'added' FROM devices
     ORDER BY rowid;
INSERT INTO device_events (device, at, op_date, kind, detail)
    SELECT rowid, removed_at, op_date, 'removed', 'released' FROM devices
     WHERE removed_at IS NOT NULL ORDER BY rowid;
