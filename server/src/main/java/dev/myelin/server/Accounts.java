package dev.myelin.server;

import dev.myelin.server.admin.AccountModerationEndpoints;
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

/**
 * Accounts, devices and sessions wired together: stores, services, the access token resolver and the endpoints.
 * Also used by the register-user command, which needs the services without a listener.
 */
public record Accounts(MyelinConfig config, AccountService accounts, SessionService sessions, DeviceService devices,
                       DeviceActivity activity, UiaService uia, Authenticator authenticator,
                       SqlRegistrationTokenStore registrationTokens, AccountService.Limits limits,
                       AccountModeration moderation, Clock clock)
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
        var devices = new DeviceService(deviceStore, sessions, activity);
        var uia = new UiaService(clock);
        // A registration that reserved a token use but never finished gives it back when its session expires.
        uia.onAbandoned(session -> {
            String token = session.data().get("registration_token");
            if (token != null) {
                accounts.releaseRegistrationToken(token);
            }
        });
        return new Accounts(config, accounts, sessions, devices, activity, uia,
                new Authenticator(sessions), registrationTokens, limits,
                new AccountModeration(ServerName.parse(config.serverName()), accountStore, sessions), clock);
    }

    /** Adds the account endpoints of the client API and the Synapse admin API. */
    public void routes(Router router) {
        var passwordUia = new PasswordUia(uia, accounts);
        new RegisterEndpoints(config.registration().mode(), config.registration().allowGuests(), accounts, sessions, uia,
                registrationTokens, limits.registrationPerIp(), clock).register(router);
        new LoginEndpoints(authenticator, accounts, sessions, devices, passwordUia).register(router);
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
