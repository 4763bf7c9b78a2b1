package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.BundledAggregations;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.IgnoredUsers;
import dev.myelin.server.room.InviteBlocking;
import dev.myelin.server.room.RelationChecks;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RemoteAliases;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.sync.FilterService;
import dev.myelin.server.sync.SyncToken;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomAlias;
import dev.myelin.spec.id.UserId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rooms and their timelines (spec: create_room.yaml, room_send.yaml, room_state.yaml, rooms.yaml, joining.yaml,
 * leaving.yaml, inviting.yaml, kicking.yaml, banning.yaml, message_pagination.yaml, list_joined_rooms.yaml,
 * redaction.yaml).
 */
public final class RoomEndpoints {
    private static final int MAX_MESSAGES_LIMIT = 1000;
    /** Backfill requests one /messages call may make to other servers before answering with what it has. */
    private static final int MAX_BACKFILLS = 3;
    /** How long /members waits for the member list of a room joined with partial state before giving what it has. */
    private static final java.time.Duration MEMBERS_WAIT = java.time.Duration.ofSeconds(60);

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomReader reader;
    private final RoomStore store;
    private final BundledAggregations aggregations;
    private final RelationChecks relationChecks;
    private final IgnoredUsers ignoredUsers;
    private final InviteBlocking inviteBlocking;
    private final FilterService filters;

    public RoomEndpoints(Authenticator authenticator, RoomService rooms, RoomReader reader,
                         BundledAggregations aggregations, RelationChecks relationChecks, IgnoredUsers ignoredUsers,
                         InviteBlocking inviteBlocking, FilterService filters) {
        this.filters = filters;
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.reader = reader;
        this.store = rooms.store();
        this.aggregations = aggregations;
        this.relationChecks = relationChecks;
        this.ignoredUsers = ignoredUsers;
        this.inviteBlocking = inviteBlocking;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("POST", v3, "/createRoom", this::createRoom);
        router.add("PUT", v3, "/rooms/{roomId}/send/{eventType}/{txnId}", this::send);
        router.add("PUT", v3, "/rooms/{roomId}/state/{eventType}", this::putState);
        router.add("PUT", v3, "/rooms/{roomId}/state/{eventType}/{stateKey}", this::putState);
        router.add("GET", v3, "/rooms/{roomId}/state/{eventType}", this::getState);
        router.add("GET", v3, "/rooms/{roomId}/state/{eventType}/{stateKey}", this::getState);
        router.add("GET", v3, "/rooms/{roomId}/state", this::allState);
        router.add("GET", v3, "/rooms/{roomId}/event/{eventId}", this::event);
        router.add("GET", v3, "/rooms/{roomId}/context/{eventId}", this::context);
        router.add("POST", v3, "/rooms/{roomId}/join", request -> join(request, request.pathParam("roomId")));
        router.add("POST", v3, "/join/{roomIdOrAlias}", request -> {
            // The guest access module lists only /rooms/{roomId}/join.
            authenticator.requireNonGuest(request);
            return join(request, request.pathParam("roomIdOrAlias"));
        });
        router.add("POST", v3, "/knock/{roomIdOrAlias}", this::knock);
        router.add("POST", v3, "/rooms/{roomId}/invite", this::invite);
        router.add("POST", v3, "/rooms/{roomId}/leave", this::leave);
        router.add("POST", v3, "/rooms/{roomId}/kick", request -> moderate(request, "kick"));
        router.add("POST", v3, "/rooms/{roomId}/ban", request -> moderate(request, "ban"));
        router.add("POST", v3, "/rooms/{roomId}/unban", request -> moderate(request, "unban"));
        router.add("POST", v3, "/rooms/{roomId}/forget", this::forget);
        router.add("GET", v3, "/joined_rooms", this::joinedRooms);
        router.add("GET", v3, "/rooms/{roomId}/members", this::members);
        router.add("GET", v3, "/rooms/{roomId}/joined_members", this::joinedMembers);
        router.add("GET", v3, "/rooms/{roomId}/messages", this::messages);
        router.add("PUT", v3, "/rooms/{roomId}/redact/{eventId}/{txnId}", this::redact);
    }

