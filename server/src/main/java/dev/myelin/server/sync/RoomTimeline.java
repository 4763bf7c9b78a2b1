package dev.myelin.server.sync;

import dev.myelin.server.room.RoomReader;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The timeline of one room in one sync: the newest visible events in {@code (after, upTo]} that pass the filter,
 * at most {@code limit}, oldest first; {@code limited} when older events in the window were left out (spec:
 * client-server-api "Syncing": the client fills the gap with {@code prev_batch}). Messages from users the syncing user
 * ignores are left out (spec: "Ignoring Users").
 */
record RoomTimeline(List<RoomReader.Event> events, boolean limited, long prevBatch) {

    private static final int BATCH = 50;

    static RoomTimeline read(RoomStore store, RoomReader reader, RoomReader.VisibilityCheck visibility,
                             RoomStore.Room room, RoomVersion version, EventFilter filter, Set<String> ignored,
                             long after, long upTo, int limit) {
        var picked = new ArrayList<RoomReader.Event>();
        // Usually every event is visible: one more than the limit tells whether the timeline is limited.
        int batch = Math.min(BATCH, limit + 1);
        long cursor = upTo;
        boolean more = false;
        scan:
        while (true) {
            List<StoredEvent> read = store.timeline(room.nid(), cursor, after, true, batch);
            for (StoredEvent stored : read) {
                if (picked.size() == limit) {
                    more = true;
                    break scan;
                }
                cursor = stored.streamPos() - 1;
                RoomReader.Event event = reader.load(stored, version);
                boolean hidden = !event.pdu().isState() && ignored.contains(event.pdu().sender());
                if (!hidden && visibility.canSee(event) && filter.matches(event.pdu().json())) {
                    picked.add(event);
                }
            }
            if (read.size() < batch) {
                break;
            }
            batch = BATCH;
        }
        Collections.reverse(picked);
        long prevBatch = picked.isEmpty() ? upTo : picked.getFirst().stored().streamPos() - 1;
        return new RoomTimeline(List.copyOf(picked), more, prevBatch);
    }
}
