package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Redactor;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.id.EventId;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import dev.myelin.spec.id.UserId;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Checks the signatures and content hash of an event received over federation (spec:
 * server-server-api "Validating hashes and signatures on received events"; rooms/v3 auth rules
 * on event_id signatures; rooms/v5 key validity):
 *
 * <ol>
 *   <li>The redacted event must be signed by the sender's server (except third-party invites,
 *       which another server may send) and, in room versions 1-2, by the event id's server.</li>
 *   <li>Signatures by unknown or expired keys are skipped; each required server needs at least one
 *       signature by a known key, and every signature by a known key must be valid.</li>
 *   <li>If the content hash does not match, the event is kept in its redacted form.</li>
 * </ol>
 *
 * From room version 8 a member event naming a {@code join_authorised_via_users_server} must also be validly
 * signed by that user's server (rooms/v8 authorization rule 4.2): here that server is required like the sender's, so a
 * signature by a key nobody can fetch does not count.
 */
public final class ReceivedEventVerifier {
    /** The outcome: which form of the event to keep, or why it is dropped. */
    public sealed interface Outcome {
        /** Signatures and content hash are fine: keep the event as received. */
        record Verified() implements Outcome {
        }

        /** Signatures are fine but the content hash is not: keep only this redacted form. */
        record Redacted(ObjectNode redactedEvent) implements Outcome {
        }

        /** The signatures do not hold: drop the event. */
        record Rejected(String reason) implements Outcome {
        }
    }

    private ReceivedEventVerifier() {
    }

    public static Outcome verify(ObjectNode event, RoomVersion version, VerifyKeyLookup keys) {
        Set<String> required;
        try {
            required = requiredSigners(event, version);
        } catch (InvalidIdentifierException e) {
            return new Outcome.Rejected(e.getMessage());
        }
        ObjectNode redacted = Redactor.redact(event, version);
        OptionalLong validAt = version.enforceKeyValidity()
                ? OptionalLong.of(event.path("origin_server_ts").asLong()) : OptionalLong.empty();
        for (Map.Entry<String, JsonNode> server : event.path("signatures").properties()) {
            int verified = 0;
            for (Map.Entry<String, JsonNode> signature : server.getValue().properties()) {
                if (!signature.getKey().startsWith(KeyIds.ED25519_PREFIX)) {
                    continue;
                }
                var key = keys.find(server.getKey(), signature.getKey(), validAt);
                if (key.isEmpty()) {
                    continue;
                }
                if (!JsonSigner.verify(redacted, server.getKey(), key.get(), EventHashes.encoding(version))) {
                    return new Outcome.Rejected("bad signature by " + server.getKey() + " key " + signature.getKey());
                }
                verified++;
            }
            if (verified > 0) {
                required.remove(server.getKey());
            }
        }
        if (!required.isEmpty()) {
            return new Outcome.Rejected("no signature by a known key of " + String.join(", ", required));
        }
        return EventHashes.hasValidContentHash(event, version) ? new Outcome.Verified() : new Outcome.Redacted(redacted);
    }

    /** The servers whose signatures the event needs. */
    static Set<String> requiredSigners(ObjectNode event, RoomVersion version) {
        Set<String> servers = new LinkedHashSet<>();
        if (!isThirdPartyInvite(event)) {
            servers.add(UserId.parse(event.path("sender").asText()).server().toString());
        }
        if (version.eventFormat() == RoomVersion.EventFormat.V1_SERVER_GENERATED) {
            EventId.parse(event.path("event_id").asText()).server().map(ServerName::toString).ifPresent(servers::add);
        }
        JsonNode authoriser = event.path("content").get("join_authorised_via_users_server");
        if (version.authorization().restrictedJoins() && "m.room.member".equals(event.path("type").asText())
                && authoriser != null && authoriser.isTextual()) {
            servers.add(UserId.parse(authoriser.asText()).server().toString());
        }
        return servers;
    }

    private static boolean isThirdPartyInvite(ObjectNode event) {
        JsonNode content = event.path("content");
        return "m.room.member".equals(event.path("type").asText())
                && "invite".equals(content.path("membership").asText())
                && content.has("third_party_invite");
    }
}
