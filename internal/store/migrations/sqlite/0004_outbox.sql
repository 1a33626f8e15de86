-- The outbox: every message Firebreak sends is stored here before it is sent,
-- and its delivery job is enqueued in the same transaction. msg_key makes storing
-- idempotent and msg_key is the idempotency key receivers see.
CREATE TABLE outbound_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_key     TEXT NOT NULL UNIQUE,
    incident_id INTEGER REFERENCES incidents (id),
    event_id    INTEGER,
    channel     TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    target_key  TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL,
    lang        TEXT NOT NULL DEFAULT '',
    thread      TEXT NOT NULL DEFAULT '',
    fallback    TEXT NOT NULL DEFAULT '',
    subject     TEXT NOT NULL DEFAULT '',
    body_text   TEXT NOT NULL DEFAULT '',
    body_html   TEXT NOT NULL DEFAULT '',
    payload     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    external_id TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    failed_at   TEXT
);
CREATE INDEX outbound_messages_incident ON outbound_messages (incident_id, id);
CREATE INDEX outbound_messages_status ON outbound_messages (status, id);

-- Per-destination send slots, so a rate limit (Slack: one message a second
-- per channel) holds across every replica.
CREATE TABLE delivery_slots (
    destination TEXT PRIMARY KEY,
    next_at     TEXT NOT NULL
);

-- The one summary message per incident and chat channel, kept up to date.
CREATE TABLE chat_summaries (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    channel     TEXT NOT NULL,
    message_ref TEXT NOT NULL,
    PRIMARY KEY (incident_id, channel)
);
