package dev.myelin.server.federation.sender;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupedDeliveriesTest {

    /** Records each write; every write waits until {@link #release} opens. */
    private static final class RecordingWrites implements Consumer<Map<String, List<Long>>> {
        final List<Map<String, List<Long>>> writes = new CopyOnWriteArrayList<>();
        final CountDownLatch firstWriteStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        RuntimeException failure;

        @Override
        public void accept(Map<String, List<Long>> itemIdsByDestination) {
            firstWriteStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (failure != null) {
                throw failure;
            }
            var copy = new java.util.TreeMap<String, List<Long>>();
            itemIdsByDestination.forEach((destination, ids) -> copy.put(destination, List.copyOf(ids)));
            writes.add(copy);
        }
    }

    private static Thread deliver(GroupedDeliveries deliveries, String destination, long id) {
        return Thread.ofPlatform().start(() -> deliveries.delivered(destination, List.of(id)));
    }

    /** Waits until the thread is parked (here: behind the write under way). */
    private static void awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }

    @Test
    void deliveriesRecordedDuringAWriteGoTogetherInTheNext() throws Exception {
        var queue = new RecordingWrites();
        var deliveries = new GroupedDeliveries(queue);

        Thread first = deliver(deliveries, "a.example", 1);
        assertThat(queue.firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
        Thread second = deliver(deliveries, "b.example", 2);
        Thread third = deliver(deliveries, "c.example", 3);
        awaitParked(second);
        awaitParked(third);
        queue.release.countDown();
        for (Thread thread : List.of(first, second, third)) {
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
        }

        assertThat(queue.writes).containsExactly(
                Map.of("a.example", List.of(1L)),
                Map.of("b.example", List.of(2L), "c.example", List.of(3L)));
    }

    @Test
    void aFailedWriteFailsTheDeliveriesInIt() {
        var queue = new RecordingWrites();
        queue.failure = new IllegalStateException("disk full");
        queue.release.countDown();

        assertThatThrownBy(() -> new GroupedDeliveries(queue).delivered("a.example", List.of(1L)))
                .isSameAs(queue.failure);
        assertThat(queue.writes).isEmpty();
    }
}
