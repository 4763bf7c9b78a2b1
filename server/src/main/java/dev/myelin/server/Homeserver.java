package dev.myelin.server;

import dev.myelin.server.appservice.TransactionSender;
import dev.myelin.server.client.CapabilitiesEndpoint;
import dev.myelin.server.client.VersionsEndpoint;
import dev.myelin.server.client.WellKnownEndpoints;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.config.MyelinConfig.Resource;
import dev.myelin.server.config.SigningKeyFile;
import dev.myelin.server.federation.directory.DirectoryFederation;
import dev.myelin.server.federation.e2ee.E2eeFederation;
import dev.myelin.server.federation.edu.EphemeralFederation;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.media.FederationMediaSource;
import dev.myelin.server.federation.room.RoomFederation;
import dev.myelin.server.http.HttpServer;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixDispatcher;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Router;
import dev.myelin.server.metrics.Metrics;
import dev.myelin.server.ops.HealthEndpoint;
import dev.myelin.server.push.PushDelivery;
import dev.myelin.server.ops.MetricsEndpoint;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlDeviceListStore;
import dev.myelin.server.storage.sql.SqlRemoteDeviceListStore;
import dev.myelin.server.storage.sql.SqlServerMetaStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.server.sync.SyncService;
import dev.myelin.server.metrics.DatabaseMetrics;
import dev.myelin.spec.crypto.SigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.time.Clock;

/**
 * The running homeserver: every component, wired by hand in dependency order (no DI framework),
 * and closed in reverse order.
 */
