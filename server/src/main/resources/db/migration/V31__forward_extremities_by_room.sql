-- A room's forward extremities change with every event. The new event now takes over the row of the extremity it
-- follows (SqlRoomStore.replaceExtremities) and the rows are indexed by room only, so on PostgreSQL that UPDATE of
-- unindexed columns is a HOT update: no new index entry per event and no dead index entries for every read of the
-- extremities to step over until autovacuum comes (V4's primary key covered event_nid). The rows carry the event's
-- id and depth, which is all a new event needs of them: the read joins nothing (a join planned while the events
-- table was small could stay a scan of it).
CREATE TABLE forward_extremities_by_room (
    room_nid  BIGINT NOT NULL,
    event_nid BIGINT NOT NULL,
    event_id  TEXT   NOT NULL,
    depth     BIGINT NOT NULL
);
INSERT INTO forward_extremities_by_room (room_nid, event_nid, event_id, depth)
    SELECT f.room_nid, f.event_nid, e.event_id, e.depth
    FROM forward_extremities f JOIN events e ON e.event_nid = f.event_nid;
DROP TABLE forward_extremities;
ALTER TABLE forward_extremities_by_room RENAME TO forward_extremities;
CREATE INDEX forward_extremities_room ON forward_extremities (room_nid);
