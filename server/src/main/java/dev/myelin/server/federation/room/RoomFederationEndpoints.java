package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import org.eclipse.jetty.server.Request;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Server-Server API of rooms this server is in (spec: server-server-api "Joining Rooms", "Leaving Rooms",
 * "Knocking", "Inviting to a room", "Retrieving events", "Backfilling", "Room State"; data/api/server-server/).
 * Every request comes from a verified origin, which must be in the room for reads.
 */
final class RoomFederationEndpoints {
    private static final long MAX_SEND_JOIN_BYTES = 256 * 1024;
    private static final int MAX_BACKFILL = 100;
    private static final int MAX_MISSING = 20;

    private final String serverName;
    private final ResidentMemberships memberships;
    private final InviteReceiver invites;
    private final RoomHistory history;
    private final ServerAccess access;
    private final Clock clock;

    RoomFederationEndpoints(String serverName, ResidentMemberships memberships, InviteReceiver invites,
                            RoomHistory history, ServerAccess access, Clock clock) {
        this.serverName = serverName;
        this.memberships = memberships;
        this.invites = invites;
        this.history = history;
        this.access = access;
        this.clock = clock;
    }

    void register(FederationRoutes routes) {
        String v1 = FederationRoutes.V1;
        String v2 = FederationRoutes.V2;
        routes.add("GET", v1 + "/make_join/{roomId}/{userId}", (request, origin) -> MatrixResponse.ok(memberships.make(
                request.pathParam("roomId"), request.pathParam("userId"), origin, "join",
                Optional.of(versions(request)))));
        routes.add("PUT", v2 + "/send_join/{roomId}/{eventId}", this::sendJoin, MAX_SEND_JOIN_BYTES);
        routes.add("GET", v1 + "/make_leave/{roomId}/{userId}", (request, origin) -> MatrixResponse.ok(
                memberships.make(request.pathParam("roomId"), request.pathParam("userId"), origin, "leave",
                        Optional.empty())));
        routes.add("PUT", v2 + "/send_leave/{roomId}/{eventId}", (request, origin) -> {
            memberships.send(request.pathParam("roomId"), request.pathParam("eventId"), origin, "leave",
                    request.bodyBytes());
            return MatrixResponse.ok(Json.MAPPER.createObjectNode());
        });
        routes.add("GET", v1 + "/make_knock/{roomId}/{userId}", (request, origin) -> MatrixResponse.ok(
                memberships.make(request.pathParam("roomId"), request.pathParam("userId"), origin, "knock",
                        Optional.of(versions(request)))));
        routes.add("PUT", v1 + "/send_knock/{roomId}/{eventId}", this::sendKnock);
        routes.add("PUT", v2 + "/invite/{roomId}/{eventId}", (request, origin) -> {
            // Only a room this server is in has an ACL here; an invite to an unknown room is let through.
            access.requireAllowed(request.pathParam("roomId"), origin);
            return MatrixResponse.ok(invites.receive(request.pathParam("roomId"), request.pathParam("eventId"), origin,
                    request.jsonObject()));
        }, MAX_SEND_JOIN_BYTES);
        routes.add("PUT", v1 + "/invite/{roomId}/{eventId}", this::inviteV1, MAX_SEND_JOIN_BYTES);
        routes.add("GET", v1 + "/event/{eventId}", this::event);
        routes.add("GET", v1 + "/state/{roomId}", (request, origin) -> state(request, origin, false));
        routes.add("GET", v1 + "/state_ids/{roomId}", (request, origin) -> state(request, origin, true));
        routes.add("GET", v1 + "/event_auth/{roomId}/{eventId}", this::eventAuth);
        routes.add("GET", v1 + "/backfill/{roomId}", this::backfill);
        routes.add("POST", v1 + "/get_missing_events/{roomId}", this::missingEvents);
        routes.add("GET", v1 + "/timestamp_to_event/{roomId}", this::timestampToEvent);
    }

    /** The {@code ver} query parameters; [1] when none (spec: make_join "Defaults to [1]"). */
    private static List<String> versions(MatrixRequest request) {
        List<String> versions = Request.extractQueryParameters(request.jetty()).getValues("ver");
        return versions == null || versions.isEmpty() ? List.of("1") : versions;
    }

    private MatrixResponse sendJoin(MatrixRequest request, String origin) throws Exception {
        String roomId = request.pathParam("roomId");
        StoredEvent join = memberships.send(roomId, request.pathParam("eventId"), origin, "join",
                request.bodyBytes());
        boolean omitMembers = request.query("omit_members").map("true"::equals).orElse(false);
        return MatrixResponse.ok(memberships.joinAnswer(roomId, join, omitMembers));
    }

