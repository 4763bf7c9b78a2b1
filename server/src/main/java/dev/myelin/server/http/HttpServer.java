package dev.myelin.server.http;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty on virtual threads: one connector per configured listener, each with the dispatcher for
 * the resources it serves. Stopping lets in-flight requests finish (up to the grace period).
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** One listening socket and the dispatcher of the routes it serves. */
    public record Binding(String host, int port, Optional<Tls> tls, boolean trustForwardedHeaders,
                          MatrixDispatcher dispatcher) {
    }

    public record Tls(Path certificate, Path privateKey) {
    }

    private final Server server;
    private final List<ServerConnector> connectors = new ArrayList<>();

    public HttpServer(List<Binding> bindings, Duration gracePeriod) throws Exception {
        var threads = new VirtualThreadPool();
        threads.setName("http");
        server = new Server(threads);
        server.setErrorHandler(new MatrixErrorHandler());
        server.setStopTimeout(gracePeriod.toMillis());
        Map<String, MatrixDispatcher> byConnector = new HashMap<>();
        for (int i = 0; i < bindings.size(); i++) {
            Binding binding = bindings.get(i);
            var http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            // Jetty's per-connection cache of header fields costs about 22 KB of heap per open connection (a
            // character trie), for long-polls and idle keep-alive connections alike: 110 MB for 5,000 of them.
            http.setHeaderCacheSize(0);
            // Matrix ids may carry encoded '/' inside one path segment; the router decodes segments itself.
            http.setUriCompliance(UriCompliance.UNSAFE);
            if (binding.trustForwardedHeaders()) {
                http.addCustomizer(new ForwardedRequestCustomizer());
            }
            List<ConnectionFactory> factories = new ArrayList<>();
            if (binding.tls().isPresent()) {
                http.addCustomizer(new SecureRequestCustomizer(false));
                KeyStore keyStore = PemKeyStore.load(binding.tls().get().certificate(), binding.tls().get().privateKey());
                var ssl = new SslContextFactory.Server();
                ssl.setKeyStore(keyStore);
                ssl.setKeyStorePassword("");
                factories.add(new SslConnectionFactory(ssl, "http/1.1"));
            }
            factories.add(new HttpConnectionFactory(http));
            var connector = new ServerConnector(server, 1, 1, factories.toArray(ConnectionFactory[]::new));
            connector.setHost(binding.host());
            connector.setPort(binding.port());
            connector.setName("listener-" + i);
            connector.setIdleTimeout(Duration.ofMinutes(3).toMillis());
            server.addConnector(connector);
            connectors.add(connector);
            byConnector.put(connector.getName(), binding.dispatcher());
        }
        var graceful = new GracefulHandler();
        graceful.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                return byConnector.get(request.getConnectionMetaData().getConnector().getName())
                        .handle(request, response, callback);
            }
        });
        server.setHandler(graceful);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port listener {@code index} is bound to (useful with port 0). */
    public int port(int index) {
        return connectors.get(index).getLocalPort();
    }

    /**
     * Stops accepting, waits up to the grace period for in-flight requests, then closes every
     * connection. Idle keep-alive connections that outlast the grace period are simply closed.
     */
    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } catch (TimeoutException graceOver) {
            LOG.info("Grace period over: closed the remaining connections");
        }
    }
}
