package dev.myelin.server;

import dev.myelin.server.appservice.AppServiceAliases;
import dev.myelin.server.appservice.AppServiceClient;
import dev.myelin.server.appservice.AppServicePing;
import dev.myelin.server.appservice.AppServiceQueries;
import dev.myelin.server.appservice.AppServices;
import dev.myelin.server.appservice.TransactionSender;
import dev.myelin.server.client.AppServicePingEndpoint;
import dev.myelin.server.client.ThirdPartyEndpoints;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.Router;
import dev.myelin.server.profile.ProfileService;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlAppServiceStore;
import dev.myelin.server.storage.sql.SqlRoomStore;

import java.time.Duration;
import java.util.List;

/**
 * Application services (spec: application-service-api) wired together: the registrations (loaded with the config,
 * authenticated by {@link Accounts}), one transaction sender per service with a URL, woken when the events stream
 * advances, the user and alias queries hooked into profiles and alias resolution, ping and third-party lookups.
 */
public record ApplicationServices(AppServices appServices, AppServiceQueries queries, AppServicePing ping,
                                  List<TransactionSender> senders) implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public static ApplicationServices create(Accounts accounts, Database database, Rooms rooms,
                                             ProfileService profiles, TransactionSender.Backoff backoff) {
        AppServices appServices = accounts.appServiceLogins().appServices();
        var client = new AppServiceClient(REQUEST_TIMEOUT);
        var queries = new AppServiceQueries(appServices, client);
        if (!appServices.isEmpty()) {
            rooms.service().aliasNamespaces(new AppServiceAliases(appServices, queries));
            profiles.queryUnknownUsersWith(queries::queryUser);
        }
        var store = new SqlAppServiceStore(database);
        List<TransactionSender> senders = appServices.all().stream()
                .filter(registration -> registration.url().isPresent())
                .map(registration -> new TransactionSender(registration, rooms.service(), rooms.reader(), store,
                        client, backoff).start())
                .toList();
        if (!senders.isEmpty()) {
            rooms.notifier().beforeWaking(SqlRoomStore.EVENTS, () -> senders.forEach(TransactionSender::wake));
        }
        return new ApplicationServices(appServices, queries, new AppServicePing(client), senders);
    }

    /**
     * Whether a request is exempt from rate limits (spec: registration {@code rate_limited}: "Whether requests from
     * masqueraded users are rate-limited. The sender is excluded."): an as_token acting as its sender, or as any user
     * when the service is registered with {@code rate_limited: false}.
     */
    public boolean unlimited(MatrixRequest request) {
        return request.accessToken().flatMap(appServices::byAsToken).filter(r -> !r.rateLimited()
                || request.query("user_id").map(r.senderUserId()::equals).orElse(true)).isPresent();
    }

    public void routes(Router router, Authenticator authenticator) {
        router.add("POST", AppServicePingEndpoint.PATH, new AppServicePingEndpoint(authenticator, appServices, ping));
        new ThirdPartyEndpoints(authenticator, queries).register(router);
    }

    @Override
    public void close() {
        senders.forEach(TransactionSender::close);
    }
}