    // ---- createRoom ----

    private MatrixResponse createRoom(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        RoomVersion version = Fields.string(body, "room_version")
                .map(id -> RoomVersion.byId(id).orElseThrow(() -> new MatrixException(400,
                        ErrorCode.M_UNSUPPORTED_ROOM_VERSION, "Unsupported room version " + id)))
                .orElse(RoomVersion.DEFAULT);
        String visibility = Fields.string(body, "visibility").orElse("private");
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.invalidParam("'visibility' must be public or private");
        }
        Optional<String> preset = Fields.string(body, "preset");
        if (preset.isPresent() && !Set.of("private_chat", "public_chat", "trusted_private_chat").contains(preset.get())) {
            throw MatrixException.invalidParam("Unknown preset " + preset.get());
        }
        List<String> invite = new ArrayList<>();
        JsonNode inviteNode = body.get("invite");
        if (inviteNode != null && !inviteNode.isNull()) {
            if (!inviteNode.isArray()) {
                throw MatrixException.badJson("'invite' must be a list of user ids");
            }
            for (JsonNode user : inviteNode) {
                String invitee = userId(user.isTextual() ? user.asText() : null);
                // An invitee who blocks invites is left out; the room is still created (spec: "Invite permission").
                if (!inviteBlocking.blocksInvites(invitee)) {
                    invite.add(invitee);
                }
            }
        }
        ObjectNode creationContent = optionalObject(body, "creation_content").orElse(Json.MAPPER.createObjectNode());
        List<CreateRoomRequest.InitialState> initialState = new ArrayList<>();
        JsonNode initial = body.get("initial_state");
        if (initial != null && !initial.isNull()) {
            if (!initial.isArray()) {
                throw MatrixException.badJson("'initial_state' must be a list of state events");
            }
            for (JsonNode entry : initial) {
                if (!(entry instanceof ObjectNode object)) {
                    throw MatrixException.badJson("'initial_state' entries must be objects");
                }
                initialState.add(new CreateRoomRequest.InitialState(Fields.requiredString(object, "type"),
                        Fields.string(object, "state_key").orElse(""),
                        optionalObject(object, "content").orElseThrow(() ->
                                MatrixException.badJson("'initial_state' entries need a 'content' object"))));
            }
        }
        Optional<String> alias = Optional.empty();
        Optional<String> aliasName = Fields.string(body, "room_alias_name");
        if (aliasName.isPresent()) {
            String full = "#" + aliasName.get() + ":" + rooms.serverName();
            try {
                RoomAlias.parse(full);
            } catch (InvalidIdentifierException e) {
                throw MatrixException.invalidParam("Invalid room alias: " + e.reason());
            }
            if (aliasName.get().contains(":") || store.aliasRoom(full).isPresent()) {
                throw new MatrixException(400, ErrorCode.M_ROOM_IN_USE, "Room alias " + full + " is already in use");
            }
            rooms.aliasNamespaces().checkMayCreate(full, requester.userId(), requester.appServiceId());
            alias = Optional.of(full);
        }
        var createRequest = new CreateRoomRequest(version, visibility.equals("public"), preset,
                Fields.string(body, "name"), Fields.string(body, "topic"), invite,
                Fields.bool(body, "is_direct", false), creationContent, initialState,
                optionalObject(body, "power_level_content_override"), alias);
        String roomId = RoomCreation.create(rooms, requester.userId(), createRequest);
        if (alias.isPresent() && !store.createAlias(alias.get(), roomId, requester.userId())) {
            throw new MatrixException(400, ErrorCode.M_ROOM_IN_USE, "Room alias " + alias.get() + " is already in use");
        }
        if (createRequest.publicVisibility()) {
            store.setPublished(roomId, true);
        }
        return MatrixResponse.ok(Map.of("room_id", roomId));
    }

    private static Optional<ObjectNode> optionalObject(ObjectNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!(value instanceof ObjectNode object)) {
            throw MatrixException.badJson("'" + name + "' must be an object");
        }
        return Optional.of(object);
    }

    private static String userId(String text) {
        if (text == null) {
            throw MatrixException.badJson("user ids must be strings");
        }
        try {
            return UserId.parse(text).toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id " + text + ": " + e.reason());
        }
    }

    // ---- events and state ----

    private static Optional<RoomStore.TxnKey> txn(Requester requester, String scope, String txnId) {
        return Optional.of(new RoomStore.TxnKey(requester.userId(),
                requester.deviceId() == null ? "" : requester.deviceId(), scope, txnId));
    }

    private MatrixResponse send(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode content = request.jsonObject();
        String roomId = request.pathParam("roomId");
        if ("m.room.redaction".equals(request.pathParam("eventType"))) {
            return redactThroughSend(request, requester, roomId, content);
        }
        requester.requireNotSuspended();
        relationChecks.check(roomId, requester.userId(), request.pathParam("eventType"), content);
        String eventId = rooms.send(roomId, new RoomService.Draft(requester.userId(), request.pathParam("eventType"),
                null, content), txn(requester, "send:" + roomId + ":" + request.pathParam("eventType"),
                request.pathParam("txnId")));
        return MatrixResponse.ok(Map.of("event_id", eventId));
    }

    private static String stateKey(MatrixRequest request) {
        try {
            return request.pathParam("stateKey");
        } catch (IllegalStateException noStateKey) {
            return "";
        }
    }

    private MatrixResponse putState(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode content = request.jsonObject();
        String type = request.pathParam("eventType");
        boolean leaving = type.equals("m.room.member") && requester.userId().equals(stateKey(request))
                && "leave".equals(content.path("membership").asText());
        if (!leaving) {
            requester.requireNotSuspended();
        }
        if (type.equals("m.room.member") && "invite".equals(content.path("membership").asText())) {
            inviteBlocking.refuseIfBlocked(stateKey(request));
        }
        if (type.equals("m.room.member") || type.equals("m.room.create")) {
            // Membership has its own endpoints; a create event can only start a room.
            if (type.equals("m.room.create")) {
                throw MatrixException.forbidden("m.room.create cannot be sent to an existing room");
            }
            if (!content.path("membership").isTextual()) {
                throw MatrixException.badJson("m.room.member content needs a 'membership' string");
            }
        }
        if (type.equals("m.room.canonical_alias")) {
            checkCanonicalAlias(request.pathParam("roomId"), content);
        }
        String eventId = rooms.send(request.pathParam("roomId"),
                new RoomService.Draft(requester.userId(), type, stateKey(request), content), Optional.empty());
        return MatrixResponse.ok(Map.of("event_id", eventId));
    }

    /**
     * The aliases of an m.room.canonical_alias event must be valid, and those of this server must point to the room
     * (spec: room_state.yaml, M_INVALID_PARAM and M_BAD_ALIAS). Other servers' aliases are not checked.
     */
    private void checkCanonicalAlias(String roomId, ObjectNode content) {
        var aliases = new ArrayList<JsonNode>();
        if (content.has("alias") && !content.get("alias").isNull()) {
            aliases.add(content.get("alias"));
        }
        JsonNode alt = content.get("alt_aliases");
        if (alt != null && !alt.isNull()) {
            if (!alt.isArray()) {
                throw MatrixException.badJson("'alt_aliases' must be a list");
            }
            alt.forEach(aliases::add);
        }
        for (JsonNode node : aliases) {
            if (!node.isTextual()) {
                throw MatrixException.invalidParam("Aliases must be strings");
            }
            try {
                RoomAlias.parse(node.asText());
            } catch (InvalidIdentifierException e) {
                throw MatrixException.invalidParam("Invalid room alias " + node.asText() + ": " + e.reason());
            }
            if (node.asText().endsWith(":" + rooms.serverName())
                    && !store.aliasRoom(node.asText()).map(roomId::equals).orElse(false)) {
                throw new MatrixException(400, ErrorCode.M_BAD_ALIAS,
                        "The alias " + node.asText() + " does not point to this room");
            }
        }
    }

    private MatrixResponse getState(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = roomForReading(request.pathParam("roomId"), requester);
        long snapshot = reader.readableSnapshot(requester.userId(), room);
        StateKey key = new StateKey(request.pathParam("eventType"), stateKey(request));
        StoredEvent stored = store.state(snapshot, List.of(key)).get(key);
        if (stored == null) {
            throw MatrixException.notFound("No " + key.type() + " state with key '" + key.stateKey() + "'");
        }
        RoomVersion version = RoomService.version(room);
        ObjectNode event = reader.clientEvent(reader.load(stored, version), version);
        boolean fullEvent = request.query("format").map("event"::equals).orElse(false);
        return MatrixResponse.ok(fullEvent ? event : event.get("content"));
    }

    private MatrixResponse allState(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = roomForReading(request.pathParam("roomId"), requester);
        long snapshot = reader.readableSnapshot(requester.userId(), room);
        return MatrixResponse.ok(render(store.state(snapshot).values(), room));
    }

    private ArrayNode render(Collection<StoredEvent> events, RoomStore.Room room) {
        RoomVersion version = RoomService.version(room);
        ArrayNode out = Json.MAPPER.createArrayNode();
        events.stream().sorted(java.util.Comparator.comparingLong(StoredEvent::streamPos))
                .forEach(e -> out.add(reader.clientEvent(reader.load(e, version), version)));
        return out;
    }

    /** The room, or 403 for an unknown room (as for a room the user cannot see, so existence does not leak). */
    private RoomStore.Room roomForReading(String roomId, Requester requester) {
        return store.room(roomId).orElseThrow(() -> MatrixException.forbidden("You are not in room " + roomId));
    }

    private MatrixResponse event(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        String roomId = request.pathParam("roomId");
        RoomStore.Room room = store.room(roomId).orElseThrow(() -> MatrixException.notFound("Event not found"));
        StoredEvent stored = store.event(request.pathParam("eventId"))
                .filter(e -> e.roomNid() == room.nid() && !e.rejected())
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        RoomVersion version = RoomService.version(room);
        RoomReader.Event event = reader.load(stored, version);
        if (!reader.visibility(requester.userId(), room).canSee(event)) {
            throw MatrixException.notFound("Event not found");
        }
        ObjectNode out = reader.clientEvent(event, version, requester.userId(), requester.deviceId());
        aggregations.addTo(room, List.of(out), requester.userId());
        return MatrixResponse.ok(out);
    }

    /**
     * GET /rooms/{roomId}/context/{eventId} (spec: event_context.yaml): visible events around one event, with
     * pagination tokens for /messages and the state at the last event returned.
     */
    private MatrixResponse context(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = store.room(request.pathParam("roomId"))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        StoredEvent stored = store.event(request.pathParam("eventId"))
                .filter(e -> e.roomNid() == room.nid() && !e.rejected())
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        RoomVersion version = RoomService.version(room);
        RoomReader.VisibilityCheck visibility = reader.visibility(requester.userId(), room);
        RoomReader.Event event = reader.load(stored, version);
        if (!visibility.canSee(event)) {
            throw MatrixException.notFound("Event not found");
        }
        EventFilter filter = RoomEventFilterParam.resolve(filters, requester.userId(), request.query("filter"));
        Set<String> ignored = ignoredUsers.ignoredBy(requester.userId());
        int limit = Math.min(Math.max(request.query("limit").map(RoomEndpoints::parseLimit).orElse(10), 0), 100);
        int beforeLimit = limit / 2;
        int afterLimit = limit - beforeLimit;
        var before = new ArrayList<ObjectNode>();
        var senders = new java.util.HashSet<String>(Set.of(event.pdu().sender()));
        long start = stored.streamPos() - 1;
        for (StoredEvent e : store.timeline(room.nid(), stored.streamPos() - 1, Long.MIN_VALUE, true,
                beforeLimit * 4 + 10)) {
            if (before.size() == beforeLimit) {
                break;
            }
            start = e.streamPos() - 1;
            RoomReader.Event candidate = reader.load(e, version);
            if (shown(candidate, filter, ignored, visibility)) {
                before.add(reader.clientEvent(candidate, version, requester.userId(), requester.deviceId()));
                senders.add(candidate.pdu().sender());
            }
        }
        var after = new ArrayList<ObjectNode>();
        long end = stored.streamPos();
        StoredEvent last = stored;
        for (StoredEvent e : store.timeline(room.nid(), stored.streamPos(), Long.MAX_VALUE, false,
                afterLimit * 4 + 10)) {
            if (after.size() == afterLimit) {
                break;
            }
            end = e.streamPos();
            RoomReader.Event candidate = reader.load(e, version);
            if (shown(candidate, filter, ignored, visibility)) {
                after.add(reader.clientEvent(candidate, version, requester.userId(), requester.deviceId()));
                senders.add(candidate.pdu().sender());
                last = e;
            }
        }
        ObjectNode target = reader.clientEvent(event, version, requester.userId(), requester.deviceId());
        var all = new ArrayList<ObjectNode>(before);
        all.add(target);
        all.addAll(after);
        aggregations.addTo(room, all, requester.userId());
        Map<StateKey, StoredEvent> state = store.state(stateAfter(last));
        if (filter.lazyLoadMembers()) {
            // Only the members who sent the events returned (spec: "Lazy-loading room members").
            state = new LinkedHashMap<>(state);
            state.keySet().removeIf(key -> key.type().equals("m.room.member") && !senders.contains(key.stateKey()));
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("start", SyncToken.at(start).serialize());
        body.put("end", SyncToken.at(end).serialize());
        body.put("events_before", before);
        body.put("event", target);
        body.put("events_after", after);
        body.put("state", render(state.values(), room));
        return MatrixResponse.ok(body);
    }

    private static long stateAfter(StoredEvent event) {
        return event.stateAfter() != 0 ? event.stateAfter() : event.stateBefore();
    }

    /** Whether a timeline event goes to the user: it passes the filter, is visible, and its sender is not ignored. */
    private static boolean shown(RoomReader.Event event, EventFilter filter, Set<String> ignored,
                                 RoomReader.VisibilityCheck visibility) {
        return filter.matches(event.pdu().json()) && !ignored.contains(event.pdu().sender()) && visibility.canSee(event);
    }

    // ---- membership ----

    /** The room and, for an alias, the servers its server named (another server's alias is asked about). */
    private RemoteAliases.Resolved resolveRoom(String roomIdOrAlias) {
        if (roomIdOrAlias.startsWith("#")) {
            return rooms.lookupAlias(roomIdOrAlias)
                    .orElseThrow(() -> MatrixException.notFound("Unknown room alias " + roomIdOrAlias));
        } else if (!roomIdOrAlias.startsWith("!")) {
            throw MatrixException.invalidParam("Not a room id or alias: " + roomIdOrAlias);
        }
        return new RemoteAliases.Resolved(roomIdOrAlias, List.of());
    }

    /** POST /knock/{roomIdOrAlias} (spec: knocking.yaml); rooms on other servers through {@code via}. */
    private MatrixResponse knock(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        RemoteAliases.Resolved target = resolveRoom(request.pathParam("roomIdOrAlias"));
        String roomId = target.roomId();
        rooms.knock(roomId, requester.userId(), Fields.string(body, "reason").orElse(null), via(request, target));
        return MatrixResponse.ok(Map.of("room_id", roomId));
    }

    private MatrixResponse join(MatrixRequest request, String roomIdOrAlias) throws Exception {
        Requester requester = authenticator.require(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        RemoteAliases.Resolved target = resolveRoom(roomIdOrAlias);
        String roomId = target.roomId();
        if (requester.guest()) {
            RoomStore.Room room = rooms.requireRoom(roomId);
            StateKey guestAccess = new StateKey("m.room.guest_access", "");
            StoredEvent access = store.state(room.currentSnapshot(), List.of(guestAccess)).get(guestAccess);
            if (access == null || !"can_join".equals(rooms.pdu(access, RoomService.version(room)).content()
                    .path("guest_access").asText())) {
                throw new MatrixException(403, ErrorCode.M_GUEST_ACCESS_FORBIDDEN, "Guests may not join this room");
            }
        }
        rooms.join(roomId, requester.userId(), Fields.string(body, "reason").orElse(null), via(request, target));
        return MatrixResponse.ok(Map.of("room_id", roomId));
    }

    /**
     * The servers to join or knock through (spec: joining.yaml, knocking.yaml "via", "server_name"), then those the
     * alias's server named.
     */
    private static List<String> via(MatrixRequest request, RemoteAliases.Resolved target) {
        var via = new java.util.ArrayList<String>();
        for (String name : List.of("via", "server_name")) {
            List<String> values = org.eclipse.jetty.server.Request.extractQueryParameters(request.jetty())
                    .getValues(name);
            if (values != null) {
                via.addAll(values);
            }
        }
        via.addAll(target.servers());
        return via;
    }

    private MatrixResponse invite(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        if (!body.has("user_id") && body.has("id_server")) {
            throw MatrixException.forbidden("Third-party invites are not supported");
        }
        String target = userId(Fields.requiredString(body, "user_id"));
        inviteBlocking.refuseIfBlocked(target);
        // Invites from a user the invitee ignores are dropped (spec: "Ignoring Users"), without telling the inviter.
        if (!ignoredUsers.ignoredBy(target).contains(requester.userId())) {
            rooms.invite(request.pathParam("roomId"), requester.userId(), target,
                    Fields.string(body, "reason").orElse(null));
        }
        return MatrixResponse.empty();
    }

    private MatrixResponse leave(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        rooms.leave(request.pathParam("roomId"), requester.userId(), Fields.string(body, "reason").orElse(null));
        return MatrixResponse.empty();
    }

    private MatrixResponse moderate(MatrixRequest request, String action) throws Exception {
        Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        String roomId = request.pathParam("roomId");
        String target = userId(Fields.requiredString(body, "user_id"));
        String reason = Fields.string(body, "reason").orElse(null);
        switch (action) {
            case "kick" -> rooms.kick(roomId, requester.userId(), target, reason);
            case "ban" -> rooms.ban(roomId, requester.userId(), target, reason);
            default -> rooms.unban(roomId, requester.userId(), target, reason);
        }
        return MatrixResponse.empty();
    }

    private MatrixResponse forget(MatrixRequest request) {
        Requester requester = authenticator.requireNonGuest(request);
        rooms.forget(request.pathParam("roomId"), requester.userId());
        return MatrixResponse.empty();
    }

    private MatrixResponse joinedRooms(MatrixRequest request) {
        Requester requester = authenticator.requireNonGuest(request);
        List<String> joined = store.membershipsOf(requester.userId()).stream()
                .filter(m -> "join".equals(m.membership())).map(RoomStore.Membership::roomId).toList();
        return MatrixResponse.ok(Map.of("joined_rooms", joined));
    }

    private MatrixResponse members(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = roomForReading(request.pathParam("roomId"), requester);
        // A room joined with partial state lists its members once the resync has fetched them (as Synapse does).
        rooms.awaitFullState(room.roomId(), MEMBERS_WAIT);
        room = store.room(room.roomId()).orElseThrow();
        long snapshot = reader.readableSnapshot(requester.userId(), room);
        Optional<String> membership = request.query("membership");
        Optional<String> notMembership = request.query("not_membership");
        RoomVersion version = RoomService.version(room);
        var chunk = new ArrayList<StoredEvent>();
        for (StoredEvent member : store.stateOfTypes(snapshot, Set.of("m.room.member")).values()) {
            String value = rooms.pdu(member, version).content().path("membership").asText("leave");
            if (membership.isPresent() && !membership.get().equals(value)
                    || notMembership.isPresent() && notMembership.get().equals(value)) {
                continue;
            }
            chunk.add(member);
        }
        return MatrixResponse.ok(Map.of("chunk", render(chunk, room)));
    }

    private MatrixResponse joinedMembers(MatrixRequest request) {
        Requester requester = authenticator.requireNonGuest(request);
        RoomStore.Room room = roomForReading(request.pathParam("roomId"), requester);
        long snapshot = reader.readableSnapshot(requester.userId(), room);
        RoomVersion version = RoomService.version(room);
        var joined = new java.util.TreeMap<String, Object>();
        for (var entry : store.stateOfTypes(snapshot, Set.of("m.room.member")).entrySet()) {
            ObjectNode content = rooms.pdu(entry.getValue(), version).content();
            if ("join".equals(content.path("membership").asText())) {
                var profile = new LinkedHashMap<String, Object>();
                if (content.path("displayname").isTextual()) {
                    profile.put("display_name", content.get("displayname").asText());
                }
                if (content.path("avatar_url").isTextual()) {
                    profile.put("avatar_url", content.get("avatar_url").asText());
                }
                joined.put(entry.getKey().stateKey(), profile);
            }
        }
        return MatrixResponse.ok(Map.of("joined", joined));
    }

    // ---- /messages ----

    /** A page of /messages, or (response null) how many events to backfill before reading the page again. */
    private record MessagesPage(MatrixResponse response, int backfill) {}

    private MatrixResponse messages(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        // Every read of a page in one read transaction (on SQLite one trip to a reader thread instead of ~10). A read
        // transaction does not see what commits after it began, so backfill runs between two reads of the page.
        for (int backfills = 0; ; backfills++) {
            boolean mayBackfill = backfills < MAX_BACKFILLS;
            MessagesPage page = store.readingTogether(() -> messages(request, requester, mayBackfill));
            if (page.response() != null) {
                return page.response();
            }
            if (rooms.backfill(request.pathParam("roomId"), page.backfill()) == 0) {
                return store.readingTogether(() -> messages(request, requester, false)).response();
            }
        }
    }

    private MessagesPage messages(MatrixRequest request, Requester requester, boolean mayBackfill) {
        RoomStore.Room room = roomForReading(request.pathParam("roomId"), requester);
        String dir = request.query("dir").orElseThrow(() -> MatrixException.missingParam("Missing 'dir'"));
        if (!dir.equals("b") && !dir.equals("f")) {
            throw MatrixException.invalidParam("'dir' must be b or f");
        }
        boolean backwards = dir.equals("b");
        RoomReader.VisibilityCheck visibility = reader.visibility(requester.userId(), room);
        // A user who never could see anything gets 403 rather than an empty timeline.
        if (!"join".equals(rooms.currentMembership(room.roomId(), requester.userId()))
                && !reader.worldReadable(room)
                && store.membership(room.roomId(), requester.userId()).isEmpty()) {
            throw MatrixException.forbidden("You are not in this room");
        }
        long from = request.query("from").map(SyncToken::eventsPosition)
                .orElseGet(() -> backwards ? store.currentStreamPos() : 0L);
        long to = request.query("to").map(SyncToken::eventsPosition)
                .orElse(backwards ? Long.MIN_VALUE : Long.MAX_VALUE);
        EventFilter filter = RoomEventFilterParam.resolve(filters, requester.userId(), request.query("filter"));
        int limit = request.query("limit").map(RoomEndpoints::parseLimit).orElse(filter.limitOr(10));
        limit = Math.min(Math.max(limit, 0), MAX_MESSAGES_LIMIT);
        RoomVersion version = RoomService.version(room);
        Set<String> ignored = ignoredUsers.ignoredBy(requester.userId());
        var chunk = new ArrayList<ObjectNode>();
        var senders = new java.util.HashSet<String>();
        StoredEvent last = null;
        long position = from;
        boolean exhausted = false;
        // Read in pages until the chunk is full: the filter and history visibility may drop events.
        while (chunk.size() < limit && !exhausted) {
            int page = Math.max(limit - chunk.size(), 20);
            List<StoredEvent> events = store.timeline(room.nid(), position, to, backwards, page);
            if (events.size() < page) {
                // Past the oldest stored event, older history may be on the room's other servers (backfill).
                if (backwards && request.query("to").isEmpty() && mayBackfill) {
                    return new MessagesPage(null, page);
                }
                exhausted = true;
            }
            for (StoredEvent stored : events) {
                position = backwards ? stored.streamPos() - 1 : stored.streamPos();
                RoomReader.Event event = reader.load(stored, version);
                if (shown(event, filter, ignored, visibility)) {
                    chunk.add(reader.clientEvent(event, version, requester.userId(), requester.deviceId()));
                    senders.add(event.pdu().sender());
                    last = stored;
                    if (chunk.size() == limit) {
                        break;
                    }
                }
            }
        }
        aggregations.addTo(room, chunk, requester.userId());
        var body = new LinkedHashMap<String, Object>();
        body.put("start", SyncToken.at(from).serialize());
        body.put("chunk", chunk);
        // No "end" once the timeline is exhausted in this direction (spec: clients stop paginating then).
        if (chunk.size() == limit && limit > 0) {
            body.put("end", SyncToken.at(position).serialize());
        }
        if (filter.lazyLoadMembers() && last != null) {
            // The member events of the chunk's senders (spec: "Lazy-loading room members").
            var keys = senders.stream().map(sender -> new StateKey("m.room.member", sender)).toList();
            body.put("state", render(store.state(stateAfter(last), keys).values(), room));
        }
        return new MessagesPage(MatrixResponse.ok(body), 0);
    }

    static int parseLimit(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'limit' must be an integer");
        }
    }

    private MatrixResponse redact(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        ObjectNode body = request.jsonObject();
        String roomId = request.pathParam("roomId");
        String targetId = request.pathParam("eventId");
        refuseRedactingOthersWhileSuspended(requester, roomId, targetId);
        String eventId = rooms.redact(roomId, requester.userId(), targetId,
                Fields.string(body, "reason").orElse(null), txn(requester, "redact:" + roomId,
                        request.pathParam("txnId")));
        return MatrixResponse.ok(Map.of("event_id", eventId));
    }

    /**
     * An {@code m.room.redaction} sent through {@code /send}, allowed in every room version since v1.18 (MSC4169):
     * the target is {@code content.redacts}, placed where the room version wants it.
     */
    private MatrixResponse redactThroughSend(MatrixRequest request, Requester requester, String roomId,
                                             ObjectNode content) {
        if (requester.guest()) {
            throw new MatrixException(403, ErrorCode.M_GUEST_ACCESS_FORBIDDEN, "Guest accounts cannot redact");
        }
        String targetId = Fields.requiredString(content, "redacts");
        refuseRedactingOthersWhileSuspended(requester, roomId, targetId);
        String eventId = rooms.redact(roomId, requester.userId(), targetId, Fields.string(content, "reason")
                .orElse(null), txn(requester, "send:" + roomId + ":m.room.redaction", request.pathParam("txnId")));
        return MatrixResponse.ok(Map.of("event_id", eventId));
    }

    /** A suspended user may redact their own events only (spec: "Account suspension"). */
    private void refuseRedactingOthersWhileSuspended(Requester requester, String roomId, String targetId) {
        if (!requester.suspended()) {
            return;
        }
        boolean own = store.room(roomId).flatMap(room -> store.event(targetId)
                        .filter(event -> event.roomNid() == room.nid())
                        .map(event -> rooms.pdu(event, RoomService.version(room)).sender()))
                .map(requester.userId()::equals).orElse(false);
        if (!own) {
            requester.requireNotSuspended();
        }
    }
}
