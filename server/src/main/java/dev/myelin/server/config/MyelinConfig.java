package dev.myelin.server.config;

import dev.myelin.server.http.RateLimit;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The validated configuration. Built by {@link ConfigLoader} from YAML; every field here has
 * already been checked, so the rest of the server never re-validates it.
 */
public record MyelinConfig(
        String serverName,
        URI publicBaseUrl,
        Path signingKeyPath,
        List<Listener> listeners,
        Database database,
        Registration registration,
        Optional<String> registrationSharedSecret,
        Media media,
        Limits limits,
        RateLimits rateLimits,
        Sessions sessions,
        WellKnown wellKnown,
        String logLevel) {

    /** What a listener serves. */
    public enum Resource { CLIENT, FEDERATION, METRICS, HEALTH }

    /**
     * @param trustForwardedHeaders take the client address from X-Forwarded-For / Forwarded
     *                              (only behind a reverse proxy that sets them)
     */
    public record Listener(String bindAddress, int port, Optional<Tls> tls, Set<Resource> resources,
                           boolean trustForwardedHeaders) {
    }

    /** PEM files: a certificate chain and its private key. */
    public record Tls(Path certificate, Path privateKey) {
    }

    public enum DatabaseKind { SQLITE, POSTGRES }

    /**
     * @param sqlitePath  the SQLite file (kind sqlite)
     * @param url         a JDBC URL such as jdbc:postgresql://localhost/myelin (kind postgres)
     * @param maxPoolSize the most connections to PostgreSQL at once
     */
    public record Database(DatabaseKind kind, Path sqlitePath, String url, String user, String password, int maxPoolSize) {
    }

    public enum RegistrationMode { CLOSED, OPEN, TOKEN }

    /**
     * @param allowGuests       whether POST /register?kind=guest creates guest accounts
     * @param passwordMinLength the shortest password accepted (M_WEAK_PASSWORD below it)
     */
    public record Registration(RegistrationMode mode, boolean allowGuests, int passwordMinLength) {
    }

    /**
     * Lifetimes in seconds.
     *
     * @param accessTokenLifetime            for clients that do not use refresh tokens; 0 means never expires
     * @param refreshableAccessTokenLifetime for clients that asked for a refresh token
     * @param loginTokenLifetime             m.login.token tokens from /login/get_token
     */
    public record Sessions(int accessTokenLifetime, int refreshableAccessTokenLifetime, int loginTokenLifetime) {
    }

    public record Media(Path storePath, long maxUploadSize) {
    }

    public record Limits(long maxRequestBodySize) {
    }

    /**
     * @param login          login attempts, per client IP and per account
     * @param registration   registrations, per client IP
     * @param passwordChange password changes, per user
     */
    public record RateLimits(RateLimit requestsPerIp, RateLimit login, RateLimit registration,
                             RateLimit passwordChange) {
    }

    /**
     * @param server the value of /.well-known/matrix/server's "m.server", empty to not serve it
     */
    public record WellKnown(Optional<String> server) {
    }
}
