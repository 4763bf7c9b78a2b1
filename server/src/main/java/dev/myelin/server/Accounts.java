package dev.myelin.server;

import dev.myelin.server.admin.AccountModerationEndpoints;
import dev.myelin.server.appservice.AppServiceLogins;
import dev.myelin.server.appservice.AppServices;
import dev.myelin.server.appservice.IdentityAssertion;
import dev.myelin.server.storage.AccountStore;
import dev.myelin.server.admin.SynapseAdminEndpoints;
import dev.myelin.server.client.AccountEndpoints;
import dev.myelin.server.client.DeviceEndpoints;
import dev.myelin.server.client.LoginEndpoints;
import dev.myelin.server.client.PasswordUia;
import dev.myelin.server.client.RegisterEndpoints;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlAccountStore;
import dev.myelin.server.storage.sql.SqlDeviceStore;
import dev.myelin.server.storage.sql.SqlRegistrationTokenStore;
import dev.myelin.server.user.AccountModeration;
import dev.myelin.server.user.AccountService;
import dev.myelin.server.user.DeviceActivity;
import dev.myelin.server.user.DeviceService;
import dev.myelin.server.user.PasswordHasher;
import dev.myelin.server.user.SessionService;
import dev.myelin.server.user.SharedSecretRegistration;
import dev.myelin.server.user.UiaService;
import dev.myelin.spec.id.ServerName;

import java.time.Clock;
import java.util.Optional;

/**
 * Accounts, devices and sessions wired together: stores, services, the access token resolver and the endpoints.
 * Also used by the register-user command, which needs the services without a listener.
 */
public record Accounts(MyelinConfig config, AccountService accounts, SessionService sessions, DeviceService devices,
                       DeviceActivity activity, UiaService uia, Authenticator authenticator,
                       SqlRegistrationTokenStore registrationTokens, AccountService.Limits limits,
                       AccountModeration moderation, AppServiceLogins appServiceLogins, Clock clock)
        implements AutoCloseable {

    public static Accounts create(MyelinConfig config, Database database, Clock clock) {
        var deviceStore = new SqlDeviceStore(database);
        var registrationTokens = new SqlRegistrationTokenStore(database);
        var activity = new DeviceActivity(deviceStore, clock).start();
        var sessionsConfig = config.sessions();
        var sessions = new SessionService(deviceStore, activity, clock, sessionsConfig.accessTokenLifetime() * 1000L,
                sessionsConfig.refreshableAccessTokenLifetime() * 1000L);
        var rate = config.rateLimits();
        var limits = new AccountService.Limits(new RateLimiter(rate.login()), new RateLimiter(rate.login()),
                new RateLimiter(rate.registration()), new RateLimiter(rate.passwordChange()));
        var accountStore = new SqlAccountStore(database);
        var accounts = new AccountService(ServerName.parse(config.serverName()), accountStore,
                registrationTokens, sessions, new PasswordHasher(), limits, clock,
                config.registration().passwordMinLength(), sessionsConfig.loginTokenLifetime() * 1000L);
        var devices = new DeviceService(deviceStore, sessions, activity, clock);
        var uia = new UiaService(clock);
        // A registration that reserved a token use but never finished gives it back when its session expires.
        uia.onAbandoned(session -> {
            String token = session.data().get("registration_token");
            if (token != null) {
                accounts.releaseRegistrationToken(token);
            }
        });
        var appServices = new AppServices(config.appServices());
        createAppServiceSenders(appServices, accountStore, clock);
        return new Accounts(config, accounts, sessions, devices, activity, uia,
                new Authenticator(sessions, new IdentityAssertion(appServices, accountStore, deviceStore)),
                registrationTokens, limits,
                new AccountModeration(ServerName.parse(config.serverName()), accountStore, sessions),
                new AppServiceLogins(appServices, config.serverName()), clock);
    }

    /** Each application service's sender_localpart user exists from the start (spec: "Registration"). */
    private static void createAppServiceSenders(AppServices appServices, SqlAccountStore store, Clock clock) {
        for (var registration : appServices.all()) {
            if (store.find(registration.senderUserId()).isEmpty()) {
                store.create(new AccountStore.Account(registration.senderUserId(), Optional.empty(), false, false,
                        false, clock.millis()), Optional.empty(), Optional.empty());
            }
        }
    }

    /** Adds the account endpoints of the client API and the Synapse admin API. */
    public void routes(Router router) {
        var passwordUia = new PasswordUia(uia, accounts);
        new RegisterEndpoints(config.registration().mode(), config.registration().allowGuests(), accounts, sessions, uia,
                registrationTokens, limits.registrationPerIp(), clock, appServiceLogins).register(router);
        new LoginEndpoints(authenticator, accounts, sessions, devices, passwordUia, appServiceLogins).register(router);
        new AccountEndpoints(authenticator, accounts, passwordUia).register(router);
        new DeviceEndpoints(authenticator, devices, passwordUia).register(router);
        new SynapseAdminEndpoints(authenticator, accounts, registrationTokens,
                config.registrationSharedSecret().filter(s -> !s.isBlank())
                        .map(secret -> new SharedSecretRegistration(secret, clock)),
                limits.registrationPerIp(), clock).register(router);
        new AccountModerationEndpoints(authenticator, moderation).register(router);
    }

    @Override
    public void close() {
        activity.close();
    }
}
