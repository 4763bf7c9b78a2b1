package dev.myelin.server.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.EventIds;
import dev.myelin.spec.event.RoomVersion;

/**
 * The PDU handler while no room side is registered: every PDU is answered with an error (never silently dropped).
 * Its event id is the one it carries (room versions 1-2), otherwise the v4+ reference hash.
 */
public final class UnknownRoomPdus implements PduHandler {

    @Override
    public Outcome handle(String origin, ObjectNode pdu) {
        return Outcome.failed(eventId(pdu), "This server does not participate in room " + pdu.path("room_id").asText("?"));
    }

    /** The event id a PDU carries, or its v4+ reference hash; "" when neither can be had. */
    public static String eventId(ObjectNode pdu) {
        JsonNode id = pdu.get("event_id");
        if (id != null && id.isTextual()) {
            return id.textValue();
        }
        try {
            return EventIds.eventId(pdu, RoomVersion.DEFAULT);
        } catch (RuntimeException malformed) {
            return "";
        }
    }
}
