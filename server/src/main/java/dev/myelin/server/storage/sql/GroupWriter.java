package dev.myelin.server.storage.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Writes jobs that arrive while a group is being written together, as the next group (group commit): a job queues
 * itself and takes the lock; whoever holds it writes every job queued so far, and the others find theirs done when
 * their turn comes. When a group fails, its jobs are written again one by one, so a failing job fails alone.
 *
 * @param <J> a job
 * @param <R> what writing a job gives back
 */
final class GroupWriter<J, R> {
    /** At most this many jobs share a group, so the first of them does not wait for an unbounded one. */
    static final int MAX_GROUP = 64;

    private final Function<List<J>, List<R>> write;
    private final ConcurrentLinkedQueue<Slot<J, R>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();

    /** @param write writes jobs as one group; returns their results in the order of the jobs, or throws */
    GroupWriter(Function<List<J>, List<R>> write) {
        this.write = write;
    }

    R write(J job) {
        var slot = new Slot<J, R>(job);
        queue.add(slot);
        writing.lock();
        try {
            while (!slot.done) {
                writeGroup();
            }
        } finally {
            writing.unlock();
        }
        if (slot.failure != null) {
            throw slot.failure;
        }
        return slot.result;
    }

    private void writeGroup() {
        var group = new ArrayList<Slot<J, R>>();
        for (Slot<J, R> next = queue.poll(); next != null; next = group.size() < MAX_GROUP ? queue.poll() : null) {
            group.add(next);
        }
        try {
            List<R> results = write.apply(group.stream().map(slot -> slot.job).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).succeed(results.get(i));
            }
        } catch (RuntimeException failure) {
            if (group.size() == 1) {
                group.getFirst().fail(failure);
                return;
            }
            for (Slot<J, R> slot : group) {
                try {
                    slot.succeed(write.apply(List.of(slot.job)).getFirst());
                } catch (RuntimeException alone) {
                    slot.fail(alone);
                }
            }
        } finally {
            for (Slot<J, R> slot : group) {
                if (!slot.done) {
                    slot.fail(new IllegalStateException("the group's write did not finish"));
                }
            }
        }
    }

    private static final class Slot<J, R> {
        final J job;
        boolean done;
        R result;
        RuntimeException failure;

        Slot(J job) {
            this.job = job;
        }

        void succeed(R value) {
            result = value;
            done = true;
        }

        void fail(RuntimeException cause) {
            failure = cause;
            done = true;
        }
    }
}
