package dev.myelin.server.storage.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Numbers the rows of the events stream ({@link SqlRoomStore#EVENTS}) and tells readers how far they may read: every
 * position up to {@link #current()} is committed or will never be used, so "the events after N up to current" never
 * skips one that commits later. One per database per process ({@link Database#eventsStream()}).
 */
public interface EventsStream {

    /** Starts numbering the events of one write transaction; end it with {@code committed} or {@code abandoned}. */
    Numbering begin();

    /** The highest position readers may read up to; 0 for an empty stream. */
    long current();

    /** Positions of the events stream and the event nids that go with them, index by index. */
    record Numbers(long[] positions, long[] eventNids) {
        /** {@code count} of them, from index {@code from}. */
        public Numbers slice(int from, int count) {
            return new Numbers(java.util.Arrays.copyOfRange(positions, from, from + count),
                    java.util.Arrays.copyOfRange(eventNids, from, from + count));
        }
    }

    /** The positions one write transaction takes. */
    interface Numbering {

        /** {@code count} new positions, ascending, for rows written on {@code connection}'s transaction. */
        long[] next(Connection connection, int count) throws SQLException;

        /**
         * {@code count} new positions, ascending, each with the nid its {@code events} row is to be inserted with: a
         * write that knows its rows' nids in advance need not wait for an INSERT's RETURNING before the statements
         * that refer to them (see {@link DeferredWrites}).
         */
        Numbers nextWithNids(Connection connection, int count) throws SQLException;

        /** The transaction committed: returns once its positions are {@link #current() readable}. */
        void committed();

        /** The transaction rolled back (or its outcome is unknown): its positions are never used. */
        void abandoned();
    }
}
