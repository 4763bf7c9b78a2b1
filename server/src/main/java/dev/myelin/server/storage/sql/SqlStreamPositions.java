package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.StreamPositionStore;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Allocates stream positions inside the write transaction that stores the rows they number (except the events
 * stream on PostgreSQL: see {@link EventsStream}).
 *
 * <p>Allocation updates the stream's row in {@code stream_positions}, so on PostgreSQL it holds that row's lock until
 * the transaction ends: writers to one stream commit in position order and a rollback returns its positions. Hence
 * {@link #current} never names a position whose rows are not yet visible, and sync can read "everything up to N"
 * without gaps. On SQLite the single writer gives the same order.
 */
public final class SqlStreamPositions implements StreamPositionStore {
    private final Database database;

    public SqlStreamPositions(Database database) {
        this.database = database;
    }

    /** The next position of the stream, for a row written in the same transaction. Call only inside write work. */
    public static long next(Connection connection, StreamName stream) throws SQLException {
        return advance(connection, stream, 1);
    }

    /** Takes the stream's next {@code count} positions and returns the highest. Call only inside write work. */
    static long advance(Connection connection, StreamName stream, int count) throws SQLException {
        return Jdbc.queryOne(connection, """
                INSERT INTO stream_positions (stream, position) VALUES (?, ?)
                ON CONFLICT (stream) DO UPDATE SET position = stream_positions.position + ?
                RETURNING position""", row -> row.getLong(1), stream.value(), count, count).orElseThrow();
    }

    /** The highest position allocated to the stream as this transaction sees it; 0 for an empty stream. */
    public static long current(Connection connection, StreamName stream) throws SQLException {
        return Jdbc.queryOne(connection, "SELECT position FROM stream_positions WHERE stream = ?",
                row -> row.getLong(1), stream.value()).orElse(0L);
    }

    @Override
    public long current(StreamName stream) {
        return database.read(connection -> current(connection, stream));
    }
}
