package dev.myelin.server;

import dev.myelin.server.client.SyncEndpoints;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlFilterStore;
import dev.myelin.server.sync.FilterService;
import dev.myelin.server.sync.SyncService;

/** Sync wired together: the sync service features register with, filters, and their endpoints. */
public record Sync(SyncService service, FilterService filters) {

    public static Sync create(Rooms rooms, Database database) {
        return new Sync(new SyncService(rooms.service(), rooms.reader(), rooms.aggregations(),
                rooms.ignoredUsers(), rooms.inviteBlocking(), rooms.notifier(), rooms.recentEvents(), database),
                new FilterService(new SqlFilterStore(database)));
    }

    public void routes(Router router, Authenticator authenticator) {
        new SyncEndpoints(authenticator, service, filters).register(router);
    }
}
