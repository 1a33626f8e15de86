-- Team-scoped roles and single sign-on accounts. A user's team roles come
-- from an admin (source 'manual') or from their identity provider's groups at
-- each sign-in (source 'oidc', replaced as a whole every time).
CREATE TABLE team_members (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team    TEXT NOT NULL,
    role    TEXT NOT NULL CHECK (role IN ('viewer', 'responder', 'manager')),
    source  TEXT NOT NULL DEFAULT 'manual',
    PRIMARY KEY (user_id, team)
);
CREATE INDEX team_members_team ON team_members (team, user_id);

ALTER TABLE users ADD COLUMN sso_issuer TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sso_subject TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_sso ON users (sso_issuer, sso_subject) WHERE sso_subject <> '';
