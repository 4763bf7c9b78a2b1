package dev.myelin.server.testing;

import dev.myelin.server.Federation;
import dev.myelin.server.storage.Backend;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test homeserver named {@code localhost:<port>} whose second listener serves federation over TLS on that port
 * (a self-signed certificate), and which federates with loopback servers without checking certificates, unless
 * overrides say otherwise. Client requests go to the first (plain HTTP) listener.
 */
public final class FederatedTestServer implements AutoCloseable {
    private static final int BIND_ATTEMPTS = 5;

    private final TestHomeserver server;
    private final String serverName;
    private final TestCertificates.Pem certificate;

    private FederatedTestServer(TestHomeserver server, String serverName, TestCertificates.Pem certificate) {
        this.server = server;
        this.serverName = serverName;
        this.certificate = certificate;
    }

    public static FederatedTestServer start(Backend backend, String... overrides) throws Exception {
        // The port is picked before the server binds it (it is part of the server's name), and another socket can
        // take it meanwhile (an outgoing connection's local port, say): a failed bind is tried again on another port.
        for (int attempt = 1; ; attempt++) {
            try {
                return start(backend, freePort(), overrides);
            } catch (java.io.IOException e) {
                boolean bindFailed = e.getMessage() != null && e.getMessage().startsWith("Failed to bind");
                if (!bindFailed || attempt == BIND_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** A port free now, for a server started later under the name localhost:port. */
    public static int freePort() throws java.io.IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public static FederatedTestServer start(Backend backend, int port, String... overrides) throws Exception {
        Path certs = Files.createTempDirectory("myelin-certs");
        var pem = TestCertificates.selfSigned(certs, "localhost");
        var all = new ArrayList<>(List.of("server_name=localhost:" + port,
                "listeners.1.port=" + port, "listeners.1.bind_address=127.0.0.1", "listeners.1.resources=[federation]",
                "listeners.1.tls.certificate=" + pem.certificate(), "listeners.1.tls.private_key=" + pem.privateKey(),
                "federation.tls_verify=false", "federation.allow_private_addresses=true"));
        all.addAll(List.of(overrides));
        return new FederatedTestServer(TestHomeserver.start(backend, all.toArray(String[]::new)),
                "localhost:" + port, pem);
    }

    public String serverName() {
        return serverName;
    }

    public TestHomeserver server() {
        return server;
    }

    public Federation federation() {
        return server.homeserver().federation();
    }

    /** The PEM certificate its federation listener presents. */
    public Path certificate() {
        return certificate.certificate();
    }

    /** An HTTPS base URL of the federation listener. */
    public String federationUrl() {
        return "https://" + serverName;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
