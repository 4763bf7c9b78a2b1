package dev.myelin.server.client;

import dev.myelin.server.directory.PublicRoomDirectory;
import dev.myelin.server.directory.PublicRoomQuery;
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
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomAlias;
import dev.myelin.spec.id.ServerName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Room aliases and the published room directory (spec: directory.yaml, list_public_rooms.yaml). */
public final class DirectoryEndpoints {
    private static final int DEFAULT_LIMIT = 100;

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomReader reader;
    private final RoomStore store;
    private final PublicRoomDirectory publicRooms;

    public DirectoryEndpoints(Authenticator authenticator, RoomService rooms, RoomReader reader,
                              PublicRoomDirectory publicRooms) {
        this.authenticator = authenticator;
        this.publicRooms = publicRooms;
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
        var resolved = rooms.lookupAlias(alias)
                .orElseThrow(() -> MatrixException.notFound("Room alias " + alias + " not found"));
        return MatrixResponse.ok(Map.of("room_id", resolved.roomId(), "servers", resolved.servers()));
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
     * GET/POST /publicRooms (spec: list_public_rooms.yaml): this server's directory, or with {@code server} another
     * server's, asked over federation (authenticated users only, so this server is no open proxy).
     */
    private MatrixResponse publicRooms(MatrixRequest request) throws Exception {
        Optional<String> server = request.query("server").filter(name -> !name.equals(rooms.serverName()));
        if ("POST".equals(request.method()) || server.isPresent()) {
            authenticator.requireNonGuest(request);
        }
        if (server.isPresent()) {
            try {
                ServerName.parse(server.get());
            } catch (InvalidIdentifierException e) {
                throw MatrixException.invalidParam("'server' is not a server name: " + e.reason());
            }
        }
        PublicRoomQuery query = "POST".equals(request.method())
                ? PublicRoomQuery.fromBody(request.jsonObject(), DEFAULT_LIMIT)
                : PublicRoomQuery.fromParameters(request, DEFAULT_LIMIT);
        if (query.limit() < 1) {
            query = new PublicRoomQuery(1, query.since(), query.searchTerm(), query.roomTypes(), query.untypedRooms(),
                    query.includeAllNetworks(), query.thirdPartyInstanceId());
        }
        return MatrixResponse.ok(publicRooms.page(server, query));
    }
}
