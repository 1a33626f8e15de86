-- War rooms (issue #20): the chat channel of each incident that has one,
-- and the chat messages copied to its timeline. The channel row is written
-- as soon as the chat service names the channel, so a retried creation job
-- finds it instead of making a second channel.
CREATE TABLE war_rooms (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    provider    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    private     INTEGER NOT NULL DEFAULT 0,
    summary_ts  TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    -- posted_through is the last timeline event told in the channel.
    posted_through BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    archived_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX war_rooms_channel ON war_rooms (provider, channel_id);
CREATE TABLE war_room_messages (
    provider    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    ts          TEXT NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    event_id    BIGINT NOT NULL,
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    copied_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider, channel_id, ts)
);
CREATE INDEX war_room_messages_incident ON war_room_messages (incident_id);
