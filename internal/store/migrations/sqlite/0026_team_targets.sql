-- Team-owned notification targets: places a team asks to be told, on top of
-- its catalog e-mail and chat channel. A removed target keeps its row (with
-- who removed it and when), so removing twice is a conflict, not a 404.
-- The webhook secret is kept as given: signing needs it, and no answer ever
-- carries it.
CREATE TABLE team_targets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    team       TEXT NOT NULL,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    secret     TEXT NOT NULL DEFAULT '',
    lang       TEXT NOT NULL DEFAULT '',
    from_grade INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT,
    removed_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX team_targets_live ON team_targets (team, channel, address) WHERE removed_at IS NULL;
