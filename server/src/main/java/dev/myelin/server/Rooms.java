package dev.myelin.server;

import dev.myelin.server.client.DirectoryEndpoints;
import dev.myelin.server.client.RoomEndpoints;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;

import java.time.Clock;

/** Rooms wired together: store, event creation, reading, and their endpoints. */
public record Rooms(RoomService service, RoomReader reader, InProcessNotifier notifier) {

    public static Rooms create(String serverName, SigningKey key, Database database, InProcessNotifier notifier,
                               Clock clock) {
        var service = new RoomService(serverName, key,
                new SqlRoomStore(database), notifier, clock);
        return new Rooms(service, new RoomReader(service, clock), notifier);
    }

    public void routes(Router router, Authenticator authenticator) {
        new RoomEndpoints(authenticator, service, reader).register(router);
        new DirectoryEndpoints(authenticator, service, reader).register(router);
    }
}
