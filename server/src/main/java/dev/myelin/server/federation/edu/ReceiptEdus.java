package dev.myelin.server.federation.edu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.inbound.EduHandler;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.Json;
import dev.myelin.server.receipt.PublicReceiptListener;
import dev.myelin.server.receipt.ReceiptService;
import dev.myelin.server.storage.ReceiptStore.Receipt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code m.receipt} EDUs (spec: server-server-api "Receipts"): local users' public read receipts go to the other
 * servers in the room; a remote user's {@code m.read} receipts are accepted from the user's own server while the
 * user is joined. Private receipts never leave the server; other receipt types are ignored.
 */
public final class ReceiptEdus implements EduHandler, PublicReceiptListener {
    public static final String TYPE = "m.receipt";

    private final ReceiptService receipts;
    private final RoomServers servers;
    private final FederationSender sender;

    public ReceiptEdus(ReceiptService receipts, RoomServers servers, FederationSender sender) {
        this.receipts = receipts;
        this.servers = servers;
        this.sender = sender;
    }

    @Override
    public void handle(String origin, JsonNode content) {
        for (var room : content.properties()) {
            String roomId = room.getKey();
            for (var user : room.getValue().path(ReceiptService.READ).properties()) {
                String userId = user.getKey();
                if (!origin.equals(RoomServers.serverOf(userId)) || !servers.isJoined(userId, roomId)) {
                    continue; // a server speaks only for its own users, in rooms they are in
                }
                List<Receipt> parsed = parse(roomId, userId, user.getValue());
                if (!parsed.isEmpty()) {
                    receipts.remote(userId, roomId, parsed);
                }
            }
        }
    }

    /** One receipt per event id given (the last wins for a thread), with the sender's timestamp. */
    private static List<Receipt> parse(String roomId, String userId, JsonNode receipt) {
        var out = new ArrayList<Receipt>();
        JsonNode data = receipt.path("data");
        long ts = data.path("ts").canConvertToLong() ? data.path("ts").asLong() : 0;
        Optional<String> thread = Optional.ofNullable(data.path("thread_id").textValue());
        for (JsonNode eventId : receipt.path("event_ids")) {
            if (eventId.isTextual() && eventId.textValue().startsWith("$")) {
                out.clear();
                out.add(new Receipt(roomId, userId, ReceiptService.READ, thread, eventId.textValue(), ts));
            }
        }
        return out;
    }

    @Override
    public void published(Receipt receipt) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        ObjectNode forUser = content.putObject(receipt.roomId()).putObject(ReceiptService.READ)
                .putObject(receipt.userId());
        forUser.putArray("event_ids").add(receipt.eventId());
        ObjectNode data = forUser.putObject("data").put("ts", receipt.ts());
        receipt.threadId().ifPresent(thread -> data.put("thread_id", thread));
        sender.enqueueEdu(servers.inRoom(receipt.roomId()), TYPE, content);
    }
}
