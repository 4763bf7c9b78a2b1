package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Redactor;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.CanonicalJson;
import dev.myelin.spec.json.UnpaddedBase64;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/** The two SHA-256 hashes of an event (spec: server-server-api "Signing Events"). */
public final class EventHashes {
    private static final Set<String> NOT_IN_CONTENT_HASH = Set.of("unsigned", "signatures", "hashes");

    private EventHashes() {
    }

    /** Room versions 1-5 may hold JSON that strict canonical JSON refuses (spec: appendices warning). */
    public static CanonicalJson encoding(RoomVersion version) {
        return version.strictCanonicalJson() ? CanonicalJson.STRICT : CanonicalJson.LENIENT;
    }

    /**
     * The content hash: SHA-256 of the canonical event without "unsigned", "signatures" and
     * "hashes" (spec: "Calculating the content hash for an event"). Covers unredacted content.
     */
    public static byte[] contentHash(ObjectNode event, RoomVersion version) {
        return sha256(encoding(version).encodeWithout(event, NOT_IN_CONTENT_HASH));
    }

    /**
     * The reference hash: SHA-256 of the canonical redacted event without "signatures" and
     * "unsigned" (spec: "Calculating the reference hash for an event"). Event ids of room
     * versions 3+ are made from it.
     */
    public static byte[] referenceHash(ObjectNode event, RoomVersion version) {
        ObjectNode redacted = Redactor.redact(event, version);
        return sha256(encoding(version).encodeWithout(redacted, JsonSigner.NOT_SIGNED));
    }

    /** Whether {@code hashes.sha256} holds the event's content hash. */
    public static boolean hasValidContentHash(ObjectNode event, RoomVersion version) {
        JsonNode claimed = event.path("hashes").get("sha256");
        if (claimed == null || !claimed.isTextual()) {
            return false;
        }
        try {
            return MessageDigest.isEqual(UnpaddedBase64.decode(claimed.textValue()), contentHash(event, version));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has SHA-256", e);
        }
    }
}
