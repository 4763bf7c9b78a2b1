package dev.myelin.server.receipt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.ReceiptStore;
import dev.myelin.server.storage.ReceiptStore.Receipt;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlReceiptStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code m.receipt} event per joined room in its {@code ephemeral} section, with the receipts stored since the
 * token (all current receipts on an initial sync or for a newly joined room). Other users' {@code m.read.private}
 * receipts are never sent (spec: "Private read receipts").
 */
public final class ReceiptSync implements SyncContributor {
    private final ReceiptStore store;

    public ReceiptSync(ReceiptStore store) {
        this.store = store;
    }

    @Override
    public StreamName stream() {
        return SqlReceiptStore.STREAM;
    }

    @Override
    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        var receipts = new ArrayList<ReceiptStore.Stored>();
        if (since == 0) {
            receipts.addAll(store.ofRooms(context.joinedRooms()));
        } else {
            Set<String> newlyJoined = new HashSet<>(context.newlyJoinedRooms());
            if (since < upTo) {
                store.changed(since, upTo).stream()
                        .filter(stored -> !newlyJoined.contains(stored.receipt().roomId()))
                        .forEach(receipts::add);
            }
            receipts.addAll(store.ofRooms(newlyJoined));
        }
        Map<String, ObjectNode> contentByRoom = new LinkedHashMap<>();
        for (ReceiptStore.Stored stored : receipts) {
            Receipt receipt = stored.receipt();
            if (stored.streamPos() > upTo || !context.joinedRooms().contains(receipt.roomId())
                    || receipt.type().equals(ReceiptService.READ_PRIVATE) && !receipt.userId().equals(context.userId())) {
                continue;
            }
            ObjectNode content = contentByRoom.computeIfAbsent(receipt.roomId(), _ -> Json.MAPPER.createObjectNode());
            ObjectNode entry = content.withObjectProperty(receipt.eventId()).withObjectProperty(receipt.type())
                    .putObject(receipt.userId()).put("ts", receipt.ts());
            receipt.threadId().ifPresent(thread -> entry.put("thread_id", thread));
        }
        contentByRoom.forEach((roomId, content) -> {
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.receipt");
            event.set("content", content);
            response.addRoomEvent(roomId, "ephemeral", event);
        });
        return upTo;
    }
}
