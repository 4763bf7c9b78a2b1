package dev.myelin.server.push;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A background virtual thread that runs a step whenever woken, or after the wait the step asks for. A failing
 * step is logged and retried after a pause; {@link #close} stops the thread and waits for it.
 */
public final class WorkerLoop implements AutoCloseable {
    private static final long PAUSE_AFTER_FAILURE_MILLIS = 1_000;

    private final String name;
    private final Logger log;
    /** Does one round of work; returns how long to sleep (ms) unless woken. */
    private final LongSupplier step;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pending;
    private volatile boolean closed;
    private Thread thread;

    public WorkerLoop(String name, Logger log, LongSupplier step) {
        this.name = name;
        this.log = log;
        this.step = step;
    }

    public WorkerLoop start() {
        thread = Thread.ofVirtual().name(name).start(this::run);
        return this;
    }

    public void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (!closed) {
            long sleep;
            try {
                sleep = step.getAsLong();
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("{} failed; retrying", name, e);
                sleep = PAUSE_AFTER_FAILURE_MILLIS;
            }
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(Math.max(sleep, 0));
                while (!pending && !closed && left > 0) {
                    left = woken.awaitNanos(left);
                }
                pending = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
