-- 0019: alerts that reach people (issue 16). alert_snoozes: an alert hidden
-- until `until` by `by` (audited in core); `severity` is the severity it had
-- when snoozed: a worse one ends the snooze. webhooks: where `depot serve`
-- delivers alerts; the URL (Slack and Teams URLs are secrets) is sealed in the
-- vault (slot "webhook-url", bound to the row id) and only `url_hint`
-- (scheme and host) is shown. webhook_state: what each webhook was last told
-- about each alert, so only news is sent (raised, worse, better, cleared).
-- devices_summary: the dashboard's one pass over active devices, from the
-- index alone.

CREATE TABLE alert_snoozes (
    key      TEXT    PRIMARY KEY,
    severity TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    until    INTEGER NOT NULL,
    by       TEXT    NOT NULL,
    at       INTEGER NOT NULL
) STRICT;

CREATE TABLE webhooks (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE COLLATE NOCASE
                 CHECK (length(name) BETWEEN 1 AND 100),
    format       TEXT    NOT NULL CHECK (format IN ('json', 'teams', 'slack')),
    min_severity TEXT    NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
    url_hint     TEXT    NOT NULL,
    secret       BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL
) STRICT;

CREATE TABLE webhook_state (
    webhook_id   INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    alert_key    TEXT    NOT NULL,
    severity     TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    delivered_at INTEGER NOT NULL,
    PRIMARY KEY (webhook_id, alert_key)
) STRICT;

CREATE INDEX devices_summary
    ON devices(token_id, profile_status, family, model, profile_uuid IS NULL)
    WHERE removed_at IS NULL;
