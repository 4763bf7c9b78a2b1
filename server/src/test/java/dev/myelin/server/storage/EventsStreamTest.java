package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.EventsStream;
import dev.myelin.server.storage.sql.Jdbc;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EventsStreamTest extends StoreContractTest {

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long currentSeenByAnotherThread(EventsStream stream) {
        var seen = new java.util.concurrent.atomic.AtomicLong(-1);
        try {
            Thread.ofVirtual().start(() -> seen.set(stream.current())).join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return seen.get();
    }

    private long[] take(EventsStream.Numbering numbering, int count) {
        return database.write(c -> numbering.next(c, count));
    }

    @Test
    void positionsAreReadableOnceTheirTransactionCommits() {
        EventsStream stream = database.eventsStream();
        EventsStream.Numbering numbering = stream.begin();
        long[] positions = database.write(c -> {
            long[] taken = numbering.next(c, 2);
            assertThat(currentSeenByAnotherThread(stream)).isZero();
            return taken;
        });
        numbering.committed();

        assertThat(positions).containsExactly(1, 2);
        assertThat(stream.current()).isEqualTo(2);
    }

    private static void insertEvent(java.sql.Connection c, String eventId, long nid, long position)
            throws java.sql.SQLException {
        Jdbc.update(c, """
                INSERT INTO events (event_nid, event_id, room_nid, type_nid, depth, stream_pos, json)
                VALUES (?, ?, 1, 1, 1, ?, ?)""", nid, eventId, position, new byte[] {'{', '}'});
    }

    @Test
    void nidsTakenWithPositionsAreTheEventsTablesOwn() {
        EventsStream.Numbering numbering = database.eventsStream().begin();
        EventsStream.Numbers numbers = database.write(c -> {
            EventsStream.Numbers taken = numbering.nextWithNids(c, 2);
            for (int i = 0; i < 2; i++) {
                insertEvent(c, "$taken" + i, taken.eventNids()[i], taken.positions()[i]);
            }
            return taken;
        });
        numbering.committed();
        long generated = database.write(c -> Jdbc.queryOne(c, """
                INSERT INTO events (event_id, room_nid, type_nid, depth, stream_pos, json)
                VALUES ('$generated', 1, 1, 1, 100, ?) RETURNING event_nid""", row -> row.getLong(1),
                new byte[] {'{', '}'}).orElseThrow());

        assertThat(numbers.positions()).containsExactly(1, 2);
        assertThat(numbers.eventNids()[1]).isGreaterThan(numbers.eventNids()[0]);
        assertThat(generated).isGreaterThan(numbers.eventNids()[1]);
        assertThat(database.eventsStream().current()).isEqualTo(2);
    }

    @Test
    void abandonedPositionsAreNeverReadable() {
        EventsStream stream = database.eventsStream();
        EventsStream.Numbering first = stream.begin();
        take(first, 1);
        first.committed();
        EventsStream.Numbering failed = stream.begin();
        assertThatThrownBy(() -> database.write(c -> {
            failed.next(c, 3);
            throw new IllegalStateException("storing the events failed");
        })).isInstanceOf(IllegalStateException.class);
        failed.abandoned();

        assertThat(stream.current()).isEqualTo(1);
        EventsStream.Numbering next = stream.begin();
        long[] positions = take(next, 1);
        next.committed();
        assertThat(positions[0]).isGreaterThan(1);
        assertThat(stream.current()).isEqualTo(positions[0]);
    }

    /** PostgreSQL commits events of different transactions in parallel, so out of position order. */
    @Test
    void aHigherPositionWaitsForALowerOneStillBeingWritten() throws Exception {
        assumeTrue(backend == Backend.POSTGRES, "SQLite has one writer: its transactions cannot overlap");
        EventsStream stream = database.eventsStream();
        var lowerTaken = new CountDownLatch(1);
        var finishLower = new CountDownLatch(1);
        EventsStream.Numbering lower = stream.begin();
        Thread lowerWriter = Thread.ofVirtual().start(() -> {
            database.write(c -> {
                lower.next(c, 1);
                lowerTaken.countDown();
                awaitUninterruptibly(finishLower);
                return null;
            });
            lower.committed();
        });
        assertThat(lowerTaken.await(10, TimeUnit.SECONDS)).isTrue();
        EventsStream.Numbering higher = stream.begin();
        long[] higherPositions = take(higher, 1);
        Thread higherCommitted = Thread.ofVirtual().start(higher::committed);

        assertThat(higherCommitted.join(Duration.ofMillis(300))).isFalse();
        assertThat(stream.current()).isZero();
        finishLower.countDown();
        assertThat(higherCommitted.join(Duration.ofSeconds(10))).isTrue();
        assertThat(lowerWriter.join(Duration.ofSeconds(10))).isTrue();
        assertThat(stream.current()).isEqualTo(higherPositions[0]).isEqualTo(2);
    }
}
