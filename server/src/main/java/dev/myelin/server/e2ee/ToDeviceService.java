package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.ToDeviceStore;
import dev.myelin.server.storage.ToDeviceStore.Message;
import dev.myelin.server.storage.sql.SqlToDeviceStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.spec.id.UserId;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Send-to-device messaging (spec: modules/send_to_device.md): puts messages in device inboxes and wakes syncs. */
public final class ToDeviceService {
    private static final int MAX_MESSAGES = 10_000;

    private final String serverName;
    private final ToDeviceStore store;
    private final Notifier notifier;

    public ToDeviceService(String serverName, ToDeviceStore store, Notifier notifier) {
        this.serverName = serverName;
        this.store = store;
        this.notifier = notifier;
    }

    /**
     * PUT /sendToDevice/{eventType}/{txnId}: {@code messages} maps user ids to device ids (or "*") to contents. A
     * transaction id the sending device already used is not delivered again. Messages for users of other servers
     * are dropped until federation sends them.
     */
    public void send(Requester sender, String eventType, String txnId, ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || messages.isNull()) {
            throw MatrixException.missingParam("Missing 'messages'");
        }
        if (!messages.isObject()) {
            throw MatrixException.badJson("'messages' must be an object");
        }
        var local = new ArrayList<Message>();
        var recipients = new LinkedHashSet<String>();
        for (var user : messages.properties()) {
            String userId = SignedKeys.userId(user.getKey());
            if (!user.getValue().isObject()) {
                throw MatrixException.badJson("'messages' must map user ids to objects of device ids");
            }
            for (var device : user.getValue().properties()) {
                if (!device.getValue().isObject()) {
                    throw MatrixException.badJson("Message contents must be objects");
                }
                if (!UserId.parse(userId).server().toString().equals(serverName)) {
                    continue;
                }
                ObjectNode event = Json.MAPPER.createObjectNode();
                event.put("type", eventType);
                event.put("sender", sender.userId());
                event.set("content", device.getValue());
                local.add(new Message(userId, device.getKey(), SignedKeys.text(event)));
                recipients.add(userId);
            }
        }
        if (local.size() > MAX_MESSAGES) {
            throw MatrixException.invalidParam("At most " + MAX_MESSAGES + " messages per request");
        }
        Optional<Long> position = store.send(sender.userId(), sender.deviceId(), txnId, local);
        position.ifPresent(p -> notifier.advanced(SqlToDeviceStore.TO_DEVICE, p, List.copyOf(recipients)));
    }
}
