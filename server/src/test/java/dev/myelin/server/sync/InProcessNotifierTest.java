package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessNotifierTest {
    private static final StreamName EVENTS = StreamName.of("events");

    @Test
    void aWaiterWakesWhenTheStreamPassesItsPosition() throws Exception {
        var notifier = new InProcessNotifier();
        notifier.advanced(EVENTS, 3);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<Long> woke = CompletableFuture.supplyAsync(() -> {
                try {
                    return notifier.awaitAfter(EVENTS, 3, 10_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, executor);
            Thread.sleep(50);
            assertThat(woke).isNotDone();
            notifier.advanced(EVENTS, 4);
            assertThat(woke.get(5, TimeUnit.SECONDS)).isEqualTo(4);
        }
    }

    @Test
    void positionsNeverGoBackAndWaitingTimesOut() throws Exception {
        var notifier = new InProcessNotifier();
        notifier.advanced(EVENTS, 7);
        notifier.advanced(EVENTS, 5);
        assertThat(notifier.position(EVENTS)).isEqualTo(7);
        assertThat(notifier.awaitAfter(EVENTS, 7, 20)).isEqualTo(7);
        assertThat(notifier.awaitAfter(EVENTS, 2, 10_000)).isEqualTo(7);
    }
}
