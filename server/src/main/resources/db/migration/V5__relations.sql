-- Event relationships (spec: client-server-api "Forming relationships between events"), one row per child event
-- whose content has a valid m.relates_to with a rel_type, filled as events are persisted. A redacted child loses
-- its m.relates_to, so its row is deleted.
CREATE TABLE event_relations (
    event_nid        BIGINT PRIMARY KEY,
    event_id         TEXT NOT NULL,
    room_nid         BIGINT NOT NULL,
    parent_id        TEXT NOT NULL,
    rel_type         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    sender           TEXT NOT NULL,
    stream_pos       BIGINT NOT NULL,
    origin_server_ts BIGINT NOT NULL,
    -- m.annotation only: the key, to refuse duplicate annotations.
    annotation_key   TEXT
);

CREATE INDEX event_relations_parent ON event_relations (parent_id, rel_type, stream_pos);
CREATE INDEX event_relations_room ON event_relations (room_nid, rel_type, stream_pos);

-- origin_server_ts of events, for /timestamp_to_event (NULL for events stored before this migration).
ALTER TABLE events ADD COLUMN origin_server_ts BIGINT;
CREATE INDEX events_room_ts ON events (room_nid, origin_server_ts);
