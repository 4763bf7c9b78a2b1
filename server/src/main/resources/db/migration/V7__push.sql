-- Push rules, notification counts, pushers and the push gateway outbox (spec: client-server-api "Push Notifications").

-- Rules a user created, in priority order within (user_id, kind): priority 0 is the most important.
CREATE TABLE push_rules (
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    priority   INTEGER NOT NULL,
    -- JSON array; NULL for content, room and sender rules.
    conditions TEXT,
    -- Content rules only.
    pattern    TEXT,
    actions    TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind, rule_id)
);

-- A user's changes to server-default rules; NULL keeps the default.
CREATE TABLE push_rule_defaults (
    user_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    enabled BOOLEAN,
    actions TEXT,
    PRIMARY KEY (user_id, rule_id)
);

-- The last change of each user's rules on the 'push_rules' stream (sync sends m.push_rules again after it).
CREATE TABLE push_rules_changes (
    user_id    TEXT PRIMARY KEY,
    stream_pos BIGINT NOT NULL
);

-- One row per event that notified a user (its actions include "notify").
CREATE TABLE push_notifications (
    id               ${id_pk},
    user_id          TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    -- The thread root's event id, or 'main' for the main timeline.
    thread_id        TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    -- The event's position in the 'events' stream: read positions compare against it.
    event_stream_pos BIGINT NOT NULL,
    highlight        BOOLEAN NOT NULL,
    actions          TEXT NOT NULL,
    ts               BIGINT NOT NULL
);

CREATE INDEX push_notifications_room ON push_notifications (user_id, room_id, event_stream_pos);
CREATE INDEX push_notifications_user ON push_notifications (user_id, event_stream_pos);

-- How far a user has read a room: thread_id '' for unthreaded receipts (all threads), else 'main' or a root id.
CREATE TABLE push_read_positions (
    user_id          TEXT NOT NULL,
    room_id          TEXT NOT NULL,
    thread_id        TEXT NOT NULL,
    event_stream_pos BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
);

-- The last change of a user's counts in a room on the 'notification_counts' stream, so sync shows the room again.
CREATE TABLE push_count_changes (
    user_id    TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    stream_pos BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

CREATE INDEX push_count_changes_pos ON push_count_changes (user_id, stream_pos);

-- How far the push evaluator has worked through the 'events' stream.
CREATE TABLE push_progress (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

CREATE TABLE pushers (
    pusher_id           ${id_pk},
    user_id             TEXT NOT NULL,
    -- The device whose access token set the pusher (deleted with the device).
    device_id           TEXT,
    kind                TEXT NOT NULL,
    app_id              TEXT NOT NULL,
    pushkey             TEXT NOT NULL,
    app_display_name    TEXT NOT NULL,
    device_display_name TEXT NOT NULL,
    profile_tag         TEXT,
    lang                TEXT NOT NULL,
    data                TEXT NOT NULL,
    -- When the pushkey was last set (pushkey_ts in the push gateway API), in milliseconds.
    pushkey_ts          BIGINT NOT NULL,
    UNIQUE (user_id, app_id, pushkey)
);

CREATE INDEX pushers_app_pushkey ON pushers (app_id, pushkey);

-- Notifications waiting for a push gateway, sent in id order per pusher with retries.
CREATE TABLE push_deliveries (
    delivery_id     ${id_pk},
    pusher_id       BIGINT NOT NULL,
    -- The notification object of /_matrix/push/v1/notify without 'devices'.
    notification    TEXT NOT NULL,
    tweaks          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_ts BIGINT NOT NULL,
    created_ts      BIGINT NOT NULL
);

CREATE INDEX push_deliveries_pusher ON push_deliveries (pusher_id, delivery_id);
