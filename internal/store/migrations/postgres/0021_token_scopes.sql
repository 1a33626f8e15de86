-- API tokens owned by a team (team <> ''; user_id is then who made it) and
-- limited to scopes. Tokens made before scopes existed keep what they could do.
ALTER TABLE api_tokens ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,write';
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
CREATE INDEX api_tokens_team ON api_tokens (team, id);
