package dev.myelin.server.storage.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * INSERT, UPDATE and DELETE statements of one transaction whose results nobody waits for. On PostgreSQL they queue
 * until {@link #flush()} and then go to the server as one multi-statement prepared statement: pgjdbc sends every
 * statement's Parse, Bind and Execute followed by a single Sync, so a send's half-dozen writes cost one round trip
 * instead of one each. SQLite runs in this process, so there each statement runs at once.
 *
 * <p>Statements run in the order they were added. Code that uses the connection directly (a query whose result it
 * needs) must {@link #flush()} first, so that it sees what was added before.
 */
final class DeferredWrites {
    /** What a statement must have changed, checked once its row count is known. */
    @FunctionalInterface
    interface RowCheck {
        void check(int rows) throws SQLException;
    }

    private record Pending(String sql, Object[] params, RowCheck check) {}

    private static final RowCheck ANY = rows -> {};

    private final Connection connection;
    private final boolean deferred;
    private final List<Pending> pending = new ArrayList<>();

    DeferredWrites(Connection connection, Dialect dialect) {
        this.connection = connection;
        this.deferred = dialect == Dialect.POSTGRES;
    }

    /** Runs (or queues) a statement whatever it changes. */
    void update(String sql, Object... params) throws SQLException {
        update(ANY, sql, params);
    }

    /** Runs (or queues) a statement whose row count {@code check} verifies; a failed check fails the transaction. */
    void update(RowCheck check, String sql, Object... params) throws SQLException {
        if (!deferred) {
            check.check(Jdbc.update(connection, sql, params));
            return;
        }
        if (sql.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one statement at a time: " + sql);
        }
        pending.add(new Pending(sql, params, check));
    }

    /** Runs what is queued, in one round trip, and checks each statement's row count. */
    void flush() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        List<Pending> batch = List.copyOf(pending);
        pending.clear();
        if (batch.size() == 1) {
            Pending only = batch.getFirst();
            only.check().check(Jdbc.update(connection, only.sql(), only.params()));
            return;
        }
        var sql = new StringBuilder();
        var params = new ArrayList<Object>();
        for (Pending each : batch) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(each.sql());
            params.addAll(Arrays.asList(each.params()));
        }
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            Jdbc.bind(statement, params.toArray());
            statement.execute();
            for (Pending each : batch) {
                each.check().check(statement.getUpdateCount());
                statement.getMoreResults();
            }
        }
    }
}
