-- 0005: the device list (DEV-1, DEV-7): sort indexes for keyset pagination,
-- each device's last assignment result, and free text search. The search
-- tables follow the devices table through triggers; the last result is
-- written by the assignment engine (see below).

-- Sort indexes, one per sort across tokens. Every sort ends with
-- (serial, token_id) so that the order is total and a page resumes after
-- (sort value, serial, token_id). A single token's serial sort uses the
-- primary key (token_id, serial); its other sorts read these indexes and skip
-- other tokens' entries inside the index. (Per-token copies would double what
-- a sync writes for every device; measured in benches/device_queries.rs.)
DROP INDEX devices_by_serial;
CREATE INDEX devices_by_serial ON devices(serial, token_id);
CREATE INDEX devices_by_model ON devices(model, serial, token_id);
CREATE INDEX devices_by_status ON devices(profile_status, serial, token_id);
-- Apple's assigned date; a device without one sorts as 0 (first ascending).
-- A generated column rather than an expression index: SQLite bounds an index
-- range by a row value (the page cursor) only on columns.
ALTER TABLE devices ADD COLUMN assigned_sort INTEGER
    GENERATED ALWAYS AS (coalesce(assigned_at, 0)) VIRTUAL;
CREATE INDEX devices_by_assigned ON devices(assigned_sort, serial, token_id);

-- The device's newest row in assignment_results for its token (highest run
-- id): the run, its outcome (NULL while the serial waits to be sent) and when.
ALTER TABLE devices ADD COLUMN last_run_id INTEGER;
ALTER TABLE devices ADD COLUMN last_outcome TEXT;
ALTER TABLE devices ADD COLUMN last_outcome_at INTEGER;

UPDATE devices SET (last_run_id, last_outcome, last_outcome_at) =
    (SELECT a.run_id, a.outcome, a.at
       FROM assignment_results a JOIN assignment_runs r ON r.id = a.run_id
      WHERE a.serial = devices.serial AND r.token_id = devices.token_id
      ORDER BY a.run_id DESC LIMIT 1);

-- "Show me what failed": only devices that were in a run.
CREATE INDEX devices_by_last_outcome ON devices(last_outcome, serial, token_id)
    WHERE last_run_id IS NOT NULL;

-- The assignment engine writes these three columns itself, in the same
-- transaction as each batch's answers (Db::apply_assignment_outcomes): one
-- write per serial instead of a trigger per result row. Serials waiting in a
-- run keep their previous result until Apple answers for them.

-- A deleted result (its run or token deleted): fall back to the newest left.
CREATE TRIGGER assignment_results_last_delete AFTER DELETE ON assignment_results
BEGIN
    UPDATE devices SET (last_run_id, last_outcome, last_outcome_at) =
        (SELECT a.run_id, a.outcome, a.at
           FROM assignment_results a JOIN assignment_runs r ON r.id = a.run_id
          WHERE a.serial = devices.serial AND r.token_id = devices.token_id
          ORDER BY a.run_id DESC LIMIT 1)
     WHERE serial = OLD.serial AND last_run_id = OLD.run_id;
END;

-- A device that arrives after it was in a run (or comes back after a delete).
CREATE TRIGGER devices_last_result_on_insert AFTER INSERT ON devices
WHEN EXISTS (SELECT 1 FROM assignment_results WHERE serial = NEW.serial)
BEGIN
    UPDATE devices SET (last_run_id, last_outcome, last_outcome_at) =
        (SELECT a.run_id, a.outcome, a.at
           FROM assignment_results a JOIN assignment_runs r ON r.id = a.run_id
          WHERE a.serial = NEW.serial AND r.token_id = NEW.token_id
          ORDER BY a.run_id DESC LIMIT 1)
     WHERE token_id = NEW.token_id AND serial = NEW.serial;
END;

