package dev.myelin.server.federation.sender;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collection;

/**
 * Sends PDUs and EDUs to other servers in transactions (spec: server-server-api "Transactions"). Enqueuing only
 * writes the durable queue and never waits for the network; delivery is retried with back-off until the
 * destination takes it, across restarts.
 */
public interface FederationSender {

    /** Queues a PDU (its JSON as stored, the event id included or not as the room version wants) for each destination. */
    void enqueuePdu(String roomId, byte[] pduJson, Collection<String> destinations);

    /** Queues an EDU ({@code m.typing}, {@code m.receipt}, {@code m.direct_to_device}, ...) for one destination. */
    default void enqueueEdu(String destination, String eduType, JsonNode content) {
        enqueueEdu(java.util.List.of(destination), eduType, content);
    }

    /** Queues one EDU for each of the destinations, in one write. */
    void enqueueEdu(Collection<String> destinations, String eduType, JsonNode content);
}
