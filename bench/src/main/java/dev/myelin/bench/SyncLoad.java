package dev.myelin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load generator for {@code /sync} against a running homeserver, speaking only the Client-Server API (users are
 * registered with {@code m.login.dummy}, so the server needs open registration and no registration rate limit).
 * Scenarios:
 * <ul>
 *   <li>{@code park N}: N long-poll syncs parked at once (spread over N/100 users); prints when all are parked,
 *   then holds them for 20 s so the caller can read the server's memory.</li>
 *   <li>{@code latency CLIENTS SECONDS [spread|together]}: CLIENTS users in pairs, one room per pair, each syncing
 *   in a loop; one of each pair sends a message every 200 ms, from a random point of the first 200 ms as
 *   independent clients would ({@code spread}, the default; seeded, so every run has the same points) or all
 *   pairs at the same moments ({@code together}: a burst of CLIENTS/2 sends five times a second); prints p50/p99
 *   of the time from the send answering to the other client's sync answering with the message. Prints {@code MEASURING} and {@code MEASURED} around the sends it
 *   counts (after the set-up and a 3-s warm-up), so the caller can read the server's CPU time over them.</li>
 *   <li>{@code initial ROOMS EVENTS}: one user in ROOMS rooms with EVENTS messages each; prints p50 of 20 initial
 *   syncs with lazy-loaded members.</li>
 * </ul>
 * Usage: java -cp bench/target/benchmarks.jar dev.myelin.bench.SyncLoad BASE_URL SCENARIO ARGS...
 */
