package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StorageException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A fixed set of platform threads that run work for callers on virtual threads: sqlite-jdbc runs native code, which
 * would pin a virtual thread to its carrier. Callers wait; the counts feed {@link PoolStats}.
 */
final class PlatformWorkers {
    private final String name;
    private final int size;
    private final ExecutorService executor;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();

    PlatformWorkers(String name, int size) {
        this.name = name;
        this.size = size;
        this.executor = Executors.newFixedThreadPool(size, Thread.ofPlatform().name(name + "-", 0).daemon(true).factory());
    }

    /**
     * Runs the task on a worker and waits. If the caller is interrupted, work that has not started is dropped;
     * work that has started is awaited, so the caller always knows whether it happened.
     */
    <T> T call(Supplier<T> task) {
        AtomicBoolean claimed = new AtomicBoolean();
        pending.incrementAndGet();
        Future<T> future;
        try {
            future = executor.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return null;
                }
                pending.decrementAndGet();
                active.incrementAndGet();
                try {
                    return task.get();
                } finally {
                    active.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet();
            throw new IllegalStateException("the database is closed");
        }
        try {
            return unwrap(future);
        } catch (InterruptedException e) {
            if (claimed.compareAndSet(false, true)) {
                pending.decrementAndGet();
                future.cancel(false);
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted before the database work started", e);
            }
            T result = awaitUninterruptibly(future);
            Thread.currentThread().interrupt();
            return result;
        }
    }

    /** The future's value; its failure rethrown as it was (a checked one as a StorageException). */
    static <T> T unwrap(Future<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new StorageException("database work failed", e.getCause());
            }
        }
    }

    /** The same, waiting through interrupts (the caller restores the interrupt once the work is done). */
    static <T> T awaitUninterruptibly(Future<T> future) {
        while (true) {
            try {
                return unwrap(future);
            } catch (InterruptedException ignored) {
                // the interrupt is restored by the caller once the work is done
            }
        }
    }

    /** Stops taking work; work already queued still runs. Returns false if it did not finish in time. */
    boolean shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        executor.shutdown();
        return executor.awaitTermination(timeout, unit);
    }

    PoolStats stats() {
        int running = active.get();
        return new PoolStats(name, running, size - running, pending.get(), size);
    }
}
