package dev.myelin.server.room;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One writer per room: a striped set of in-process locks keyed by room id. ReentrantLock parks virtual threads
 * without pinning their carrier.
 *
 * <p>This is enough while one process writes. When several processes share PostgreSQL, creating an event must also
 * take a database advisory lock on the room ({@code pg_advisory_xact_lock}) inside the persisting transaction, and
 * read the room's forward extremities and state inside it.
 */
public final class RoomLocks {
    private final ReentrantLock[] stripes;

    public RoomLocks(int stripes) {
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock();
        }
    }

    public <T> T withRoom(String roomId, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(roomId.hashCode(), stripes.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
