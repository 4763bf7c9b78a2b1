package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventIds;
import dev.myelin.spec.crypto.EventSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.json.InvalidJsonException;

import java.security.SecureRandom;

/**
 * Finishes an event this server creates: gives v1-2 events an event id, adds the content hash,
 * signs it (spec: server-server-api "Adding hashes and signatures to outgoing events"), checks the
 * PDU format, and derives the event id for v3+.
 */
public final class LocalEventFactory {
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String serverName;
    private final SigningKey key;

    public LocalEventFactory(String serverName, SigningKey key) {
        this.serverName = serverName;
        this.key = key;
    }

    /**
     * Hashes and signs the draft (which it takes over and mutates) and returns the finished event
     * with its canonical JSON bytes. The draft holds every other key: type, sender, room_id (not
     * for a v12+ create event), content, depth, origin_server_ts, prev_events, auth_events.
     *
     * @throws MalformedPduException if the result is not a valid PDU for the room version
     */
    public EncodedPdu create(ObjectNode draft, RoomVersion version) {
        draft.remove("unsigned");
        if (version.eventFormat() == RoomVersion.EventFormat.V1_SERVER_GENERATED && !draft.has("event_id")) {
            draft.put("event_id", "$" + randomLocalpart() + ":" + serverName);
        }
        if (!draft.has("signatures")) {
            draft.putObject("signatures");
        }
        try {
            EventSigner.hashAndSign(draft, version, serverName, key);
            PduShape.check(draft, version);
            byte[] bytes = EventHashes.encoding(version).encode(draft);
            if (bytes.length > PduShape.MAX_EVENT_BYTES) {
                throw new MalformedPduException("event is larger than " + PduShape.MAX_EVENT_BYTES + " bytes");
            }
            return new EncodedPdu(bytes, new Pdu(EventIds.eventId(draft, version), version, draft));
        } catch (InvalidJsonException e) {
            throw new MalformedPduException("event cannot be encoded as canonical JSON: " + e.getMessage(), e);
        }
    }

    private static String randomLocalpart() {
        StringBuilder id = new StringBuilder(18);
        for (int i = 0; i < 18; i++) {
            id.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }
}
