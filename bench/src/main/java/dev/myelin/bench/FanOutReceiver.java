package dev.myelin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.myelin.server.http.Json;
import dev.myelin.spec.crypto.EventIds;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTPS server (the JDK's) that answers as many federation destinations for {@link FanOutLoad}: destination
 * {@code i} is the server name {@code 127.0.0.i:port} (the whole 127/8 block is loopback on Linux, so every name is
 * its own address and connection, all reaching this one socket bound to the wildcard address), told apart by the
 * Host header. Each destination has its own Ed25519 key, published self-signed at {@code /_matrix/key/v2/server};
 * {@code PUT /_matrix/federation/v1/send/{txnId}} records when each PDU (by event id) reached the destination and
 * answers {@code {"pdus":{}}}. Request signatures are not checked: this is the sender's cost being measured.
 */
final class FanOutReceiver implements AutoCloseable {
    private static final String SEND = "/_matrix/federation/v1/send/";
    private static final String KEYS = "/_matrix/key/v2/server";

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final RoomVersion version;
    private final Map<String, SigningKey> keys = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> arrivals = new ConcurrentHashMap<>();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong pdus = new AtomicLong();

    private FanOutReceiver(HttpsServer server, int destinations, RoomVersion version) {
        this.server = server;
        this.version = version;
        var random = new SecureRandom();
        for (int i = 1; i <= destinations; i++) {
            String name = "127.0.0." + i + ":" + server.getAddress().getPort();
            keys.put(name, SigningKey.generate(random));
            arrivals.put(name, new ConcurrentHashMap<>());
        }
    }

    /** Starts answering as {@code destinations} servers (at most 254) in rooms of {@code version}. */
    static FanOutReceiver start(int destinations, RoomVersion version) throws Exception {
        if (destinations < 1 || destinations > 254) {
            throw new IllegalArgumentException("1 to 254 destinations, one per 127.0.0.x address");
        }
        HttpsServer server = HttpsServer.create(new InetSocketAddress(0), 1024);
        server.setHttpsConfigurator(new HttpsConfigurator(selfSignedContext()));
        var receiver = new FanOutReceiver(server, destinations, version);
        server.createContext("/", receiver::handle);
        server.setExecutor(receiver.executor);
        server.start();
        return receiver;
    }

    /** The destinations' server names, in order. */
    List<String> serverNames() {
        return new ArrayList<>(keys.keySet());
    }

    SigningKey key(String serverName) {
        return keys.get(serverName);
    }

    /** When ({@link System#nanoTime()}) the PDU first reached the destination, if it did. */
    OptionalLong arrival(String serverName, String eventId) {
        Long at = arrivals.get(serverName).get(eventId);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    long transactions() {
        return transactions.get();
    }

    long pdus() {
        return pdus.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        try (exchange; InputStream body = exchange.getRequestBody()) {
            String destination = exchange.getRequestHeaders().getFirst("Host");
            String path = exchange.getRequestURI().getRawPath();
            byte[] request = body.readAllBytes();
            if (!keys.containsKey(destination)) {
                answer(exchange, 404, "{\"errcode\":\"M_NOT_FOUND\",\"error\":\"no such destination\"}");
            } else if (exchange.getRequestMethod().equals("GET") && path.equals(KEYS)) {
                answer(exchange, 200, Json.MAPPER.writeValueAsString(keyResponse(destination)));
            } else if (exchange.getRequestMethod().equals("PUT") && path.startsWith(SEND)) {
                received(destination, Json.MAPPER.readTree(request), now);
                answer(exchange, 200, "{\"pdus\":{}}");
            } else {
                answer(exchange, 404, "{\"errcode\":\"M_UNRECOGNIZED\",\"error\":\"not served here\"}");
            }
        }
    }

    private void received(String destination, JsonNode transaction, long now) {
        transactions.incrementAndGet();
        Map<String, Long> seen = arrivals.get(destination);
        for (JsonNode pdu : transaction.path("pdus")) {
            pdus.incrementAndGet();
            seen.putIfAbsent(EventIds.eventId((ObjectNode) pdu, version), now);
        }
    }

    /** The destination's keys as it publishes them (spec: server-server-api "Publishing Keys"). */
    private ObjectNode keyResponse(String destination) {
        SigningKey key = keys.get(destination);
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("server_name", destination);
        json.put("valid_until_ts", System.currentTimeMillis() + Duration.ofDays(1).toMillis());
        json.putObject("verify_keys").putObject(key.keyId()).put("key", key.verifyKey().publicKeyBase64());
        json.putObject("old_verify_keys");
        return JsonSigner.sign(json, destination, key);
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A TLS context with a throw-away self-signed EC certificate made by the JDK's keytool. */
    private static SSLContext selfSignedContext() throws Exception {
        Path dir = Files.createTempDirectory("myelin-fanout-receiver");
        Path store = dir.resolve("receiver.p12");
        char[] password = "fanout-bench".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "1",
                "-dname", "CN=localhost", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(password), "-keypass", new String(password))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool could not make a certificate: " + output);
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password);
        }
        var managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
