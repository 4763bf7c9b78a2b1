package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Redactor;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.UnpaddedBase64;

/**
 * Hashes and signs outgoing events and checks signatures on received ones (spec: server-server-api
 * "Adding hashes and signatures to outgoing events", "Validating hashes and signatures on received
 * events"). Signatures cover the redacted event, so they survive redaction; the content hash
 * covers the rest.
 */
public final class EventSigner {
    private EventSigner() {
    }

    /**
     * Sets {@code hashes.sha256} to the content hash, then signs the redacted event and copies the
     * signature into the event's {@code signatures.<server>}. Mutates and returns the event.
     */
    public static ObjectNode hashAndSign(ObjectNode event, RoomVersion version, String serverName, SigningKey key) {
        event.putObject("hashes").put("sha256", UnpaddedBase64.encode(EventHashes.contentHash(event, version)));
        return cosign(event, version, serverName, key);
    }

    /**
     * Adds this server's signature to an event another server hashed and signed, leaving its
     * hashes alone: a resident server signing a join (send_join), an invitee's server signing an
     * invite. Mutates and returns the event.
     */
    public static ObjectNode cosign(ObjectNode event, RoomVersion version, String serverName, SigningKey key) {
        String signature = JsonSigner.signature(Redactor.redact(event, version), key, EventHashes.encoding(version));
        ObjectNode signatures = event.get("signatures") instanceof ObjectNode existing ? existing : event.putObject("signatures");
        ObjectNode mine = signatures.get(serverName) instanceof ObjectNode existing ? existing : signatures.putObject(serverName);
        mine.put(key.keyId(), signature);
        return event;
    }

    /** Whether the event carries a valid signature of its redacted form by this server's key. */
    public static boolean verify(ObjectNode event, RoomVersion version, String serverName, VerifyKey key) {
        return JsonSigner.verify(Redactor.redact(event, version), serverName, key, EventHashes.encoding(version));
    }
}
