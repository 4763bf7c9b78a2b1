package dev.myelin.server.media.preview;

import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Fetches URLs for previews through {@link java.net.http.HttpClient}, guarded against SSRF: only http and https;
 * the host is resolved here, every address is checked by the {@link AddressGuard}, and the connection goes to the
 * checked address itself (an IP-literal URI with the real Host header, and the real name as TLS SNI, against which
 * the certificate is verified), so a second DNS answer cannot redirect it (DNS rebinding). Redirects are followed by
 * hand, each re-checked, up to a limit. One deadline covers connecting, redirects and reading the body.
 */
public final class GuardedHttpFetcher {
    static {
        // The Host header must name the real host while the URI names the checked address. HttpClient reads this
        // once; Main (and the test JVM) set it earlier too.
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
    }

    private final AddressGuard guard;
    private final int maxRedirects;
    private final long timeoutMs;
    private final String userAgent;
    private final Resolver resolver;

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public GuardedHttpFetcher(AddressGuard guard, int maxRedirects, long timeoutMs, String userAgent) {
        this(guard, maxRedirects, timeoutMs, userAgent, InetAddress::getAllByName);
    }

    public GuardedHttpFetcher(AddressGuard guard, int maxRedirects, long timeoutMs, String userAgent,
                              Resolver resolver) {
        this.guard = guard;
        this.maxRedirects = maxRedirects;
        this.timeoutMs = timeoutMs;
        this.userAgent = userAgent;
        this.resolver = resolver;
        try {
            HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header("Host", "example.org");
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("URL previews need the JVM option -Djdk.httpclient.allowRestrictedHeaders=host"
                    + " (HttpClient was used before it could be set)");
        }
    }

    /** A response whose body is still to be read; closing it aborts the transfer. */
    public record Fetched(URI uri, int status, Optional<String> contentType, InputStream body, HttpClient client)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            client.shutdownNow();
        }
    }

    /** Refusals the client sees: 403 for a forbidden destination, 502 when the remote end fails. */
    public static MatrixException forbidden(String why) {
        return MatrixException.forbidden(why);
    }

    static MatrixException failed(String why) {
        return new MatrixException(502, ErrorCode.M_UNKNOWN, why);
    }

    /** Fetches {@code url}, following redirects; the caller reads and closes the body. */
    public Fetched fetch(String url) throws InterruptedException {
        URI uri = check(url);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        for (int hop = 0; ; hop++) {
            InetAddress address = pick(uri.getHost());
            Hop hop1 = connect(uri, address, deadline);
            Fetched fetched = hop1.fetched();
            if (fetched.status() >= 300 && fetched.status() < 400 && fetched.status() != 304) {
                Optional<String> location = hop1.location();
                fetched.close();
                if (location.isEmpty()) {
                    throw failed("Redirect without a Location");
                }
                if (hop >= maxRedirects) {
                    throw failed("Too many redirects");
                }
                try {
                    uri = check(uri.resolve(new URI(location.get().trim())).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    throw failed("Bad redirect location");
                }
                continue;
            }
            return fetched;
        }
    }

    /** Only absolute http(s) URLs with a host. */
    static URI check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw MatrixException.invalidParam("Not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw MatrixException.invalidParam("Only http and https URLs can be previewed");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw MatrixException.invalidParam("The URL has no host");
        }
        return uri;
    }

    /** The first address of the host the guard allows; refused when there is none. */
    private InetAddress pick(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = literal(bare) ? new InetAddress[]{InetAddress.ofLiteral(bare)} : resolver.resolve(bare);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw failed("Could not resolve " + bare);
        }
        for (InetAddress address : addresses) {
            if (guard.allowed(address)) {
                return address;
            }
        }
        throw forbidden("The URL's address is not allowed for previews");
    }

    private static boolean literal(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    /** A response plus, for redirects, its Location. */
    private record Hop(Fetched fetched, Optional<String> location) {
    }

    private Hop connect(URI uri, InetAddress address, long deadline) throws InterruptedException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw failed("Timed out");
        }
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        String hostLiteral = address.getHostAddress();
        if (hostLiteral.indexOf('%') >= 0) {
            hostLiteral = hostLiteral.substring(0, hostLiteral.indexOf('%'));
        }
        if (hostLiteral.indexOf(':') >= 0) {
            hostLiteral = "[" + hostLiteral + "]";
        }
        URI direct;
        try {
            String raw = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + hostLiteral + ":" + port
                    + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            direct = new URI(raw);
        } catch (URISyntaxException e) {
            throw failed("Bad URL");
        }
        String hostName = uri.getHost();
        String hostHeader = hostName + ((https && port == 443) || (!https && port == 80) ? "" : ":" + port);
        var builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofMillis(remaining))
                .version(HttpClient.Version.HTTP_1_1);
        if (https && !literal(hostName.replace("[", "").replace("]", ""))) {
            try {
                var parameters = SSLContext.getDefault().getDefaultSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(hostName)));
                builder.sslParameters(parameters);
            } catch (NoSuchAlgorithmException | IllegalArgumentException e) {
                throw failed("TLS unavailable");
            }
        }
        HttpClient client = builder.build();
        // The deadline also bounds reading the body: the client is shut down when it passes.
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                client.shutdownNow();
            } catch (InterruptedException ignored) {
                // finished in time
            }
        });
        try {
            HttpRequest request = HttpRequest.newBuilder(direct)
                    .header("Host", hostHeader)
                    .header("User-Agent", userAgent)
                    .header("Accept", "text/html,application/xhtml+xml,image/*;q=0.9,*/*;q=0.5")
                    .timeout(Duration.ofMillis(remaining))
                    .GET().build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            var fetched = new Fetched(uri, response.statusCode(), response.headers().firstValue("Content-Type"),
                    new WatchedStream(response.body(), watchdog), client);
            return new Hop(fetched, response.headers().firstValue("Location"));
        } catch (IOException e) {
            watchdog.interrupt();
            client.shutdownNow();
            throw failed("Could not fetch the URL: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException | RuntimeException e) {
            watchdog.interrupt();
            client.shutdownNow();
            throw e;
        }
    }

    /** Stops the watchdog when the body is closed. */
    private static final class WatchedStream extends java.io.FilterInputStream {
        private final Thread watchdog;

        WatchedStream(InputStream in, Thread watchdog) {
            super(in);
            this.watchdog = watchdog;
        }

        @Override
        public void close() throws IOException {
            watchdog.interrupt();
            super.close();
        }
    }
}