-- Free text search, two ways by column:
--
-- * serial and asset tag (a different value on nearly every device): a
--   trigram full-text index answers "contains" for 3+ characters without
--   reading the devices table. Its rowid is the device's rowid, so triggers
--   find a device's entry directly; it also stores (serial, asset tag,
--   token): searches join devices on (token_id, serial), and triggers delete
--   an entry only if it still belongs to that device. A migration that
--   rebuilds the devices table (new rowids) must refill device_search.
-- * model, description, color and OS (a few values repeated on thousands of
--   devices): the distinct values, in device_values. A search matches the few
--   values containing the words and filters devices on them. Indexing these
--   texts per device nearly triples the index (measured at 200,000 devices:
--   +70 MB against +24 MB) for words that match whole models, which a search
--   reads in sort order anyway. Values are added, never removed: one no
--   device holds any more only matches nothing.
CREATE VIRTUAL TABLE device_search USING fts5(
    serial, asset_tag, token_id UNINDEXED,
    tokenize = 'trigram', columnsize = 0
);
INSERT INTO device_search (rowid, serial, asset_tag, token_id)
    SELECT rowid, serial, asset_tag, token_id FROM devices;

CREATE TABLE device_values (
    field TEXT NOT NULL CHECK (field IN ('model', 'description', 'color', 'os')),
    value TEXT NOT NULL,
    PRIMARY KEY (field, value)
) STRICT, WITHOUT ROWID;
INSERT INTO device_values (field, value)
    SELECT 'model', model FROM devices WHERE model <> ''
    UNION SELECT 'description', description FROM devices WHERE description <> ''
    UNION SELECT 'color', color FROM devices WHERE color <> ''
    UNION SELECT 'os', os FROM devices WHERE os <> '';

-- FTS5 writes its pending entries out whenever a statement opens a
-- savepoint, which every sync upsert does: each new device costs a small
-- index segment, merged later (5-10 s more for a first sync of 200,000
-- devices in benches/device_queries.rs). Known devices cost nothing unless
-- their serial or asset tag changes.
-- A sync defers its new devices' entries (settings key 'search_deferred',
-- set only inside its own transaction) and adds them in one statement per
-- page group instead (Db::apply_device_changes): one segment, not one each.
CREATE TRIGGER devices_search_insert AFTER INSERT ON devices
WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'search_deferred')
BEGIN
    INSERT OR REPLACE INTO device_search (rowid, serial, asset_tag, token_id)
        VALUES (NEW.rowid, NEW.serial, NEW.asset_tag, NEW.token_id);
END;

CREATE TRIGGER devices_values_insert AFTER INSERT ON devices
BEGIN
    INSERT INTO device_values (field, value)
        SELECT 'model', NEW.model WHERE NEW.model <> ''
        UNION ALL SELECT 'description', NEW.description WHERE NEW.description <> ''
        UNION ALL SELECT 'color', NEW.color WHERE NEW.color <> ''
        UNION ALL SELECT 'os', NEW.os WHERE NEW.os <> ''
        ON CONFLICT DO NOTHING;
END;

-- Syncs rewrite every column; only a changed value touches the search data.
CREATE TRIGGER devices_search_update AFTER UPDATE OF token_id, serial, asset_tag ON devices
WHEN OLD.token_id IS NOT NEW.token_id OR OLD.serial IS NOT NEW.serial
  OR OLD.asset_tag IS NOT NEW.asset_tag
BEGIN
    DELETE FROM device_search
     WHERE rowid = OLD.rowid AND token_id = OLD.token_id AND serial = OLD.serial;
    INSERT OR REPLACE INTO device_search (rowid, serial, asset_tag, token_id)
        VALUES (NEW.rowid, NEW.serial, NEW.asset_tag, NEW.token_id);
END;

CREATE TRIGGER devices_values_update AFTER UPDATE OF model, description, color, os ON devices
WHEN OLD.model IS NOT NEW.model OR OLD.description IS NOT NEW.description
  OR OLD.color IS NOT NEW.color OR OLD.os IS NOT NEW.os
BEGIN
    INSERT INTO device_values (field, value)
        SELECT 'model', NEW.model WHERE NEW.model <> ''
        UNION ALL SELECT 'description', NEW.description WHERE NEW.description <> ''
        UNION ALL SELECT 'color', NEW.color WHERE NEW.color <> ''
        UNION ALL SELECT 'os', NEW.os WHERE NEW.os <> ''
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER devices_search_delete AFTER DELETE ON devices
BEGIN
    DELETE FROM device_search
     WHERE rowid = OLD.rowid AND token_id = OLD.token_id AND serial = OLD.serial;
END;
