package dev.myelin.server.storage.sql;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InFlightPositionsTest {
    private final InFlightPositions positions = new InFlightPositions(10);

    private long[] take(long... values) {
        return positions.take(() -> values);
    }

    @Test
    void readersStopBelowTheLowestPositionStillInFlight() {
        long[] lower = take(11);
        long[] higher = take(12, 13);

        positions.committed(higher);
        assertThat(positions.readable()).isEqualTo(10);
        positions.committed(lower);
        assertThat(positions.readable()).isEqualTo(13);
    }

    @Test
    void anAbandonedPositionAboveEveryCommittedOneIsNeverReadable() {
        long[] committed = take(11);
        long[] abandoned = take(12);

        positions.committed(committed);
        positions.abandoned(abandoned);

        assertThat(positions.readable()).isEqualTo(11);
        positions.committed(take(13));
        assertThat(positions.readable()).isEqualTo(13);
    }

    @Test
    void whileTheSourceIsAskedReadersStayAtWhatWasTakenBefore() throws Exception {
        var asked = new CountDownLatch(1);
        var answer = new CountDownLatch(1);
        Thread slow = Thread.ofVirtual().start(() -> {
            try {
                positions.take(() -> {
                    asked.countDown();
                    answer.await();
                    return new long[] {12};
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        positions.committed(take(13));
        assertThat(positions.readable()).isEqualTo(10);
        answer.countDown();
        assertThat(slow.join(Duration.ofSeconds(10))).isTrue();
        assertThat(positions.readable()).isEqualTo(11);
        positions.committed(new long[] {12});
        assertThat(positions.readable()).isEqualTo(13);
    }

    @Test
    void aWriterWaitsUntilItsPositionIsReadable() throws Exception {
        long[] lower = take(11);
        long[] higher = take(12);
        positions.committed(higher);
        Thread waiting = Thread.ofVirtual().start(() -> positions.awaitReadable(12));

        assertThat(waiting.join(Duration.ofMillis(200))).isFalse();
        positions.committed(lower);
        assertThat(waiting.join(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aSourceThatGoesBackIsRefusedAndHoldsNothing() {
        assertThatThrownBy(() -> take(10)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> take(12, 11)).isInstanceOf(IllegalStateException.class);

        positions.committed(take(11));
        assertThat(positions.readable()).isEqualTo(11);
    }
}
