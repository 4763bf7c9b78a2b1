package dev.myelin.server.sync;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The events this process persisted last, by position in the events stream, kept so that a woken long-poll can build
 * its timelines without reading them ({@link SyncService}). Writers record each batch before announcing it, so a
 * long-poll woken by an announcement finds its events here. A batch whose positions are not consecutive is not
 * recorded; {@link #after} stops at the first position it lacks (an event from before this process started, one
 * announced without its batch, a gap in a PostgreSQL sequence), and what lies beyond is read by a normal pass.
 */
final class RecentEvents {
    /** The events of one persisted batch: positions {@code first()} to {@code last()} in one room. */
    record Batch(RoomStore.Room room, List<StoredEvent> events) {
        long first() {
            return events.getFirst().streamPos();
        }

        long last() {
            return events.getLast().streamPos();
        }
    }

    private final ConcurrentSkipListMap<Long, Batch> byFirstPosition = new ConcurrentSkipListMap<>();
    private final int positionsKept;

    RecentEvents(int positionsKept) {
        this.positionsKept = positionsKept;
    }

    void add(RoomStore.Persisted persisted) {
        List<StoredEvent> events = persisted.events();
        if (events.isEmpty()) {
            return;
        }
        for (int i = 1; i < events.size(); i++) {
            if (events.get(i).streamPos() != events.get(i - 1).streamPos() + 1) {
                return;
            }
        }
        var batch = new Batch(persisted.room(), List.copyOf(events));
        byFirstPosition.put(batch.first(), batch);
        byFirstPosition.headMap(batch.last() - positionsKept).clear();
    }

    /**
     * The recorded batches that follow {@code position} without a gap, oldest first: every event at a position from
     * {@code position + 1} to the last batch's {@code last()}, or nothing when the next position is not recorded.
     */
    List<Batch> after(long position) {
        var out = new ArrayList<Batch>();
        Batch next;
        while ((next = byFirstPosition.get(position + 1)) != null) {
            out.add(next);
            position = next.last();
        }
        return out;
    }
}
