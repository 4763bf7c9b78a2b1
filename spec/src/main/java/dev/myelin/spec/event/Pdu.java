package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A persistent data unit: one room event as servers exchange it (spec: server-server-api "PDUs",
 * rooms/vN "Event format"). Holds the JSON tree and its event id; references to other events are
 * normalised to plain event ids whatever the room version's format.
 *
 * <p>The tree is never re-serialised for another server: whoever received the event keeps its
 * original bytes beside it.
 */
public final class Pdu {
    private final String eventId;
    private final RoomVersion roomVersion;
    private final ObjectNode json;
    private final List<String> prevEvents;
    private final List<String> authEvents;

    public Pdu(String eventId, RoomVersion roomVersion, ObjectNode json) {
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.roomVersion = Objects.requireNonNull(roomVersion, "roomVersion");
        this.json = Objects.requireNonNull(json, "json");
        this.prevEvents = references(json.get("prev_events"));
        this.authEvents = references(json.get("auth_events"));
    }

    /** v1/v2 list [event_id, {hashes}] pairs; v3+ list plain event ids. Both become ids. */
    private static List<String> references(JsonNode node) {
        if (node == null || !node.isArray()) {
            return List.of();
        }
        var ids = new ArrayList<String>(node.size());
        for (JsonNode entry : node) {
            JsonNode id = entry.isArray() ? entry.get(0) : entry;
            if (id != null && id.isTextual()) {
                ids.add(id.asText());
            }
        }
        return Collections.unmodifiableList(ids);
    }

    public String eventId() { return eventId; }

    public RoomVersion roomVersion() { return roomVersion; }

    /** The full event JSON (including signatures, hashes and unsigned if present). Do not mutate. */
    public ObjectNode json() { return json; }

    /** The room id; for a v12 create event (which has none) the id derived from its event id. */
    public String roomId() {
        JsonNode roomId = json.get("room_id");
        if (roomId != null && roomId.isTextual()) {
            return roomId.asText();
        }
        if (roomVersion.authorization().roomIdFromCreateEvent() && isCreate()) {
            return "!" + eventId.substring(1);
        }
        return null;
    }

    public String type() { return text("type"); }

    public String sender() { return text("sender"); }

    /** The state key, or null for a message event. */
    public String stateKey() { return text("state_key"); }

    public boolean isState() { return json.has("state_key") && json.get("state_key").isTextual(); }

    public boolean isCreate() { return "m.room.create".equals(type()) && "".equals(stateKey()); }

    public ObjectNode content() {
        JsonNode content = json.get("content");
        return content instanceof ObjectNode object ? object : json.objectNode();
    }

    public List<String> prevEvents() { return prevEvents; }

    public List<String> authEvents() { return authEvents; }

    public long depth() { return json.path("depth").asLong(0); }

    public long originServerTs() { return json.path("origin_server_ts").asLong(0); }

    /** The redacted event id of an m.room.redaction: in content from v11 on, top level before. */
    public String redacts() {
        JsonNode inContent = content().get("redacts");
        if (inContent != null && inContent.isTextual()) {
            return inContent.asText();
        }
        return text("redacts");
    }

    private String text(String key) {
        JsonNode node = json.get(key);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Pdu pdu && pdu.eventId.equals(eventId);
    }

    @Override
    public int hashCode() { return eventId.hashCode(); }

    @Override
    public String toString() { return "Pdu[" + eventId + " " + type() + " " + stateKey() + "]"; }
}
