package dev.myelin.server.push;

import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlNotificationStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

/**
 * Brings a joined room into sync when the user's counts in it changed (a receipt cleared them, a new event notified),
 * so {@link UnreadCounts} can show the new counts. Before sync opens its snapshot it lets the evaluator catch up with
 * the events stream, so a new event's counts appear in the same response as the event (spec: "Server behaviour").
 */
public final class UnreadCountsContributor implements SyncContributor {
    /** How long a sync waits for the evaluator before answering with the counts it has. */
    private static final long MAX_WAIT_MILLIS = 2_000;

    private final NotificationStore store;
    private final NotificationEvaluator evaluator;

    public UnreadCountsContributor(NotificationStore store, NotificationEvaluator evaluator) {
        this.store = store;
        this.evaluator = evaluator;
    }

    @Override
    public StreamName stream() {
        return SqlNotificationStore.COUNTS;
    }

    /** Lets the evaluator reach the pass's events position before sync takes its snapshot. */
    @Override
    public void beforeRead(long eventsPos) {
        try {
            evaluator.awaitProcessed(eventsPos, MAX_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        if (context.initial() || since == upTo) {
            return upTo;
        }
        for (String roomId : store.roomsChanged(context.userId(), since, upTo)) {
            if (context.joinedRooms().contains(roomId)) {
                response.joinedRoom(roomId);
            }
        }
        return upTo;
    }
}
