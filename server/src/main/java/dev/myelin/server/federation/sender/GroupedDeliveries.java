package dev.myelin.server.federation.sender;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Records the transactions destinations accepted in the queue, many destinations in one write (group commit): a
 * caller that finds no write under way writes everything recorded so far, and those who recorded meanwhile wait for
 * the next such write. One write per delivered transaction would, with a room on a hundred servers, take a hundred
 * writes per message from the one SQLite writer that local sends also wait for.
 */
final class GroupedDeliveries {
    private record Delivery(String destination, Collection<Long> itemIds, CompletableFuture<Void> written) {
    }

    private final Consumer<Map<String, List<Long>>> write;
    private final ConcurrentLinkedQueue<Delivery> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();

    /** {@code write} records item ids by destination in one write (the queue's {@code delivered}). */
    GroupedDeliveries(Consumer<Map<String, List<Long>>> write) {
        this.write = write;
    }

    /** Forgets the items the destination received; returns once that is written (or throws what the write threw). */
    void delivered(String destination, Collection<Long> itemIds) {
        var delivery = new Delivery(destination, itemIds, new CompletableFuture<>());
        pending.add(delivery);
        writing.lock();
        try {
            if (!delivery.written().isDone()) {
                writeAllPending();
            }
        } finally {
            writing.unlock();
        }
        try {
            delivery.written().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void writeAllPending() {
        List<Delivery> batch = new ArrayList<>();
        Map<String, List<Long>> byDestination = new HashMap<>();
        for (Delivery next; (next = pending.poll()) != null; ) {
            batch.add(next);
            byDestination.computeIfAbsent(next.destination(), d -> new ArrayList<>()).addAll(next.itemIds());
        }
        try {
            write.accept(byDestination);
            batch.forEach(delivery -> delivery.written().complete(null));
        } catch (RuntimeException e) {
            batch.forEach(delivery -> delivery.written().completeExceptionally(e));
        }
    }
}
