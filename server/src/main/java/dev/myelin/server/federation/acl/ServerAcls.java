package dev.myelin.server.federation.acl;

import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.StateKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server ACL of each room, from its current state (spec: server-server-api "Server Access Control Lists
 * (ACLs)"): the federation endpoints that take a room answer 403 {@code M_FORBIDDEN} to a denied origin, and inbound
 * transactions ignore its PDUs and room EDUs. A room without an ACL, or unknown here, allows every server. Parsed
 * ACLs are kept by state snapshot, so a check costs one read of the room. Outbound events still go to every server
 * in the room, denied ones included (spec: client-server-api "Server behaviour" of server ACLs).
 */
public final class ServerAcls {
    private static final StateKey SERVER_ACL = new StateKey("m.room.server_acl", "");
    private static final int MAX_CACHED = 1024;

    private final RoomStore store;
    private final Map<Long, Optional<ServerAcl>> bySnapshot = new ConcurrentHashMap<>();

    public ServerAcls(RoomStore store) {
        this.store = store;
    }

    /** Whether {@code server} may take part in {@code roomId} now. */
    public boolean allows(String roomId, String server) {
        return current(roomId).map(acl -> acl.allows(server)).orElse(true);
    }

    /** 403 {@code M_FORBIDDEN} when the room's ACL denies {@code origin}. */
    public void require(String roomId, String origin) {
        if (!allows(roomId, origin)) {
            throw MatrixException.forbidden("Server " + origin + " is denied by the server ACL of " + roomId);
        }
    }

    /** Whether {@code server} may take part in {@code room} as just read. */
    public boolean allows(RoomStore.Room room, String server) {
        return room.currentSnapshot() == 0 || current(room).map(acl -> acl.allows(server)).orElse(true);
    }

    private Optional<ServerAcl> current(String roomId) {
        return store.room(roomId).filter(r -> r.currentSnapshot() != 0).flatMap(this::current);
    }

    private Optional<ServerAcl> current(RoomStore.Room room) {
        if (bySnapshot.size() > MAX_CACHED) {
            bySnapshot.clear();
        }
        // A snapshot never changes once stored, so its ACL is parsed once (the check runs for every inbound PDU).
        return bySnapshot.computeIfAbsent(room.currentSnapshot(), snapshot -> Optional.ofNullable(
                store.state(snapshot, List.of(SERVER_ACL)).get(SERVER_ACL)).map(ServerAcls::parse));
    }

    private static ServerAcl parse(StoredEvent event) {
        try {
            return ServerAcl.of(Json.MAPPER.readTree(event.json()).path("content"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
