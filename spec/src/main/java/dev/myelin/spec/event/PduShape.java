package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.id.EventId;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomId;
import dev.myelin.spec.id.UserId;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * Checks that an event has the keys and types its room version's PDU format requires (spec:
 * server-server-api PDU schemas pdu_v1 .. pdu_v12, client-server-api "Size limits"). Says nothing
 * about authorization, signatures or hashes.
 */
final class PduShape {
    /** Canonical JSON of a whole event may not exceed this (client-server-api "Size limits"). */
    static final int MAX_EVENT_BYTES = 65536;
    private static final int MAX_KEY_BYTES = 255;
    private static final int MAX_AUTH_EVENTS = 10;
    private static final int MAX_PREV_EVENTS = 20;

    private PduShape() {
    }

    /** @throws MalformedPduException naming the first problem found */
    static void check(ObjectNode event, RoomVersion version) {
        String type = requireString(event, "type");
        requireShortString(type, "type");
        JsonNode stateKey = event.get("state_key");
        if (stateKey != null) {
            requireShortString(requireString(event, "state_key"), "state_key");
        }
        try {
            UserId.parse(requireString(event, "sender"));
        } catch (InvalidIdentifierException e) {
            throw new MalformedPduException("bad sender: " + e.getMessage());
        }
        checkRoomId(event, version, "m.room.create".equals(type) && stateKey != null && "".equals(stateKey.asText()));
        requireType(event, "content", JsonNode::isObject, "an object");
        requireType(event, "depth", node -> node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0,
                "a non-negative integer");
        requireType(event, "origin_server_ts", JsonNode::isIntegralNumber, "an integer");
        requireType(event, "signatures", JsonNode::isObject, "an object");
        requireType(event, "hashes", node -> node.isObject() && node.path("sha256").isTextual(),
                "an object with a string sha256");
        checkReferences(event, version, "auth_events", MAX_AUTH_EVENTS);
        checkReferences(event, version, "prev_events", MAX_PREV_EVENTS);
        if (version.eventFormat() == RoomVersion.EventFormat.V1_SERVER_GENERATED) {
            checkEventId(requireString(event, "event_id"), version, "event_id");
        }
        if (event.has("redacts") && !version.redaction().v11Rules()) {
            requireString(event, "redacts");
        }
    }

    private static void checkRoomId(ObjectNode event, RoomVersion version, boolean isCreate) {
        boolean derived = version.authorization().roomIdFromCreateEvent();
        if (derived && isCreate) {
            if (event.has("room_id")) {
                throw new MalformedPduException("a room version " + version.id() + " create event has no room_id");
            }
            return;
        }
        String text = requireString(event, "room_id");
        RoomId roomId;
        try {
            roomId = RoomId.parse(text);
        } catch (InvalidIdentifierException e) {
            throw new MalformedPduException("bad room_id: " + e.getMessage());
        }
        if (derived != roomId instanceof RoomId.Hashed) {
            throw new MalformedPduException("room_id " + text + " has the wrong form for room version " + version.id());
        }
    }

    /** v1-2: [[event_id, {hashes}], ...]; v3+: [event_id, ...] in the version's id format. */
    private static void checkReferences(ObjectNode event, RoomVersion version, String key, int max) {
        JsonNode list = event.get(key);
        if (list == null || !list.isArray()) {
            throw new MalformedPduException(key + " must be an array");
        }
        if (list.size() > max) {
            throw new MalformedPduException(key + " lists " + list.size() + " events; at most " + max + " allowed");
        }
        boolean pairs = version.eventFormat() == RoomVersion.EventFormat.V1_SERVER_GENERATED;
        for (JsonNode entry : list) {
            JsonNode id = entry;
            if (pairs) {
                if (!entry.isArray() || entry.size() != 2 || !entry.get(1).isObject()) {
                    throw new MalformedPduException(key + " entries must be [event_id, {hashes}] pairs");
                }
                id = entry.get(0);
            }
            if (!id.isTextual()) {
                throw new MalformedPduException(key + " must hold event id strings");
            }
            checkEventId(id.textValue(), version, key);
        }
    }

    private static void checkEventId(String id, RoomVersion version, String key) {
        try {
            EventId.parse(id, version.eventFormat());
        } catch (InvalidIdentifierException e) {
            throw new MalformedPduException("bad " + key + ": " + e.getMessage());
        }
    }

    private static String requireString(ObjectNode event, String key) {
        JsonNode node = event.get(key);
        if (node == null || !node.isTextual()) {
            throw new MalformedPduException(key + (node == null ? " is missing" : " must be a string"));
        }
        return node.textValue();
    }

    private static void requireShortString(String value, String key) {
        if (value.length() > MAX_KEY_BYTES / 3 && value.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new MalformedPduException(key + " is longer than " + MAX_KEY_BYTES + " bytes");
        }
    }

    private static void requireType(ObjectNode event, String key, Predicate<JsonNode> test, String what) {
        JsonNode node = event.get(key);
        if (node == null) {
            throw new MalformedPduException(key + " is missing");
        }
        if (!test.test(node)) {
            throw new MalformedPduException(key + " must be " + what);
        }
    }
}
