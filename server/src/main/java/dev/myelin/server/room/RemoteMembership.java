package dev.myelin.server.room;

import java.util.List;

/**
 * Membership changes of local users in rooms this server is not in, done through a server that is (spec:
 * server-server-api "Joining Rooms", "Leaving Rooms": make_join/send_join, make_leave/send_leave).
 */
public interface RemoteMembership {
    /** Joins through the first of {@code via} that answers; the user is in the room when this returns. */
    void join(String roomId, String userId, List<String> via, String reason);

    /** Leaves, or rejects an invite, through the first of {@code via} that answers. */
    void leave(String roomId, String userId, List<String> via, String reason);
}
