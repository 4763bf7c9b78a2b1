package dev.myelin.server.accountdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

/**
 * A user's tags on rooms (spec: modules "Room Tagging"), kept as the room account data event {@code m.tag}, whose
 * content is {@code {"tags": {name: {"order": n}}}}; sync delivers it like any room account data.
 */
public final class RoomTags {
    public static final String TYPE = "m.tag";

    private final AccountDataService accountData;

    public RoomTags(AccountDataService accountData) {
        this.accountData = accountData;
    }

    /** The room's tags: tag name to its content. */
    public ObjectNode tags(String userId, String roomId) {
        return accountData.room(userId, roomId, TYPE)
                .map(content -> content.path("tags") instanceof ObjectNode tags ? tags : null)
                .orElseGet(Json.MAPPER::createObjectNode);
    }

    public void put(String userId, String roomId, String tag, ObjectNode content) {
        accountData.updateRoom(userId, roomId, TYPE, current -> {
            tagsOf(current).set(tag, content);
            return current;
        });
    }

    public void remove(String userId, String roomId, String tag) {
        accountData.updateRoom(userId, roomId, TYPE, current -> {
            tagsOf(current).remove(tag);
            return current;
        });
    }

    private static ObjectNode tagsOf(ObjectNode content) {
        if (!(content.get("tags") instanceof ObjectNode)) {
            content.putObject("tags");
        }
        return (ObjectNode) content.get("tags");
    }
}
