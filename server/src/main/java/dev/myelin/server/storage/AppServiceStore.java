package dev.myelin.server.storage;

import java.util.Optional;

/**
 * Each application service's place in the events stream and its transaction outbox of one: a transaction is stored
 * (with the position it covers) before it is sent, and cleared once the service acknowledged it.
 */
public interface AppServiceStore {

    /** @param pending the transaction body awaiting acknowledgement, sent under {@code nextTxnId} */
    record Progress(long eventsPos, long nextTxnId, Optional<String> pending) {}

    /** Creates the progress row at {@code eventsPos} (transaction id 1) unless it exists. */
    void startAt(String appServiceId, long eventsPos);

    Progress progress(String appServiceId);

    /** Moves past events that concern the service not at all. */
    void skipTo(String appServiceId, long eventsPos);

    /** Records the transaction covering events up to {@code eventsPos}, to be sent next. */
    void queue(String appServiceId, long eventsPos, String body);

    /** The pending transaction was acknowledged: the next one gets the next id. */
    void delivered(String appServiceId);
}
