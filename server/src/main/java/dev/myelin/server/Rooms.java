package dev.myelin.server;

import dev.myelin.server.client.DirectoryEndpoints;
import dev.myelin.server.client.RelationEndpoints;
import dev.myelin.server.client.RoomEndpoints;
import dev.myelin.server.client.RoomUpgradeEndpoint;
import dev.myelin.server.client.TimestampToEventEndpoint;
import dev.myelin.server.directory.PublicRoomDirectory;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.BundledAggregations;
import dev.myelin.server.room.IgnoredUserList;
import dev.myelin.server.room.IgnoredUsers;
import dev.myelin.server.room.InviteBlocking;
import dev.myelin.server.room.RecentEvents;
import dev.myelin.server.room.RelationChecks;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.room.RoomUpgrade;
import dev.myelin.server.storage.AccountDataStore;
import dev.myelin.server.storage.RelationStore;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlAccountDataStore;
import dev.myelin.server.storage.sql.SqlRelationStore;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.FilterService;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;

import java.time.Clock;

/**
 * Rooms wired together: store, event creation, reading, relations and their aggregations (which sync applies to
 * timelines too, see {@link BundledAggregations}), the events created last (which push evaluation and sync take
 * from memory, see {@link RecentEvents}), and their endpoints.
 */
public record Rooms(RoomService service, RoomReader reader, InProcessNotifier notifier, RelationStore relations,
                    BundledAggregations aggregations, IgnoredUsers ignoredUsers, InviteBlocking inviteBlocking,
                    PublicRoomDirectory publicRooms, RecentEvents recentEvents) {
    /** Positions of recent events kept: seconds of a busy server, far more than a pass's window. */
    private static final int RECENT_EVENTS_KEPT = 1_024;

    public static Rooms create(String serverName, SigningKey key, Database database, InProcessNotifier notifier,
                               Clock clock) {
        var service = new RoomService(serverName, key,
                new SqlRoomStore(database), notifier, clock);
        var reader = new RoomReader(service, clock);
        var recentEvents = new RecentEvents(RECENT_EVENTS_KEPT);
        service.addLocalBatchListener(recentEvents::add);
        var relations = new SqlRelationStore(database);
        var accountData = new SqlAccountDataStore(database);
        IgnoredUsers ignoredUsers = new IgnoredUserList(userId ->
                accountData.get(userId, AccountDataStore.GLOBAL, IgnoredUserList.TYPE));
        var inviteBlocking = new InviteBlocking(userId ->
                accountData.get(userId, AccountDataStore.GLOBAL, InviteBlocking.TYPE));
        return new Rooms(service, reader, notifier, relations,
                new BundledAggregations(service, reader, relations, ignoredUsers), ignoredUsers, inviteBlocking,
                new PublicRoomDirectory(service), recentEvents);
    }

    /** The routes; /messages and /context read stored filters through {@code filters}. */
    public void routes(Router router, Authenticator authenticator, FilterService filters) {
        new RoomEndpoints(authenticator, service, reader, aggregations, new RelationChecks(service.store(), relations),
                ignoredUsers, inviteBlocking, filters).register(router);
        new RelationEndpoints(authenticator, service, reader, relations, aggregations, ignoredUsers).register(router);
        router.add("POST", Router.CLIENT_V3_AND_R0, RoomUpgradeEndpoint.PATH,
                new RoomUpgradeEndpoint(authenticator, new RoomUpgrade(service)));
        router.add("GET", TimestampToEventEndpoint.PATH, new TimestampToEventEndpoint(authenticator, service, reader));
        new DirectoryEndpoints(authenticator, service, reader, publicRooms).register(router);
    }
}
