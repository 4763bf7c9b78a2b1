package dev.myelin.server.room;

/**
 * A room's history from before this server was in it, fetched from servers that were (spec: server-server-api
 * "Backfilling and retrieving missing events"), for clients paginating past the oldest event stored here.
 */
public interface RemoteHistory {
    /**
     * Fetches and stores up to {@code limit} events before the room's backward extremities, below every event
     * stored so far; the number stored (0 when the room's history is complete or no server gave any).
     */
    int backfill(String roomId, int limit);
}
