-- 0010: enrollment profiles per platform (PLT-1) and one default profile per
-- token and platform (PLT-2).

-- Profiles written before platforms existed were iOS/iPadOS profiles.
ALTER TABLE profiles ADD COLUMN platform TEXT NOT NULL DEFAULT 'iOS'
    CHECK (platform IN ('iOS', 'macOS', 'tvOS', 'visionOS'));

-- At most one default per token and platform; a sync gives a new device the
-- default of its own platform only. Deleting the profile or the token
-- removes the default.
CREATE TABLE token_defaults (
    token_id   INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    platform   TEXT    NOT NULL CHECK (platform IN ('iOS', 'macOS', 'tvOS', 'visionOS')),
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, platform)
) STRICT;
CREATE INDEX token_defaults_by_profile ON token_defaults(profile_id);

-- The one default a token had stays its iOS default.
INSERT INTO token_defaults (token_id, platform, profile_id)
    SELECT id, 'iOS', default_profile_id FROM tokens WHERE default_profile_id IS NOT NULL;
-- tokens.default_profile_id is no longer read or written.
UPDATE tokens SET default_profile_id = NULL;
