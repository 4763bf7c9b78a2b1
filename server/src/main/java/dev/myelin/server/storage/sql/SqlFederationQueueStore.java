package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.FederationQueueStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

public final class SqlFederationQueueStore implements FederationQueueStore {
    private final Database database;

    public SqlFederationQueueStore(Database database) {
        this.database = database;
    }

    @Override
    public long enqueue(Kind kind, byte[] json, Collection<String> destinations, long nowTs) {
        return database.write(connection -> {
            long id = Jdbc.queryOne(connection,
                    "INSERT INTO federation_outbox_items (kind, json, created_ts) VALUES (?, ?, ?) RETURNING id",
                    row -> row.getLong(1), kind.name().toLowerCase(), json, nowTs).orElseThrow();
            for (String destination : new LinkedHashSet<>(destinations)) {
                Jdbc.update(connection, "INSERT INTO federation_outbox (destination, item_id) VALUES (?, ?)",
                        destination, id);
            }
            return id;
        });
    }

    @Override
    public List<QueuedItem> next(String destination, int maxPdus, int maxEdus) {
        return database.read(connection -> {
            String sql = """
                    SELECT i.id, i.kind, i.json FROM federation_outbox o
                    JOIN federation_outbox_items i ON i.id = o.item_id
                    WHERE o.destination = ? AND i.kind = ? ORDER BY o.item_id LIMIT ?""";
            var items = new ArrayList<QueuedItem>();
            items.addAll(Jdbc.queryList(connection, sql, SqlFederationQueueStore::item, destination, "pdu", maxPdus));
            items.addAll(Jdbc.queryList(connection, sql, SqlFederationQueueStore::item, destination, "edu", maxEdus));
            items.sort(Comparator.comparingLong(QueuedItem::id));
            return items;
        });
    }

    @Override
    public void delivered(Map<String, ? extends Collection<Long>> itemIdsByDestination) {
        database.write(connection -> {
            var items = new TreeSet<Long>();
            for (var destination : itemIdsByDestination.entrySet()) {
                for (long id : destination.getValue()) {
                    Jdbc.update(connection, "DELETE FROM federation_outbox WHERE destination = ? AND item_id = ?",
                            destination.getKey(), id);
                    items.add(id);
                }
            }
            for (long id : items) {
                Jdbc.update(connection, """
                        DELETE FROM federation_outbox_items WHERE id = ?
                        AND NOT EXISTS (SELECT 1 FROM federation_outbox WHERE item_id = ?)""", id, id);
            }
            return null;
        });
    }

    @Override
    public List<String> destinationsWithItems() {
        return database.read(connection -> Jdbc.queryList(connection,
                "SELECT DISTINCT destination FROM federation_outbox ORDER BY destination", row -> row.getString(1)));
    }

    @Override
    public Optional<Backoff> backoff(String destination) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT failures, retry_after_ts FROM federation_destinations WHERE destination = ?",
                row -> new Backoff(row.getInt(1), row.getLong(2)), destination));
    }

    @Override
    public void backOff(String destination, Backoff backoff) {
        database.write(connection -> Jdbc.update(connection, """
                INSERT INTO federation_destinations (destination, failures, retry_after_ts) VALUES (?, ?, ?)
                ON CONFLICT (destination) DO UPDATE SET failures = excluded.failures,
                    retry_after_ts = excluded.retry_after_ts""",
                destination, backoff.failures(), backoff.retryAfterTs()));
    }

    @Override
    public void clearBackoff(String destination) {
        database.write(connection -> Jdbc.update(connection,
                "DELETE FROM federation_destinations WHERE destination = ?", destination));
    }

    private static QueuedItem item(ResultSet row) throws SQLException {
        return new QueuedItem(row.getLong(1), Kind.valueOf(row.getString(2).toUpperCase()), row.getBytes(3));
    }
}