public final class SyncLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build();
    private static final AtomicInteger TXN = new AtomicInteger();

    private final String base;

    private SyncLoad(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        var load = new SyncLoad(args[0]);
        switch (args[1]) {
            case "park" -> load.park(Integer.parseInt(args[2]));
            case "latency" -> load.latency(Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    args.length > 4 && "together".equals(args[4]));
            case "initial" -> load.initial(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown scenario " + args[1]);
        }
    }

    private record User(String id, String token) {}

    private User register(String prefix) throws Exception {
        String name = prefix + System.nanoTime() % 1_000_000_000L;
        JsonNode body = call("POST", "/_matrix/client/v3/register",
                "{\"username\":\"" + name + "\",\"password\":\"sync-load-password\",\"auth\":{\"type\":\"m.login.dummy\"}}",
                null);
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    private JsonNode call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2))
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

    private String sync(User user, String since, int timeout, String filter) throws Exception {
        String query = "?timeout=" + timeout + (since == null ? "" : "&since=" + enc(since))
                + (filter == null ? "" : "&filter=" + enc(filter));
        return call("GET", "/_matrix/client/v3/sync" + query, null, user.token()).path("next_batch").asText();
    }

    private JsonNode syncBody(User user, String since, int timeout) throws Exception {
        String query = "?timeout=" + timeout + (since == null ? "" : "&since=" + enc(since));
        return call("GET", "/_matrix/client/v3/sync" + query, null, user.token());
    }

    private String createRoom(User user, String body) throws Exception {
        return call("POST", "/_matrix/client/v3/createRoom", body, user.token()).path("room_id").asText();
    }

    private void send(User user, String roomId, String text) throws Exception {
        call("PUT", "/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/l" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + text + "\"}", user.token());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private void park(int count) throws Exception {
        int users = Math.max(1, count / 100);
        var tokens = new ArrayList<User>();
        var since = new ArrayList<String>();
        for (int i = 0; i < users; i++) {
            User user = register("park");
            tokens.add(user);
            since.add(sync(user, null, 0, null));
        }
        var parked = new CountDownLatch(count);
        var answered = new AtomicInteger();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int owner = i % users;
                clients.submit(() -> {
                    parked.countDown();
                    sync(tokens.get(owner), since.get(owner), 60_000, null);
                    answered.incrementAndGet();
                    return null;
                });
            }
            parked.await();
            Thread.sleep(10_000); // every request reached the server and parked
            System.out.printf("PARKED %d long-polls over %d users (%d answered early)%n", count, users, answered.get());
            System.out.flush();
            Thread.sleep(20_000);
            System.out.println("RELEASING");
            System.exit(0);
        }
    }

    private void latency(int clients, int seconds, boolean together) throws Exception {
        var phases = new java.util.Random(42);
        int pairs = clients / 2;
        var latencies = Collections.synchronizedList(new ArrayList<Long>());
        var endToEnd = Collections.synchronizedList(new ArrayList<Long>());
        var senders = new ArrayList<User>();
        var receivers = new ArrayList<User>();
        var roomIds = new ArrayList<String>();
        for (int i = 0; i < pairs; i++) {
            User sender = register("lsend");
            User receiver = register("lrecv");
            String roomId = createRoom(sender, "{\"preset\":\"public_chat\"}");
            call("POST", "/_matrix/client/v3/join/" + enc(roomId), "{}", receiver.token());
            senders.add(sender);
            receivers.add(receiver);
            roomIds.add(roomId);
        }
        long end = System.nanoTime() + Duration.ofSeconds(seconds + 3).toNanos();
        long measureFrom = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        // A delivery can beat the sender's own response: whichever of the two sides comes second records it.
        // For the sending side, started is when the request left; for the receiving side it is unused.
        record Side(boolean sent, long nanos, long started) {}
        var firstSide = new ConcurrentHashMap<String, Side>();
        java.util.function.BiConsumer<String, Side> sentOrArrived = (text, side) ->
                firstSide.compute(text, (_, first) -> {
                    if (first == null) {
                        return side;
                    }
                    Side send = first.sent() ? first : side;
                    long arrived = first.sent() ? side.nanos() : first.nanos();
                    if (send.started() > measureFrom) {
                        latencies.add(Math.max(0, arrived - send.nanos()));
                        endToEnd.add(arrived - send.started());
                    }
                    return null;
                });
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> {
                Thread.sleep(Duration.ofNanos(measureFrom - System.nanoTime()));
                System.out.println("MEASURING");
                Thread.sleep(Duration.ofNanos(end - Duration.ofSeconds(1).toNanos() - System.nanoTime()));
                System.out.println("MEASURED");
                return null;
            });
            for (int i = 0; i < pairs; i++) {
                User sender = senders.get(i);
                User receiver = receivers.get(i);
                String roomId = roomIds.get(i);
                for (User syncing : List.of(sender, receiver)) {
                    threads.submit(() -> {
                        String since = sync(syncing, null, 0, "{\"room\":{\"timeline\":{\"limit\":1}}}");
                        while (System.nanoTime() < end) {
                            JsonNode body = syncBody(syncing, since, 5_000);
                            long arrived = System.nanoTime();
                            since = body.path("next_batch").asText();
                            if (syncing != receiver) {
                                continue;
                            }
                            for (JsonNode event : body.path("rooms").path("join").path(roomId).path("timeline")
                                    .path("events")) {
                                sentOrArrived.accept(event.path("content").path("body").asText(),
                                        new Side(false, arrived, 0));
                            }
                        }
                        return null;
                    });
                }
                long phase = together ? 0 : phases.nextInt(200);
                threads.submit(() -> {
                    Thread.sleep(1000 + phase);
                    int n = 0;
                    while (System.nanoTime() < end - Duration.ofSeconds(1).toNanos()) {
                        String text = sender.id() + "-" + n++;
                        long before = System.nanoTime();
                        send(sender, roomId, text);
                        sentOrArrived.accept(text, new Side(true, System.nanoTime(), before));
                        long elapsed = (System.nanoTime() - before) / 1_000_000;
                        Thread.sleep(Math.max(0, 200 - elapsed));
                    }
                    return null;
                });
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("latency over %d deliveries, %d clients: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                sorted.size(), pairs * 2, percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100));
        List<Long> whole = new ArrayList<>(endToEnd);
        Collections.sort(whole);
        System.out.printf("  end to end (send request leaves -> the other /sync answers): p50 %.2f ms, p99 %.2f ms,"
                + " max %.2f ms%n", percentile(whole, 50), percentile(whole, 99), percentile(whole, 100));
    }

    private void initial(int rooms, int events) throws Exception {
        User user = register("init");
        User other = register("initother");
        try (var threads = Executors.newFixedThreadPool(4, Thread.ofVirtual().factory())) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int r = 0; r < rooms; r++) {
                futures.add(threads.submit(() -> {
                    String roomId = createRoom(user, "{\"preset\":\"public_chat\",\"name\":\"bench\"}");
                    call("POST", "/_matrix/client/v3/join/" + enc(roomId), "{}", other.token());
                    for (int e = 0; e < events; e++) {
                        send(e % 2 == 0 ? user : other, roomId, "message " + e);
                    }
                    return null;
                }));
            }
            for (var future : futures) {
                future.get();
            }
        }
        String filter = "{\"room\":{\"state\":{\"lazy_load_members\":true},\"timeline\":{\"limit\":10}}}";
        var times = new ArrayList<Long>();
        for (int i = 0; i < 25; i++) {
            long start = System.nanoTime();
            sync(user, null, 0, filter);
            if (i >= 5) {
                times.add(System.nanoTime() - start);
            }
        }
        Collections.sort(times);
        System.out.printf("initial sync, %d rooms x %d events, lazy-loaded members: p50 %.1f ms, max %.1f ms%n",
                rooms, events, percentile(times, 50), percentile(times, 100));
    }

    private static double percentile(List<Long> sortedNanos, int percentile) {
        if (sortedNanos.isEmpty()) {
            return Double.NaN;
        }
        int index = Math.min(sortedNanos.size() - 1, (int) Math.ceil(percentile / 100.0 * sortedNanos.size()) - 1);
        return sortedNanos.get(Math.max(0, index)) / 1e6;
    }
}
