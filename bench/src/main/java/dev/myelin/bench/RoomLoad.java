package dev.myelin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
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
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load generator for sending and reading room timelines against any homeserver, speaking only the Client-Server
 * API; users are made with the shared-secret registration API ({@code /_synapse/admin/v1/register}), which Myelin and
 * Synapse both serve. Scenarios:
 * <ul>
 *   <li>{@code send SENDERS SECONDS [ROOMS] [WARMUP]}: SENDERS users, each sending messages back to back for
 *   SECONDS, first all into one shared room (one writer per room: the room's lock is the limit), then each into a
 *   room of their own, then, with ROOMS, spread over ROOMS rooms (sender i into room i mod ROOMS); prints messages
 *   per second and the p50/p99 send latency of each. With WARMUP (default 0), the senders first send into rooms of
 *   their own for WARMUP seconds, not counted (a fresh JVM compiles its hot code meanwhile).</li>
 *   <li>{@code messages HISTORY REQUESTS}: one room with HISTORY messages; REQUESTS backward {@code /messages}
 *   pages of 50 (paginating down from the newest, starting again at the top when the history is exhausted); prints
 *   p50/p99 latency.</li>
 *   <li>{@code steady RATE SECONDS SENDERS ROOMS [WARMUP]}: an open loop sending RATE messages per second for
 *   SECONDS, spread over SENDERS users in ROOMS rooms, each message on its own schedule whether or not earlier ones
 *   have been answered; the latency of each counts from when it was due, so a server that falls behind is not hidden
 *   (no coordinated omission). The first WARMUP seconds (default 0) run at the same rate and are not counted (a
 *   fresh JVM compiles its hot code meanwhile). Prints the rate reached, p50/p99/max latency, and p50/p99 per 5 s
 *   window.</li>
 *   <li>{@code messages-in ROOM_ID REQUESTS LIMIT}: joins an existing room whose history is visible to new members
 *   (such as one filled by {@link RoomHistoryFill}) and times REQUESTS backward {@code /messages} pages of
 *   LIMIT events from the newest.</li>
 * </ul>
 * Usage: java -cp bench/target/benchmarks.jar dev.myelin.bench.RoomLoad BASE_URL SHARED_SECRET SCENARIO ARGS...
 */
public final class RoomLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build();
    private static final AtomicInteger TXN = new AtomicInteger();

    private final String base;
    private final String sharedSecret;

    private RoomLoad(String base, String sharedSecret) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.sharedSecret = sharedSecret;
    }

    public static void main(String[] args) throws Exception {
        var load = new RoomLoad(args[0], args[1]);
        switch (args[2]) {
            case "send" -> load.send(Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    args.length > 5 ? Integer.parseInt(args[5]) : 0, args.length > 6 ? Integer.parseInt(args[6]) : 0);
            case "messages" -> load.messages(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "steady" -> load.steady(Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    args.length > 7 ? Integer.parseInt(args[7]) : 0);
            case "messages-in" -> load.messagesIn(args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("unknown scenario " + args[2]);
        }
    }

    private record User(String id, String token) {}

    /** Shared-secret registration: HMAC-SHA1 over nonce, user, password and "notadmin", NUL-separated. */
    private User register(String prefix) throws Exception {
        String nonce = call("GET", "/_synapse/admin/v1/register", null, null).path("nonce").asText();
        String name = prefix + System.nanoTime() % 1_000_000_000L;
        String password = "room-load-password";
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

    private String createRoom(User user) throws Exception {
        return call("POST", "/_matrix/client/v3/createRoom", "{\"preset\":\"public_chat\"}", user.token())
                .path("room_id").asText();
    }

    private void join(User user, String roomId) throws Exception {
        call("POST", "/_matrix/client/v3/rooms/" + enc(roomId) + "/join", "{}", user.token());
    }

    private void sendMessage(User user, String roomId, String text) throws Exception {
        call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/load" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + text + "\"}", user.token());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void send(int senders, int seconds, int roomCount, int warmUpSeconds) throws Exception {
        var users = new ArrayList<User>();
        for (int i = 0; i < senders; i++) {
            users.add(register("send"));
        }
        if (warmUpSeconds > 0) {
            var warmUpRooms = new ArrayList<String>();
            for (User user : users) {
                warmUpRooms.add(createRoom(user));
            }
            run("warm-up, not counted", users, warmUpRooms, warmUpSeconds);
        }
        String shared = createRoom(users.getFirst());
        for (User user : users.subList(1, users.size())) {
            join(user, shared);
        }
        var sharedRooms = Collections.nCopies(senders, shared);
        run("one shared room", users, sharedRooms, seconds);
        var ownRooms = new ArrayList<String>();
        for (User user : users) {
            ownRooms.add(createRoom(user));
        }
        run("a room each", users, ownRooms, seconds);
        if (roomCount > 0) {
            var some = new ArrayList<String>();
            for (int r = 0; r < roomCount; r++) {
                some.add(createRoom(users.get(r % senders)));
            }
            var assigned = new ArrayList<String>();
            for (int i = 0; i < senders; i++) {
                String room = some.get(i % roomCount);
                if (i >= roomCount) {
                    join(users.get(i), room);
                }
                assigned.add(room);
            }
            run(roomCount + " rooms", users, assigned, seconds);
        }
    }

    private void run(String label, List<User> users, List<String> rooms, int seconds) throws Exception {
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long start = System.nanoTime();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < users.size(); i++) {
                User user = users.get(i);
                String room = rooms.get(i);
                clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        sendMessage(user, room, "load");
                        latencies.add(System.nanoTime() - sent);
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("send, %s: %d senders, %d messages in %.1f s = %.0f msg/s; latency %s%n", label,
                users.size(), latencies.size(), elapsed, latencies.size() / elapsed, percentiles(latencies));
    }

    private void messages(int history, int requests) throws Exception {
        User user = register("history");
        String room = createRoom(user);
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            // Sent by a few concurrent requests to fill the history quickly; order does not matter here.
            var next = new AtomicInteger();
            for (int i = 0; i < 4; i++) {
                senders.submit(() -> {
                    while (next.getAndIncrement() < history) {
                        sendMessage(user, room, "history");
                    }
                    return null;
                });
            }
        }
        var latencies = new ArrayList<Long>();
        String from = null;
        for (int i = 0; i < requests; i++) {
            long started = System.nanoTime();
            JsonNode page = call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=50"
                    + (from == null ? "" : "&from=" + enc(from)), null, user.token());
            latencies.add(System.nanoTime() - started);
            from = page.path("end").asText(null);
        }
        System.out.printf("messages: %d requests of 50 events over %d messages; latency %s%n", requests, history,
                percentiles(latencies));
    }

    private void steady(int rate, int seconds, int senderCount, int roomCount, int warmUpSeconds) throws Exception {
        var users = new ArrayList<User>();
        for (int i = 0; i < senderCount; i++) {
            users.add(register("steady"));
        }
        var rooms = new ArrayList<String>();
        for (int i = 0; i < roomCount; i++) {
            rooms.add(createRoom(users.get(i % senderCount)));
        }
        // Message k goes from sender k % SENDERS to room k % ROOMS; each sender joins the rooms it will send to.
        int total = rate * seconds;
        var joined = new java.util.HashSet<String>();
        for (int k = 0; k < Math.min(total, senderCount * roomCount); k++) {
            int sender = k % senderCount;
            int room = k % roomCount;
            if (room % senderCount != sender && joined.add(sender + "/" + room)) {
                join(users.get(sender), rooms.get(room));
            }
        }
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var byWindow = new java.util.concurrent.ConcurrentSkipListMap<Integer, List<Long>>();
        var failures = new AtomicInteger();
        var firstFailure = new java.util.concurrent.atomic.AtomicReference<String>();
        long intervalNanos = 1_000_000_000L / rate;
        int warmUp = rate * warmUpSeconds;
        long start = System.nanoTime() + 100_000_000L + warmUp * intervalNanos;
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = -warmUp; i < total; i++) {
                long due = start + i * intervalNanos;
                boolean counted = i >= 0;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                User user = users.get(Math.floorMod(i, senderCount));
                String room = rooms.get(Math.floorMod(i, roomCount));
                clients.submit(() -> {
                    try {
                        sendMessage(user, room, "steady");
                        if (!counted) {
                            return;
                        }
                        long latency = System.nanoTime() - due;
                        latencies.add(latency);
                        byWindow.computeIfAbsent((int) ((due - start) / 5_000_000_000L),
                                w -> Collections.synchronizedList(new ArrayList<>())).add(latency);
                    } catch (Exception e) {
                        if (!counted) {
                            return;
                        }
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                    }
                });
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        var sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("steady, %d msg/s asked for %d s: %d senders over %d rooms, %d sent (%d failed) in %.1f s"
                        + " = %.0f msg/s; latency from when due %s, max %.1f ms%n", rate, seconds, senderCount,
                roomCount, sorted.size(), failures.get(), elapsed, sorted.size() / elapsed, percentiles(sorted),
                sorted.isEmpty() ? 0 : sorted.getLast() / 1e6);
        if (firstFailure.get() != null) {
            System.out.println("first failure: " + firstFailure.get());
        }
        byWindow.forEach((w, l) -> {
            var sortedW = new ArrayList<>(l);
            Collections.sort(sortedW);
            System.out.printf("  %d-%d s: %s%n", w * 5, w * 5 + 5, percentiles(sortedW));
        });
    }

    private void messagesIn(String room, int requests, int limit) throws Exception {
        User user = register("reader");
        join(user, room);
        var latencies = new ArrayList<Long>();
        String from = null;
        int events = 0;
        for (int i = 0; i < requests; i++) {
            long started = System.nanoTime();
            JsonNode page = call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=" + limit
                    + (from == null ? "" : "&from=" + enc(from)), null, user.token());
            latencies.add(System.nanoTime() - started);
            events += page.path("chunk").size();
            from = page.path("end").asText(null);
        }
        System.out.printf("messages in %s: %d requests of %d events (%d events returned); latency %s%n", room,
                requests, limit, events, percentiles(latencies));
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
