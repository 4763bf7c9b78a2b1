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
 * <p>Statements run in the order they were added. Code that uses the connection directly must {@link #flush()}
 * first, so that it sees what was added before. A failing statement fails the flush, and with it the transaction.
 */
final class DeferredWrites {
    private record Pending(String sql, Object[] params) {}

    private final Connection connection;
    private final boolean deferred;
    private final List<Pending> pending = new ArrayList<>();

    DeferredWrites(Connection connection, Dialect dialect) {
        this.connection = connection;
        this.deferred = dialect == Dialect.POSTGRES;
    }

    /** Runs (or queues) one statement. */
    void update(String sql, Object... params) throws SQLException {
        if (!deferred) {
            Jdbc.update(connection, sql, params);
            return;
        }
        if (sql.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one statement at a time: " + sql);
        }
        pending.add(new Pending(sql, params));
    }

    /** Runs what is queued, in one round trip. */
    void flush() throws SQLException {
        run(false);
    }

    /**
     * Runs what is queued and ends the transaction: on PostgreSQL a COMMIT closes the batch, so the writes and the
     * commit share one round trip (pgjdbc then finds no transaction for the transaction runner's own commit, and
     * sends nothing); on SQLite the writer commits as usual. Nothing may use the connection afterwards.
     */
    void commit() throws SQLException {
        run(true);
    }

    private void run(boolean commit) throws SQLException {
        if (pending.isEmpty() && !commit) {
            return;
        }
        if (!deferred) {
            return;
        }
        var sql = new StringBuilder();
        var params = new ArrayList<Object>();
        for (Pending each : pending) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(each.sql());
            params.addAll(Arrays.asList(each.params()));
        }
        if (commit) {
            sql.append(sql.isEmpty() ? "" : ";\n").append("COMMIT");
        }
        pending.clear();
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            Jdbc.bind(statement, params.toArray());
            statement.execute();
        }
    }
}
