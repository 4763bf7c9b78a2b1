package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The durable outbound federation queue: PDUs and EDUs owed to each destination, and destinations backing off. */
public interface FederationQueueStore {

    enum Kind { PDU, EDU }

    /** A queued PDU or EDU, its JSON exactly as it goes into a transaction. */
    record QueuedItem(long id, Kind kind, byte[] json) {
    }

    /** A destination that failed {@code failures} times in a row, not to be tried before {@code retryAfterTs}. */
    record Backoff(int failures, long retryAfterTs) {
    }

    /** Queues one item for each destination (one transaction); returns its id. */
    long enqueue(Kind kind, byte[] json, Collection<String> destinations, long nowTs);

    /** The oldest items owed to a destination: at most {@code maxPdus} PDUs and {@code maxEdus} EDUs, by age. */
    List<QueuedItem> next(String destination, int maxPdus, int maxEdus);

    /**
     * Forgets items destinations received (item ids by destination), in one write; items no destination is owed any
     * more are deleted.
     */
    void delivered(Map<String, ? extends Collection<Long>> itemIdsByDestination);

    /** Destinations with items waiting. */
    List<String> destinationsWithItems();

    Optional<Backoff> backoff(String destination);

    void backOff(String destination, Backoff backoff);

    /** The destination answered: no back-off any more. */
    void clearBackoff(String destination);
}
