package dev.myelin.server.federation.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationHttp;
import dev.myelin.server.http.Json;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code https://<hostname>/.well-known/matrix/server} lookups and their cache (spec: server-server-api "Resolving
 * server names", step 3): redirects are followed (at most 5, never in a loop); a valid answer is cached as its
 * Cache-Control max-age says, 24 hours by default and 48 at most; a failure (no answer, not 200, bad JSON, no
 * valid m.server) is cached 5 minutes, doubling with each failure in a row up to an hour.
 */
public final class WellKnownCache {
    static final long DEFAULT_TTL_MS = Duration.ofHours(24).toMillis();
    static final long MAX_TTL_MS = Duration.ofHours(48).toMillis();
    static final long FIRST_ERROR_TTL_MS = Duration.ofMinutes(5).toMillis();
    static final long MAX_ERROR_TTL_MS = Duration.ofHours(1).toMillis();
    static final int MAX_REDIRECTS = 5;
    static final int MAX_BODY = 64 * 1024;
    private static final Pattern MAX_AGE = Pattern.compile("(?i)(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Fetches one URL of the chain (replaceable in tests). */
    @FunctionalInterface
    public interface Fetcher {
        FederationHttp.Response get(String serverName, URI uri) throws IOException, InterruptedException;
    }

    private record Entry(Optional<String> delegated, long expiresAt, int failures) {
    }

    private final Fetcher fetcher;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public WellKnownCache(Fetcher fetcher, Clock clock) {
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** The standard fetcher: a GET on port 443 (or the URL's port) with the host as Host and TLS name. */
    public static Fetcher over(FederationHttp http) {
        return (serverName, uri) -> {
            int port = uri.getPort() > 0 ? uri.getPort() : 443;
            String hostHeader = uri.getPort() > 0 ? uri.getHost() + ":" + port : uri.getHost();
            var destination = new Destination(uri.getHost(), port, hostHeader,
                    FederationHttp.isLiteral(uri.getHost().replace("[", "").replace("]", ""))
                            ? Optional.empty() : Optional.of(uri.getHost()));
            String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return http.send(serverName, destination, "GET", path, Map.of(), null, TIMEOUT);
        };
    }

    /** The delegated server name ({@code m.server}) of a hostname, from the cache or fetched. */
    public Optional<String> delegated(String hostname) throws InterruptedException {
        long now = clock.millis();
        Entry cached = cache.get(hostname);
        if (cached != null && cached.expiresAt() > now) {
            return cached.delegated();
        }
        int failures = cached == null || cached.delegated().isPresent() ? 0 : cached.failures();
        Entry fresh = fetch(hostname, now, failures);
        cache.put(hostname, fresh);
        return fresh.delegated();
    }

    private Entry fetch(String hostname, long now, int failuresBefore) throws InterruptedException {
        URI uri = URI.create("https://" + hostname + "/.well-known/matrix/server");
        var seen = new HashSet<URI>();
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS && seen.add(uri); hop++) {
                FederationHttp.Response response = fetcher.get(hostname, uri);
                if (response.status() >= 300 && response.status() < 400 && response.header("Location").isPresent()) {
                    uri = uri.resolve(response.header("Location").get().trim());
                    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                        break;
                    }
                    continue;
                }
                Optional<String> delegated = response.status() == 200 ? parse(response.body()) : Optional.empty();
                if (delegated.isPresent()) {
                    return new Entry(delegated, now + ttl(response.header("Cache-Control")), 0);
                }
                break;
            }
        } catch (IOException | IllegalArgumentException e) {
            // a failure, cached below
        }
        long errorTtl = Math.min(MAX_ERROR_TTL_MS, FIRST_ERROR_TTL_MS << Math.min(failuresBefore, 10));
        return new Entry(Optional.empty(), now + errorTtl, failuresBefore + 1);
    }

    static Optional<String> parse(byte[] body) {
        if (body.length > MAX_BODY) {
            return Optional.empty();
        }
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            String server = json == null ? null : json.path("m.server").textValue();
            if (server == null) {
                return Optional.empty();
            }
            ServerName.parse(server);
            return Optional.of(server);
        } catch (IOException | InvalidIdentifierException e) {
            return Optional.empty();
        }
    }

    static long ttl(Optional<String> cacheControl) {
        if (cacheControl.isPresent()) {
            Matcher matcher = MAX_AGE.matcher(cacheControl.get());
            if (matcher.find()) {
                try {
                    return Math.min(MAX_TTL_MS, Long.parseLong(matcher.group(1)) * 1000);
                } catch (NumberFormatException tooLong) {
                    return MAX_TTL_MS;
                }
            }
            if (cacheControl.get().toLowerCase().contains("no-store")) {
                return 0;
            }
        }
        return DEFAULT_TTL_MS;
    }
}
