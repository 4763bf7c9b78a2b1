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
        Presence presence,
        String logLevel,
        UserDirectory userDirectory,
        Voip voip,
        Federation federation) {

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

    /**
     * The media repository.
     *
     * @param maxUploadSize          the largest upload, in bytes (413 M_TOO_LARGE beyond it)
     * @param uploadQuotaPerUser     the most bytes one user may have uploaded in total, 0 for no quota
     * @param maxPendingUploads      the most created-but-not-yet-uploaded media ids a user may hold at once
     * @param unusedIdLifetimeMs     how long an id from POST /media/v1/create waits for its upload
     * @param maxImagePixels         images with more pixels (by their header) are never decoded
     * @param thumbnailSizes         thumbnails generated when an image is uploaded
     * @param dynamicThumbnails      other sizes are generated when first asked for (and then kept)
     * @param localMediaLifetimeMs   local media not downloaded for this long is deleted; 0 keeps it forever
     * @param remoteMediaLifetimeMs  cached remote media not downloaded for this long is deleted; 0 keeps it forever
     * @param cleanupIntervalMs      how often the retention job runs
     * @param legacyFrozenSinceMs    media created at or after this time (ms since the epoch) is not served by the
     *                               deprecated unauthenticated /_matrix/media/v3 download and thumbnail endpoints
     * @param urlPreview             GET /media/preview_url
     */
    public record Media(Path storePath, long maxUploadSize, long uploadQuotaPerUser, int maxPendingUploads,
                        long unusedIdLifetimeMs, long maxImagePixels, List<ThumbnailSize> thumbnailSizes,
                        boolean dynamicThumbnails, long localMediaLifetimeMs, long remoteMediaLifetimeMs,
                        long cleanupIntervalMs, long legacyFrozenSinceMs, UrlPreview urlPreview) {
    }

    /** A thumbnail size: {@code crop} gives exactly width x height, {@code scale} fits inside it. */
    public record ThumbnailSize(int width, int height, boolean crop) {
    }

    /**
     * URL previews. Requests to the private, loopback, link-local, multicast, CGNAT and unspecified address ranges
     * are refused unless allow-listed.
     *
     * @param ipRangeAllowlist CIDR ranges exempt from the refusal (e.g. an intranet wiki)
     * @param ipRangeDenylist  further CIDR ranges to refuse
     * @param maxSize          the most bytes read from one page or image
     * @param timeoutMs        the longest one fetch (connect, redirects, body) may take
     * @param maxRedirects     redirects followed, each checked again
     * @param cacheMs          how long a preview is kept
     */
    public record UrlPreview(boolean enabled, List<String> ipRangeAllowlist, List<String> ipRangeDenylist,
                             long maxSize, long timeoutMs, int maxRedirects, long cacheMs, String userAgent) {
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
    /**
     * @param server           what /.well-known/matrix/server delegates federation to, when served
     * @param supportPage      the support page of /.well-known/matrix/support
     * @param adminContacts    Matrix user ids or email addresses for {@code m.role.admin}
     * @param securityContacts Matrix user ids or email addresses for {@code m.role.security}
     */
    public record WellKnown(Optional<String> server, Optional<String> supportPage, List<String> adminContacts,
                            List<String> securityContacts) {
    }

    /** @param enabled track and share presence; when off everyone appears offline and sync carries no presence */
    public record Presence(boolean enabled) {
    }

    /** @param searchAllUsers whether every local user is found, not only those sharing a room with the searcher */
    public record UserDirectory(boolean searchAllUsers) {
    }

    /**
     * TURN servers handed to clients (spec: voip.yaml), with credentials for coturn's REST API
     * ({@code use-auth-secret}).
     *
     * @param turnUris         the TURN URIs; none means no TURN server is offered
     * @param turnUserLifetime how long credentials stay valid, in milliseconds
     */
    public record Voip(List<String> turnUris, Optional<String> turnSharedSecret, long turnUserLifetime) {
    }

    /**
     * Talking to other servers.
     *
     * @param tlsVerify              check the certificates of other servers (turn off only for tests)
     * @param insecureSkipVerifyFor  server names whose certificates are not checked even when tlsVerify is on
     * @param allowPrivateAddresses  allow connecting to loopback, private and link-local addresses (tests, intranets)
     * @param trustedCa              a PEM file of CA certificates trusted besides the system's
     * @param trustedKeyServers      notaries asked for a server's keys when it cannot be reached itself
     */
    public record Federation(boolean tlsVerify, List<String> insecureSkipVerifyFor, boolean allowPrivateAddresses,
                             Optional<Path> trustedCa, List<TrustedKeyServer> trustedKeyServers) {
    }

    /**
     * A notary server (spec: server-server-api "Querying Keys Through Another Server").
     *
     * @param verifyKeys key id to unpadded base64 public key; when empty the notary's own keys are fetched from it
     */
    public record TrustedKeyServer(String serverName, java.util.Map<String, String> verifyKeys) {
    }
}
