package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.DatabaseSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteDatabaseTest {
    @TempDir
    Path dir;

    private Path file;
    private Database database;

    @BeforeEach
    void open() {
        file = dir.resolve("myelin.db");
        database = Database.open(DatabaseSettings.sqlite(file));
        database.write(connection -> execute(connection, "CREATE TABLE counter (n INTEGER NOT NULL)")
                + execute(connection, "INSERT INTO counter (n) VALUES (0)"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private static int execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate(sql);
        }
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private String writerQuery(String sql) {
        return database.write(c -> query(c, sql));
    }

    private String readerQuery(String sql) {
        return database.read(c -> query(c, sql));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void connectionsUseWalNormalSyncAndForeignKeys() {
        assertThat(writerQuery("PRAGMA journal_mode")).isEqualTo("wal");
        assertThat(writerQuery("PRAGMA synchronous")).isEqualTo("1");
        assertThat(writerQuery("PRAGMA wal_autocheckpoint")).as("the writer never checkpoints").isEqualTo("0");
        assertThat(writerQuery("PRAGMA temp_store")).as("statement journals in memory").isEqualTo("2");
        assertThat(readerQuery("PRAGMA foreign_keys")).isEqualTo("1");
        assertThat(readerQuery("PRAGMA busy_timeout")).isNotEqualTo("0");
    }

    @Test
    void workRunsOnPlatformThreads() {
        boolean writerVirtual = database.write(c -> Thread.currentThread().isVirtual());
        boolean readerVirtual = database.read(c -> Thread.currentThread().isVirtual());

        assertThat(writerVirtual).isFalse();
        assertThat(readerVirtual).isFalse();
    }

    @Test
    void readModifyWriteFromManyVirtualThreadsIsSerialized() {
        int writers = 200;
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                executor.submit(() -> database.write(c -> {
                    int n = Integer.parseInt(query(c, "SELECT n FROM counter"));
                    Thread.onSpinWait();
                    return execute(c, "UPDATE counter SET n = " + (n + 1));
                }));
            }
        }

        assertThat(readerQuery("SELECT n FROM counter")).isEqualTo(Integer.toString(writers));
    }

    @Test
    void readersProceedWhileAWriteIsOpen() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch readDone = new CountDownLatch(1);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> write = executor.submit(() -> database.write(c -> {
                execute(c, "UPDATE counter SET n = 42");
                writing.countDown();
                await(readDone);
                return null;
            }));
            writing.await();

            assertThat(readerQuery("SELECT n FROM counter")).isEqualTo("0");
            readDone.countDown();
            write.get();
        }
        assertThat(readerQuery("SELECT n FROM counter")).isEqualTo("42");
    }

    @Test
    void closeFinishesQueuedWritesAndCheckpointsTheWal() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> writes = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            writes.add(executor.submit(() -> database.write(c -> {
                started.countDown();
                await(release);
                return execute(c, "UPDATE counter SET n = n + 1");
            })));
            started.await();
            for (int i = 0; i < 5; i++) {
                writes.add(executor.submit(() -> database.write(c -> execute(c, "UPDATE counter SET n = n + 1"))));
            }
            while (database.poolStats().getFirst().pending() < 5) {
                Thread.sleep(1);
            }
            Thread closer = Thread.ofVirtual().start(database::close);
            release.countDown();
            closer.join();
            for (Future<?> write : writes) {
                write.get();
            }
        }

        Path wal = Path.of(file + "-wal");
        assertThat(!Files.exists(wal) || Files.size(wal) == 0).as("WAL empty after close").isTrue();
        assertThatThrownBy(() -> database.write(c -> 1)).isInstanceOf(IllegalStateException.class);
        try (Database reopened = Database.open(DatabaseSettings.sqlite(file))) {
            String n = reopened.read(c -> query(c, "SELECT n FROM counter"));
            assertThat(n).isEqualTo("6");
        }
    }

    @Test
    void writesQueuedBehindABusyWriterCommitTogetherAndOneFailingIsRolledBackAlone() throws Exception {
        database.write(c -> execute(c, "CREATE TABLE rows (n INTEGER NOT NULL)"));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch lastWrote = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            occupyWriter(executor, release);
            Future<?> first = executor.submit(() -> database.write(c -> execute(c, "INSERT INTO rows VALUES (1)")));
            awaitPending(1);
            Future<?> failing = executor.submit(() -> database.write(c -> {
                execute(c, "INSERT INTO rows VALUES (2)");
                throw new IllegalArgumentException("refused");
            }));
            awaitPending(2);
            Future<?> last = executor.submit(() -> database.write(c -> {
                execute(c, "INSERT INTO rows VALUES (3)");
                lastWrote.countDown();
                await(finish);
                return null;
            }));
            awaitPending(3);
            release.countDown();
            lastWrote.await();

            assertThat(readerQuery("SELECT count(*) FROM rows")).as("the first write waits for the group's commit")
                    .isEqualTo("0");
            finish.countDown();
            first.get();
            last.get();
            assertThatThrownBy(failing::get).hasCauseInstanceOf(IllegalArgumentException.class);
        }

        assertThat(readerQuery("SELECT group_concat(n) FROM (SELECT n FROM rows ORDER BY n)")).isEqualTo("1,3");
    }

    /** Keeps the writer busy with a write that waits for {@code release}. */
    private void occupyWriter(java.util.concurrent.ExecutorService executor, CountDownLatch release)
            throws InterruptedException {
        executor.submit(() -> database.write(c -> {
            await(release);
            return null;
        }));
        while (database.poolStats().getFirst().active() < 1) {
            Thread.sleep(1);
        }
    }

    private void awaitPending(int count) throws InterruptedException {
        while (database.poolStats().getFirst().pending() < count) {
            Thread.sleep(1);
        }
    }

    @Test
    void theWalIsFoldedIntoTheDatabaseFileInTheBackground() throws Exception {
        long before = Files.size(file);
        database.write(c -> execute(c, "CREATE TABLE blobs (b BLOB NOT NULL)")
                + execute(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                        + " INSERT INTO blobs SELECT randomblob(1000) FROM n"));
        assertThat(Files.size(Path.of(file + "-wal"))).as("the write went to the WAL").isGreaterThan(2_000_000);

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.size(file) < before + 2_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.size(file)).as("checkpointed into the database file").isGreaterThan(before + 2_000_000);
    }

    @Test
    void anInterruptedCallerDropsWorkThatHasNotStarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            occupyWriter(executor, release);
            Future<?> queued = executor.submit(() -> database.write(c -> execute(c, "UPDATE counter SET n = 99")));
            awaitPending(1);
            queued.cancel(true);
            while (database.poolStats().getFirst().pending() > 0) {
                Thread.sleep(1);
            }
            release.countDown();
        }

        assertThat(readerQuery("SELECT n FROM counter")).isEqualTo("0");
    }

    @Test
    void anInterruptedCallerStillGetsTheResultOfStartedWork() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        boolean[] interruptedAfterwards = new boolean[1];
        Thread caller = Thread.ofVirtual().start(() -> {
            database.write(c -> {
                started.countDown();
                await(release);
                return execute(c, "UPDATE counter SET n = 7");
            });
            interruptedAfterwards[0] = Thread.currentThread().isInterrupted();
        });
        started.await();
        caller.interrupt();
        release.countDown();
        caller.join();

        assertThat(interruptedAfterwards[0]).isTrue();
        assertThat(readerQuery("SELECT n FROM counter")).isEqualTo("7");
    }

    @Test
    void poolStatsCountWaitingWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            occupyWriter(executor, release);
            executor.submit(() -> database.write(c -> 1));
            awaitPending(1);

            assertThat(database.poolStats().getFirst()).isEqualTo(new PoolStats("sqlite-writer", 1, 0, 1, 1));
            release.countDown();
        }
        assertThat(database.poolStats().getFirst()).isEqualTo(new PoolStats("sqlite-writer", 0, 1, 0, 1));
    }
}
