package dev.myelin.server.storage;

import java.util.Optional;

/** Transactions received from other servers, by origin and txnId, with the answer given (for retried PUTs). */
public interface InboundTransactionStore {

    Optional<byte[]> response(String origin, String txnId);

    void record(String origin, String txnId, byte[] response, long nowTs);

    /** Forgets transactions received before {@code beforeTs}; returns how many. */
    int prune(long beforeTs);
}
