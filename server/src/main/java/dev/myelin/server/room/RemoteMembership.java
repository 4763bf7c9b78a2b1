package dev.myelin.server.room;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.List;

/**
 * Membership changes of local users in rooms this server is not in, done through a server that is (spec:
 * server-server-api "Joining Rooms", "Leaving Rooms", "Knocking upon a room": make_join/send_join,
 * make_leave/send_leave, make_knock/send_knock).
 */
public interface RemoteMembership {
    /** Joins through the first of {@code via} that answers; the user is in the room when this returns. */
    void join(String roomId, String userId, List<String> via, String reason);

    /**
     * Has the invitee's server check and sign an invite of one of its users (spec: PUT /v2/invite); returns the
     * event with both signatures.
     *
     * @throws dev.myelin.server.http.MatrixException when that server refuses or cannot be reached
     */
    EncodedPdu invite(String roomId, RoomVersion version, EncodedPdu invite, ArrayNode strippedState);

    /**
     * Knocks through the first of {@code via} that answers (spec: server-server-api "Knocking upon a room"); the
     * knock is recorded with the room's stripped state that server sent.
     */
    void knock(String roomId, String userId, List<String> via, String reason);

    /** Leaves, rejects an invite or rescinds a knock, through the first of {@code via} that answers. */
    void leave(String roomId, String userId, List<String> via, String reason);
}
