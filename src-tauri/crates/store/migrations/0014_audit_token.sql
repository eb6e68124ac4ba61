-- 0014: the token an audit entry concerns (issue 14, scope tags): an
-- account limited by scope tags sees only the entries of the tokens it
-- sees. NULL: the workspace as a whole (people, settings, the key pair), and
-- every entry written before this migration, which only accounts without
-- tags see.

ALTER TABLE audit_log ADD COLUMN token_id INTEGER;

CREATE INDEX audit_log_by_token ON audit_log(token_id, id);
