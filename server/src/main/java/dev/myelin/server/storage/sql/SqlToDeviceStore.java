package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.ToDeviceStore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

public final class SqlToDeviceStore implements ToDeviceStore {
    public static final StreamName TO_DEVICE = StreamName.of("to_device");

    private final Database database;

    public SqlToDeviceStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Long> send(String senderUserId, String senderDeviceId, String txnId, List<Message> messages) {
        return database.write(c -> {
            int fresh = Jdbc.update(c, """
                    INSERT INTO to_device_txns (user_id, device_id, txn_id) VALUES (?, ?, ?)
                    ON CONFLICT (user_id, device_id, txn_id) DO NOTHING""", senderUserId, senderDeviceId, txnId);
            if (fresh == 0) {
                return Optional.empty();
            }
            // Messages for devices that do not exist are dropped rather than kept in an inbox nobody reads.
            var devicesByUser = new HashMap<String, Set<String>>();
            var rows = new ArrayList<String[]>();
            for (Message message : messages) {
                Set<String> devices = devicesByUser.get(message.userId());
                if (devices == null) {
                    devices = new LinkedHashSet<>(Jdbc.queryList(c,
                            "SELECT device_id FROM devices WHERE user_id = ? ORDER BY device_id",
                            row -> row.getString(1), message.userId()));
                    devicesByUser.put(message.userId(), devices);
                }
                if (message.deviceId().equals("*")) {
                    for (String deviceId : devices) {
                        rows.add(new String[] {message.userId(), deviceId, message.eventJson()});
                    }
                } else if (devices.contains(message.deviceId())) {
                    rows.add(new String[] {message.userId(), message.deviceId(), message.eventJson()});
                }
            }
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            long last = SqlStreamPositions.advance(c, TO_DEVICE, rows.size());
            long position = last - rows.size();
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO to_device_inbox "
                    + "(stream_pos, user_id, device_id, event_json) VALUES (?, ?, ?, ?)")) {
                for (String[] row : rows) {
                    insert.setLong(1, ++position);
                    insert.setString(2, row[0]);
                    insert.setString(3, row[1]);
                    insert.setString(4, row[2]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return Optional.of(last);
        });
    }

    @Override
    public List<Delivery> inbox(String userId, String deviceId, long from, long to, int limit) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT stream_pos, event_json FROM to_device_inbox
                 WHERE user_id = ? AND device_id = ? AND stream_pos > ? AND stream_pos <= ?
                 ORDER BY stream_pos LIMIT ?""",
                row -> new Delivery(row.getLong(1), row.getString(2)), userId, deviceId, from, to, limit));
    }

    @Override
    public void acknowledge(String userId, String deviceId, long position) {
        // Most syncs acknowledge nothing: look before taking the (on SQLite, single) writer.
        boolean any = database.read(c -> Jdbc.queryOne(c, """
                SELECT 1 FROM to_device_inbox WHERE user_id = ? AND device_id = ? AND stream_pos <= ? LIMIT 1""",
                row -> true, userId, deviceId, position).isPresent());
        if (!any) {
            return;
        }
        database.write(c -> Jdbc.update(c,
                "DELETE FROM to_device_inbox WHERE user_id = ? AND device_id = ? AND stream_pos <= ?",
                userId, deviceId, position));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, TO_DEVICE));
    }
}
