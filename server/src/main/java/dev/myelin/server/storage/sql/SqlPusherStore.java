package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.PusherStore;
import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Pushers and their outbox in SQL. */
public final class SqlPusherStore implements PusherStore {
    private static final String HEADS = """
            SELECT d.delivery_id, d.notification, d.tweaks, d.attempts, d.next_attempt_ts, p.*
            FROM push_deliveries d JOIN pushers p ON p.pusher_id = d.pusher_id
            WHERE d.delivery_id IN (SELECT MIN(delivery_id) FROM push_deliveries GROUP BY pusher_id)""";

    private final Database database;

    public SqlPusherStore(Database database) {
        this.database = database;
    }

    private static ObjectNode object(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new StorageException("stored pusher JSON is not an object: " + json, e);
        }
    }

    private static Pusher pusher(ResultSet row) throws SQLException {
        return new Pusher(row.getLong("pusher_id"), row.getString("user_id"), row.getString("device_id"),
                row.getString("kind"), row.getString("app_id"), row.getString("pushkey"),
                row.getString("app_display_name"), row.getString("device_display_name"), row.getString("profile_tag"),
                row.getString("lang"), object(row.getString("data")), row.getLong("pushkey_ts"));
    }

    @Override
    public List<Pusher> pushers(String userId) {
        return database.read(c -> Jdbc.query(c, "SELECT * FROM pushers WHERE user_id = ? ORDER BY pusher_id",
                SqlPusherStore::pusher, userId));
    }

    @Override
    public Map<String, List<Pusher>> pushers(Collection<String> userIds) {
        var byUser = new HashMap<String, List<Pusher>>();
        List<String> users = List.copyOf(userIds);
        for (int from = 0; from < users.size(); from += 500) {
            List<String> chunk = users.subList(from, Math.min(users.size(), from + 500));
            List<Pusher> read = database.read(c -> Jdbc.query(c, "SELECT * FROM pushers WHERE user_id IN ("
                    + Jdbc.marks(chunk.size()) + ") ORDER BY pusher_id",
                    SqlPusherStore::pusher, chunk.toArray()));
            read.forEach(pusher -> byUser.computeIfAbsent(pusher.userId(), user -> new ArrayList<>()).add(pusher));
        }
        return byUser;
    }

    @Override
    public void set(Pusher p, boolean append) {
        database.write(c -> {
            if (!append) {
                for (long other : Jdbc.query(c, "SELECT pusher_id FROM pushers WHERE app_id = ? AND pushkey = ?"
                        + " AND user_id <> ?", row -> row.getLong(1), p.appId(), p.pushkey(), p.userId())) {
                    deleteById(c, other);
                }
            }
            Jdbc.update(c, """
                    INSERT INTO pushers (user_id, device_id, kind, app_id, pushkey, app_display_name,
                                         device_display_name, profile_tag, lang, data, pushkey_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET device_id = excluded.device_id,
                        kind = excluded.kind, app_display_name = excluded.app_display_name,
                        device_display_name = excluded.device_display_name, profile_tag = excluded.profile_tag,
                        lang = excluded.lang, data = excluded.data, pushkey_ts = excluded.pushkey_ts""",
                    p.userId(), p.deviceId(), p.kind(), p.appId(), p.pushkey(), p.appDisplayName(),
                    p.deviceDisplayName(), p.profileTag(), p.lang(), p.data().toString(), p.pushkeyTs());
            return null;
        });
    }

    private static void deleteById(Connection c, long pusherId) throws SQLException {
        Jdbc.update(c, "DELETE FROM push_deliveries WHERE pusher_id = ?", pusherId);
        Jdbc.update(c, "DELETE FROM pushers WHERE pusher_id = ?", pusherId);
    }

    private void deleteWhere(String where, Object... params) {
        database.write(c -> {
            for (long id : Jdbc.query(c, "SELECT pusher_id FROM pushers WHERE " + where, row -> row.getLong(1),
                    params)) {
                deleteById(c, id);
            }
            return null;
        });
    }

    @Override
    public boolean delete(String userId, String appId, String pushkey) {
        return database.write(c -> {
            var ids = Jdbc.query(c, "SELECT pusher_id FROM pushers WHERE user_id = ? AND app_id = ? AND pushkey = ?",
                    row -> row.getLong(1), userId, appId, pushkey);
            for (long id : ids) {
                deleteById(c, id);
            }
            return !ids.isEmpty();
        });
    }

    @Override
    public void deleteOfDevices(String userId, Collection<String> deviceIds) {
        for (String deviceId : deviceIds) {
            deleteWhere("user_id = ? AND device_id = ?", userId, deviceId);
        }
    }

    @Override
    public void delete(long pusherId) {
        database.write(c -> {
            deleteById(c, pusherId);
            return null;
        });
    }

    @Override
    public List<Due> due(long now, int limit) {
        return database.read(c -> Jdbc.query(c, HEADS + " AND d.next_attempt_ts <= ? ORDER BY d.delivery_id LIMIT ?",
                row -> new Due(row.getLong("delivery_id"), pusher(row), object(row.getString("notification")),
                        object(row.getString("tweaks")), row.getInt("attempts")), now, limit));
    }

    @Override
    public OptionalLong nextDue() {
        return database.read(c -> Jdbc.queryOne(c, "SELECT MIN(h.next_attempt_ts) FROM (" + HEADS + ") h",
                row -> {
                    long ts = row.getLong(1);
                    return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(ts);
                }).orElse(OptionalLong.empty()));
    }

    @Override
    public void delivered(long deliveryId) {
        database.write(c -> Jdbc.update(c, "DELETE FROM push_deliveries WHERE delivery_id = ?", deliveryId));
    }

    @Override
    public void retryLater(long deliveryId, int attempts, long nextAttemptTs) {
        database.write(c -> Jdbc.update(c, """
                UPDATE push_deliveries SET attempts = ?, next_attempt_ts = ? WHERE delivery_id = ?""",
                attempts, nextAttemptTs, deliveryId));
    }
}
