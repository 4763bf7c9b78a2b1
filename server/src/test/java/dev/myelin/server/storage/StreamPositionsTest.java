package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.SqlStreamPositions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamPositionsTest extends StoreContractTest {
    private static final StreamName EVENTS = StreamName.of("events");
    private static final StreamName TO_DEVICE = StreamName.of("to_device");

    private long next(StreamName stream) {
        return database.write(connection -> SqlStreamPositions.next(connection, stream));
    }

    private long current(StreamName stream) {
        return new SqlStreamPositions(database).current(stream);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnusedStreamIsAtZero() {
        assertThat(current(EVENTS)).isZero();
    }

    @Test
    void positionsIncreaseFromOnePerStream() {
        assertThat(List.of(next(EVENTS), next(EVENTS), next(TO_DEVICE), next(EVENTS))).containsExactly(1L, 2L, 1L, 3L);
        assertThat(current(EVENTS)).isEqualTo(3);
        assertThat(current(TO_DEVICE)).isEqualTo(1);
    }

    @Test
    void severalPositionsInOneTransaction() {
        List<Long> positions = database.write(connection -> List.of(
                SqlStreamPositions.next(connection, EVENTS), SqlStreamPositions.next(connection, EVENTS)));

        assertThat(positions).containsExactly(1L, 2L);
    }

    @Test
    void aRolledBackTransactionGivesItsPositionsBack() {
        next(EVENTS);
        assertThatThrownBy(() -> database.write(connection -> {
            SqlStreamPositions.next(connection, EVENTS);
            throw new IllegalStateException("persisting the event failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(current(EVENTS)).isEqualTo(1);
        assertThat(next(EVENTS)).isEqualTo(2);
    }

    @Test
    void readersDoNotSeeAPositionBeforeItsTransactionCommits() {
        next(EVENTS);
        long seenDuringWrite = database.write(connection -> {
            SqlStreamPositions.next(connection, EVENTS);
            List<Long> seen = new ArrayList<>();
            Thread probe = Thread.ofVirtual().start(() -> seen.add(current(EVENTS)));
            join(probe);
            return seen.getFirst();
        });

        assertThat(seenDuringWrite).isEqualTo(1);
        assertThat(current(EVENTS)).isEqualTo(2);
    }

    @Test
    void concurrentWritersGetDistinctGaplessPositions() {
        int writers = 40;
        int perWriter = 10;
        Set<Long> positions = ConcurrentHashMap.newKeySet();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                executor.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        positions.add(next(EVENTS));
                    }
                    return null;
                });
            }
        }

        assertThat(positions).hasSize(writers * perWriter);
        assertThat(positions.stream().mapToLong(Long::longValue).max()).hasValue(writers * perWriter);
        assertThat(current(EVENTS)).isEqualTo(writers * perWriter);
    }
}
