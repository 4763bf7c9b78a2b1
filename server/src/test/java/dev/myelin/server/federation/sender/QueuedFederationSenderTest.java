package dev.myelin.server.federation.sender;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlFederationQueueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The sender over the SQLite queue, fanning out to many destinations through a recording client. */
class QueuedFederationSenderTest {
    private static final int SLOTS = 3;

    @TempDir
    Path dir;

    private Database database;
    private SqlFederationQueueStore store;

    /** Answers every transaction; records them, and how many were in flight at once, per destination and in all. */
    private static final class RecordingClient implements FederationClient {
        final Map<String, List<JsonNode>> transactions = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        final AtomicInteger allInFlight = new AtomicInteger();
        final AtomicInteger mostPerDestination = new AtomicInteger();
        final AtomicInteger mostInAll = new AtomicInteger();

        @Override
        public JsonNode put(String destination, String path, JsonNode body) {
            int here = inFlight.computeIfAbsent(destination, d -> new AtomicInteger()).incrementAndGet();
            mostPerDestination.accumulateAndGet(here, Math::max);
            mostInAll.accumulateAndGet(allInFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(1); // a network round trip, so that transactions overlap
                transactions.computeIfAbsent(destination, d -> new CopyOnWriteArrayList<>()).add(body);
                return Json.MAPPER.createObjectNode().putObject("pdus");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                allInFlight.decrementAndGet();
                inFlight.get(destination).decrementAndGet();
            }
        }

        @Override
        public JsonNode get(String destination, String path) throws FederationException {
            throw new FederationException(destination, 404, java.util.Optional.empty(), "not served");
        }

        @Override
        public JsonNode post(String destination, String path, JsonNode body) throws FederationException {
            throw new FederationException(destination, 404, java.util.Optional.empty(), "not served");
        }

        /** The PDUs the destination received, in the order received. */
        List<Integer> pdus(String destination) {
            var numbers = new ArrayList<Integer>();
            for (JsonNode transaction : transactions.getOrDefault(destination, List.of())) {
                transaction.path("pdus").forEach(pdu -> numbers.add(pdu.path("n").asInt()));
            }
            return numbers;
        }
    }

    @BeforeEach
    void open() {
        database = Database.open(DatabaseSettings.sqlite(dir.resolve("myelin.db")));
        store = new SqlFederationQueueStore(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void eachDestinationGetsEveryPduOnceInOrderOneTransactionAtATime() throws Exception {
        var client = new RecordingClient();
        List<String> destinations = IntStream.rangeClosed(1, 20).mapToObj(i -> "s" + i + ".example").toList();
        int pdus = 120;
        try (var sender = new QueuedFederationSender("origin.example", store, client, Clock.systemUTC(),
                Backoff.DEFAULT, new TransactionSlots(SLOTS, Duration.ofMinutes(1))).start()) {
            for (int i = 0; i < pdus; i++) {
                sender.enqueuePdu("!room:origin.example",
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), destinations);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!store.destinationsWithItems().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }

        List<Integer> all = IntStream.range(0, pdus).boxed().toList();
        for (String destination : destinations) {
            assertThat(client.pdus(destination)).as(destination).isEqualTo(all);
            assertThat(client.transactions.get(destination))
                    .allSatisfy(txn -> assertThat(txn.path("pdus").size()).isBetween(1, QueuedFederationSender.MAX_PDUS));
        }
        assertThat(store.destinationsWithItems()).isEmpty();
        assertThat(client.mostPerDestination.get()).isEqualTo(1);
        assertThat(client.mostInAll.get()).isBetween(1, SLOTS);
    }
}