public final class Homeserver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Homeserver.class);
    private static final Duration GRACE_PERIOD = Duration.ofSeconds(10);

    private final MyelinConfig config;
    private final OpenedResources opened;
    private final HttpServer http;

    private final Accounts accounts;
    private final Media media;
    private final Rooms rooms;
    private final Sync sync;
    private final Ephemeral ephemeral;
    private final Push push;
    private final E2ee e2ee;
    private final RoomFeatures features;
    private final Federation federation;

    private Homeserver(MyelinConfig config, OpenedResources opened, HttpServer http, Accounts accounts, Media media,
                       Rooms rooms, Sync sync, Ephemeral ephemeral, Push push, E2ee e2ee,
                       RoomFeatures features, Federation federation) {
        this.config = config;
        this.opened = opened;
        this.http = http;
        this.accounts = accounts;
        this.media = media;
        this.rooms = rooms;
        this.sync = sync;
        this.ephemeral = ephemeral;
        this.push = push;
        this.e2ee = e2ee;
        this.features = features;
        this.federation = federation;
    }

    public static Homeserver start(MyelinConfig config) throws Exception {
        SigningKey signingKey = SigningKeyFile.loadOrCreate(config.signingKeyPath());
        var opened = new OpenedResources();
        try {
            Database database = opened.add(Database.open(databaseSettings(config.database())));
            return start(config, signingKey, database, opened);
        } catch (Exception | Error e) {
            opened.closeAfter(e);
            throw e;
        }
    }

    private static Homeserver start(MyelinConfig config, SigningKey signingKey, Database database,
                                    OpenedResources opened) throws Exception {
        new SqlServerMetaStore(database).claimServerName(config.serverName());
        var metrics = new Metrics().withJvmMetrics();
        DatabaseMetrics.register(metrics, database);
        var accountsCore = opened.add(Accounts.create(config, database, Clock.systemUTC()));
        var authenticator = accountsCore.authenticator();
        var notifier = new InProcessNotifier();
        var rooms = Rooms.create(config.serverName(), signingKey, database, notifier, Clock.systemUTC());
        var sync = Sync.create(rooms, database);
        metrics.gauge("myelin_sync_passes_from_memory", "Long-poll passes answered from memory since start-up",
                sync.service()::passesFromMemory);
        var ephemeral = opened.add(Ephemeral.create(config, database, rooms, notifier, sync.service(),
                Clock.systemUTC()));
        var push = opened.add(Push.create(database, rooms, accountsCore, sync.service(), Clock.systemUTC(),
                PushDelivery.Backoff.DEFAULT));
        ephemeral.receipts().listen(push.unreadCounts());
        // Spec "Client Config": m.push_rules reads as account data though only /pushrules changes it.
        ephemeral.accountData().provide("m.push_rules", userId -> Optional.of(
                Json.MAPPER.createObjectNode().set("global", push.rules().ruleSet(userId).toJson())));
        var e2ee = E2ee.create(config.serverName(), database, notifier, accountsCore, rooms, sync.service(),
                Clock.systemUTC());
        var features = opened.add(RoomFeatures.create(config, database, accountsCore, rooms, Clock.systemUTC()));
        var federation = opened.add(Federation.create(config, signingKey, database, Clock.systemUTC(),
                rooms.service().store(), features.profiles()::profile));
        var appServices = opened.add(ApplicationServices.create(accountsCore, database, rooms, features.profiles(),
                TransactionSender.Backoff.DEFAULT));
        var roomFederation = opened.add(new RoomFederation(rooms.service(), signingKey, federation.keys(),
                federation.client(), federation.sender(), federation.inbound(), rooms.inviteBlocking(),
                federation.acls(), Clock.systemUTC()));
        var memberships = new SqlDeviceListStore(database);
        var roomServers = new RoomServers(config.serverName(), memberships);
        EphemeralFederation.wire(ephemeral, roomServers, federation.sender(), federation.inbound(), Clock.systemUTC());
        var e2eeFederation = new E2eeFederation(e2ee, rooms.service(), roomServers, memberships,
                new SqlRemoteDeviceListStore(database), federation.client(), federation.sender(), federation.inbound(),
                userId -> accountsCore.accounts().find(userId).isPresent());
        var directoryFederation = new DirectoryFederation(rooms.service(), rooms.publicRooms(),
                features.summaries(), features.hierarchy(), features.profiles(), federation.client(), Clock.systemUTC());
        var media = opened.add(Media.create(config, database, Clock.systemUTC(),
                FederationMediaSource.over(federation, config)));
        var wellKnown = new WellKnownEndpoints(config.publicBaseUrl(), config.wellKnown());
        var perIpLimiter = new RateLimiter(config.rateLimits().requestsPerIp());

        var bindings = new ArrayList<HttpServer.Binding>();
        for (MyelinConfig.Listener listener : config.listeners()) {
            var router = new Router();
            if (listener.resources().contains(Resource.CLIENT)) {
                router.add("GET", "/_matrix/client/versions", new VersionsEndpoint());
                router.add("GET", "/.well-known/matrix/client", wellKnown::client);
                router.add("GET", "/.well-known/matrix/server", wellKnown::server);
                router.add("GET", "/.well-known/matrix/support", wellKnown::support);
                router.add("GET", Router.CLIENT_V3_AND_R0, "/capabilities",
                        new CapabilitiesEndpoint(authenticator, accountsCore.moderation()::mayModerate));
                accountsCore.routes(router);
                media.routes(router, authenticator);
                rooms.routes(router, authenticator, sync.filters());
                sync.routes(router, authenticator);
                ephemeral.routes(router, authenticator);
                push.routes(router, authenticator);
                e2ee.routes(router, authenticator);
                features.routes(router, authenticator);
                appServices.routes(router, authenticator);
            }
            if (listener.resources().contains(Resource.FEDERATION)) {
                features.federationRoutes(router, authenticator);
                var federationRoutes = federation.routes(router);
                roomFederation.register(federationRoutes);
                directoryFederation.register(federationRoutes);
                e2eeFederation.register(federationRoutes);
                media.federationRoutes(federationRoutes);
            }
            if (listener.resources().contains(Resource.HEALTH)) {
                router.add("GET", "/health", new HealthEndpoint(() -> DatabaseMetrics.answers(database)));
            }
            if (listener.resources().contains(Resource.METRICS)) {
                router.add("GET", "/metrics", new MetricsEndpoint(metrics));
            }
            var dispatcher = new MatrixDispatcher(router, metrics, config.limits().maxRequestBodySize(), perIpLimiter)
                    .exemptFromRateLimit(appServices::unlimited);
            bindings.add(new HttpServer.Binding(listener.bindAddress(), listener.port(),
                    listener.tls().map(tls -> new HttpServer.Tls(tls.certificate(), tls.privateKey())),
                    listener.trustForwardedHeaders(), dispatcher));
        }
        var http = new HttpServer(bindings, GRACE_PERIOD);
        http.start();
        var homeserver = new Homeserver(config, opened, http, accountsCore, media, rooms, sync, ephemeral, push,
                e2ee, features, federation);
        LOG.info("Myelin serving {} (signing key {}) on {}, started in {} ms", config.serverName(),
                signingKey.keyId(), homeserver.describeListeners(),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        return homeserver;
    }

    private String describeListeners() {
        var parts = new ArrayList<String>();
        for (int i = 0; i < config.listeners().size(); i++) {
            var listener = config.listeners().get(i);
            parts.add(listener.bindAddress() + ":" + http.port(i) + " " + listener.resources());
        }
        return String.join(", ", parts);
    }

    public static DatabaseSettings databaseSettings(MyelinConfig.Database database) {
        return switch (database.kind()) {
            case SQLITE -> DatabaseSettings.sqlite(database.sqlitePath());
            case POSTGRES -> DatabaseSettings.postgres(database.url(), database.user(), database.password(),
                    database.maxPoolSize());
        };
    }

    /** The account services, for features that hook into them (e.g. leaving rooms on deactivation). */
    public Accounts accounts() {
        return accounts;
    }

    /** The media repository, for tests and for features that store media (e.g. avatars from URLs). */
    public Media media() {
        return media;
    }

    /** The rooms: event creation, reading, the room store. */
    public Rooms rooms() {
        return rooms;
    }

    /** Profiles, the user directory, search, reports, spaces, OpenID and TURN. */
    public RoomFeatures features() {
        return features;
    }

    /** Sync, where features register what they add to /sync. */
    public SyncService sync() {
        return sync.service();
    }

    /** Federation: the client other areas send with, inbound handlers, keys. */
    public Federation federation() {
        return federation;
    }

    /** Account data, tags, typing, receipts and presence, for features that read or hook into them. */
    public Ephemeral ephemeral() {
        return ephemeral;
    }

    /** Push rules, notification counts and pushers. */
    public Push push() {
        return push;
    }

    /** End-to-end encryption: keys, device lists, to-device messages, backups. */
    public E2ee e2ee() {
        return e2ee;
    }

    public MyelinConfig config() {
        return config;
    }

    /** The port listener {@code index} is bound to (the real one when configured as 0). */
    public int port(int index) {
        return http.port(index);
    }

    @Override
    public void close() throws Exception {
        LOG.info("Stopping: letting in-flight requests finish");
        try {
            http.close();
        } finally {
            opened.close();
        }
        LOG.info("Stopped");
    }
}
