-- 0022: how each webhook's deliveries go (issue 16 follow-up).
-- last_delivered_at: the last message it took (a test message too);
-- failing_since: the first failed delivery since then, cleared by the next
-- good one (the "webhook failing" alert's since); last_error: why the last
-- delivery failed (an HTTP status or a network error, never the URL).

ALTER TABLE webhooks ADD COLUMN last_delivered_at INTEGER;
ALTER TABLE webhooks ADD COLUMN failing_since INTEGER;
ALTER TABLE webhooks ADD COLUMN last_error TEXT;
