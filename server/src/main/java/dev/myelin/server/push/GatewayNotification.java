package dev.myelin.server.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.PusherStore;
import dev.myelin.spec.event.Pdu;

/**
 * The {@code notification} object of {@code POST /_matrix/push/v1/notify} (spec: push gateway API), without
 * {@code counts} and {@code devices}, which are added when it is sent. With the pusher's format
 * {@code event_id_only} only the event and room ids go to the gateway.
 */
final class GatewayNotification {
    private GatewayNotification() {
    }

    static ObjectNode of(Pdu event, RoomFacts facts, String userId, PushActions actions,
                         PusherStore.Pusher pusher) {
        ObjectNode notification = Json.MAPPER.createObjectNode();
        notification.put("event_id", event.eventId());
        notification.put("room_id", event.roomId());
        // Low priority unless the user is meant to be alerted (a sound or a highlight).
        notification.put("prio", actions.highlight() || actions.tweaks().has("sound") ? "high" : "low");
        if ("event_id_only".equals(pusher.data().path("format").asText())) {
            return notification;
        }
        notification.put("type", event.type());
        notification.put("sender", event.sender());
        String senderName = facts.displayName(event.sender());
        if (senderName != null) {
            notification.put("sender_display_name", senderName);
        }
        String roomName = facts.roomName();
        if (roomName != null) {
            notification.put("room_name", roomName);
        }
        if (event.isState() && userId.equals(event.stateKey())) {
            notification.put("user_is_target", true);
        }
        notification.set("content", event.content().deepCopy());
        return notification;
    }
}
