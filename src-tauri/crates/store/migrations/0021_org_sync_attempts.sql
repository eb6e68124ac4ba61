-- 0021: the organisation's scheduled sync (issue 17 follow-up). last_attempt_at:
-- when Depot last tried to read the organisation, successful or not (the
-- schedule waits an hour after a failed try); failing_since: the first of the
-- failed tries since the last success (the "can't read the organisation"
-- alert's since), cleared by a success.

ALTER TABLE org_accounts ADD COLUMN last_attempt_at INTEGER;
ALTER TABLE org_accounts ADD COLUMN failing_since INTEGER;
