package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The events this server created last, by position in the events stream, kept so that what follows an
 * announcement (push evaluation, a woken long-poll's pass) can take them from memory instead of reading them.
 * {@link RoomService} records each batch before announcing it. A batch whose positions are not consecutive is not
 * recorded; {@link #after} stops at the first position it lacks (an event from before this process started, one
 * received over federation, a gap in a PostgreSQL sequence), and what lies beyond is read from the store.
 */
public final class RecentEvents {
    /**
     * The events of one persisted batch: positions {@code first()} to {@code last()} in one room, which they
     * left as {@code room} (its current snapshot is the state after them).
     */
    public record Batch(RoomStore.Room room, List<StoredEvent> events) {
        public long first() {
            return events.getFirst().streamPos();
        }

        public long last() {
            return events.getLast().streamPos();
        }
    }

    private final ConcurrentSkipListMap<Long, Batch> byFirstPosition = new ConcurrentSkipListMap<>();
    private final int positionsKept;

    public RecentEvents(int positionsKept) {
        this.positionsKept = positionsKept;
    }

    public void add(RoomStore.Persisted persisted) {
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
    public List<Batch> after(long position) {
        var out = new ArrayList<Batch>();
        Batch next;
        while ((next = byFirstPosition.get(position + 1)) != null) {
            out.add(next);
            position = next.last();
        }
        return out;
    }
}
