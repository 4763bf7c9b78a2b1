package dev.myelin.server.federation.transport;

import dev.myelin.server.federation.discovery.Destination;
import dev.myelin.server.media.preview.AddressGuard;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTPS to other servers over {@link HttpClient}: the destination's host is resolved here and every address is
 * checked by the {@link AddressGuard} (loopback and private ranges are refused unless
 * {@code federation.allow_private_addresses}); the connection goes to the checked address itself, with the
 * destination's Host header, and its TLS name as SNI, against which the certificate is verified. One client per
 * TLS name keeps connections alive between requests.
 */
public final class FederationHttp implements AutoCloseable {
    static {
        // The Host header must name the server while the URI names the checked address (see GuardedHttpFetcher).
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The largest answer read (a send_join of a big room runs to tens of megabytes). */
    static final int MAX_RESPONSE_BYTES = 64 << 20;

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface AddressResolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** An answer: status, headers and the whole body. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }
    }

    private final FederationTls tls;
    private final AddressGuard guard;
    private final AddressResolver resolver;
    private final ConcurrentHashMap<String, HttpClient> clients = new ConcurrentHashMap<>();

    public FederationHttp(FederationTls tls, AddressGuard guard, AddressResolver resolver) {
        this.tls = tls;
        this.guard = guard;
        this.resolver = resolver;
    }

    /** An address guard that allows everything, or the standard one that refuses private ranges. */
    public static AddressGuard guard(boolean allowPrivateAddresses) {
        return allowPrivateAddresses ? new AddressGuard(List.of("0.0.0.0/0", "::/0"), List.of())
                : new AddressGuard(List.of(), List.of());
    }

    /** An answer whose body is still to be read: close it when done (it holds the connection). */
    public record Streamed(int status, Map<String, List<String>> headers, InputStream body) implements AutoCloseable {
        public Optional<String> header(String name) {
            return new Response(status, headers, new byte[0]).header(name);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * Sends one request. {@code serverName} chooses whether the certificate is verified; {@code path} is the raw
     * path and query; {@code headers} are added as given.
     *
     * @throws IOException when the destination cannot be resolved, is not allowed, or the exchange fails
     */
    public Response send(String serverName, Destination destination, String method, String path,
                         Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        try (Streamed answer = open(serverName, destination, method, path, headers, body, timeout)) {
            byte[] bytes = answer.body().readNBytes(MAX_RESPONSE_BYTES + 1);
            if (bytes.length > MAX_RESPONSE_BYTES) {
                throw new IOException("the answer is larger than " + MAX_RESPONSE_BYTES + " bytes");
            }
            return new Response(answer.status(), answer.headers(), bytes);
        }
    }

    /** Like {@link #send}, but hands over the body unread, for answers too large to hold (media). */
    public Streamed open(String serverName, Destination destination, String method, String path,
                         Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        List<InetAddress> addresses = allowedAddresses(destination.host());
        for (int i = 0; ; i++) {
            try {
                return open(serverName, destination, addresses.get(i), method, path, headers, body, timeout);
            } catch (ConnectException refused) {
                if (i == addresses.size() - 1) {
                    throw refused;
                }
                // try the next address (e.g. IPv4 after ::1 for "localhost")
            }
        }
    }

    private Streamed open(String serverName, Destination destination, InetAddress address, String method,
                          String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        String literal = address.getHostAddress();
        if (literal.indexOf('%') >= 0) {
            literal = literal.substring(0, literal.indexOf('%'));
        }
        if (literal.indexOf(':') >= 0) {
            literal = "[" + literal + "]";
        }
        URI uri = URI.create("https://" + literal + ":" + destination.port() + path);
        var request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Host", destination.hostHeader())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<InputStream> response = client(serverName, destination)
                .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new Streamed(response.statusCode(), response.headers().map(), response.body());
    }

    /** The host's addresses the guard allows, in the resolver's order; refused when there is none. */
    private List<InetAddress> allowedAddresses(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = isLiteral(bare) ? new InetAddress[]{InetAddress.ofLiteral(bare)} : resolver.resolve(bare);
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress address : addresses) {
            if (guard.allowed(address)) {
                allowed.add(address);
            }
        }
        if (allowed.isEmpty()) {
            throw new UnknownHostException(host + " has no address this server may connect to"
                    + " (private addresses need federation.allow_private_addresses)");
        }
        return allowed;
    }

    /** Whether a host (without brackets) is an IP address rather than a name. */
    public static boolean isLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    private HttpClient client(String serverName, Destination destination) {
        String key = (tls.verifies(serverName) ? "verify|" : "trust|") + destination.tlsName().orElse("");
        return clients.computeIfAbsent(key, k -> {
            SSLParameters parameters = tls.contextFor(serverName).getDefaultSSLParameters();
            destination.tlsName().ifPresent(name -> parameters.setServerNames(List.of(new SNIHostName(name))));
            return HttpClient.newBuilder()
                    .sslContext(tls.contextFor(serverName))
                    .sslParameters(parameters)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(CONNECT_TIMEOUT)
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
        });
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::shutdownNow);
        clients.clear();
    }
}
