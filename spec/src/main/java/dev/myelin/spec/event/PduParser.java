package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventIds;
import dev.myelin.spec.json.InvalidJsonException;
import dev.myelin.spec.json.MatrixJsonParser;

/**
 * Turns an event received over federation into a {@link Pdu}: parses the bytes strictly or
 * leniently as the room version demands (spec: rooms/v6 "Canonical JSON"), checks the PDU format,
 * and works out the event id, which v1-2 events carry and later versions derive from the
 * reference hash. Signatures, hashes and authorization are checked elsewhere.
 */
public final class PduParser {
    private PduParser() {
    }

    /** @throws MalformedPduException saying what is wrong with the event */
    public static EncodedPdu parse(byte[] bytes, RoomVersion version) {
        ObjectNode json = json(bytes, version);
        PduShape.check(json, version);
        String eventId;
        try {
            eventId = EventIds.eventId(json, version);
            // The limit is on the canonical form, which is rarely longer than what was sent.
            if (bytes.length > PduShape.MAX_EVENT_BYTES
                    && EventHashes.encoding(version).encode(json).length > PduShape.MAX_EVENT_BYTES) {
                throw new MalformedPduException("event is larger than " + PduShape.MAX_EVENT_BYTES + " bytes");
            }
        } catch (InvalidJsonException e) {
            throw new MalformedPduException("event cannot be encoded as canonical JSON: " + e.getMessage(), e);
        }
        return new EncodedPdu(bytes.clone(), new Pdu(eventId, version, json));
    }

    /**
     * Re-reads an event this server already checked and stored, with the event id it was stored
     * under: no format checks, no hashing.
     *
     * @throws MalformedPduException if the bytes are not a JSON object
     */
    public static EncodedPdu parseStored(byte[] bytes, RoomVersion version, String eventId) {
        return new EncodedPdu(bytes.clone(), new Pdu(eventId, version, json(bytes, version)));
    }

    private static ObjectNode json(byte[] bytes, RoomVersion version) {
        try {
            return (version.strictCanonicalJson() ? MatrixJsonParser.STRICT : MatrixJsonParser.LENIENT).parseObject(bytes);
        } catch (InvalidJsonException e) {
            throw new MalformedPduException("event is not valid JSON: " + e.getMessage(), e);
        }
    }
}
