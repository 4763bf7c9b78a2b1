package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.AuthState;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Joins to restricted rooms (spec: client-server-api "Restricted rooms", server-server-api "Restricted rooms"; join
 * rules {@code restricted} from v8 and {@code knock_restricted} from v10): a user who is neither joined nor invited
 * may join when this server sees them joined to one of the rooms the join rules allow, and the join then names a
 * local user who could have invited them ({@code join_authorised_via_users_server}), whose server signs it.
 */
public final class RestrictedJoins {
    private final RoomService rooms;
    private final RoomStore store;

    RestrictedJoins(RoomService rooms) {
        this.rooms = rooms;
        this.store = rooms.store();
    }

    /**
     * The local user to name as the authoriser of {@code userId}'s join, or empty when the join needs none (the
     * room is not restricted, or the user is joined or invited already).
     *
     * @throws MatrixException 403 {@code M_FORBIDDEN} when the user is in none of the allowed rooms, 400
     *                         {@code M_UNABLE_TO_AUTHORISE_JOIN} when this server cannot tell (it is not in an allowed
     *                         room), 400 {@code M_UNABLE_TO_GRANT_JOIN} when no local user could invite them
     */
    public Optional<String> authoriser(RoomStore.Room room, String userId) {
        Optional<JsonNode> rules = restrictedRules(room);
        if (rules.isEmpty() || invitedOrJoined(room, userId)) {
            return Optional.empty();
        }
        requireInAllowedRoom(rules.get(), userId);
        return Optional.of(localInviter(room).orElseThrow(() -> new MatrixException(400,
                ErrorCode.M_UNABLE_TO_GRANT_JOIN, "No user of " + rooms.serverName() + " can invite to this room")));
    }

    /**
     * Checks a join that names {@code authoriser} before this server signs it (send_join): the authoriser is a local
     * user who may invite, and the joining user still qualifies.
     */
    public void checkAuthorised(RoomStore.Room room, String userId, String authoriser) {
        if (!authoriser.endsWith(":" + rooms.serverName())) {
            throw new MatrixException(400, ErrorCode.M_UNABLE_TO_GRANT_JOIN,
                    authoriser + " is not a user of " + rooms.serverName() + "; ask their server");
        }
        Optional<JsonNode> rules = restrictedRules(room);
        if (rules.isPresent() && !invitedOrJoined(room, userId)) {
            requireInAllowedRoom(rules.get(), userId);
        }
        if (!mayInvite(room, rooms.powerState(room), authoriser)) {
            throw new MatrixException(400, ErrorCode.M_UNABLE_TO_GRANT_JOIN,
                    authoriser + " is not joined or may not invite");
        }
    }

    /** The room's join rules content when the rule is restricted in a version that has it. */
    private Optional<JsonNode> restrictedRules(RoomStore.Room room) {
        RoomVersion.AuthorizationRules version = RoomService.version(room).authorization();
        StoredEvent event = store.state(room.currentSnapshot(), List.of(RoomService.JOIN_RULES))
                .get(RoomService.JOIN_RULES);
        if (event == null) {
            return Optional.empty();
        }
        JsonNode content = rooms.pdu(event, RoomService.version(room)).content();
        String rule = content.path("join_rule").asText("");
        boolean restricted = version.restrictedJoins() && rule.equals("restricted")
                || version.knockRestricted() && rule.equals("knock_restricted");
        return restricted ? Optional.of(content) : Optional.empty();
    }

    private boolean invitedOrJoined(RoomStore.Room room, String userId) {
        String membership = rooms.currentMembership(room.roomId(), userId);
        return membership.equals("join") || membership.equals("invite");
    }

    /**
     * The user must be joined to one of the allow list's rooms (entries of type {@code m.room_membership}; others
     * are conditions nobody meets). A local user's memberships are all known here; a remote user's only in rooms
     * this server is in with full state.
     */
    private void requireInAllowedRoom(JsonNode rules, String userId) {
        var allowed = new ArrayList<String>();
        for (JsonNode entry : rules.path("allow")) {
            if ("m.room_membership".equals(entry.path("type").asText()) && entry.path("room_id").isTextual()) {
                allowed.add(entry.get("room_id").asText());
            }
        }
        boolean unknowable = false;
        for (String roomId : allowed) {
            if ("join".equals(rooms.currentMembership(roomId, userId))) {
                return;
            }
            unknowable |= !knowsMembers(roomId);
        }
        if (unknowable && !userId.endsWith(":" + rooms.serverName())) {
            throw new MatrixException(400, ErrorCode.M_UNABLE_TO_AUTHORISE_JOIN,
                    rooms.serverName() + " cannot tell whether " + userId + " is in the rooms that allow joining");
        }
        throw MatrixException.forbidden("You are not in any of the rooms that allow joining this room");
    }

    /** Whether this server is in the room with its full state, so knows who is joined. */
    private boolean knowsMembers(String roomId) {
        Optional<RoomStore.Room> room = store.room(roomId);
        if (room.isEmpty() || room.get().currentSnapshot() == 0 || room.get().partialState()) {
            return false;
        }
        String suffix = ":" + rooms.serverName();
        return store.members(roomId, "join").stream().anyMatch(m -> m.userId().endsWith(suffix));
    }

    /** The joined local user with the most power, if it is enough to invite (ties go to the smallest user id). */
    private Optional<String> localInviter(RoomStore.Room room) {
        AuthState power = rooms.powerState(room);
        String suffix = ":" + rooms.serverName();
        return store.members(room.roomId(), "join").stream()
                .map(RoomStore.Membership::userId)
                .filter(userId -> userId.endsWith(suffix))
                .filter(userId -> power.powerOf(userId) >= power.powerLevels().inviteLevel())
                .min(Comparator.comparingLong((String userId) -> -power.powerOf(userId))
                        .thenComparing(Comparator.naturalOrder()));
    }

    private boolean mayInvite(RoomStore.Room room, AuthState power, String userId) {
        return "join".equals(rooms.currentMembership(room.roomId(), userId))
                && power.powerOf(userId) >= power.powerLevels().inviteLevel();
    }
}
