package dev.myelin.bench;

import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.FederationQueueStore.Kind;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlFederationQueueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Queuing one EDU (a typing notification) for the {@code servers} other servers of a room in the durable federation
 * queue on SQLite: one write per destination (how EDUs were queued before fan-out took a destination list) against
 * one write for all of them ({@code FederationSender.enqueueEdu(Collection, ...)}).
 * Run: java --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar EduFanOutBenchmark -f 1 -wi 2 -w 3s
 * -i 3 -r 3s -t 1
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EduFanOutBenchmark {
    private static final byte[] TYPING = """
            {"edu_type":"m.typing","content":{"room_id":"!room:bench.local","user_id":"@alice:bench.local",\
            "typing":true}}""".getBytes(StandardCharsets.UTF_8);

    @Param({"1", "10", "50"})
    public int servers;

    private Database database;
    private SqlFederationQueueStore queue;
    private List<String> destinations;

    @Setup
    public void setUp() throws Exception {
        var dir = Files.createTempDirectory("myelin-edu-fanout");
        database = Database.open(DatabaseSettings.sqlite(dir.resolve("myelin.db")));
        queue = new SqlFederationQueueStore(database);
        destinations = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            destinations.add("server" + i + ".bench.local");
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        database.close();
    }

    @Benchmark
    public void oneWritePerDestination() {
        for (String destination : destinations) {
            queue.enqueue(Kind.EDU, TYPING, List.of(destination), System.currentTimeMillis());
        }
    }

    @Benchmark
    public long oneWriteForAll() {
        return queue.enqueue(Kind.EDU, TYPING, destinations, System.currentTimeMillis());
    }
}
