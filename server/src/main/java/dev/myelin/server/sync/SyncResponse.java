package dev.myelin.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The {@code /sync} response being assembled (spec: client-server-api "Syncing"). Contributors add events to the
 * top-level sections and to joined rooms; the sync service adds the rooms part and the token. It knows whether it
 * carries anything new, which decides whether a long-poll returns.
 */
public final class SyncResponse {
    private final Map<String, ArrayNode> topLevelEvents = new LinkedHashMap<>();
    private final Map<String, ObjectNode> joinedRooms = new LinkedHashMap<>();
    private final Set<String> devicesChanged = new LinkedHashSet<>();
    private final Set<String> devicesLeft = new LinkedHashSet<>();
    private final ObjectNode always = Json.MAPPER.createObjectNode();
    private boolean hasContent;

    /** Adds an event to a top-level section: {@code presence}, {@code account_data} or {@code to_device}. */
    public void addEvent(String section, ObjectNode event) {
        topLevelEvents.computeIfAbsent(section, _ -> Json.MAPPER.createArrayNode()).add(event);
        hasContent = true;
    }

    /** Adds an event to a joined room's {@code ephemeral} or {@code account_data} section. */
    public void addRoomEvent(String roomId, String section, ObjectNode event) {
        joinedRoom(roomId).withObject(section).withArray("events").add(event);
        hasContent = true;
    }

    /** {@code device_lists.changed}: the user's devices or cross-signing keys changed. */
    public void deviceListChanged(String userId) {
        devicesLeft.remove(userId);
        hasContent |= devicesChanged.add(userId);
    }

    /** {@code device_lists.left}: the syncing user no longer shares a room with this user. */
    public void deviceListLeft(String userId) {
        devicesChanged.remove(userId);
        hasContent |= devicesLeft.add(userId);
    }

    /**
     * Sets a top-level field every response carries whether or not anything changed, which does not by itself make
     * a long-poll return: {@code device_one_time_keys_count}, {@code device_unused_fallback_key_types}.
     */
    public void setAlways(String field, JsonNode value) {
        always.set(field, value);
    }

    /** The object of a joined room in {@code rooms.join}, created when missing (and then counted as content). */
    public ObjectNode joinedRoom(String roomId) {
        return joinedRooms.computeIfAbsent(roomId, _ -> {
            hasContent = true;
            return Json.MAPPER.createObjectNode();
        });
    }

    /** The joined rooms present so far, by room id. */
    public Map<String, ObjectNode> joinedRooms() {
        return joinedRooms;
    }

    /** The events of a top-level section so far (live: the sync service filters them in place). */
    public Map<String, ArrayNode> topLevelEvents() {
        return topLevelEvents;
    }

    public boolean hasContent() {
        return hasContent;
    }

    /** The top-level fields other than {@code rooms} and {@code next_batch}. */
    public ObjectNode topLevelJson() {
        ObjectNode json = always.deepCopy();
        topLevelEvents.forEach((section, events) -> json.putObject(section).set("events", events));
        if (!devicesChanged.isEmpty() || !devicesLeft.isEmpty()) {
            ObjectNode lists = json.putObject("device_lists");
            devicesChanged.forEach(lists.withArray("changed")::add);
            devicesLeft.forEach(lists.withArray("left")::add);
        }
        return json;
    }
}
