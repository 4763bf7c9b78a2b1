-- History fetched from other servers (spec: server-server-api "Backfilling and retrieving missing events").

-- The backward extremities of a room's DAG: events named as prev_events of an event in the DAG that this server
-- does not have in it yet (the prev_events of a join made through another server, of an event after a gap). Backfill
-- asks other servers for the events before them; they are gone once the room's history reaches its create event.
CREATE TABLE backward_extremities (
    room_nid BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (room_nid, event_id)
);
