package dev.myelin.server.federation.sender;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many transactions, across all destinations, are sent at once. A message in a room on a hundred servers wakes a
 * hundred senders together; let loose, they crowd the few cores (and the virtual-thread scheduler the client API
 * runs on too), and each carries the one PDU it woke for. Taking turns, the destinations waiting for a slot gather
 * the PDUs that follow, so the same PDUs go out in fewer transactions. A sender that has waited {@code maxWait}
 * goes without a slot, so that slow or unreachable destinations holding every slot delay the others by that much at
 * most. Each destination still has at most one transaction in flight (the sender's own rule).
 */
final class TransactionSlots {
    /** A taken slot, or none after waiting too long; close it when the transaction is done. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private static final Slot NONE = () -> { };

    private final Semaphore slots;
    private final long maxWaitNanos;

    TransactionSlots(int slots, Duration maxWait) {
        this.slots = new Semaphore(slots, true);
        this.maxWaitNanos = maxWait.toNanos();
    }

    /** Two per core, at least four: enough to keep the cores busy, few enough for the batches to grow. */
    static TransactionSlots forThisMachine() {
        return new TransactionSlots(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(1));
    }

    /** Waits for a slot, at most {@code maxWait}. */
    Slot take() {
        boolean taken;
        try {
            taken = slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NONE;
        }
        return taken ? slots::release : NONE;
    }
}
