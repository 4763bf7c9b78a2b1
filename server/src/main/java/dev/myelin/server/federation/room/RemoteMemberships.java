package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RemoteMembership;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.MalformedPduException;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The joining server's half of the membership handshakes (spec: server-server-api "Joining Rooms", "Leaving
 * Rooms", "Knocking upon a room"): asks a resident server for a template, fills in and signs the event, sends it, and for a join stores the
 * room's state and auth chain it answers with, every event checked, before storing the join itself on that state.
 * Joins ask for partial state (MSC3706 {@code omit_members}): when the members are left out, the room is marked
 * partial and {@link PartialStateResync} fetches them in the background while the user uses the room.
 */
final class RemoteMemberships implements RemoteMembership {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteMemberships.class);

    private final RoomService rooms;
    private final RemoteEventIngest ingest;
    private final RemoteRoomReader remote;
    private final FederationClient client;
    private final LocalEventFactory factory;
    private final RoomStore store;
    private final PartialStateResync resync;

    RemoteMemberships(RoomService rooms, RemoteEventIngest ingest, RemoteRoomReader remote, FederationClient client,
                      SigningKey key, PartialStateResync resync) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.resync = resync;
        this.ingest = ingest;
        this.remote = remote;
        this.client = client;
        this.factory = new LocalEventFactory(rooms.serverName(), key);
    }

    private static String supportedVersions() {
        var query = new StringBuilder();
        for (RoomVersion version : RoomVersion.all()) {
            query.append(query.isEmpty() ? "?" : "&").append("ver=").append(version.id());
        }
        return query.toString();
    }

    @Override
    public void join(String roomId, String userId, List<String> via, String reason) {
        MatrixException last = null;
        for (String server : via) {
            try {
                joinThrough(server, roomId, userId, reason);
                return;
            } catch (FederationException e) {
                LOG.info("Joining {} through {} failed: {}", roomId, server, e.getMessage());
                last = fromRemote(e);
            } catch (MatrixException e) {
                LOG.info("Joining {} through {} failed: {}", roomId, server, e.getMessage());
                last = e;
            }
        }
        throw last != null ? last : MatrixException.notFound("No server to join " + roomId + " through");
    }

    private static MatrixException fromRemote(FederationException e) {
        if (e.status() == 403) {
            return MatrixException.forbidden("The room's server refused: " + e.getMessage());
        }
        if (e.status() == 404) {
            return MatrixException.notFound("The room's server does not know it: " + e.getMessage());
        }
        // Restricted rooms: this server cannot vouch for the user, another of the room's servers may.
        for (ErrorCode code : List.of(ErrorCode.M_UNABLE_TO_AUTHORISE_JOIN, ErrorCode.M_UNABLE_TO_GRANT_JOIN)) {
            if (e.status() == 400 && e.errcode().filter(code.name()::equals).isPresent()) {
                return new MatrixException(400, code, "The room's server could not authorise the join: "
                        + e.getMessage());
            }
        }
        if (e.errcode().filter(ErrorCode.M_INCOMPATIBLE_ROOM_VERSION.name()::equals).isPresent()) {
            return new MatrixException(400, ErrorCode.M_UNSUPPORTED_ROOM_VERSION, e.getMessage());
        }
        return new MatrixException(502, ErrorCode.M_UNKNOWN, "Could not reach the room's servers: " + e.getMessage());
    }

    private void joinThrough(String server, String roomId, String userId, String reason) throws FederationException {
        String target = RemoteRoomReader.segment(roomId) + "/" + RemoteRoomReader.segment(userId);
        JsonNode made = client.get(server, "/_matrix/federation/v1/make_join/" + target + supportedVersions());
        RoomVersion version = version(made);
        EncodedPdu join = sign(made.path("event"), version, roomId, userId, "join", reason);
        // Faster joins (MSC3706): the state comes without other members' events, fetched afterwards by the resync.
        JsonNode sent = client.put(server, "/_matrix/federation/v2/send_join/" + RemoteRoomReader.segment(roomId)
                + "/" + RemoteRoomReader.segment(join.eventId()) + "?omit_members=true", join.pdu().json());
        boolean partial = sent.path("members_omitted").asBoolean(false);
        // A restricted join comes back signed by the authorising server too; the verifier requires that signature.
        boolean restricted = version.authorization().restrictedJoins()
                && join.pdu().content().path("join_authorised_via_users_server").isTextual();
        if (sent.path("event").isObject()) {
            List<EncodedPdu> cosigned = remote.verified(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .arrayNode().add(sent.get("event")), version);
            if (!cosigned.isEmpty() && cosigned.getFirst().eventId().equals(join.eventId())) {
                join = cosigned.getFirst();
                restricted = false;
            }
        }
        if (restricted) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " did not sign the restricted join");
        }
        List<EncodedPdu> state = remote.verified(sent.path("state"), version);
        List<EncodedPdu> authChain = remote.verified(sent.path("auth_chain"), version);
        Pdu create = state.stream().map(EncodedPdu::pdu).filter(Pdu::isCreate).findFirst()
                .or(() -> authChain.stream().map(EncodedPdu::pdu).filter(Pdu::isCreate).findFirst())
                .orElseThrow(() -> new MatrixException(502, ErrorCode.M_UNKNOWN, server + " sent no create event"));
        if (!roomId.equals(create.roomId())
                || !version.id().equals(create.content().path("room_version").asText("1"))) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " sent the create event of another room");
        }
        var all = new ArrayList<EncodedPdu>(authChain);
        all.addAll(state);
        List<String> failed = ingest.storeOutliers(roomId, version, create.sender(), all);
        if (!failed.isEmpty()) {
            LOG.info("Joining {}: {} events of the state from {} failed their checks", roomId, failed.size(), server);
        }
        Map<StateKey, String> stateIds = new HashMap<>();
        for (EncodedPdu event : state) {
            if (event.pdu().isState() && !failed.contains(event.eventId())) {
                stateIds.put(StateKey.of(event.pdu()), event.eventId());
            }
        }
        if (partial) {
            store.setPartialState(roomId, resyncServers(server, sent.path("servers_in_room")));
        }
        switch (ingest.accept(roomId, join, Optional.of(stateIds))) {
            case RemoteEventIngest.Outcome.Accepted accepted when !accepted.softFailed() -> { }
            case RemoteEventIngest.Outcome.Duplicate _ -> { }
            case RemoteEventIngest.Outcome outcome -> {
                if (partial) {
                    store.setPartialState(roomId, List.of());
                }
                throw MatrixException.forbidden("The join does not hold against the room's state: " + outcome);
            }
        }
        if (partial) {
            resync.start(roomId);
        }
    }

    /** The servers to resync from: the one joined through first, then the others in the room (MSC3706). */
    private List<String> resyncServers(String joinedThrough, JsonNode serversInRoom) {
        var servers = new java.util.LinkedHashSet<String>();
        servers.add(joinedThrough);
        if (serversInRoom.isArray()) {
            serversInRoom.forEach(server -> {
                if (server.isTextual() && !server.asText().equals(rooms.serverName())) {
                    servers.add(server.asText());
                }
            });
        }
        return List.copyOf(servers);
    }

    @Override
    public EncodedPdu invite(String roomId, RoomVersion version, EncodedPdu invite, ArrayNode strippedState) {
        String server = ServerAccess.domain(invite.pdu().stateKey());
        ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        body.put("room_version", version.id());
        body.set("event", invite.pdu().json());
        body.set("invite_room_state", strippedState);
        JsonNode answer;
        try {
            answer = client.put(server, "/_matrix/federation/v2/invite/" + RemoteRoomReader.segment(roomId) + "/"
                    + RemoteRoomReader.segment(invite.eventId()), body);
        } catch (FederationException e) {
            if (e.status() == 403 && e.errcode().filter(ErrorCode.M_INVITE_BLOCKED.name()::equals).isPresent()) {
                throw new MatrixException(403, ErrorCode.M_INVITE_BLOCKED, invite.pdu().stateKey()
                        + " does not accept invites");
            }
            throw fromRemote(e);
        }
        List<EncodedPdu> signed = remote.verified(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .arrayNode().add(answer.path("event")), version);
        if (signed.isEmpty() || !signed.getFirst().eventId().equals(invite.eventId())
                || !answer.path("event").path("signatures").has(server)) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " did not sign the invite");
        }
        return signed.getFirst();
    }

    @Override
    public void leave(String roomId, String userId, List<String> via, String reason) {
        MatrixException last = null;
        for (String server : via) {
            try {
                String target = RemoteRoomReader.segment(roomId) + "/" + RemoteRoomReader.segment(userId);
                JsonNode made = client.get(server, "/_matrix/federation/v1/make_leave/" + target);
                RoomVersion version = version(made);
                EncodedPdu leave = sign(made.path("event"), version, roomId, userId, "leave", reason);
                client.put(server, "/_matrix/federation/v2/send_leave/" + RemoteRoomReader.segment(roomId) + "/"
                        + RemoteRoomReader.segment(leave.eventId()), leave.pdu().json());
                rooms.recordRemoteMembership(roomId, version, leave, null);
                return;
            } catch (FederationException e) {
                last = fromRemote(e);
            } catch (MatrixException e) {
                last = e;
            }
        }
        throw last != null ? last : MatrixException.notFound("No server to leave " + roomId + " through");
    }

    @Override
    public void knock(String roomId, String userId, List<String> via, String reason) {
        MatrixException last = null;
        for (String server : via) {
            try {
                String target = RemoteRoomReader.segment(roomId) + "/" + RemoteRoomReader.segment(userId);
                JsonNode made = client.get(server, "/_matrix/federation/v1/make_knock/" + target
                        + supportedVersions());
                RoomVersion version = version(made);
                EncodedPdu knock = sign(made.path("event"), version, roomId, userId, "knock", reason);
                JsonNode sent = client.put(server, "/_matrix/federation/v1/send_knock/"
                        + RemoteRoomReader.segment(roomId) + "/" + RemoteRoomReader.segment(knock.eventId()),
                        knock.pdu().json());
                rooms.recordRemoteMembership(roomId, version, knock,
                        Json.MAPPER.writeValueAsBytes(strippedState(sent.path("knock_room_state"), version)));
                return;
            } catch (FederationException e) {
                LOG.info("Knocking on {} through {} failed: {}", roomId, server, e.getMessage());
                last = fromRemote(e);
            } catch (MatrixException e) {
                LOG.info("Knocking on {} through {} failed: {}", roomId, server, e.getMessage());
                last = e;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        throw last != null ? last : MatrixException.notFound("No server to knock on " + roomId + " through");
    }

    /**
     * The room state a knocking user is shown, as stripped state events (spec: send_knock "knock_room_state"): full
     * events (v1.16) whose signatures do not hold are left out; older servers send stripped events already.
     */
    private ArrayNode strippedState(JsonNode given, RoomVersion version) {
        ArrayNode stripped = Json.MAPPER.createArrayNode();
        for (JsonNode event : given) {
            JsonNode checked = event;
            if (event.has("signatures") || event.has("hashes")) {
                List<EncodedPdu> verified = remote.verified(Json.MAPPER.createArrayNode().add(event), version);
                if (verified.isEmpty()) {
                    continue;
                }
                checked = verified.getFirst().pdu().json();
            }
            if (checked.path("type").isTextual() && checked.path("state_key").isTextual()
                    && checked.path("sender").isTextual() && checked.path("content").isObject()) {
                ObjectNode entry = stripped.addObject();
                for (String field : List.of("type", "state_key", "sender", "content")) {
                    entry.set(field, checked.get(field));
                }
            }
        }
        return stripped;
    }

    private static RoomVersion version(JsonNode made) {
        String id = made.path("room_version").asText("1");
        return RoomVersion.byId(id).orElseThrow(() -> new MatrixException(400, ErrorCode.M_UNSUPPORTED_ROOM_VERSION,
                "Room version " + id + " is not supported"));
    }

    /**
     * The template's event, checked as the spec requires (room, sender, state_key, type, membership) and signed.
     */
    private EncodedPdu sign(JsonNode template, RoomVersion version, String roomId, String userId, String membership,
                            String reason) {
        if (!template.isObject() || !roomId.equals(template.path("room_id").asText())
                || !userId.equals(template.path("sender").asText())
                || !userId.equals(template.path("state_key").asText())
                || !"m.room.member".equals(template.path("type").asText())
                || !membership.equals(template.path("content").path("membership").asText())) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, "The room's server sent a malformed template");
        }
        ObjectNode draft = ((ObjectNode) template).deepCopy();
        draft.remove(List.of("origin", "event_id", "hashes", "signatures", "unsigned"));
        if (reason != null) {
            ((ObjectNode) draft.get("content")).put("reason", reason);
        }
        try {
            return factory.create(draft, version);
        } catch (MalformedPduException e) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, "The room's template is not a valid event: "
                    + e.getMessage());
        }
    }
}
