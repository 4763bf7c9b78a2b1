package dev.myelin.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.Homeserver;
import dev.myelin.server.federation.inbound.PduHandler;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * Outbound fan-out of one room's messages to many destination servers (issue #9). One Myelin (SQLite, TLS on
 * loopback, as {@link RemoteJoinLoad}) and one {@link FanOutReceiver} answering as {@code destinations} servers.
 * A local user (registered over the Client-Server API) makes two rooms; a user of each destination joins the second
 * with a join event signed by that destination's key and handed to Myelin's inbound PDU handler (the code behind
 * {@code /send}: signature, after fetching the key from the receiver, hashes, auth rules), so the room really has
 * those servers in it. The user then sends {@code rate} messages a second, on a fixed schedule (each send starts on
 * time whether or not the previous one has answered), for {@code warmup} seconds then {@code seconds} measured, first
 * in the room without other servers (the baseline), then in the room with them. Prints the send latency (request to
 * 200) p50/p99 in both, and in the second the time from each send until all destinations had received the event.
 * Run: java -Djdk.httpclient.allowRestrictedHeaders=host -cp bench/target/benchmarks.jar dev.myelin.bench.FanOutLoad
 * [destinations=100] [rate=20] [seconds=30] [warmup=5]
 */
public final class FanOutLoad {
    private static final RoomVersion VERSION = RoomVersion.V12;
    private static final long ARRIVAL_TIMEOUT_NANOS = 120_000_000_000L;

