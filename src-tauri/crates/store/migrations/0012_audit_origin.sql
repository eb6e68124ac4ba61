-- 0012: where each audit entry came from (issue 14): 'desktop', 'browser',
-- 'cli' or 'scheduler'. NULL for entries written before Depot recorded it.
ALTER TABLE audit_log ADD COLUMN origin TEXT
    CHECK (origin IS NULL OR origin IN ('desktop', 'browser', 'cli', 'scheduler'));
