package dev.myelin.server.storage;

/**
 * The committed head of each stream. Positions start at 1; a stream nothing was ever written to is at 0.
 * Allocation happens inside a store's write transaction (see {@code sql.SqlStreamPositions#next}).
 */
public interface StreamPositionStore {
    long current(StreamName stream);
}
