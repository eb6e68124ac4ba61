-- 0015: people who sign in through an OpenID Connect identity provider
-- (issue 14). Their row is made at their first sign-in and keyed by the
-- provider's issuer and subject (`<issuer>#<sub>`), which never change,
-- unlike the name they show. NULL: a local account (password).

ALTER TABLE users ADD COLUMN oidc_subject TEXT;

CREATE UNIQUE INDEX users_by_oidc_subject ON users(oidc_subject)
    WHERE oidc_subject IS NOT NULL;
