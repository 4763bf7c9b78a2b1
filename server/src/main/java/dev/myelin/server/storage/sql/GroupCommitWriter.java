package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQLite writer: one platform thread (sqlite-jdbc runs native code, which would pin a virtual thread) runs every
 * write on the one writer connection, and callers wait for it.
 *
 * <p>Writes that queued up while the writer was busy run together as one transaction (group commit), each inside
 * its own savepoint: a write that fails is rolled back to its savepoint alone and its caller gets the failure,
 * while the others commit together. A caller is answered only after the commit that holds its write. A commit
 * appends every page the transaction changed to the WAL, and small writes mostly change the same pages (the last
 * leaf of each index, the stream positions), so one commit for a burst of writes saves most of their cost. A lone
 * write runs as a plain transaction.
 */
final class GroupCommitWriter {
    /** At most this many writes share a commit, so the first of them does not wait for an unbounded group. */
    static final int MAX_GROUP = 64;
    private static final String NAME = "sqlite-writer";

    private final Connection connection;
    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final Job<Void> stop = new Job<>(c -> null);
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final Thread thread;
    private boolean stopped;

    GroupCommitWriter(Connection connection) {
        this.connection = connection;
        this.thread = Thread.ofPlatform().name(NAME + "-0").daemon(true).start(this::work);
    }

    /**
     * Runs the work as (part of) a write transaction and waits for its commit. If the caller is interrupted, work
     * that has not started is dropped; work that has started is awaited, so the caller always knows whether it
     * happened.
     */
    <T> T call(SqlWork<T> work) {
        var job = new Job<>(work);
        synchronized (this) {
            if (stopped) {
                throw new IllegalStateException("the database is closed");
            }
            pending.incrementAndGet();
            queue.add(job);
        }
        return job.await();
    }

    /** Stops taking work; work already queued still runs. Returns false if it did not finish in time. */
    boolean shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        synchronized (this) {
            if (!stopped) {
                stopped = true;
                queue.add(stop);
            }
        }
        thread.join(unit.toMillis(timeout));
        return !thread.isAlive();
    }

    PoolStats stats() {
        int running = active.get() > 0 ? 1 : 0;
        return new PoolStats(NAME, running, 1 - running, pending.get(), 1);
    }

    private void work() {
        var group = new ArrayList<Job<?>>(MAX_GROUP);
        boolean stopping = false;
        while (!stopping) {
            Job<?> next = takeUninterruptibly();
            while (next != null) {
                if (next == stop) {
                    stopping = true;
                } else if (next.claim()) {
                    pending.decrementAndGet();
                    group.add(next);
                }
                next = group.size() < MAX_GROUP && !stopping ? queue.poll() : null;
            }
            if (!group.isEmpty()) {
                active.set(group.size());
                try {
                    run(group);
                } finally {
                    // Idle before the callers hear back, so that what they see next is the writer's state now.
                    active.set(0);
                    group.forEach(Job::answer);
                    group.clear();
                }
            }
        }
    }

    private Job<?> takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException ignored) {
                // only shutdown ends the writer, through the stop job
            }
        }
    }

    private void run(List<Job<?>> group) {
        if (group.size() == 1) {
            group.getFirst().runAlone(connection);
            return;
        }
        var done = new ArrayList<Job<?>>(group.size());
        for (Job<?> job : group) {
            if (job.runInSavepoint(connection)) {
                done.add(job);
            } else if (job.failure instanceof GroupLost lost) {
                // A savepoint could not be rolled back: the whole transaction is gone, and nothing of it happened.
                rollback();
                group.forEach(each -> each.fail(lost.getCause()));
                return;
            }
        }
        try {
            connection.commit();
        } catch (SQLException e) {
            rollback();
            var failure = new StorageException("database work failed: " + e.getMessage(), e);
            done.forEach(job -> job.fail(failure));
        }
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the transaction is over either way; its callers get the original failure
        }
    }

    /** A savepoint could not be rolled back: the transaction holding the group is lost. */
    private static final class GroupLost extends RuntimeException {
        GroupLost(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private final class Job<T> {
        private static final int QUEUED = 0;
        private static final int CLAIMED = 1;
        private static final int CANCELLED = 2;

        private final SqlWork<T> work;
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private final CompletableFuture<T> answer = new CompletableFuture<>();
        private T result;
        private Throwable failure;

        Job(SqlWork<T> work) {
            this.work = work;
        }

        boolean claim() {
            return state.compareAndSet(QUEUED, CLAIMED);
        }

        void runAlone(Connection connection) {
            try {
                result = Transaction.run(connection, work);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }

        /** Runs the work in a savepoint; false when it failed and was rolled back (or the group is lost). */
        boolean runInSavepoint(Connection connection) {
            try {
                result = Transaction.runInSavepoint(connection, work);
                return true;
            } catch (Transaction.SavepointLost e) {
                failure = new GroupLost(e.getCause());
                return false;
            } catch (RuntimeException | Error e) {
                failure = e;
                return false;
            }
        }

        void fail(Throwable cause) {
            failure = cause;
        }

        void answer() {
            if (failure == null) {
                answer.complete(result);
            } else {
                answer.completeExceptionally(failure);
            }
        }

        T await() {
            try {
                return PlatformWorkers.unwrap(answer);
            } catch (InterruptedException e) {
                if (state.compareAndSet(QUEUED, CANCELLED)) {
                    pending.decrementAndGet();
                    Thread.currentThread().interrupt();
                    throw new StorageException("interrupted before the database work started", e);
                }
                T value = PlatformWorkers.awaitUninterruptibly(answer);
                Thread.currentThread().interrupt();
                return value;
            }
        }
    }
}
