package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.PoolStats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseTest extends StoreContractTest {

    @BeforeEach
    void createTable() {
        database.write(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)");
            }
            return null;
        });
    }

    private static int insert(Connection connection, int id, String body) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO notes (id, body) VALUES (?, ?)")) {
            statement.setInt(1, id);
            statement.setString(2, body);
            return statement.executeUpdate();
        }
    }

    private static int count(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM notes")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private int count() {
        return database.read(DatabaseTest::count);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsSeeCommittedWrites() {
        database.write(connection -> insert(connection, 1, "hello"));

        String body = database.read(connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT body FROM notes WHERE id = 1")) {
                return rows.next() ? rows.getString(1) : null;
            }
        });

        assertThat(body).isEqualTo("hello");
    }

    @Test
    void readsMadeTogetherShareATransactionAndWritesInsideStillCommit() {
        database.write(connection -> insert(connection, 1, "before"));
        List<Integer> counts = database.readingTogether(() -> {
            int first = count();
            database.write(connection -> insert(connection, 2, "inside"));
            int second = count();
            return List.of(first, second);
        });
        // One snapshot for every read inside, taken by the first: the write inside commits after it.
        assertThat(counts).containsExactly(1, 1);
        assertThat(count()).as("the write inside committed").isEqualTo(2);
        int nested = database.readingTogether(() -> database.readingTogether(this::count));
        assertThat(nested).isEqualTo(2);
    }

    @Test
    void aReadSeesOneSnapshotEvenWhenWritesCommitMeanwhile() {
        database.write(connection -> insert(connection, 1, "before"));

        List<Integer> counts = database.read(connection -> {
            int first = count(connection);
            Thread writer = Thread.ofVirtual().start(() -> database.write(c -> insert(c, 2, "meanwhile")));
            join(writer);
            return List.of(first, count(connection));
        });

        assertThat(counts).containsExactly(1, 1);
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void skipLockedSuffixIsValidSql() {
        database.write(connection -> insert(connection, 1, "queued"));

        int claimed = database.write(connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT id FROM notes ORDER BY id LIMIT 10" + database.dialect().forUpdateSkipLocked())) {
                rows.next();
                return rows.getInt(1);
            }
        });

        assertThat(claimed).isEqualTo(1);
    }

    @Test
    void anExceptionRollsBackEveryWriteOfTheWork() {
        IllegalStateException failure = new IllegalStateException("handler failed");

        assertThatThrownBy(() -> database.write(connection -> {
            insert(connection, 1, "first");
            insert(connection, 2, "second");
            throw failure;
        })).isSameAs(failure);

        assertThat(count()).isZero();
    }

    @Test
    void anSqlFailureRollsBackAndSurfacesAsStorageException() {
        assertThatThrownBy(() -> database.write(connection -> {
            insert(connection, 1, "same");
            return insert(connection, 2, "same");
        })).isInstanceOfSatisfying(StorageException.class, e ->
                assertThat(database.dialect().isUniqueViolation((SQLException) e.getCause())).isTrue());

        assertThat(count()).isZero();
    }

    @Test
    void readWorkCannotWrite() {
        assertThatThrownBy(() -> database.read(connection -> insert(connection, 1, "sneaky")))
                .isInstanceOf(StorageException.class);

        assertThat(count()).isZero();
    }

    @Test
    void transactionsDoNotNest() {
        assertThatThrownBy(() -> database.write(connection -> database.read(inner -> 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentWritesFromVirtualThreadsAllCommit() {
        int writers = 100;
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                int id = i;
                executor.submit(() -> database.write(connection -> insert(connection, id, "note " + id)));
            }
        }

        assertThat(count()).isEqualTo(writers);
    }

    @Test
    void poolStatsDescribeIdlePools() {
        assertThat(database.poolStats()).isNotEmpty().allSatisfy((PoolStats pool) -> {
            assertThat(pool.active()).isZero();
            assertThat(pool.pending()).isZero();
            assertThat(pool.total()).isPositive();
        });
    }

    @Test
    void workAfterCloseFails() {
        database.close();

        assertThatThrownBy(() -> database.read(connection -> 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> database.write(connection -> 1)).isInstanceOf(IllegalStateException.class);
    }
}
