package dev.myelin.server.accountdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.AccountDataStore;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlAccountDataStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top-level {@code account_data} and each joined room's {@code account_data} in {@code /sync}: the latest
 * content of every type changed since the token, everything on an initial sync or for a newly joined room.
 */
public final class AccountDataSync implements SyncContributor {
    private final AccountDataStore store;

    public AccountDataSync(AccountDataStore store) {
        this.store = store;
    }

    @Override
    public StreamName stream() {
        return SqlAccountDataStore.STREAM;
    }

    @Override
    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        // Keyed by (room, type) so that an entry sent twice (changed, and in a newly joined room) appears once.
        Map<List<String>, AccountDataStore.Entry> entries = new LinkedHashMap<>();
        if (since < upTo) {
            store.changed(context.userId(), since, upTo).forEach(e -> entries.put(List.of(e.roomId(), e.type()), e));
        }
        if (since > 0) {
            for (String roomId : context.newlyJoinedRooms()) {
                store.all(context.userId(), roomId).stream().filter(e -> e.streamPos() <= upTo)
                        .forEach(e -> entries.put(List.of(e.roomId(), e.type()), e));
            }
        }
        for (AccountDataStore.Entry entry : entries.values()) {
            ObjectNode event = Json.MAPPER.createObjectNode().put("type", entry.type());
            event.set("content", AccountDataService.parse(entry.content()));
            if (entry.global()) {
                response.addEvent("account_data", event);
            } else if (context.joinedRooms().contains(entry.roomId())) {
                response.addRoomEvent(entry.roomId(), "account_data", event);
            }
        }
        return upTo;
    }
}
