package dev.myelin.server.storage.sql;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** SQLite statements reused per connection (SQLite only: PostgreSQL connections are not wrapped). */
class StatementCacheTest {
    private static final String SELECT = "SELECT n FROM numbers WHERE n >= ? ORDER BY n";

    @TempDir
    Path dir;

    private Connection connection;

    @BeforeEach
    void open() throws SQLException {
        connection = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cache.db")));
        Jdbc.update(connection, "CREATE TABLE numbers (n INTEGER NOT NULL)");
        for (int n = 1; n <= 3; n++) {
            Jdbc.update(connection, "INSERT INTO numbers (n) VALUES (?)", n);
        }
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    @Test
    void aClosedStatementIsHandedOutAgainWithFreshParameters() throws SQLException {
        PreparedStatement first = connection.prepareStatement(SELECT);
        first.setInt(1, 2);
        assertThat(rows(first)).containsExactly(2, 3);
        first.close();
        assertThat(first.isClosed()).isTrue();

        PreparedStatement again = connection.prepareStatement(SELECT);
        assertThat(again).isSameAs(first);
        assertThat(again.isClosed()).isFalse();
        // Parameters were cleared on close: running without binding compares with NULL, not with the old 2.
        assertThat(rows(again)).isEmpty();
        again.setInt(1, 3);
        assertThat(rows(again)).containsExactly(3);
        again.close();
    }

    @Test
    void theSameSqlRunWhileItsStatementIsInUseGetsItsOwnStatement() throws SQLException {
        var pairs = new ArrayList<String>();
        try (PreparedStatement outer = connection.prepareStatement(SELECT)) {
            outer.setInt(1, 1);
            try (ResultSet rows = outer.executeQuery()) {
                while (rows.next()) {
                    int n = rows.getInt(1);
                    try (PreparedStatement inner = connection.prepareStatement(SELECT)) {
                        assertThat(inner).isNotSameAs(outer);
                        inner.setInt(1, 3);
                        for (int m : rows(inner)) {
                            pairs.add(n + "-" + m);
                        }
                    }
                }
            }
        }
        assertThat(pairs).containsExactly("1-3", "2-3", "3-3");
    }

    @Test
    void transactionsStillCommitAndRollBack() throws SQLException {
        connection.setAutoCommit(false);
        Jdbc.update(connection, "INSERT INTO numbers (n) VALUES (?)", 4);
        connection.rollback();
        Jdbc.update(connection, "INSERT INTO numbers (n) VALUES (?)", 5);
        connection.commit();
        assertThat(Jdbc.queryList(connection, "SELECT n FROM numbers ORDER BY n", row -> row.getInt(1)))
                .containsExactly(1, 2, 3, 5);
    }

    private static List<Integer> rows(PreparedStatement statement) throws SQLException {
        var result = new ArrayList<Integer>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                result.add(rows.getInt(1));
            }
        }
        return result;
    }
}