    /**
     * The deprecated v1 invite (spec: invites-v1.yaml): the body is the event itself, its stripped state in
     * {@code unsigned.invite_room_state}, and the room version "must be assumed" to be 1 or 2: 2 when the stripped
     * create event says so, else 1 (the two share an event format). Answered as {@code [200, {"event": ...}]}.
     */
    private MatrixResponse inviteV1(MatrixRequest request, String origin) throws Exception {
        access.requireAllowed(request.pathParam("roomId"), origin);
        ObjectNode event = request.jsonObject();
        JsonNode strippedState = event.path("unsigned").path("invite_room_state");
        String version = "1";
        for (JsonNode stripped : strippedState) {
            if ("m.room.create".equals(stripped.path("type").asText())
                    && "2".equals(stripped.path("content").path("room_version").asText())) {
                version = "2";
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("room_version", version);
        body.set("event", event);
        body.set("invite_room_state", strippedState.isArray() ? strippedState : Json.MAPPER.createArrayNode());
        ArrayNode answer = Json.MAPPER.createArrayNode();
        answer.add(200);
        answer.add(invites.receive(request.pathParam("roomId"), request.pathParam("eventId"), origin, body));
        return MatrixResponse.ok(answer);
    }

    private MatrixResponse sendKnock(MatrixRequest request, String origin) throws Exception {
        String roomId = request.pathParam("roomId");
        StoredEvent knock = memberships.send(roomId, request.pathParam("eventId"), origin, "knock",
                request.bodyBytes());
        // The events the knocking user's server turns into stripped state, create event included and formatted as
        // the room version says (spec v1.16: send_knock "knock_room_state").
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.set("knock_room_state", ResidentMemberships.pdus(history.strippedState(roomId, knock)));
        return MatrixResponse.ok(answer);
    }

    private ObjectNode envelope(List<StoredEvent> events) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("origin", serverName);
        body.put("origin_server_ts", clock.millis());
        body.set("pdus", ResidentMemberships.pdus(events));
        return body;
    }

    private MatrixResponse event(MatrixRequest request, String origin) {
        return MatrixResponse.ok(envelope(List.of(history.event(request.pathParam("eventId"), origin))));
    }

    private MatrixResponse state(MatrixRequest request, String origin, boolean idsOnly) {
        RoomStore.Room room = access.requireInRoom(request.pathParam("roomId"), origin);
        String eventId = request.query("event_id")
                .orElseThrow(() -> MatrixException.missingParam("event_id is required"));
        StoredEvent event = history.eventIn(room, eventId, origin);
        List<StoredEvent> state = history.stateBefore(room, event);
        var roots = new ArrayList<String>();
        state.forEach(e -> roots.add(e.eventId()));
        List<StoredEvent> chain = history.authChain(room, roots);
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (idsOnly) {
            ArrayNode pduIds = body.putArray("pdu_ids");
            state.forEach(e -> pduIds.add(e.eventId()));
            ArrayNode chainIds = body.putArray("auth_chain_ids");
            chain.forEach(e -> chainIds.add(e.eventId()));
        } else {
            body.set("pdus", ResidentMemberships.pdus(state));
            body.set("auth_chain", ResidentMemberships.pdus(chain));
        }
        return MatrixResponse.ok(body);
    }

    private MatrixResponse eventAuth(MatrixRequest request, String origin) {
        RoomStore.Room room = access.requireInRoom(request.pathParam("roomId"), origin);
        StoredEvent event = history.eventIn(room, request.pathParam("eventId"), origin);
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("auth_chain", ResidentMemberships.pdus(history.authChain(room, List.of(event.eventId()))));
        return MatrixResponse.ok(body);
    }

    private MatrixResponse backfill(MatrixRequest request, String origin) {
        RoomStore.Room room = access.requireInRoom(request.pathParam("roomId"), origin);
        List<String> from = Request.extractQueryParameters(request.jetty()).getValues("v");
        if (from == null || from.isEmpty()) {
            throw MatrixException.missingParam("v is required");
        }
        int limit = intParam(request.query("limit").orElseThrow(() -> MatrixException.missingParam("limit is required")),
                "limit");
        return MatrixResponse.ok(envelope(history.backfill(room, from, Math.clamp(limit, 0, MAX_BACKFILL), origin)));
    }

    private MatrixResponse missingEvents(MatrixRequest request, String origin) throws Exception {
        RoomStore.Room room = access.requireInRoom(request.pathParam("roomId"), origin);
        ObjectNode body = request.jsonObject();
        List<String> earliest = ids(body, "earliest_events");
        List<String> latest = ids(body, "latest_events");
        JsonNode limit = body.path("limit");
        JsonNode minDepth = body.path("min_depth");
        if (!limit.isMissingNode() && !limit.canConvertToInt() || !minDepth.isMissingNode() && !minDepth.canConvertToLong()) {
            throw MatrixException.badJson("limit and min_depth must be integers");
        }
        List<StoredEvent> events = history.missing(room, earliest, latest,
                Math.clamp(limit.asInt(10), 0, MAX_MISSING), minDepth.asLong(0), origin);
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.set("events", ResidentMemberships.pdus(events));
        return MatrixResponse.ok(answer);
    }

    private MatrixResponse timestampToEvent(MatrixRequest request, String origin) {
        RoomStore.Room room = access.requireInRoom(request.pathParam("roomId"), origin);
        long ts = longParam(request.query("ts").orElseThrow(() -> MatrixException.missingParam("ts is required")),
                "ts");
        String dir = request.query("dir").orElseThrow(() -> MatrixException.missingParam("dir is required"));
        if (!dir.equals("f") && !dir.equals("b")) {
            throw MatrixException.invalidParam("dir must be f or b");
        }
        var found = history.closestTo(room, ts, dir.equals("f"), origin)
                .orElseThrow(() -> MatrixException.notFound("No event found"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("event_id", found.eventId());
        body.put("origin_server_ts", found.originServerTs());
        return MatrixResponse.ok(body);
    }

    private static List<String> ids(ObjectNode body, String field) {
        JsonNode array = body.get(field);
        if (array == null || !array.isArray()) {
            throw MatrixException.badJson(field + " must be an array of event ids");
        }
        var ids = new ArrayList<String>();
        for (JsonNode id : array) {
            if (!id.isTextual()) {
                throw MatrixException.badJson(field + " must be an array of event ids");
            }
            ids.add(id.asText());
        }
        return ids;
    }

    private static int intParam(String value, String name) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(name + " must be an integer");
        }
    }

    private static long longParam(String value, String name) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam(name + " must be an integer");
        }
    }
}
