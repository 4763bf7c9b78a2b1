package dev.myelin.server.storage.sql;

import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Positions of a stream that concurrent transactions took and have not yet ended, and from them how far readers may
 * read: up to the highest committed position below the lowest one still in flight.
 *
 * <p>Positions come from an ascending source (a database sequence) that is asked without holding this tracker's
 * lock. While a request is out, its answer is unknown but above every position taken before it was asked, so
 * readers stay at or below that floor until it is answered.
 */
final class InFlightPositions {
    /** Where positions come from, ascending across calls, e.g. a database sequence. */
    @FunctionalInterface
    interface Source<E extends Exception> {
        long[] take() throws E;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    private final TreeSet<Long> inFlight = new TreeSet<>();
    /** Floors of the requests to the source still out, with how many share each. */
    private final TreeMap<Long, Integer> asking = new TreeMap<>();
    private long highestTaken;
    private long highestCommitted;
    private volatile long readable;

    InFlightPositions(long highestCommitted) {
        this.highestCommitted = highestCommitted;
        this.highestTaken = highestCommitted;
        this.readable = highestCommitted;
    }

    /** Takes positions from the source and holds them in flight until {@link #committed} or {@link #abandoned}. */
    <E extends Exception> long[] take(Source<E> source) throws E {
        long floor;
        lock.lock();
        try {
            floor = highestTaken;
            asking.merge(floor, 1, Integer::sum);
        } finally {
            lock.unlock();
        }
        long[] positions = null;
        try {
            positions = source.take();
            return positions;
        } finally {
            lock.lock();
            try {
                asking.compute(floor, (f, count) -> count == 1 ? null : count - 1);
                if (positions != null) {
                    hold(positions, floor);
                }
                moveReadable();
            } finally {
                lock.unlock();
            }
        }
    }

    private void hold(long[] positions, long floor) {
        long previous = floor;
        for (long position : positions) {
            if (position <= previous) {
                throw new IllegalStateException("the source went back: " + position + " after " + previous);
            }
            previous = position;
        }
        for (long position : positions) {
            inFlight.add(position);
        }
        highestTaken = Math.max(highestTaken, previous);
    }

    /** The positions' rows are committed. */
    void committed(long[] positions) {
        end(positions, true);
    }

    /** The positions will never have rows. */
    void abandoned(long[] positions) {
        end(positions, false);
    }

    private void end(long[] positions, boolean committed) {
        lock.lock();
        try {
            for (long position : positions) {
                inFlight.remove(position);
                if (committed) {
                    highestCommitted = Math.max(highestCommitted, position);
                }
            }
            moveReadable();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A rolled-back position above every committed one is never readable: the next start counts on from the highest
     * stored position. Never moves back: every bound here is at least the readable position before.
     */
    private void moveReadable() {
        long bound = highestCommitted;
        if (!inFlight.isEmpty()) {
            bound = Math.min(bound, inFlight.first() - 1);
        }
        if (!asking.isEmpty()) {
            bound = Math.min(bound, asking.firstKey());
        }
        if (bound != readable) {
            readable = bound;
            moved.signalAll();
        }
    }

    /** How far readers may read: no position at or below it is still in flight. */
    long readable() {
        return readable;
    }

    /** Waits until {@code position} is readable (positions below it taken earlier may still be in flight). */
    void awaitReadable(long position) {
        if (readable >= position) {
            return;
        }
        lock.lock();
        try {
            while (readable < position) {
                moved.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
