package dev.myelin.server.storage.sql;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Folds the WAL back into the database file on a platform thread of its own, so that the writer never does. With
 * {@code synchronous=NORMAL} a checkpoint is where SQLite syncs the WAL and the database file to disk; left to
 * SQLite's automatic checkpoint it runs inside the commit of whichever write crosses the threshold, and every write
 * queued behind it waits for the fsyncs. The writer's automatic checkpoint is therefore off, and this thread runs a
 * PASSIVE checkpoint (which never blocks the writer or readers) every {@link #INTERVAL}; the writer starts the WAL
 * over once everything in it has been checkpointed and no reader still needs it (sqlite.org "Write-Ahead Logging",
 * "Checkpointing").
 */
final class WalCheckpointer implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofMillis(250);
    private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

    /** What one checkpoint found: the frames in the WAL and how many of them are now in the database file. */
    record Progress(int walFrames, int checkpointedFrames) {}

    private final Connection connection;
    private final Thread thread;
    private volatile boolean closed;

    /** Starts checkpointing through {@code connection}, an auto-commit connection of its own. */
    WalCheckpointer(Connection connection) {
        this.connection = connection;
        this.thread = Thread.ofPlatform().name("sqlite-checkpointer").daemon(true).start(this::work);
    }

    /** One passive checkpoint, now. */
    Progress checkpoint() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            row.next();
            return new Progress(row.getInt(2), row.getInt(3));
        }
    }

    private void work() {
        while (!closed) {
            LockSupport.parkNanos(INTERVAL.toNanos());
            if (closed) {
                return;
            }
            try {
                checkpoint();
            } catch (SQLException e) {
                log.warn("WAL checkpoint failed: {}", e.getMessage());
            }
        }
    }

    /** Stops the thread (after the checkpoint it may be running) and closes its connection. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the checkpointer's connection failed: {}", e.getMessage());
        }
    }
}
