package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessNotifierTest {
    private static final StreamName EVENTS = StreamName.of("events");

    @Test
    void aListenerWakesOnlyForItsRoomsAndUsers() throws Exception {
        var notifier = new InProcessNotifier();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor();
             var listener = notifier.listen(List.of("!a:x", "@u:x"))) {
            CompletableFuture<Boolean> woke = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.await(10_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, executor);
            notifier.advanced(EVENTS, 1, List.of("!other:x", "@v:x"));
            Thread.sleep(50);
            assertThat(woke).isNotDone();
            notifier.advanced(EVENTS, 2, List.of("!a:x"));
            assertThat(woke.get(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aWakeUpBeforeTheWaitIsNotLost() throws Exception {
        var notifier = new InProcessNotifier();
        try (var listener = notifier.listen(List.of("@u:x"))) {
            notifier.advanced(EVENTS, 1, List.of("@u:x"));
            assertThat(listener.await(10_000)).isTrue();
            assertThat(listener.await(20)).isFalse();
            notifier.advanced(EVENTS, 2);
            assertThat(listener.await(10_000)).as("a change for everyone").isTrue();
        }
    }

    @Test
    void aListenerHearsOfChangesAnnouncedToItsRoomsAndUsersOrToEveryone() {
        var notifier = new InProcessNotifier();
        var typing = StreamName.of("typing");
        try (var listener = notifier.listen(List.of("!a:x", "@u:x"))) {
            assertThat(listener.heardNothingAfter(EVENTS, 0)).as("nothing announced yet: unknown").isFalse();
            notifier.advanced(EVENTS, 10, List.of("!other:x"));
            notifier.advanced(EVENTS, 11, List.of("@v:x"));
            assertThat(listener.heardNothingAfter(EVENTS, 9)).isTrue();
            assertThat(listener.heardNothingAfter(EVENTS, 8))
                    .as("before the first announcement: may have changed before this process").isFalse();
            notifier.advanced(EVENTS, 12, List.of("!b:x", "@u:x"));
            assertThat(listener.heardNothingAfter(EVENTS, 11)).isFalse();
            assertThat(listener.heardNothingAfter(EVENTS, 12)).isTrue();
            notifier.advanced(EVENTS, 13, List.of("!a:x"));
            assertThat(listener.heardNothingAfter(EVENTS, 12)).isFalse();
            notifier.advanced(typing, 3);
            assertThat(listener.heardNothingAfter(typing, 2)).as("a change for everyone").isFalse();
            assertThat(listener.heardNothingAfter(typing, 3)).isTrue();
            assertThat(listener.heardNothingAfter(EVENTS, 13)).isTrue();
        }
    }

    @Test
    void announcementsAreRememberedOnlyAfterTheUpdatesBeforeWaking() throws Exception {
        var notifier = new InProcessNotifier();
        var release = new java.util.concurrent.CountDownLatch(1);
        holdUpdatesBeforeWaking(notifier, release);
        try (var listener = notifier.listen(List.of("!a:x"))) {
            notifier.advanced(EVENTS, 1, List.of("!other:x"));
            notifier.advanced(EVENTS, 2, List.of("!a:x"));
            assertThat(listener.heardNothingAfter(EVENTS, 0)).as("not announced yet").isFalse();
            release.countDown();
            assertThat(listener.await(10_000)).isTrue();
            assertThat(listener.heardNothingAfter(EVENTS, 1)).isFalse();
            assertThat(listener.heardNothingAfter(EVENTS, 2)).isTrue();
        }
    }

    @Test
    void positionsNeverGoBackAndClosedListenersAreForgotten() throws Exception {
        var notifier = new InProcessNotifier();
        notifier.advanced(EVENTS, 7);
        notifier.advanced(EVENTS, 5, List.of("!a:x"));
        assertThat(notifier.position(EVENTS)).isEqualTo(7);
        var listener = notifier.listen(List.of("!a:x"));
        listener.close();
        notifier.advanced(EVENTS, 8, List.of("!a:x"));
        assertThat(listener.await(20)).isFalse();
    }

    @Test
    void aStreamStartedAtAPositionIsKnownFromThereBeforeItsFirstAnnouncement() {
        var notifier = new InProcessNotifier();
        var toDevice = StreamName.of("to_device");
        assertThat(notifier.reached(toDevice, 0)).isFalse();
        notifier.startsAt(toDevice, 5);
        assertThat(notifier.reached(toDevice, 5)).isTrue();
        assertThat(notifier.reached(toDevice, 6)).as("a token ahead of the stream").isFalse();
        try (var listener = notifier.listen(List.of("@u:x"))) {
            assertThat(listener.heardNothingAfter(toDevice, 5)).isTrue();
            assertThat(listener.heardNothingAfter(toDevice, 4)).as("written before this process").isFalse();
            notifier.advanced(toDevice, 6, List.of("@v:x"));
            assertThat(listener.heardNothingAfter(toDevice, 5)).isTrue();
            notifier.advanced(toDevice, 7, List.of("@u:x"));
            assertThat(listener.heardNothingAfter(toDevice, 6)).isFalse();
            assertThat(listener.heardNothingAfter(toDevice, 7)).isTrue();
        }
    }

    @Test
    void updatesBeforeWakingRunOffTheWritersThreadAndBeforeListenersWake() throws Exception {
        var notifier = new InProcessNotifier();
        var release = new java.util.concurrent.CountDownLatch(1);
        holdUpdatesBeforeWaking(notifier, release);
        try (var listener = notifier.listen(List.of("!a:x"))) {
            notifier.advanced(EVENTS, 1, List.of("!a:x")); // returns although the update is blocked
            assertThat(listener.await(200)).isFalse();
            assertThat(notifier.position(EVENTS)).isZero();
            release.countDown();
            assertThat(listener.await(5_000)).isTrue();
            assertThat(notifier.position(EVENTS)).isEqualTo(1);
            // A stream without updates wakes at once.
            notifier.advanced(StreamName.of("receipts"), 1, List.of("!a:x"));
            assertThat(listener.await(0)).isTrue();
        }
    }

    /** The events stream's updates before waking wait for {@code release}. */
    private static void holdUpdatesBeforeWaking(InProcessNotifier notifier,
                                                java.util.concurrent.CountDownLatch release) {
        notifier.beforeWaking(EVENTS, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
