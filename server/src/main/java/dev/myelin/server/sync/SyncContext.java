package dev.myelin.server.sync;

import java.util.Set;

/**
 * Who is syncing and what the rooms part of this sync found.
 *
 * @param userId            the syncing user
 * @param deviceId          the syncing device
 * @param initial           no {@code since} token, or {@code full_state=true}
 * @param joinedRooms       the rooms the user is joined to at the end of this sync
 * @param newlyJoinedRooms  rooms joined since the {@code since} token (all joined rooms on an initial sync): they
 *                          get the current state of every section, not just changes
 */
public record SyncContext(String userId, String deviceId, boolean initial, Set<String> joinedRooms,
                          Set<String> newlyJoinedRooms) {
}
