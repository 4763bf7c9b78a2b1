package dev.myelin.server.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The published room directory (spec: client-server-api "Listing rooms", server-server-api "Public Room Directory"):
 * this server's published rooms in publication order, filtered, one page at a time (a page token is an offset into
 * the filtered list, {@code "p" + offset}); another server's through federation. Application services publish no
 * network lists here, so a {@code third_party_instance_id} names a network without rooms.
 */
public final class PublicRoomDirectory {
    private static final List<StateKey> KEYS = List.of(new StateKey("m.room.name", ""),
            new StateKey("m.room.topic", ""), new StateKey("m.room.canonical_alias", ""),
            new StateKey("m.room.avatar", ""), new StateKey("m.room.join_rules", ""),
            new StateKey("m.room.history_visibility", ""), new StateKey("m.room.guest_access", ""),
            new StateKey("m.room.create", ""));

    private final RoomService rooms;
    private final RoomStore store;
    private volatile RemotePublicRooms remote;

    public PublicRoomDirectory(RoomService rooms) {
        this.rooms = rooms;
        this.store = rooms.store();
    }

    /** How other servers' directories are read (federation); without it they cannot be. */
    public void remote(RemotePublicRooms remote) {
        this.remote = remote;
    }

    /** The directory of {@code server}: this server's, or another's asked over federation. */
    public JsonNode page(Optional<String> server, PublicRoomQuery query) {
        if (server.isEmpty() || server.get().equals(rooms.serverName())) {
            return page(query);
        }
        if (remote == null) {
            throw MatrixException.notFound("Other servers' directories cannot be read here");
        }
        return remote.query(server.get(), query);
    }

    /** A page of this server's directory. */
    public ObjectNode page(PublicRoomQuery query) {
        int offset = query.since().map(PublicRoomDirectory::offset).orElse(0);
        int limit = query.limit() > 0 ? query.limit() : Integer.MAX_VALUE;
        Optional<String> search = query.searchTerm().map(term -> term.toLowerCase(Locale.ROOT));
        List<RoomStore.Room> published = query.thirdPartyInstanceId().isPresent() ? List.of() : store.publishedRooms();
        var matching = new ArrayList<ObjectNode>();
        for (RoomStore.Room room : published) {
            ObjectNode entry = entry(room);
            if (search.isPresent() && !(entry.path("name").asText() + " " + entry.path("topic").asText() + " "
                    + entry.path("canonical_alias").asText()).toLowerCase(Locale.ROOT).contains(search.get())) {
                continue;
            }
            if (query.roomTypes().isPresent() && !(entry.has("room_type")
                    ? query.roomTypes().get().contains(entry.get("room_type").asText()) : query.untypedRooms())) {
                continue;
            }
            matching.add(entry);
            if (matching.size() > (long) offset + limit) {
                break;
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode chunk = out.putArray("chunk");
        int end = (int) Math.min((long) offset + limit, matching.size());
        matching.subList(Math.min(offset, matching.size()), end).forEach(chunk::add);
        if (matching.size() > end) {
            out.put("next_batch", "p" + end);
        }
        if (offset > 0) {
            out.put("prev_batch", "p" + Math.max(0, offset - (limit == Integer.MAX_VALUE ? offset : limit)));
        }
        out.put("total_room_count_estimate", published.size());
        return out;
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

    /** A room's directory entry (spec: definitions/public_rooms_chunk.yaml). */
    private ObjectNode entry(RoomStore.Room room) {
        RoomVersion version = RoomService.version(room);
        var state = new java.util.HashMap<String, ObjectNode>();
        store.state(room.currentSnapshot(), KEYS)
                .forEach((key, stored) -> state.put(key.type(), rooms.pdu(stored, version).content()));
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("room_id", room.roomId());
        entry.put("num_joined_members", store.members(room.roomId(), "join").size());
        text(state, "m.room.name", "name").ifPresent(v -> entry.put("name", v));
        text(state, "m.room.topic", "topic").ifPresent(v -> entry.put("topic", v));
        text(state, "m.room.canonical_alias", "alias").ifPresent(v -> entry.put("canonical_alias", v));
        text(state, "m.room.avatar", "url").ifPresent(v -> entry.put("avatar_url", v));
        entry.put("join_rule", text(state, "m.room.join_rules", "join_rule").orElse("invite"));
        entry.put("world_readable", text(state, "m.room.history_visibility", "history_visibility")
                .filter("world_readable"::equals).isPresent());
        entry.put("guest_can_join", text(state, "m.room.guest_access", "guest_access")
                .filter("can_join"::equals).isPresent());
        text(state, "m.room.create", "type").ifPresent(v -> entry.put("room_type", v));
        return entry;
    }

    private static Optional<String> text(java.util.Map<String, ObjectNode> state, String type, String field) {
        ObjectNode content = state.get(type);
        return content != null && content.path(field).isTextual()
                ? Optional.of(content.get(field).asText()) : Optional.empty();
    }
}
