package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.room.StoredEventLookup;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.AuthChain;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.json.InvalidJsonException;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resident server's half of the membership handshakes (spec: server-server-api "Joining Rooms", "Leaving
 * Rooms", "Knocking"): {@code make_*} hands out an unsigned template at the end of the room, {@code send_*} checks the
 * signed event like any received PDU, stores it, passes it on to the other servers in the room, and for a join
 * answers with the state before it and its auth chain (MSC3706: without member events when asked).
 */
final class ResidentMemberships {
    /** Members whose events stay in a join answer without members, for the joiner's room summary heroes. */
    private static final int HEROES = 5;
    private static final String AUTHORISER = "join_authorised_via_users_server";

    private final RoomService rooms;
    private final RoomStore store;
    private final RemoteEventIngest ingest;
    private final ServerAccess access;
    private final FederationSender sender;
    private final SigningKey key;

    ResidentMemberships(RoomService rooms, RemoteEventIngest ingest, ServerAccess access, FederationSender sender,
                        SigningKey key) {
        this.rooms = rooms;
        this.key = key;
        this.store = rooms.store();
        this.ingest = ingest;
        this.access = access;
        this.sender = sender;
    }

    /**
     * The template of a membership event of {@code userId} (a user of {@code origin}).
     *
     * @param supportedVersions the versions the joining server supports (make_join and make_knock), or empty for
     *                          make_leave
     */
    ObjectNode make(String roomId, String userId, String origin, String membership,
                    Optional<List<String>> supportedVersions) {
        if (!origin.equals(ServerAccess.domain(userId))) {
            throw MatrixException.forbidden(userId + " is not a user of " + origin);
        }
        RoomStore.Room room = store.room(roomId).filter(r -> r.currentSnapshot() != 0)
                .orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        access.requireAllowed(roomId, origin);
        if (supportedVersions.isPresent() && !supportedVersions.get().contains(room.version())) {
            throw new MatrixException(400, ErrorCode.M_INCOMPATIBLE_ROOM_VERSION,
                    "The room is version " + room.version(), Map.of("room_version", room.version()));
        }
        ObjectNode content = Json.MAPPER.createObjectNode().put("membership", membership);
        if (membership.equals("join")) {
            rooms.restrictedJoins().authoriser(room, userId)
                    .ifPresent(authoriser -> content.put(AUTHORISER, authoriser));
        }
        ObjectNode template = rooms.template(roomId, new RoomService.Draft(userId, "m.room.member", userId, content));
        template.put("origin", rooms.serverName());
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("room_version", room.version());
        answer.set("event", template);
        return answer;
    }

    /** Accepts a signed membership event; returns it as stored. */
    StoredEvent send(String roomId, String eventId, String origin, String membership, byte[] body) {
        RoomStore.Room room = store.room(roomId).filter(r -> r.currentSnapshot() != 0)
                .orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        access.requireAllowed(roomId, origin);
        RoomVersion version = RoomService.version(room);
        if (membership.equals("join") && version.authorization().restrictedJoins()) {
            body = signIfAuthorisedHere(room, version, origin, body);
        }
        EncodedPdu event;
        try {
            event = ingest.verify(body, version);
        } catch (RemoteEventIngest.DroppedException e) {
            throw MatrixException.badJson("Event refused: " + e.getMessage());
        }
        Pdu pdu = event.pdu();
        if (!eventId.equals(event.eventId()) || !roomId.equals(pdu.roomId())) {
            throw MatrixException.invalidParam("The event's id or room does not match the path");
        }
        if (!"m.room.member".equals(pdu.type()) || pdu.stateKey() == null || !pdu.stateKey().equals(pdu.sender())
                || !membership.equals(pdu.content().path("membership").asText())) {
            throw MatrixException.invalidParam("Not a " + membership + " event of its sender");
        }
        if (!origin.equals(ServerAccess.domain(pdu.sender()))) {
            throw MatrixException.forbidden(pdu.sender() + " is not a user of " + origin);
        }
        Set<String> servers = access.serversIn(roomId);
        switch (ingest.accept(roomId, event, Optional.empty())) {
            case RemoteEventIngest.Outcome.Accepted accepted when accepted.softFailed() ->
                    throw MatrixException.forbidden("The " + membership + " is not allowed by the room's state");
            case RemoteEventIngest.Outcome.Accepted _, RemoteEventIngest.Outcome.Duplicate _ -> { }
            case RemoteEventIngest.Outcome.Rejected rejected -> throw MatrixException.forbidden(rejected.reason());
            case RemoteEventIngest.Outcome.Missing missing ->
                    throw MatrixException.invalidParam("Unknown prev or auth events: " + missing);
            case RemoteEventIngest.Outcome.Dropped dropped -> throw MatrixException.badJson(dropped.reason());
        }
        StoredEvent stored = store.event(eventId).orElseThrow();
        if (stored.rejected() || stored.softFailed()) {
            throw MatrixException.forbidden("The " + membership + " was not allowed");
        }
        servers.addAll(access.serversIn(roomId));
        servers.remove(origin);
        servers.remove(rooms.serverName());
        if (!servers.isEmpty()) {
            sender.enqueuePdu(roomId, stored.json(), servers);
        }
        return stored;
    }

