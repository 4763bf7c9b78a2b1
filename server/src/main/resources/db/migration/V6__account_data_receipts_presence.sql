-- Account data, read receipts and presence (typing lives in memory only).

-- A user's account data, global (room_id '') or per room, latest content of each type. stream_pos is the
-- position in the 'account_data' stream of the last change, so sync sends the types changed since its token.
CREATE TABLE account_data (
    user_id    TEXT NOT NULL,
    room_id    TEXT NOT NULL,
    type       TEXT NOT NULL,
    content    TEXT NOT NULL,
    stream_pos BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id, type)
);

CREATE INDEX account_data_user_stream ON account_data (user_id, stream_pos);

-- The latest receipt of each (room, user, receipt type, thread); thread_id '' for an unthreaded receipt
-- (spec "Receipts": one event id per user, type and thread). stream_pos is in the 'receipts' stream.
CREATE TABLE receipts (
    room_id      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    receipt_type TEXT NOT NULL,
    thread_id    TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    ts           BIGINT NOT NULL,
    stream_pos   BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
);

CREATE INDEX receipts_stream ON receipts (stream_pos);

-- Each user's last presence change (position in the 'presence' stream); the process keeps the live activity
-- times in memory and writes a row only when what others see changes.
CREATE TABLE presence (
    user_id          TEXT PRIMARY KEY,
    state            TEXT NOT NULL,
    status_msg       TEXT,
    last_active_ts   BIGINT NOT NULL,
    currently_active BOOLEAN NOT NULL,
    stream_pos       BIGINT NOT NULL
);

CREATE INDEX presence_stream ON presence (stream_pos);
