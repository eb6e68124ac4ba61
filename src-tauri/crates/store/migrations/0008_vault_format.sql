-- 0008: the vault's blob format (issue 11).
--
-- Format 1 (before this migration): each blob authenticates only its purpose
-- ('token-credentials', ...). Format 2: it also authenticates the workspace id
-- and the token id, so a blob copied to another token or workspace fails to
-- decrypt. Depot re-encrypts format-1 blobs when it opens the vault (it needs
-- the key, so SQL cannot do it here) and then sets the format to 2, in one
-- transaction. A vault created from now on starts at format 2.
ALTER TABLE vault ADD COLUMN format INTEGER NOT NULL DEFAULT 1 CHECK (format IN (1, 2));
