package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.typing.TypingService;

import java.util.function.Consumer;

/** {@code PUT /rooms/{roomId}/typing/{userId}} (spec: modules/typing_notifications.md, typing.yaml). */
public final class TypingEndpoint {
    /** Used when a client says it is typing without a timeout (the spec's example value). */
    private static final long DEFAULT_TIMEOUT_MS = 30_000;

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final TypingService typing;
    private final Consumer<String> activity;

    /** @param activity told the user id of whoever starts typing: a sign the user is active (for presence) */
    public TypingEndpoint(Authenticator authenticator, RoomService rooms, TypingService typing,
                          Consumer<String> activity) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.typing = typing;
        this.activity = activity;
    }

    public void register(Router router) {
        router.add("PUT", Router.CLIENT_V3_AND_R0, "/rooms/{roomId}/typing/{userId}", this::put);
    }

    private MatrixResponse put(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        String roomId = request.pathParam("roomId");
        if (!request.pathParam("userId").equals(requester.userId())) {
            throw MatrixException.forbidden("Cannot set the typing state of another user");
        }
        ObjectNode body = request.jsonObject();
        JsonNode typingField = body.get("typing");
        if (typingField == null || typingField.isNull()) {
            throw MatrixException.missingParam("Missing 'typing'");
        }
        if (!typingField.isBoolean()) {
            throw MatrixException.badJson("'typing' must be a boolean");
        }
        long timeout = DEFAULT_TIMEOUT_MS;
        JsonNode timeoutField = body.get("timeout");
        if (timeoutField != null && !timeoutField.isNull()) {
            if (!timeoutField.isIntegralNumber() || !timeoutField.canConvertToLong()) {
                throw MatrixException.badJson("'timeout' must be an integer");
            }
            timeout = timeoutField.asLong();
            if (timeout < 0) {
                throw MatrixException.invalidParam("'timeout' must not be negative");
            }
        }
        if (!"join".equals(rooms.currentMembership(roomId, requester.userId()))) {
            throw MatrixException.forbidden("You are not in room " + roomId);
        }
        if (typingField.asBoolean()) {
            typing.started(roomId, requester.userId(), timeout);
            activity.accept(requester.userId());
        } else {
            typing.stopped(roomId, requester.userId());
        }
        return MatrixResponse.empty();
    }
}
