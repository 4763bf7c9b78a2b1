package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecentEventsTest {
    private static final RoomStore.Room ROOM = new RoomStore.Room(1, "!r:x", "10", "@a:x", 1, false, false);

    private static RoomStore.Persisted batch(long... positions) {
        var events = new ArrayList<StoredEvent>();
        for (long position : positions) {
            events.add(new StoredEvent(position, "$" + position, 1, position, 1, 1, 0, false, false, null,
                    new byte[0], false));
        }
        return new RoomStore.Persisted(ROOM, events);
    }

    private static List<Long> positions(List<RecentEvents.Batch> batches) {
        return batches.stream().flatMap(b -> b.events().stream()).map(StoredEvent::streamPos).toList();
    }

    @Test
    void batchesFollowingAPositionAreGivenUpToTheFirstPositionNotRecorded() {
        var recent = new RecentEvents(100);
        recent.add(batch(11, 12));
        recent.add(batch(14)); // 13 is not recorded (e.g. a batch still being announced)
        recent.add(batch(13));
        recent.add(batch(16));
        assertThat(positions(recent.after(10))).containsExactly(11L, 12L, 13L, 14L);
        assertThat(positions(recent.after(12))).containsExactly(13L, 14L);
        assertThat(recent.after(11)).isEmpty(); // inside a batch: not a position a pass ends at
        assertThat(recent.after(9)).isEmpty(); // 10 is not recorded
        assertThat(positions(recent.after(15))).containsExactly(16L);
    }

    @Test
    void aBatchWithoutConsecutivePositionsIsNotRecorded() {
        var recent = new RecentEvents(100);
        recent.add(batch(1, 3));
        assertThat(recent.after(0)).isEmpty();
    }

    @Test
    void onlyTheLastPositionsAreKept() {
        var recent = new RecentEvents(10);
        for (long position = 1; position <= 30; position++) {
            recent.add(batch(position));
        }
        assertThat(recent.after(5)).isEmpty();
        assertThat(positions(recent.after(25))).containsExactly(26L, 27L, 28L, 29L, 30L);
    }
}
