package dev.myelin.server.cli;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * A short, typical run for the JVM's ahead-of-time cache (JEP 514): the launcher runs this once
 * after each build with -XX:AOTCacheOutput, so that every later start loads the classes a real
 * start and real requests need already parsed and linked. It starts a throw-away server on
 * loopback, sends it requests over a plain socket (no HTTP client classes in the cache), and stops.
 */
@Command(name = "aot-training", hidden = true, description = "Record a typical run for the JVM's AOT cache (used by the launcher).")
public final class AotTrainingCommand implements Runnable {

    private static final List<String> REQUESTS = List.of(
            "GET /_matrix/client/versions",
            "GET /.well-known/matrix/client",
            "GET /.well-known/matrix/server",
            "GET /_matrix/client/v3/capabilities",
            "GET /health",
            "GET /metrics",
            "GET /_matrix/client/v3/unknown",
            "OPTIONS /_matrix/client/v3/capabilities",
            "POST /_matrix/client/versions",
            "GET /_matrix/client/v3/login",
            "POST /_matrix/client/v3/login",
            "POST /_matrix/client/v3/register",
            "GET /_matrix/client/v3/account/whoami");

    @Override
    public void run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("myelin-aot-training");
            Path file = dir.resolve("myelin.yaml");
            ConfigTemplate.writeIfMissing(file, "localhost", 0);
            var config = ConfigLoader.load(file, List.of("listeners.0.bind_address=127.0.0.1", "log_level=warn"));
            try (var homeserver = Homeserver.start(config)) {
                for (int round = 0; round < 3; round++) {
                    for (String request : REQUESTS) {
                        send(homeserver.port(0), request);
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("AOT training run failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void send(int port, String requestLine) throws IOException {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // A temp folder left behind is harmless.
        }
    }
}
