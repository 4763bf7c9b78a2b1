-- Indexes that answer the queries of every incremental sync without reading table rows.
--
-- Unread counts of one user in one room (SqlNotificationStore.counts) read each notification's thread_id and
-- highlight: with both in the index the count needs no row lookup per unread notification. It replaces the
-- narrower index it extends.
CREATE INDEX push_notifications_room_counts
    ON push_notifications (user_id, room_id, event_stream_pos, thread_id, highlight);
DROP INDEX push_notifications_room;

-- The rooms with events in a window of the events stream (SqlRoomStore.roomsWithEventsBetween): the unique index
-- on stream_pos alone needs the event's row (with its JSON) for the room of each event in the window.
CREATE INDEX events_stream_room ON events (stream_pos, room_nid);
