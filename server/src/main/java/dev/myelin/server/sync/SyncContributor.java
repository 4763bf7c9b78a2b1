package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;

/**
 * A part of the {@code /sync} response fed by one stream: typing, receipts, presence, account data, to-device
 * messages, device lists, ... The sync token records one position per contributor's stream, so an incremental sync
 * asks each contributor only for what changed since.
 *
 * <p>To wake long-polls, whoever writes to the stream calls {@link Notifier#advanced(StreamName, long,
 * java.util.Collection)} with the room ids or user ids the change concerns, after the write committed.
 */
public interface SyncContributor {

    /** The stream whose position this contributor keeps in the sync token (unique among contributors). */
    StreamName stream();

    /** The stream's current position: what a sync that saw everything records. */
    long currentPosition();

    /**
     * Called before each sync computation opens its read snapshot, outside any transaction: e.g. to let a background
     * worker that feeds this stream catch up with the events the pass will send, those up to {@code eventsPos} in
     * the events stream. Must not take long.
     */
    default void beforeRead(long eventsPos) {
    }

    /**
     * Adds to {@code response} what concerns the syncing user and changed after {@code since} up to {@code upTo}
     * (inclusive). {@code since} is 0 for an initial sync (and for a {@code full_state} sync, which wants the
     * current state of everything again; {@link SyncContext#initial()} tells which), and then a contributor
     * sends what is current: e.g. all receipts of each joined room, not their history. For the rooms in {@link
     * SyncContext#newlyJoinedRooms()} a contributor sends what is current too.
     *
     * <p>When the stream did not move ({@code since == upTo}) nothing changed in the window, and a contributor
     * skips reading it: the sync service calls every contributor on each pass, most passes for one changed stream.
     *
     * <p>Filters (types, senders, limits of each section) and the room filter are applied by the sync service
     * afterwards; contributors add everything that matches the user.
     *
     * @return the position reached, normally {@code upTo}; less when the contributor stopped early (e.g.
     * to-device messages are sent at most 100 at a time) so that the next sync continues from there
     */
    long contribute(SyncContext context, long since, long upTo, SyncResponse response);
}
