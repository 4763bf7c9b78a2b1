package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.auth.AuthState;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomAlias;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Room aliases and the published room directory of local rooms (spec: directory.yaml, list_public_rooms.yaml). */
public final class DirectoryEndpoints {
    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomReader reader;
    private final RoomStore store;

    public DirectoryEndpoints(Authenticator authenticator, RoomService rooms, RoomReader reader) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.reader = reader;
        this.store = rooms.store();
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("PUT", v3, "/directory/room/{roomAlias}", this::putAlias);
        router.add("GET", v3, "/directory/room/{roomAlias}", this::getAlias);
        router.add("DELETE", v3, "/directory/room/{roomAlias}", this::deleteAlias);
        router.add("GET", v3, "/rooms/{roomId}/aliases", this::roomAliases);
        router.add("GET", v3, "/directory/list/room/{roomId}", this::getVisibility);
        router.add("PUT", v3, "/directory/list/room/{roomId}", this::putVisibility);
        router.add("GET", v3, "/publicRooms", this::publicRooms);
        router.add("POST", v3, "/publicRooms", this::publicRooms);
    }

    private String localAlias(String text) {
        RoomAlias alias;
        try {
            alias = RoomAlias.parse(text);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.reason());
        }
        if (!text.endsWith(":" + rooms.serverName())) {
            throw MatrixException.invalidParam("Room alias must be on this server");
        }
        return alias.toString();
    }

    private MatrixResponse putAlias(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        String alias = localAlias(request.pathParam("roomAlias"));
        String roomId = Fields.requiredString(request.jsonObject(), "room_id");
        rooms.requireRoom(roomId);
        rooms.aliasNamespaces().checkMayCreate(alias, requester.userId(), requester.appServiceId());
        if (!store.createAlias(alias, roomId, requester.userId())) {
            throw new MatrixException(409, ErrorCode.M_UNKNOWN, "Room alias " + alias + " already exists");
        }
        return MatrixResponse.empty();
    }

    private MatrixResponse getAlias(MatrixRequest request) {
        String alias = request.pathParam("roomAlias");
        String roomId = rooms.resolveAlias(alias)
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        return MatrixResponse.ok(Map.of("room_id", roomId, "servers", List.of(rooms.serverName())));
    }

    private MatrixResponse deleteAlias(MatrixRequest request) {
        Requester requester = authenticator.requireNonGuest(request);
        String alias = request.pathParam("roomAlias");
        String roomId = store.aliasRoom(alias)
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        boolean creator = store.aliasCreator(alias).map(requester.userId()::equals).orElse(false);
        if (!creator) {
            RoomStore.Room room = rooms.requireRoom(roomId);
            AuthState power = rooms.powerState(room);
            if (power.powerOf(requester.userId()) < power.powerLevels().requiredLevel("m.room.canonical_alias", true)) {
                throw MatrixException.forbidden("You may not delete this alias");
            }
        }
        store.deleteAlias(alias);
        return MatrixResponse.empty();
    }

    private MatrixResponse roomAliases(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        String roomId = request.pathParam("roomId");
        RoomStore.Room room = store.room(roomId).orElseThrow(() -> MatrixException.forbidden("You are not in this room"));
        if (!"join".equals(rooms.currentMembership(roomId, requester.userId())) && !reader.worldReadable(room)) {
            throw MatrixException.forbidden("You are not in this room");
        }
        return MatrixResponse.ok(Map.of("aliases", store.aliasesOf(roomId)));
    }

    private MatrixResponse getVisibility(MatrixRequest request) {
        RoomStore.Room room = rooms.requireRoom(request.pathParam("roomId"));
        return MatrixResponse.ok(Map.of("visibility", room.published() ? "public" : "private"));
    }

    private MatrixResponse putVisibility(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request);
        RoomStore.Room room = rooms.requireRoom(request.pathParam("roomId"));
        String visibility = Fields.string(request.jsonObject(), "visibility").orElse("public");
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.invalidParam("'visibility' must be public or private");
        }
        AuthState power = rooms.powerState(room);
        if (power.powerOf(requester.userId()) < power.powerLevels().requiredLevel("m.room.canonical_alias", true)) {
            throw MatrixException.forbidden("You may not change this room's directory visibility");
        }
        store.setPublished(room.roomId(), visibility.equals("public"));
        return MatrixResponse.empty();
    }

    /**
     * GET/POST /publicRooms (spec: list_public_rooms.yaml): {@code limit}, {@code since} (the {@code next_batch} or
     * {@code prev_batch} of an earlier page: an offset into the filtered list, "p" + offset), and on POST
     * {@code filter.generic_search_term} and {@code filter.room_types} (v1.4; {@code null} names rooms without a
     * type).
     */
    private MatrixResponse publicRooms(MatrixRequest request) throws Exception {
        String search = null;
        java.util.Set<String> roomTypes = null;
        boolean untypedRooms = false;
        int limit = request.query("limit").map(DirectoryEndpoints::limit).orElse(100);
        String since = request.query("since").orElse(null);
        if ("POST".equals(request.method())) {
            authenticator.requireNonGuest(request);
            ObjectNode body = request.jsonObject();
            if (body.path("limit").canConvertToInt()) {
                limit = body.get("limit").asInt();
            }
            if (body.path("since").isTextual()) {
                since = body.get("since").asText();
            }
            if (body.path("filter").path("generic_search_term").isTextual()) {
                search = body.get("filter").get("generic_search_term").asText().toLowerCase(Locale.ROOT);
            }
            JsonNode types = body.path("filter").get("room_types");
            if (types != null && !types.isNull()) {
                if (!types.isArray()) {
                    throw MatrixException.badJson("'filter.room_types' must be a list");
                }
                roomTypes = new java.util.HashSet<>();
                for (JsonNode type : types) {
                    if (type.isNull()) {
                        untypedRooms = true;
                    } else if (type.isTextual()) {
                        roomTypes.add(type.asText());
                    } else {
                        throw MatrixException.badJson("'filter.room_types' entries must be strings or null");
                    }
                }
            }
        }
        int offset = since == null ? 0 : offset(since);
        limit = Math.max(1, limit);
        var matching = new ArrayList<Map<String, Object>>();
        List<RoomStore.Room> published = store.publishedRooms();
        for (RoomStore.Room room : published) {
            Map<String, Object> entry = summary(room);
            if (search != null && !(String.valueOf(entry.get("name")) + " " + entry.get("topic") + " "
                    + entry.get("canonical_alias")).toLowerCase(Locale.ROOT).contains(search)) {
                continue;
            }
            if (roomTypes != null && !(entry.containsKey("room_type") ? roomTypes.contains(entry.get("room_type"))
                    : untypedRooms)) {
                continue;
            }
            matching.add(entry);
            if (matching.size() > offset + limit) {
                break;
            }
        }
        var out = new LinkedHashMap<String, Object>();
        out.put("chunk", matching.subList(Math.min(offset, matching.size()), Math.min(offset + limit, matching.size())));
        if (matching.size() > offset + limit) {
            out.put("next_batch", "p" + (offset + limit));
        }
        if (offset > 0) {
            out.put("prev_batch", "p" + Math.max(0, offset - limit));
        }
        out.put("total_room_count_estimate", published.size());
        return MatrixResponse.ok(out);
    }

    private static int limit(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'limit' must be an integer");
        }
    }

    private static int offset(String since) {
        try {
            int offset = since.startsWith("p") ? Integer.parseInt(since.substring(1)) : -1;
            if (offset >= 0) {
                return offset;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw MatrixException.invalidParam("Unknown 'since' token");
    }

    private Map<String, Object> summary(RoomStore.Room room) {
        RoomVersion version = RoomService.version(room);
        var keys = List.of(new StateKey("m.room.name", ""), new StateKey("m.room.topic", ""),
                new StateKey("m.room.canonical_alias", ""), new StateKey("m.room.avatar", ""),
                new StateKey("m.room.join_rules", ""), new StateKey("m.room.history_visibility", ""),
                new StateKey("m.room.guest_access", ""), new StateKey("m.room.create", ""));
        var state = new LinkedHashMap<String, ObjectNode>();
        store.state(room.currentSnapshot(), keys)
                .forEach((key, stored) -> state.put(key.type(), rooms.pdu(stored, version).content()));
        var entry = new LinkedHashMap<String, Object>();
        entry.put("room_id", room.roomId());
        entry.put("num_joined_members", store.members(room.roomId(), "join").size());
        text(state, "m.room.name", "name").ifPresent(v -> entry.put("name", v));
        text(state, "m.room.topic", "topic").ifPresent(v -> entry.put("topic", v));
        text(state, "m.room.canonical_alias", "alias").ifPresent(v -> entry.put("canonical_alias", v));
        text(state, "m.room.avatar", "url").ifPresent(v -> entry.put("avatar_url", v));
        entry.put("join_rule", text(state, "m.room.join_rules", "join_rule").orElse("invite"));
        entry.put("world_readable", "world_readable".equals(
                text(state, "m.room.history_visibility", "history_visibility").orElse("shared")));
        entry.put("guest_can_join", "can_join".equals(text(state, "m.room.guest_access", "guest_access").orElse("")));
        text(state, "m.room.create", "type").ifPresent(v -> entry.put("room_type", v));
        return entry;
    }

    private static java.util.Optional<String> text(Map<String, ObjectNode> state, String type, String field) {
        ObjectNode content = state.get(type);
        return content != null && content.path(field).isTextual()
                ? java.util.Optional.of(content.get(field).asText()) : java.util.Optional.empty();
    }
}
