package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Notifications and unread counts (spec: client-server-api "Receiving notifications", "Marking notifications as
 * read"): one row per event that notified a user, and how far each user read each room, per thread. Counts are the
 * rows after the read positions. Changes of counts move the (user, room) onto the {@code notification_counts}
 * stream, so sync shows the room with its new counts.
 */
public interface NotificationStore {

    /** The main timeline's thread id; unthreaded read positions use {@link #ALL_THREADS}. */
    String MAIN_THREAD = "main";
    String ALL_THREADS = "";

    /** An event that notified a user. {@code threadId} is the thread root's event id or {@link #MAIN_THREAD}. */
    record Notification(String userId, String roomId, String threadId, String eventId, long eventStreamPos,
                        boolean highlight, ArrayNode actions, long ts) {}

    /** A user read up to an event of the events stream (in one thread, or {@link #ALL_THREADS}). */
    record ReadMark(String userId, String roomId, String threadId, long eventStreamPos) {}

    /** A notification waiting for a pusher: the gateway's notification object without counts and devices. */
    record Delivery(long pusherId, String notification, String tweaks) {}

    record Counts(long notifications, long highlights) {}

    /** A notification as {@code GET /notifications} lists it. */
    record Listed(long id, String roomId, String eventId, long eventStreamPos, boolean highlight, ArrayNode actions,
                  long ts, boolean read) {}

    /** How far the push evaluator has worked through the events stream. */
    long progress();

    /**
     * Sets the progress when none is stored yet (a new database, or one from before push): the evaluator starts
     * after the events that exist, so history is not pushed.
     */
    void startProgressAt(long eventsPos);

    /**
     * Stores what the evaluation of the events up to {@code eventsPos} produced, and moves the progress there, in one
     * transaction: notifications, read positions moved by the users' own events, deliveries for pushers.
     *
     * @return the users whose counts changed (for waking their syncs)
     */
    Set<String> record(long eventsPos, List<Notification> notifications, List<ReadMark> reads,
                       List<Delivery> deliveries, long now);

    /** Moves a read position forward (never back); true when it moved. */
    boolean readUpTo(ReadMark mark);

    /** Unread counts of a user in a room, by thread id. */
    Map<String, Counts> counts(String userId, String roomId);

    /** Unread notifications of a user across all rooms (the push gateway's {@code counts.unread}). */
    long unreadTotal(String userId);

    /** The user's notifications, newest first, with ids below {@code before}. */
    List<Listed> notifications(String userId, long before, int limit, boolean highlightOnly);

    /** Rooms whose counts for the user changed at positions in {@code (after, upTo]}. */
    Set<String> roomsChanged(String userId, long after, long upTo);

    /** The position of the {@code notification_counts} stream. */
    long currentPosition();
}
