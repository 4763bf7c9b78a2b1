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
    private static final StreamName RECEIPTS = StreamName.of("receipts");
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
        assertThat(current(RECEIPTS)).isZero();
    }

    @Test
    void positionsIncreaseFromOnePerStream() {
        assertThat(List.of(next(RECEIPTS), next(RECEIPTS), next(TO_DEVICE), next(RECEIPTS))).containsExactly(1L, 2L, 1L, 3L);
        assertThat(current(RECEIPTS)).isEqualTo(3);
        assertThat(current(TO_DEVICE)).isEqualTo(1);
    }

    @Test
    void severalPositionsInOneTransaction() {
        List<Long> positions = database.write(connection -> List.of(
                SqlStreamPositions.next(connection, RECEIPTS), SqlStreamPositions.next(connection, RECEIPTS)));

        assertThat(positions).containsExactly(1L, 2L);
    }

    @Test
    void aRolledBackTransactionGivesItsPositionsBack() {
        next(RECEIPTS);
        assertThatThrownBy(() -> database.write(connection -> {
            SqlStreamPositions.next(connection, RECEIPTS);
            throw new IllegalStateException("persisting the event failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(current(RECEIPTS)).isEqualTo(1);
        assertThat(next(RECEIPTS)).isEqualTo(2);
    }

    @Test
    void readersDoNotSeeAPositionBeforeItsTransactionCommits() {
        next(RECEIPTS);
        long seenDuringWrite = database.write(connection -> {
            SqlStreamPositions.next(connection, RECEIPTS);
            List<Long> seen = new ArrayList<>();
            Thread probe = Thread.ofVirtual().start(() -> seen.add(current(RECEIPTS)));
            join(probe);
            return seen.getFirst();
        });

        assertThat(seenDuringWrite).isEqualTo(1);
        assertThat(current(RECEIPTS)).isEqualTo(2);
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
                        positions.add(next(RECEIPTS));
                    }
                    return null;
                });
            }
        }

        assertThat(positions).hasSize(writers * perWriter);
        assertThat(positions.stream().mapToLong(Long::longValue).max()).hasValue(writers * perWriter);
        assertThat(current(RECEIPTS)).isEqualTo(writers * perWriter);
    }
}
