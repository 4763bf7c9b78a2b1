package dev.myelin.server;

import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.federation.FederationVersionEndpoint;
import dev.myelin.server.federation.ProfileQuery;
import dev.myelin.server.federation.QueryEndpoints;
import dev.myelin.server.federation.discovery.MatrixServerResolver;
import dev.myelin.server.federation.discovery.SrvLookup;
import dev.myelin.server.federation.discovery.WellKnownCache;
import dev.myelin.server.federation.acl.RoomEduAcl;
import dev.myelin.server.federation.acl.ServerAcls;
import dev.myelin.server.federation.inbound.InboundHandlers;
import dev.myelin.server.federation.inbound.TransactionEndpoint;
import dev.myelin.server.federation.sender.Backoff;
import dev.myelin.server.federation.sender.QueuedFederationSender;
import dev.myelin.server.federation.keys.KeyEndpoints;
import dev.myelin.server.federation.keys.KeyRing;
import dev.myelin.server.federation.keys.LocalServerKeys;
import dev.myelin.server.federation.keys.RemoteKeyFetcher;
import dev.myelin.server.federation.transport.FederationAuthenticator;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationHttp;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.federation.transport.FederationTls;
import dev.myelin.server.federation.transport.HttpFederationClient;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlFederationQueueStore;
import dev.myelin.server.storage.sql.SqlInboundTransactionStore;
import dev.myelin.server.storage.sql.SqlServerKeyStore;
import dev.myelin.spec.crypto.SigningKey;

import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.time.Clock;

/**
 * Federation wired together: our keys, the key ring of other servers' keys, the signed-request client (with server
 * discovery and TLS), the durable sender of PDUs and EDUs, the inbound request authenticator, the rooms' server
 * ACLs, inbound transactions, and the handlers other areas register for inbound PDUs and EDUs ({@code inbound().pduHandler(...)},
 * {@code inbound().eduHandler(type, ...)}).
 *
 * <p>Other areas add federation endpoints with {@code federation.routes(router).add(method, template, endpoint)}
 * in the federation listener block of Homeserver; each endpoint gets the verified origin.
 */
public record Federation(String serverName, LocalServerKeys localKeys, KeyRing keys, FederationClient client,
                         QueuedFederationSender sender, FederationAuthenticator authenticator, InboundHandlers inbound,
                         KeyEndpoints keyEndpoints, TransactionEndpoint transactions, QueryEndpoints queries,
                         FederationHttp http, ServerAcls acls)
        implements AutoCloseable {

    public static Federation create(MyelinConfig config, SigningKey signingKey, Database database, Clock clock,
                                    RoomStore rooms, ProfileQuery profiles)
            throws IOException, GeneralSecurityException {
        var keyStore = new SqlServerKeyStore(database);
        var localKeys = new LocalServerKeys(config.serverName(), signingKey, keyStore, clock);
        var http = new FederationHttp(new FederationTls(config.federation()),
                FederationHttp.guard(config.federation().allowPrivateAddresses()), InetAddress::getAllByName);
        var resolver = new MatrixServerResolver(new WellKnownCache(WellKnownCache.over(http), clock), SrvLookup.dns());
        var client = new HttpFederationClient(config.serverName(), signingKey, resolver, http);
        var fetcher = new RemoteKeyFetcher(client, keyStore, config.federation().trustedKeyServers(), clock);
        var keys = new KeyRing(keyStore, fetcher, clock);
        fetcher.notaryKeysFrom(keys);
        var sender = new QueuedFederationSender(config.serverName(), new SqlFederationQueueStore(database), client,
                clock, Backoff.DEFAULT);
        var authenticator = new FederationAuthenticator(config.serverName(), keys, sender::destinationSeen);
        var inbound = new InboundHandlers();
        var acls = new ServerAcls(rooms);
        return new Federation(config.serverName(), localKeys, keys, client, sender.start(), authenticator, inbound,
                new KeyEndpoints(localKeys, keyStore, client, clock),
                new TransactionEndpoint(inbound, new SqlInboundTransactionStore(database), new RoomEduAcl(acls), clock),
                new QueryEndpoints(config.serverName(), rooms, profiles), http, acls);
    }

    /**
     * Adds the federation API of this area to a listener's router, and returns the {@link FederationRoutes} with
     * which other areas add theirs.
     */
    public FederationRoutes routes(Router router) {
        keyEndpoints.register(router);
        FederationVersionEndpoint.register(router);
        var routes = new FederationRoutes(router, authenticator);
        transactions.register(routes);
        queries.register(routes);
        return routes;
    }

    @Override
    public void close() {
        sender.close();
        http.close();
    }
}
