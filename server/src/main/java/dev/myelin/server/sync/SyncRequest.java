package dev.myelin.server.sync;

import dev.myelin.server.sync.filter.Filter;

import java.util.Optional;

/**
 * One {@code /sync} call (spec: client-server-api {@code GET /sync}).
 *
 * @param since         absent for an initial sync
 * @param timeoutMillis how long to wait for something new (0: answer at once)
 * @param useStateAfter MSC4222 / v1.16 {@code use_state_after}: {@code state_after} instead of {@code state}
 * @param setPresence   {@code online}, {@code unavailable} or {@code offline}
 */
public record SyncRequest(String userId, String deviceId, Filter filter, Optional<SyncToken> since,
                          boolean fullState, long timeoutMillis, boolean useStateAfter, String setPresence) {

    /** Initial syncs and {@code full_state} syncs send the current state of everything. */
    public boolean initial() {
        return since.isEmpty() || fullState;
    }
}
