package dev.myelin.server.storage.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The events stream on SQLite: positions are counted up in the stream's {@code stream_positions} row inside the write
 * transaction. The single writer commits transactions in the order it numbered them, so the committed row is also
 * how far readers may read.
 */
final class SingleWriterEventsStream implements EventsStream {
    private static final Numbering IN_THE_WRITE = new Numbering() {
        @Override
        public long[] next(Connection connection, int count) throws SQLException {
            long last = SqlStreamPositions.advance(connection, SqlRoomStore.EVENTS, count);
            long[] positions = new long[count];
            for (int i = 0; i < count; i++) {
                positions[i] = last - count + 1 + i;
            }
            return positions;
        }

        /** The nids follow the highest one AUTOINCREMENT ever gave out, which the single writer alone moves. */
        @Override
        public Numbers nextWithNids(Connection connection, int count) throws SQLException {
            long[] positions = next(connection, count);
            long last = Jdbc.queryOne(connection, "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
                    row -> row.getLong(1)).orElse(0L);
            long[] nids = new long[count];
            for (int i = 0; i < count; i++) {
                nids[i] = last + 1 + i;
            }
            return new Numbers(positions, nids);
        }

        @Override
        public void committed() {}

        @Override
        public void abandoned() {}
    };

    private final Database database;

    SingleWriterEventsStream(Database database) {
        this.database = database;
    }

    @Override
    public Numbering begin() {
        return IN_THE_WRITE;
    }

    @Override
    public long current() {
        return database.read(c -> SqlStreamPositions.current(c, SqlRoomStore.EVENTS));
    }
}
