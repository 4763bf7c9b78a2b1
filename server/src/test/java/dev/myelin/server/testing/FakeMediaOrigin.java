package dev.myelin.server.testing;

import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.HttpServer;
import dev.myelin.server.http.MatrixDispatcher;
import dev.myelin.server.http.RateLimit;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Router;
import dev.myelin.server.metrics.Metrics;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Another "server", {@code localhost:<port>} over TLS, that answers requests with whatever a test gives it
 * (malformed multipart, oversize bodies, errors): the origin side of federated media, misbehaving on purpose. It does
 * not check request signatures.
 */
public final class FakeMediaOrigin implements AutoCloseable {
    private final HttpServer http;
    private final String serverName;

    private FakeMediaOrigin(HttpServer http, String serverName) {
        this.http = http;
        this.serverName = serverName;
    }

    /** Serves {@code routes} (GET templates) over TLS on a free port. */
    public static FakeMediaOrigin start(Router routes) throws Exception {
        int port = FederatedTestServer.freePort();
        var pem = TestCertificates.selfSigned(Files.createTempDirectory("fake-origin"), "localhost");
        var dispatcher = new MatrixDispatcher(routes, new Metrics(), 1 << 20, new RateLimiter(RateLimit.UNLIMITED));
        var http = new HttpServer(List.of(new HttpServer.Binding("127.0.0.1", port,
                Optional.of(new HttpServer.Tls(pem.certificate(), pem.privateKey())), false, dispatcher)),
                Duration.ofMillis(100));
        http.start();
        return new FakeMediaOrigin(http, "localhost:" + port);
    }

    /** One route answering every media id. */
    public static FakeMediaOrigin serving(String template, Endpoint endpoint) throws Exception {
        return start(new Router().add("GET", template, endpoint));
    }

    public String serverName() {
        return serverName;
    }

    @Override
    public void close() throws Exception {
        http.close();
    }
}
