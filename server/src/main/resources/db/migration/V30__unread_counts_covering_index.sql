-- Unread counts of one user in one room (SqlNotificationStore.counts, run for every room of every incremental
-- sync) read each notification's thread_id and highlight: with both in the index the count is answered from the
-- index alone, without a table row lookup per unread notification. It replaces the narrower index it extends.
CREATE INDEX push_notifications_room_counts
    ON push_notifications (user_id, room_id, event_stream_pos, thread_id, highlight);
DROP INDEX push_notifications_room;
