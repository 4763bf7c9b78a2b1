package dev.myelin.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.Homeserver;
import dev.myelin.server.config.SigningKeyFile;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inbound PDUs accepted per second from one peer (issue #9): two Myelins in this process (SQLite each, TLS on
 * loopback, as {@link RemoteJoinLoad}). The "origin" creates a room that a user of the "target" joins; then this
 * program signs a chain of {@code pdus} messages as the origin's user with the origin's key (correct prev_events,
 * auth_events, depth, hashes and signatures; the origin itself never stores them) and PUTs them to the target in
 * transactions of 50, one after another as one origin's transactions are processed. The target checks each PDU in
 * full (signature, content hash, auth events, state before it, soft-fail) and stores it. Prints PDUs/s and the
 * transaction latency p50/p99, after {@code warmup} PDUs sent the same way.
 * Run: java -cp bench/target/benchmarks.jar dev.myelin.bench.InboundPduLoad [pdus=5000] [warmup=1000]
 */
public final class InboundPduLoad {
    private static final int PER_TRANSACTION = 50;

    public static void main(String[] args) throws Exception {
        int pdus = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        try (Homeserver origin = RemoteJoinLoad.start("origin"); Homeserver target = RemoteJoinLoad.start("target")) {
            String originName = origin.config().serverName();
            String targetName = target.config().serverName();
            RoomService rooms = origin.rooms().service();
            String sender = "@sender:" + originName;
            String roomId = RoomCreation.create(rooms, sender, new CreateRoomRequest(RoomVersion.V12, true,
                    Optional.of("public_chat"), Optional.of("Inbound"), Optional.empty(), List.of(), false,
                    Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
            target.rooms().service().join(roomId, "@reader:" + targetName, null, List.of(originName));
            while (target.rooms().service().store().room(roomId).orElseThrow().partialState()) {
                Thread.sleep(10);
            }

            var chain = new Chain(origin, roomId, sender);
            send(origin, targetName, chain.next(warmup), "warm-up");
            List<Long> latencies = send(origin, targetName, chain.next(pdus), "measured");
            latencies.sort(null);
            long total = latencies.stream().mapToLong(Long::longValue).sum();
            System.out.printf("%d PDUs in %d transactions of %d: %.0f PDUs/s; transaction p50 %.1f ms, p99 %.1f ms%n",
                    pdus, latencies.size(), PER_TRANSACTION, pdus / (total / 1e9),
                    latencies.get(latencies.size() / 2) / 1e6, latencies.get(latencies.size() * 99 / 100) / 1e6);
            String last = chain.last;
            RoomStore.StoredEvent stored = target.rooms().service().store().event(last).orElseThrow();
            System.out.println("last PDU at the target: " + (stored.rejected() ? "rejected" : stored.softFailed()
                    ? "soft-failed" : "accepted"));
        }
        System.out.println("loadavg " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Sends the PDUs in transactions of 50, one at a time; the latency of each. */
    private static List<Long> send(Homeserver origin, String targetName, List<EncodedPdu> pdus, String what)
            throws Exception {
        var latencies = new ArrayList<Long>();
        for (int i = 0; i < pdus.size(); i += PER_TRANSACTION) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("origin", origin.config().serverName());
            body.put("origin_server_ts", System.currentTimeMillis());
            var array = body.putArray("pdus");
            pdus.subList(i, Math.min(pdus.size(), i + PER_TRANSACTION)).forEach(pdu -> array.add(pdu.pdu().json()));
            long start = System.nanoTime();
            var answer = origin.federation().client().put(targetName,
                    "/_matrix/federation/v1/send/" + what + i + "-" + System.nanoTime(), body);
            latencies.add(System.nanoTime() - start);
            answer.path("pdus").properties().forEach(result -> {
                if (result.getValue().has("error")) {
                    throw new IllegalStateException(result.getKey() + ": " + result.getValue());
                }
            });
        }
        return latencies;
    }

    /** Messages of the origin's user, each after the previous, signed with the origin's key. */
    private static final class Chain {
        private final LocalEventFactory factory;
        private final String roomId;
        private final String sender;
        private final List<String> authEvents = new ArrayList<>();
        private String last;
        private long depth;
        private int sent;

        Chain(Homeserver origin, String roomId, String sender) throws Exception {
            this.factory = new LocalEventFactory(origin.config().serverName(),
                    SigningKeyFile.loadOrCreate(origin.config().signingKeyPath()));
            this.roomId = roomId;
            this.sender = sender;
            RoomStore store = origin.rooms().service().store();
            RoomStore.Room room = store.room(roomId).orElseThrow();
            Map<StateKey, RoomStore.StoredEvent> state = store.state(room.currentSnapshot());
            for (StateKey key : AuthEventSelector.select(RoomVersion.V12, "m.room.message", null, sender,
                    Json.MAPPER.createObjectNode())) {
                RoomStore.StoredEvent event = state.get(key);
                if (event != null) {
                    authEvents.add(event.eventId());
                }
            }
            List<String> extremities = store.forwardExtremities(room.nid());
            this.last = extremities.getFirst();
            for (String id : extremities) {
                depth = Math.max(depth, Json.MAPPER.readTree(store.event(id).orElseThrow().json()).path("depth")
                        .asLong());
            }
        }

        List<EncodedPdu> next(int count) {
            var out = new ArrayList<EncodedPdu>(count);
            for (int i = 0; i < count; i++) {
                ObjectNode draft = Json.MAPPER.createObjectNode();
                draft.put("type", "m.room.message");
                draft.put("sender", sender);
                draft.put("room_id", roomId);
                draft.putObject("content").put("msgtype", "m.text").put("body", "inbound message " + ++sent);
                draft.put("origin_server_ts", System.currentTimeMillis());
                draft.put("depth", ++depth);
                draft.putArray("prev_events").add(last);
                var auth = draft.putArray("auth_events");
                authEvents.forEach(auth::add);
                EncodedPdu pdu = factory.create(draft, RoomVersion.V12);
                last = pdu.eventId();
                out.add(pdu);
            }
            return out;
        }
    }
}
