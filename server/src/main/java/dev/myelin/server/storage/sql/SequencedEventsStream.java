package dev.myelin.server.storage.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * The events stream on PostgreSQL: positions come from the {@code events_stream} sequence (migration V30), which,
 * unlike counting up a row, holds no lock until the transaction ends, so events of different rooms commit in
 * parallel and share WAL flushes. Transactions may then commit out of position order; {@link InFlightPositions}
 * keeps readers below any position still in flight. That tracking is per process: several processes writing events
 * to one database would each need to publish how far they have committed.
 */
final class SequencedEventsStream implements EventsStream {
    /** The readable position noted when a shared read began (see {@link #currentFixedAt}). */
    private static final ScopedValue<Long> NOTED = ScopedValue.newInstance();

    private final InFlightPositions positions;

    private SequencedEventsStream(long highestStored) {
        this.positions = new InFlightPositions(highestStored);
    }

    /** Starts from the highest position stored, so a position rolled back before a restart is never read. */
    static SequencedEventsStream open(Database database) {
        return new SequencedEventsStream(database.read(c -> Jdbc.queryOne(c,
                "SELECT COALESCE(MAX(stream_pos), 0) FROM events", row -> row.getLong(1)).orElseThrow()));
    }

    @Override
    public Numbering begin() {
        return new Numbering() {
            private long[] taken = new long[0];

            @Override
            public long[] next(Connection connection, int count) throws SQLException {
                return remember(positions.take(() -> nextValues(connection, count)));
            }

            @Override
            public Numbers nextWithNids(Connection connection, int count) throws SQLException {
                var numbers = new Numbers[1];
                remember(positions.take(() -> {
                    numbers[0] = nextValuesWithNids(connection, count);
                    return numbers[0].positions();
                }));
                return numbers[0];
            }

            private long[] remember(long[] fresh) {
                long[] all = Arrays.copyOf(taken, taken.length + fresh.length);
                System.arraycopy(fresh, 0, all, taken.length, fresh.length);
                taken = all;
                return fresh;
            }

            @Override
            public void committed() {
                positions.committed(taken);
                if (taken.length > 0) {
                    positions.awaitReadable(taken[taken.length - 1]);
                }
            }

            @Override
            public void abandoned() {
                positions.abandoned(taken);
            }
        };
    }

    private static long[] nextValues(Connection connection, int count) throws SQLException {
        if (count == 1) {
            return new long[] {Jdbc.queryOne(connection, "SELECT nextval('events_stream')", row -> row.getLong(1))
                    .orElseThrow()};
        }
        return Jdbc.queryList(connection, "SELECT nextval('events_stream') FROM generate_series(1, ?) ORDER BY 1",
                row -> row.getLong(1), count).stream().mapToLong(Long::longValue).toArray();
    }

    /** Positions and event nids (from the sequence of {@code events.event_nid}'s identity) in one statement. */
    private static Numbers nextValuesWithNids(Connection connection, int count) throws SQLException {
        List<long[]> rows = Jdbc.queryList(connection, """
                SELECT nextval('events_stream'), nextval(pg_get_serial_sequence('events', 'event_nid'))
                FROM generate_series(1, ?) ORDER BY 1""", row -> new long[] {row.getLong(1), row.getLong(2)}, count);
        var numbers = new Numbers(new long[count], new long[count]);
        for (int i = 0; i < count; i++) {
            numbers.positions()[i] = rows.get(i)[0];
            numbers.eventNids()[i] = rows.get(i)[1];
        }
        return numbers;
    }

    /** Readable now, or inside {@link #currentFixedAt} the position noted there. */
    @Override
    public long current() {
        return NOTED.isBound() ? NOTED.get() : positions.readable();
    }

    /**
     * Runs code for which {@link #current()} stays at {@code readable}: for a read transaction whose snapshot was
     * taken after {@code readable} was, so holds everything up to it, and whose reads must not look past it.
     */
    <T> T currentFixedAt(long readable, java.util.function.Supplier<T> code) {
        return ScopedValue.where(NOTED, readable).call(code::get);
    }
}
