package dev.myelin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Application service delivery under load, through the real wire protocol: an application service on loopback
 * (this process, a JDK HttpServer on AS_PORT) whose virtual user is joined to a room where SENDERS users send back
 * to back for SECONDS. Prints the send rate and latency, then how long after each send returned its event reached
 * the application service in a transaction (p50/p99), and how long the queue took to drain after the last send.
 * With {@code AS_PORT 0} no application service is involved (the baseline: the same sends, nobody interested).
 * Usage: java -cp bench/target/benchmarks.jar dev.myelin.bench.AppServiceLoad BASE SHARED_SECRET AS_PORT AS_TOKEN
 * HS_TOKEN SENDERS SECONDS
 */
public final class AppServiceLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build();
    private static final AtomicInteger TXN = new AtomicInteger();

    private final String base;
    private final String sharedSecret;
    /** When each message's send returned, and when it reached the application service, by body. */
    private final ConcurrentHashMap<String, Long> sentAt = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> arrivedAt = new ConcurrentHashMap<>();

    private AppServiceLoad(String base, String sharedSecret) {
        this.base = base;
        this.sharedSecret = sharedSecret;
    }

    public static void main(String[] args) throws Exception {
        var load = new AppServiceLoad(args[0], args[1]);
        load.run(Integer.parseInt(args[2]), args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
    }

    private record User(String id, String token) {}

    private void run(int asPort, String asToken, String hsToken, int senders, int seconds) throws Exception {
        HttpServer appService = null;
        if (asPort != 0) {
            appService = HttpServer.create(new InetSocketAddress("127.0.0.1", asPort), 0);
            appService.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            appService.createContext("/_matrix/app/v1/transactions/", exchange -> {
                long now = System.nanoTime();
                boolean authorised = ("Bearer " + hsToken).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                if (authorised) {
                    for (JsonNode event : JSON.readTree(exchange.getRequestBody()).path("events")) {
                        arrivedAt.putIfAbsent(event.path("content").path("body").asText(), now);
                    }
                }
                byte[] out = (authorised ? "{}" : "{\"errcode\":\"M_FORBIDDEN\"}").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(authorised ? 200 : 403, out.length);
                exchange.getResponseBody().write(out);
                exchange.close();
            });
            appService.start();
        }
        try {
            var users = new ArrayList<User>();
            for (int i = 0; i < senders; i++) {
                users.add(register("asload"));
            }
            String roomId = call("POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\"}",
                    users.getFirst().token()).path("room_id").asText();
            for (User user : users.subList(1, users.size())) {
                call("POST", "/_matrix/client/v3/join/" + enc(roomId), "{}", user.token());
            }
            if (asPort != 0) {
                String virtual = call("POST", "/_matrix/client/v3/register", "{\"type\":\"m.login.application_service\","
                        + "\"username\":\"_load_" + System.nanoTime() % 1_000_000 + "\",\"inhibit_login\":true}", asToken)
                        .path("user_id").asText();
                call("POST", "/_matrix/client/v3/join/" + enc(roomId) + "?user_id=" + enc(virtual), "{}", asToken);
            }
            send(users, roomId, seconds);
            if (asPort != 0) {
                drain();
            }
        } finally {
            if (appService != null) {
                appService.stop(0);
            }
        }
    }

    private void send(List<User> users, String roomId, int seconds) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        AtomicInteger counter = new AtomicInteger();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (User user : users) {
                clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        String body = "m" + counter.incrementAndGet();
                        long sent = System.nanoTime();
                        call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/asload"
                                + TXN.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}", user.token());
                        long done = System.nanoTime();
                        sentAt.put(body, done);
                        latencies.add(done - sent);
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("send: %d senders in one room, %d messages in %.1f s = %.0f msg/s; latency %s%n",
                users.size(), latencies.size(), elapsed, latencies.size() / elapsed, percentiles(latencies));
    }

    private void drain() throws InterruptedException {
        long lastSend = Collections.max(sentAt.values());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!arrivedAt.keySet().containsAll(sentAt.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        var lags = new ArrayList<Long>();
        sentAt.forEach((body, sent) -> {
            Long arrived = arrivedAt.get(body);
            if (arrived != null) {
                lags.add(Math.max(0, arrived - sent));
            }
        });
        long lastArrival = arrivedAt.values().stream().mapToLong(Long::longValue).max().orElse(lastSend);
        System.out.printf("appservice: %d of %d events delivered; lag after send %s; drained %.0f ms after the last send%n",
                lags.size(), sentAt.size(), percentiles(lags), Math.max(0, lastArrival - lastSend) / 1e6);
    }

    /** Shared-secret registration: HMAC-SHA1 over nonce, user, password and "notadmin", NUL-separated. */
    private User register(String prefix) throws Exception {
        String nonce = call("GET", "/_synapse/admin/v1/register", null, null).path("nonce").asText();
        String name = prefix + System.nanoTime() % 1_000_000_000L;
        String password = "as-load-password";
        var mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String digest = HexFormat.of().formatHex(mac.doFinal(
                (nonce + "\0" + name + "\0" + password + "\0notadmin").getBytes(StandardCharsets.UTF_8)));
        JsonNode body = call("POST", "/_synapse/admin/v1/register", JSON.createObjectNode().put("nonce", nonce)
                .put("username", name).put("password", password).put("admin", false).put("mac", digest).toString(),
                null);
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    private JsonNode call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String percentiles(List<Long> nanos) {
        var sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "n/a";
        }
        return String.format("p50 %.1f ms, p99 %.1f ms", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6);
    }
}
