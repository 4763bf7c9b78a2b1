package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Requests that need a room's full state (the member list) waiting while the room's state is partial (MSC3706), as
 * Synapse's {@code /members} waits for the resync of a room joined with partial state.
 */
final class FullStateWaits {
    private final RoomStore store;
    private final ConcurrentHashMap<String, CountDownLatch> waits = new ConcurrentHashMap<>();

    FullStateWaits(RoomStore store) {
        this.store = store;
    }

    /** Returns once the room's state is full, or after {@code max} (then with the partial state as it is). */
    void await(String roomId, Duration max) {
        if (store.room(roomId).filter(RoomStore.Room::partialState).isEmpty()) {
            return;
        }
        // Registered before the second look, so a resync finishing in between is not missed.
        CountDownLatch latch = waits.computeIfAbsent(roomId, _ -> new CountDownLatch(1));
        if (store.room(roomId).filter(RoomStore.Room::partialState).isEmpty()) {
            waits.remove(roomId, latch);
            return;
        }
        try {
            latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void reached(String roomId) {
        CountDownLatch latch = waits.remove(roomId);
        if (latch != null) {
            latch.countDown();
        }
    }
}
