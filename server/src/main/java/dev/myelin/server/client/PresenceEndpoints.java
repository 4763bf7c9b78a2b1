package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.presence.PresenceService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET/PUT /presence/{userId}/status} (spec: modules/presence.md, presence.yaml). Presence is visible to
 * the user and to those sharing a room with them. With presence turned off ({@code presence.enabled: false}) the
 * endpoints still check their input and answer as the spec requires, but nothing is kept: every user is offline.
 */
public final class PresenceEndpoints {
    private static final Set<String> STATES = Set.of(PresenceService.ONLINE, PresenceService.UNAVAILABLE,
            PresenceService.OFFLINE);

    private final Authenticator authenticator;
    private final RoomStore rooms;
    private final Optional<PresenceService> presence;

    public PresenceEndpoints(Authenticator authenticator, RoomStore rooms, Optional<PresenceService> presence) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.presence = presence;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/presence/{userId}/status", this::get);
        router.add("PUT", v3, "/presence/{userId}/status", this::put);
    }

    private MatrixResponse get(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        String userId = userId(request.pathParam("userId"));
        if (!userId.equals(requester.userId()) && !sharesRoom(requester.userId(), userId)) {
            throw MatrixException.forbidden("You are not allowed to see the presence of " + userId);
        }
        return MatrixResponse.ok(presence.flatMap(service -> service.get(userId).map(service::content))
                .orElseGet(() -> Json.MAPPER.createObjectNode().put("presence", PresenceService.OFFLINE)));
    }

    private MatrixResponse put(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        if (!request.pathParam("userId").equals(requester.userId())) {
            throw MatrixException.forbidden("Cannot set the presence of another user");
        }
        ObjectNode body = request.jsonObject();
        String state = Fields.requiredString(body, "presence");
        if (!STATES.contains(state)) {
            throw MatrixException.invalidParam("'presence' must be online, unavailable or offline");
        }
        Optional<String> statusMsg = Fields.string(body, "status_msg");
        presence.ifPresent(service -> service.set(requester.userId(), state, statusMsg));
        return MatrixResponse.empty();
    }

    private boolean sharesRoom(String userId, String otherUserId) {
        Set<String> mine = joinedRooms(userId);
        return joinedRooms(otherUserId).stream().anyMatch(mine::contains);
    }

    private Set<String> joinedRooms(String userId) {
        return rooms.membershipsOf(userId).stream().filter(m -> m.membership().equals("join"))
                .map(RoomStore.Membership::roomId).collect(Collectors.toSet());
    }

    private static String userId(String text) {
        try {
            return UserId.parse(text).toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id " + text + ": " + e.reason());
        }
    }
}
