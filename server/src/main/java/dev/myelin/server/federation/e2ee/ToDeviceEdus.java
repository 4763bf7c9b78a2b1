package dev.myelin.server.federation.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.RemoteToDevice;
import dev.myelin.server.e2ee.ToDeviceService;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.inbound.EduHandler;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.Json;

/**
 * {@code m.direct_to_device} EDUs (spec: server-server-api "Send-to-device messaging"): messages for users of
 * another server go to it in one EDU per client request; inbound ones, from the sender's own server, go to local
 * devices' inboxes once per {@code message_id}.
 */
public final class ToDeviceEdus implements EduHandler, RemoteToDevice {
    public static final String TYPE = "m.direct_to_device";

    private final ToDeviceService toDevice;
    private final FederationSender sender;

    public ToDeviceEdus(ToDeviceService toDevice, FederationSender sender) {
        this.toDevice = toDevice;
        this.sender = sender;
    }

    @Override
    public void handle(String origin, JsonNode content) {
        String senderId = content.path("sender").textValue();
        String type = content.path("type").textValue();
        String messageId = content.path("message_id").textValue();
        JsonNode messages = content.path("messages");
        if (senderId == null || type == null || messageId == null || !messages.isObject()) {
            throw new IllegalArgumentException("malformed m.direct_to_device");
        }
        if (!origin.equals(RoomServers.serverOf(senderId))) {
            throw new IllegalArgumentException(origin + " may not send to-device messages of " + senderId);
        }
        toDevice.deliver(origin, senderId, type, messageId, messages);
    }

    @Override
    public void send(String server, String senderId, String eventType, String messageId, ObjectNode messages) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("sender", senderId).put("type", eventType)
                .put("message_id", messageId);
        content.set("messages", messages);
        sender.enqueueEdu(server, TYPE, content);
    }
}
