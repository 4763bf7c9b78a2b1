package dev.myelin.server.federation.edu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.inbound.EduHandler;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.Json;
import dev.myelin.server.typing.TypingListener;
import dev.myelin.server.typing.TypingService;

/**
 * {@code m.typing} EDUs (spec: server-server-api "Typing Notifications"): local users' typing goes to the other
 * servers in the room; a remote user's typing is accepted from the user's own server while the user is joined, and
 * lasts {@link #REMOTE_TIMEOUT_MS} unless renewed (servers renew typing users' notifications well within it).
 */
public final class TypingEdus implements EduHandler, TypingListener {
    public static final String TYPE = "m.typing";
    static final long REMOTE_TIMEOUT_MS = 60_000;

    private final TypingService typing;
    private final RoomServers servers;
    private final FederationSender sender;

    public TypingEdus(TypingService typing, RoomServers servers, FederationSender sender) {
        this.typing = typing;
        this.servers = servers;
        this.sender = sender;
    }

    @Override
    public void handle(String origin, JsonNode content) {
        String roomId = content.path("room_id").textValue();
        String userId = content.path("user_id").textValue();
        JsonNode isTyping = content.get("typing");
        if (roomId == null || userId == null || isTyping == null || !isTyping.isBoolean()) {
            throw new IllegalArgumentException("malformed m.typing");
        }
        if (!origin.equals(RoomServers.serverOf(userId)) || !servers.isJoined(userId, roomId)) {
            throw new IllegalArgumentException(origin + " may not send typing of " + userId + " in " + roomId);
        }
        if (isTyping.booleanValue()) {
            typing.started(roomId, userId, REMOTE_TIMEOUT_MS);
        } else {
            typing.stopped(roomId, userId);
        }
    }

    @Override
    public void typing(String roomId, String userId, boolean isTyping) {
        if (!servers.isLocal(userId)) {
            return;
        }
        var content = Json.MAPPER.createObjectNode().put("room_id", roomId).put("user_id", userId)
                .put("typing", isTyping);
        sender.enqueueEdu(servers.inRoom(roomId), TYPE, content);
    }
}