    public static void main(String[] args) throws Exception {
        int destinations = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        try (FanOutReceiver receiver = FanOutReceiver.start(destinations, VERSION);
             Homeserver myelin = RemoteJoinLoad.start("fanout", "registration.mode=open",
                     "rate_limits.registration.per_second=0");
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
            var client = new Client(http, "http://127.0.0.1:" + myelin.port(0));
            String alone = client.createRoom("Alone");
            String shared = client.createRoom("Fan-out");
            joinDestinations(myelin, receiver, shared);
            int servers = myelin.rooms().service().store().members(shared, "join").stream()
                    .map(member -> member.userId().substring(member.userId().indexOf(':') + 1))
                    .distinct().toList().size();
            System.out.printf("room %s: %d participating servers (%d destinations and this one)%n", shared, servers,
                    destinations);

            Run baseline = Run.of(client, alone, rate, warmup, seconds);
            System.out.println("0 destinations:   " + baseline.latencies());
            long transactionsBefore = receiver.transactions();
            long pdusBefore = receiver.pdus();
            Run fanOut = Run.of(client, shared, rate, warmup, seconds);
            System.out.println(destinations + " destinations: " + fanOut.latencies());
            System.out.println("all " + destinations + " destinations reached: "
                    + completion(receiver, fanOut, destinations));
            long transactions = receiver.transactions() - transactionsBefore;
            System.out.printf("%d transactions received, %.1f PDUs each on average%n", transactions,
                    (receiver.pdus() - pdusBefore) / (double) Math.max(1, transactions));
        }
        System.out.println("loadavg " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /**
     * A member of each destination joins, one after the other: a join event at the end of the room, signed by the
     * destination, through the same handler as a PDU of an inbound transaction.
     */
    private static void joinDestinations(Homeserver myelin, FanOutReceiver receiver, String roomId) throws Exception {
        RoomStore store = myelin.rooms().service().store();
        PduHandler inbound = myelin.federation().inbound().pdus();
        for (String destination : receiver.serverNames()) {
            String user = "@member:" + destination;
            RoomStore.Room room = store.room(roomId).orElseThrow();
            Map<StateKey, RoomStore.StoredEvent> state = store.state(room.currentSnapshot());
            ObjectNode content = Json.MAPPER.createObjectNode().put("membership", "join");
            ObjectNode draft = Json.MAPPER.createObjectNode();
            draft.put("type", "m.room.member");
            draft.put("state_key", user);
            draft.put("sender", user);
            draft.put("room_id", roomId);
            draft.set("content", content);
            draft.put("origin_server_ts", System.currentTimeMillis());
            var auth = draft.putArray("auth_events");
            for (StateKey key : AuthEventSelector.select(VERSION, "m.room.member", user, user, content)) {
                RoomStore.StoredEvent event = state.get(key);
                if (event != null) {
                    auth.add(event.eventId());
                }
            }
            var prev = draft.putArray("prev_events");
            long depth = 0;
            for (String id : store.forwardExtremities(room.nid())) {
                prev.add(id);
                depth = Math.max(depth, Json.MAPPER.readTree(store.event(id).orElseThrow().json()).path("depth")
                        .asLong());
            }
            draft.put("depth", depth + 1);
            EncodedPdu join = new LocalEventFactory(destination, receiver.key(destination)).create(draft, VERSION);
            PduHandler.Outcome outcome = inbound.handle(destination,
                    (ObjectNode) Json.MAPPER.readTree(join.bytes()));
            if (outcome.error().isPresent()) {
                throw new IllegalStateException("the join of " + user + " was refused: " + outcome.error().get());
            }
        }
    }

    /** The time from each measured send until the last destination received its event, once all have. */
    private static String completion(FanOutReceiver receiver, Run run, int destinations) {
        long deadline = System.nanoTime() + ARRIVAL_TIMEOUT_NANOS;
        var times = new ArrayList<Long>();
        int missing = 0;
        for (Run.Send send : run.measured()) {
            long last = 0;
            for (String destination : receiver.serverNames()) {
                OptionalLong at = receiver.arrival(destination, send.eventId());
                while (at.isEmpty() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(10_000_000);
                    at = receiver.arrival(destination, send.eventId());
                }
                if (at.isEmpty()) {
                    missing++;
                    last = -1;
                    break;
                }
                last = Math.max(last, at.getAsLong());
            }
            if (last >= 0) {
                times.add(last - send.startNanos());
            }
        }
        if (missing > 0) {
            return missing + " of " + run.measured().size() + " events did not reach all " + destinations
                    + " destinations within " + ARRIVAL_TIMEOUT_NANOS / 1_000_000_000 + " s";
        }
        return Run.percentiles(times);
    }

    /** The Client-Server API as the sending user. */
    private static final class Client {
        private final HttpClient http;
        private final String base;
        private final String token;
        private int txn;

        Client(HttpClient http, String base) throws Exception {
            this.http = http;
            this.base = base;
            this.token = E2eeLoad.register(http, base, "sender")[0];
        }

        String createRoom(String name) throws Exception {
            String answer = E2eeLoad.check(E2eeLoad.send(http, "POST", base + "/_matrix/client/v3/createRoom",
                    "{\"preset\":\"public_chat\",\"room_version\":\"" + VERSION.id() + "\",\"name\":\"" + name + "\"}",
                    token));
            return Json.MAPPER.readTree(answer).path("room_id").asText();
        }

        /** Sends a message; its event id. */
        String send(String roomId, String text) throws Exception {
            int id;
            synchronized (this) {
                id = ++txn;
            }
            String answer = E2eeLoad.check(E2eeLoad.send(http, "PUT", base + "/_matrix/client/v3/rooms/"
                    + URLEncoder.encode(roomId, StandardCharsets.UTF_8) + "/send/m.room.message/fanout" + id,
                    "{\"msgtype\":\"m.text\",\"body\":\"" + text + "\"}", token));
            return Json.MAPPER.readTree(answer).path("event_id").asText();
        }
    }

    /** Messages sent on a fixed schedule, each on its own virtual thread; the warm-up ones are left out. */
    private record Run(List<Send> measured) {
        record Send(long startNanos, long latencyNanos, String eventId) {}

        static Run of(Client client, String roomId, double rate, int warmup, int seconds) throws Exception {
            int skipped = (int) Math.round(rate * warmup);
            int total = skipped + (int) Math.round(rate * seconds);
            long period = Math.round(1e9 / rate);
            var sends = new Send[total];
            var failures = new ArrayList<Exception>();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + i * period;
                    LockSupport.parkNanos(due - System.nanoTime());
                    int index = i;
                    threads.submit(() -> {
                        long sent = System.nanoTime();
                        try {
                            String eventId = client.send(roomId, "message " + index);
                            sends[index] = new Send(sent, System.nanoTime() - sent, eventId);
                        } catch (Exception e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    });
                }
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException(failures.size() + " sends failed", failures.getFirst());
            }
            return new Run(List.of(sends).subList(skipped, total));
        }

        String latencies() {
            return "send " + percentiles(measured.stream().map(Send::latencyNanos).toList()) + " over "
                    + measured.size() + " messages";
        }

        static String percentiles(List<Long> nanos) {
            var sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms", sorted.get(sorted.size() / 2) / 1e6,
                    sorted.get(sorted.size() * 99 / 100) / 1e6, sorted.getLast() / 1e6);
        }
    }
}
