-- 0006: a sync adds the distinct model/description/color/os values of a
-- page group in one statement (Db::apply_device_changes), like its search
-- entries, instead of four conflict-checked inserts per new device (about
-- 0.6 s of a first sync of 200,000 devices). Other inserts keep the trigger.
DROP TRIGGER devices_values_insert;
CREATE TRIGGER devices_values_insert AFTER INSERT ON devices
WHEN NOT EXISTS (SELECT 1 FROM settings WHERE key = 'search_deferred')
BEGIN
    INSERT INTO device_values (field, value)
        SELECT 'model', NEW.model WHERE NEW.model <> ''
        UNION ALL SELECT 'description', NEW.description WHERE NEW.description <> ''
        UNION ALL SELECT 'color', NEW.color WHERE NEW.color <> ''
        UNION ALL SELECT 'os', NEW.os WHERE NEW.os <> ''
        ON CONFLICT DO NOTHING;
END;
