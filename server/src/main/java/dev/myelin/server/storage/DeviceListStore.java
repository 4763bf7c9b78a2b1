package dev.myelin.server.storage;

import java.util.List;
import java.util.Set;

/**
 * The device-list stream that feeds {@code device_lists} in sync and {@code GET /keys/changes}: rows for changes
 * of a user's devices or keys (written by {@link E2eKeyStore}) and for changes of room memberships.
 */
public interface DeviceListStore {

    /** A stream row; {@code roomId} and {@code membership} are null for a change of the user's keys. */
    record Change(long position, String userId, String roomId, String membership) {
        public boolean isMembership() {
            return roomId != null;
        }
    }

    /** Records that a user's membership of a room changed; returns the position. */
    long membershipChanged(String userId, String roomId, String membership);

    /** Rows after {@code from} up to {@code to}, in order. */
    List<Change> changes(long from, long to);

    long currentPosition();

    /** The position of the user's last key change before {@code before} (not a membership row), 0 when none. */
    long keyChangeBefore(String userId, long before);

    /** Users joined to a room the user is joined to (the user included when joined anywhere). */
    Set<String> usersSharingRooms(String userId);

    /** Users joined to the room now. */
    Set<String> joinedMembers(String roomId);

    /** Rooms the user is joined to now. */
    Set<String> joinedRooms(String userId);
}