    /**
     * A restricted join naming a local user as its authoriser gets this server's signature, once the joining user is
     * found to qualify (spec: server-server-api "Restricted rooms"); other joins are left as they are.
     */
    private byte[] signIfAuthorisedHere(RoomStore.Room room, RoomVersion version, String origin, byte[] body) {
        ObjectNode json;
        try {
            json = Json.MAPPER.readTree(body) instanceof ObjectNode object ? object : null;
        } catch (IOException e) {
            throw MatrixException.notJson("The event is not JSON");
        }
        JsonNode authoriser = json == null ? null : json.path("content").get(AUTHORISER);
        if (authoriser == null || !authoriser.isTextual()) {
            return body;
        }
        String userId = json.path("sender").asText();
        if (!origin.equals(ServerAccess.domain(userId))) {
            throw MatrixException.forbidden(userId + " is not a user of " + origin);
        }
        rooms.restrictedJoins().checkAuthorised(room, userId, authoriser.asText());
        try {
            return EventHashes.encoding(version).encode(EventSigner.cosign(json, version, rooms.serverName(), key));
        } catch (InvalidJsonException e) {
            throw MatrixException.badJson("The event cannot be encoded: " + e.getMessage());
        }
    }

    /** The send_join answer: the state before the join and the auth chain, members omitted when asked. */
    ObjectNode joinAnswer(String roomId, StoredEvent join, boolean omitMembers) {
        RoomStore.Room room = store.room(roomId).orElseThrow();
        RoomVersion version = RoomService.version(room);
        Map<StateKey, StoredEvent> state = store.state(join.stateBefore());
        Set<String> heroes = omitMembers ? heroes(state, version) : Set.of();
        var sent = new ArrayList<StoredEvent>();
        boolean omitted = false;
        for (var entry : state.entrySet()) {
            if (omitMembers && "m.room.member".equals(entry.getKey().type())
                    && !heroes.contains(entry.getKey().stateKey())) {
                omitted = true;
                continue;
            }
            sent.add(entry.getValue());
        }
        var lookup = new StoredEventLookup(rooms, version);
        var roots = new LinkedHashSet<String>();
        roots.add(join.eventId());
        sent.forEach(event -> roots.add(event.eventId()));
        Set<String> chain = new LinkedHashSet<>(AuthChain.of(roots, lookup));
        if (version.authorization().roomIdFromCreateEvent()) {
            chain.add("$" + roomId.substring(1));
        }
        if (omitMembers) {
            sent.forEach(event -> chain.remove(event.eventId()));
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.set("state", pdus(sent));
        answer.set("auth_chain", pdus(chain.stream().map(id -> store.event(id)).flatMap(Optional::stream).toList()));
        answer.set("event", json(join));
        answer.put("members_omitted", omitted);
        if (omitMembers) {
            ArrayNode servers = answer.putArray("servers_in_room");
            access.serversIn(roomId).forEach(servers::add);
        }
        answer.put("origin", rooms.serverName());
        return answer;
    }

    /** Without a room name or canonical alias, a few members the joiner's client names the room after. */
    private Set<String> heroes(Map<StateKey, StoredEvent> state, RoomVersion version) {
        if (state.containsKey(new StateKey("m.room.name", ""))
                || state.containsKey(new StateKey("m.room.canonical_alias", ""))) {
            return Set.of();
        }
        var heroes = new LinkedHashSet<String>();
        state.entrySet().stream()
                .filter(entry -> "m.room.member".equals(entry.getKey().type()))
                .filter(entry -> {
                    String membership = rooms.pdu(entry.getValue(), version).content().path("membership").asText();
                    return "join".equals(membership) || "invite".equals(membership);
                })
                .map(entry -> entry.getKey().stateKey()).sorted().limit(HEROES).forEach(heroes::add);
        return heroes;
    }

    static ArrayNode pdus(List<StoredEvent> events) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        events.forEach(event -> array.add(json(event)));
        return array;
    }

    static JsonNode json(StoredEvent event) {
        try {
            return Json.MAPPER.readTree(event.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
