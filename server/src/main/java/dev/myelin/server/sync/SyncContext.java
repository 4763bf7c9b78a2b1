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
 * @param threadNotifications the filter's {@code unread_thread_notifications}: count notifications per thread in
 *                            {@code unread_thread_notifications} (otherwise thread notifications count in the room's)
 */
public record SyncContext(String userId, String deviceId, boolean initial, Set<String> joinedRooms,
                          Set<String> newlyJoinedRooms, boolean threadNotifications) {
}
