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

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Send-to-device messaging (spec: modules/send_to_device.md): puts messages in device inboxes and wakes syncs. */
public final class ToDeviceService {
    private static final int MAX_MESSAGES = 10_000;

    private final String serverName;
    private final ToDeviceStore store;
    private final Notifier notifier;
    private volatile RemoteToDevice remote = (server, sender, type, messageId, messages) -> { };

    public ToDeviceService(String serverName, ToDeviceStore store, Notifier notifier) {
        this.serverName = serverName;
        this.store = store;
        this.notifier = notifier;
    }

    /** Where messages for users of other servers go (federation wires it; until then they are dropped). */
    public void remote(RemoteToDevice remote) {
        this.remote = remote;
    }

    /**
     * PUT /sendToDevice/{eventType}/{txnId}: {@code messages} maps user ids to device ids (or "*") to contents. A
     * transaction id the sending device already used is not delivered again; messages for users of other servers
     * go to {@link RemoteToDevice} with a message id derived from the transaction, which their server
     * de-duplicates.
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
        var remoteByServer = new LinkedHashMap<String, ObjectNode>();
        for (var user : messages.properties()) {
            String userId = SignedKeys.userId(user.getKey());
            if (!user.getValue().isObject()) {
                throw MatrixException.badJson("'messages' must map user ids to objects of device ids");
            }
            for (var device : user.getValue().properties()) {
                if (!device.getValue().isObject()) {
                    throw MatrixException.badJson("Message contents must be objects");
                }
                String server = UserId.parse(userId).server().toString();
                if (!server.equals(serverName)) {
                    ObjectNode forServer = remoteByServer.computeIfAbsent(server, _ -> Json.MAPPER.createObjectNode());
                    ObjectNode forUser = forServer.has(userId) ? (ObjectNode) forServer.get(userId)
                            : forServer.putObject(userId);
                    forUser.set(device.getKey(), device.getValue());
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
        if (!remoteByServer.isEmpty()) {
            String messageId = messageId(sender, txnId);
            remoteByServer.forEach((server, forServer) ->
                    remote.send(server, sender.userId(), eventType, messageId, forServer));
        }
    }

    /** A message id unique to the sending device's transaction (the same when the client retries it). */
    private static String messageId(Requester sender, String txnId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (sender.userId() + "\n" + sender.deviceId() + "\n" + txnId).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Delivers the messages of an {@code m.direct_to_device} EDU from {@code origin} (spec: server-server-api
     * "Send-to-device messaging") to local devices; a {@code message_id} already delivered for this sender is not
     * delivered again (kept with the client transaction ids, the origin in place of the device id).
     *
     * @param messages user id to device id (or "*") to content; users of other servers are skipped
     */
    public void deliver(String origin, String senderUserId, String eventType, String messageId, JsonNode messages) {
        var local = new ArrayList<Message>();
        var recipients = new LinkedHashSet<String>();
        for (var user : messages.properties()) {
            String userId = user.getKey();
            if (!SignedKeys.isUserId(userId) || !UserId.parse(userId).server().toString().equals(serverName)
                    || !user.getValue().isObject()) {
                continue;
            }
            for (var device : user.getValue().properties()) {
                if (!device.getValue().isObject()) {
                    continue;
                }
                ObjectNode event = Json.MAPPER.createObjectNode();
                event.put("type", eventType);
                event.put("sender", senderUserId);
                event.set("content", device.getValue());
                local.add(new Message(userId, device.getKey(), SignedKeys.text(event)));
                recipients.add(userId);
            }
        }
        Optional<Long> position = store.send(senderUserId, origin, messageId, local);
        position.ifPresent(p -> notifier.advanced(SqlToDeviceStore.TO_DEVICE, p, List.copyOf(recipients)));
    }
}
