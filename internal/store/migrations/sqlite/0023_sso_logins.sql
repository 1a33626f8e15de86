-- Single sign-on attempts between the redirect to the identity provider and
-- its answer: the state, nonce and PKCE verifier, kept here rather than in
-- one replica's memory because the answer may reach another replica.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL
);
CREATE INDEX sso_logins_expires ON sso_logins (expires_at);
