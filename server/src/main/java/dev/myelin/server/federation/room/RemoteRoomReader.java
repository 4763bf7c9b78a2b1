package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.RoomVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a room's events from another server (spec: server-server-api GET /event, GET /state_ids, GET /event_auth,
 * POST /get_missing_events, GET /state, GET /backfill): every event is checked (format, signatures, hashes) before
 * it is returned, and events that fail are left out.
 */
final class RemoteRoomReader {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteRoomReader.class);

    private final FederationClient client;
    private final RemoteEventIngest ingest;

    RemoteRoomReader(FederationClient client, RemoteEventIngest ingest) {
        this.client = client;
        this.ingest = ingest;
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The checked events of a JSON array of PDUs. */
    List<EncodedPdu> verified(JsonNode pdus, RoomVersion version) {
        var events = new ArrayList<EncodedPdu>();
        if (pdus == null || !pdus.isArray()) {
            return events;
        }
        for (JsonNode pdu : pdus) {
            if (!pdu.isObject()) {
                continue;
            }
            try {
                events.add(ingest.verify(Json.MAPPER.writeValueAsBytes(pdu), version));
            } catch (RemoteEventIngest.DroppedException | com.fasterxml.jackson.core.JsonProcessingException e) {
                LOG.info("Dropped an event received from another server: {}", e.getMessage());
            }
        }
        return events;
    }

    Optional<EncodedPdu> event(String destination, String eventId, RoomVersion version) throws FederationException {
        JsonNode answer = client.get(destination, "/_matrix/federation/v1/event/" + segment(eventId));
        return verified(answer.path("pdus"), version).stream().filter(e -> e.eventId().equals(eventId)).findFirst();
    }

    /** The events between what this server has ({@code earliest}) and {@code latest}, oldest first. */
    List<EncodedPdu> missingEvents(String destination, String roomId, List<String> earliest, List<String> latest,
                                   int limit, long minDepth, RoomVersion version) throws FederationException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        earliest.forEach(body.putArray("earliest_events")::add);
        latest.forEach(body.putArray("latest_events")::add);
        body.put("limit", limit);
        body.put("min_depth", minDepth);
        JsonNode answer = client.post(destination, "/_matrix/federation/v1/get_missing_events/" + segment(roomId),
                body);
        List<EncodedPdu> events = verified(answer.path("events"), version);
        events.sort(java.util.Comparator.comparingLong(e -> e.pdu().depth()));
        return events;
    }

    /**
     * Up to {@code limit} events of the room before and including {@code from} (spec: GET /backfill), checked, those
     * of other rooms left out, oldest first.
     */
    List<EncodedPdu> backfill(String destination, String roomId, List<String> from, int limit, RoomVersion version)
            throws FederationException {
        var query = new StringBuilder("?limit=").append(limit);
        from.forEach(id -> query.append("&v=").append(segment(id)));
        JsonNode answer = client.get(destination, "/_matrix/federation/v1/backfill/" + segment(roomId) + query);
        List<EncodedPdu> events = new ArrayList<>(verified(answer.path("pdus"), version).stream()
                .filter(e -> roomId.equals(e.pdu().roomId())).toList());
        events.sort(java.util.Comparator.comparingLong(e -> e.pdu().depth()));
        return events;
    }

    /** The ids of the state before an event and of its auth chain. */
    record StateIds(List<String> state, List<String> authChain) {}

    StateIds stateIds(String destination, String roomId, String eventId) throws FederationException {
        JsonNode answer = client.get(destination, "/_matrix/federation/v1/state_ids/" + segment(roomId)
                + "?event_id=" + segment(eventId));
        return new StateIds(texts(answer.path("pdu_ids")), texts(answer.path("auth_chain_ids")));
    }

    /** The state before an event and its auth chain, as events. */
    record State(List<EncodedPdu> state, List<EncodedPdu> authChain) {}

    State state(String destination, String roomId, String eventId, RoomVersion version) throws FederationException {
        JsonNode answer = client.get(destination, "/_matrix/federation/v1/state/" + segment(roomId)
                + "?event_id=" + segment(eventId));
        return new State(verified(answer.path("pdus"), version), verified(answer.path("auth_chain"), version));
    }

    List<EncodedPdu> eventAuth(String destination, String roomId, String eventId, RoomVersion version)
            throws FederationException {
        JsonNode answer = client.get(destination, "/_matrix/federation/v1/event_auth/" + segment(roomId) + "/"
                + segment(eventId));
        return verified(answer.path("auth_chain"), version);
    }

    private static List<String> texts(JsonNode array) {
        var texts = new ArrayList<String>();
        if (array.isArray()) {
            array.forEach(node -> {
                if (node.isTextual()) {
                    texts.add(node.asText());
                }
            });
        }
        return texts;
    }
}
