package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * SQLite in WAL mode: one connection owned by one platform thread does every write, one after the other; a few
 * reader connections on their own platform threads read committed snapshots alongside.
 */
final class SqliteDatabase implements Database {
    private static final Logger log = LoggerFactory.getLogger(SqliteDatabase.class);
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    private final Path file;
    private final Connection writerConnection;
    private final GroupCommitWriter writer;
    private final WalCheckpointer checkpointer;
    private final BlockingQueue<Connection> idleReaders;
    private final List<Connection> readerConnections;
    private final PlatformWorkers readers;
    private final EventsStream eventsStream = new SingleWriterEventsStream(this);
    private final AtomicBoolean closed = new AtomicBoolean();

    private SqliteDatabase(Path file, Connection writerConnection, List<Connection> readerConnections,
                           Connection checkpointConnection) {
        this.file = file;
        this.writerConnection = writerConnection;
        this.writer = new GroupCommitWriter(writerConnection);
        this.checkpointer = new WalCheckpointer(checkpointConnection);
        this.readerConnections = readerConnections;
        this.idleReaders = new ArrayBlockingQueue<>(readerConnections.size(), false, readerConnections);
        this.readers = new PlatformWorkers("sqlite-readers", readerConnections.size());
    }

    static SqliteDatabase open(DatabaseSettings settings) {
        Path file = settings.sqlitePath().toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory for " + file, e);
        }
        SqliteNativeLibrary.useCopyIn(file.getParent());
        SQLiteDataSource writerSource = dataSource(file, true);
        Migrations.migrate(writerSource, Dialect.SQLITE);
        List<Connection> opened = new ArrayList<>();
        try {
            Connection writerConnection = StatementCache.wrap(writerSource.getConnection());
            opened.add(writerConnection);
            try (Statement statement = writerConnection.createStatement()) {
                // Checkpoints run on their own thread (WalCheckpointer), never inside a write's commit.
                statement.execute("PRAGMA wal_autocheckpoint = 0");
            }
            writerConnection.setAutoCommit(false);
            Connection checkpointConnection = writerSource.getConnection();
            opened.add(checkpointConnection);
            SQLiteDataSource readerSource = dataSource(file, false);
            List<Connection> readerConnections = new ArrayList<>();
            for (int i = 0; i < settings.maxPoolSize(); i++) {
                Connection reader = StatementCache.wrap(readerSource.getConnection());
                opened.add(reader);
                try (Statement statement = reader.createStatement()) {
                    statement.execute("PRAGMA query_only = ON");
                }
                reader.setAutoCommit(false);
                readerConnections.add(reader);
            }
            log.info("SQLite database {} open with {} readers", file, readerConnections.size());
            return new SqliteDatabase(file, writerConnection, readerConnections, checkpointConnection);
        } catch (SQLException e) {
            opened.forEach(SqliteDatabase::closeQuietly);
            throw new StorageException("cannot open SQLite database " + file + ": " + e.getMessage(), e);
        }
    }

    private static SQLiteDataSource dataSource(Path file, boolean writer) {
        SQLiteConfig config = new SQLiteConfig();
        if (writer) {
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // Statement journals (each group-committed write runs in a savepoint) stay in memory instead of
            // temporary files created and deleted on the writer's thread.
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        }
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        if (SharedRead.active()) {
            return SharedRead.read(work);
        }
        return onIdleReader(connection -> Transaction.run(connection, work));
    }

    @Override
    public <T> T readingTogether(java.util.function.Supplier<T> code) {
        if (SharedRead.active()) {
            return code.get();
        }
        return onIdleReader(connection -> SharedRead.run(connection, code));
    }

    /** Runs on a reader thread with one of the idle reader connections, given back afterwards. */
    private <T> T onIdleReader(java.util.function.Function<Connection, T> body) {
        Transaction.checkNotNested();
        return readers.call(() -> {
            Connection connection = idleReaders.poll();
            if (connection == null) {
                throw new IllegalStateException("no idle SQLite reader connection for a reader thread");
            }
            try {
                return body.apply(connection);
            } finally {
                idleReaders.add(connection);
            }
        });
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        Transaction.checkNotNested();
        return writer.call(work);
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    @Override
    public EventsStream eventsStream() {
        return eventsStream;
    }

    @Override
    public List<PoolStats> poolStats() {
        return List.of(writer.stats(), readers.stats());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            boolean readsDone = readers.shutdown(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            boolean writesDone = writer.shutdown(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!readsDone || !writesDone) {
                log.warn("SQLite work still running after {} s; closing anyway", CLOSE_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while waiting for SQLite work to finish; closing anyway");
        }
        readerConnections.forEach(SqliteDatabase::closeQuietly);
        checkpointer.close();
        checkpoint();
        closeQuietly(writerConnection);
        log.info("SQLite database {} closed", file);
    }

    /** Folds the WAL back into the database file so it is complete on its own. */
    private void checkpoint() {
        try (Statement statement = writerConnection.createStatement()) {
            writerConnection.setAutoCommit(true);
            statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            log.warn("WAL checkpoint of {} failed: {}", file, e.getMessage());
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing a SQLite connection failed: {}", e.getMessage());
        }
    }
}
