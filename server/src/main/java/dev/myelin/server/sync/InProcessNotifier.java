package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the highest position announced per stream and lets callers wait for a stream to pass a position. Waiting
 * parks a virtual thread (ReentrantLock and Condition do not pin it).
 */
public final class InProcessNotifier implements Notifier {
    private final Map<StreamName, Long> positions = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    @Override
    public void advanced(StreamName stream, long position) {
        positions.merge(stream, position, Math::max);
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The highest position announced for the stream, 0 when none. */
    public long position(StreamName stream) {
        return positions.getOrDefault(stream, 0L);
    }

    /**
     * Waits until the stream is past {@code position} or the timeout ends; returns the stream's position then.
     */
    public long awaitAfter(StreamName stream, long position, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (position(stream) <= position) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return position(stream);
        } finally {
            lock.unlock();
        }
    }
}
