package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.E2eKeyStore;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class SqlE2eKeyStore implements E2eKeyStore {
    private final Database database;

    public SqlE2eKeyStore(Database database) {
        this.database = database;
    }

    @Override
    public long upload(Upload upload) {
        return database.write(c -> upload(c, upload));
    }

    private long upload(Connection c, Upload upload) throws SQLException {
        String userId = upload.userId();
        String deviceId = upload.deviceId();
        for (Key key : upload.oneTimeKeys()) {
            Optional<String> existing = Jdbc.queryOne(c, """
                    SELECT key_json FROM e2e_one_time_keys
                     WHERE user_id = ? AND device_id = ? AND algorithm = ? AND key_id = ?""",
                    row -> row.getString(1), userId, deviceId, key.algorithm(), key.keyId());
            if (existing.isEmpty()) {
                Jdbc.update(c, """
                        INSERT INTO e2e_one_time_keys (user_id, device_id, algorithm, key_id, key_json)
                        VALUES (?, ?, ?, ?, ?)""", userId, deviceId, key.algorithm(), key.keyId(), key.json());
            } else if (!existing.get().equals(key.json())) {
                throw new KeyConflictException("One-time key " + key.algorithm() + ":" + key.keyId()
                        + " already exists with a different value");
            }
        }
        for (Key key : upload.fallbackKeys()) {
            Jdbc.update(c, """
                    INSERT INTO e2e_fallback_keys (user_id, device_id, algorithm, key_id, key_json, used)
                    VALUES (?, ?, ?, ?, ?, FALSE)
                    ON CONFLICT (user_id, device_id, algorithm) DO UPDATE
                       SET key_id = excluded.key_id, key_json = excluded.key_json,
                           used = CASE WHEN e2e_fallback_keys.key_json = excluded.key_json
                                       THEN e2e_fallback_keys.used ELSE FALSE END""",
                    userId, deviceId, key.algorithm(), key.keyId(), key.json());
        }
        if (upload.deviceKeys().isPresent()) {
            String json = upload.deviceKeys().get();
            Optional<String> existing = Jdbc.queryOne(c,
                    "SELECT key_json FROM e2e_device_keys WHERE user_id = ? AND device_id = ?",
                    row -> row.getString(1), userId, deviceId);
            if (existing.isEmpty() || !existing.get().equals(json)) {
                Jdbc.update(c, """
                        INSERT INTO e2e_device_keys (user_id, device_id, key_json) VALUES (?, ?, ?)
                        ON CONFLICT (user_id, device_id) DO UPDATE SET key_json = excluded.key_json""",
                        userId, deviceId, json);
                return SqlDeviceListStore.record(c, userId, null, null);
            }
        }
        return 0;
    }

    @Override
    public KeysLeft keysLeft(String userId, String deviceId) {
        record Row(boolean fallback, String algorithm, long count) {}
        List<Row> rows = database.read(c -> Jdbc.queryList(c, """
                SELECT 0, algorithm, COUNT(*) FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ?
                 GROUP BY algorithm
                UNION ALL
                SELECT 1, algorithm, 0 FROM e2e_fallback_keys WHERE user_id = ? AND device_id = ? AND used = FALSE
                 ORDER BY 1, 2""", r -> new Row(r.getInt(1) == 1, r.getString(2), r.getLong(3)),
                userId, deviceId, userId, deviceId));
        var counts = new LinkedHashMap<String, Long>();
        var fallback = new ArrayList<String>();
        for (Row row : rows) {
            if (row.fallback()) {
                fallback.add(row.algorithm());
            } else {
                counts.put(row.algorithm(), row.count());
            }
        }
        return new KeysLeft(counts, fallback);
    }

    @Override
    public List<DeviceKeys> deviceKeys(String userId, Collection<String> deviceIds) {
        return database.read(c -> {
            var all = Jdbc.queryList(c, """
                    SELECT k.device_id, k.key_json, d.display_name FROM e2e_device_keys k
                      JOIN devices d ON d.user_id = k.user_id AND d.device_id = k.device_id
                     WHERE k.user_id = ? ORDER BY k.device_id""",
                    row -> new DeviceKeys(row.getString(1), row.getString(2),
                            Optional.ofNullable(row.getString(3))), userId);
            return deviceIds.isEmpty() ? all
                    : all.stream().filter(keys -> deviceIds.contains(keys.deviceId())).toList();
        });
    }

    @Override
    public List<Claimed> claim(List<Claim> claims) {
        return database.write(c -> {
            var claimed = new ArrayList<Claimed>();
            for (Claim claim : claims) {
                claimOne(c, claim).ifPresent(claimed::add);
            }
            return claimed;
        });
    }

    /**
     * The row is selected with SKIP LOCKED on PostgreSQL, so concurrent claims take different keys instead of
     * waiting for each other and then finding their key gone; SQLite's single writer already serialises them.
     */
    private Optional<Claimed> claimOne(Connection c, Claim claim) throws SQLException {
        Optional<Key> key = Jdbc.queryOne(c, """
                SELECT key_id, key_json FROM e2e_one_time_keys
                 WHERE user_id = ? AND device_id = ? AND algorithm = ?
                 ORDER BY key_id LIMIT 1""" + database.dialect().forUpdateSkipLocked(),
                row -> new Key(claim.algorithm(), row.getString(1), row.getString(2)),
                claim.userId(), claim.deviceId(), claim.algorithm());
        if (key.isPresent()) {
            Jdbc.update(c, """
                    DELETE FROM e2e_one_time_keys WHERE user_id = ? AND device_id = ? AND algorithm = ?
                       AND key_id = ?""", claim.userId(), claim.deviceId(), claim.algorithm(), key.get().keyId());
            return Optional.of(new Claimed(claim.userId(), claim.deviceId(), key.get()));
        }
        Optional<Key> fallback = Jdbc.queryOne(c, """
                UPDATE e2e_fallback_keys SET used = TRUE WHERE user_id = ? AND device_id = ? AND algorithm = ?
                RETURNING key_id, key_json""",
                row -> new Key(claim.algorithm(), row.getString(1), row.getString(2)),
                claim.userId(), claim.deviceId(), claim.algorithm());
        return fallback.map(k -> new Claimed(claim.userId(), claim.deviceId(), k));
    }

    @Override
    public Map<String, CrossSigningKey> crossSigningKeys(String userId) {
        return database.read(c -> {
            var keys = new LinkedHashMap<String, CrossSigningKey>();
            for (CrossSigningKey key : Jdbc.queryList(c,
                    "SELECT usage, public_key, key_json FROM e2e_cross_signing_keys WHERE user_id = ?",
                    row -> new CrossSigningKey(row.getString(1), row.getString(2), row.getString(3)), userId)) {
                keys.put(key.usage(), key);
            }
            return keys;
        });
    }

    @Override
    public long putCrossSigningKeys(String userId, List<CrossSigningKey> keys) {
        return database.write(c -> {
            for (CrossSigningKey key : keys) {
                Jdbc.update(c, """
                        INSERT INTO e2e_cross_signing_keys (user_id, usage, public_key, key_json) VALUES (?, ?, ?, ?)
                        ON CONFLICT (user_id, usage) DO UPDATE
                           SET public_key = excluded.public_key, key_json = excluded.key_json""",
                        userId, key.usage(), key.publicKey(), key.json());
            }
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }

    @Override
    public List<Signature> signaturesFor(String userId) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT target_user, target_key, signer_user, signer_key, signature FROM e2e_key_signatures
                 WHERE target_user = ? ORDER BY target_key, signer_user, signer_key""",
                row -> new Signature(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5)), userId));
    }

    @Override
    public Map<String, Long> addSignatures(List<Signature> signatures) {
        return database.write(c -> {
            var positions = new LinkedHashMap<String, Long>();
            for (Signature s : signatures) {
                Jdbc.update(c, """
                        INSERT INTO e2e_key_signatures (target_user, target_key, signer_user, signer_key, signature)
                        VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (target_user, target_key, signer_user, signer_key)
                        DO UPDATE SET signature = excluded.signature""",
                        s.targetUser(), s.targetKey(), s.signerUser(), s.signerKey(), s.signature());
            }
            for (Signature s : signatures) {
                if (!positions.containsKey(s.targetUser())) {
                    positions.put(s.targetUser(), SqlDeviceListStore.record(c, s.targetUser(), null, null));
                }
            }
            return positions;
        });
    }

    @Override
    public long deleteDevices(String userId, Collection<String> deviceIds) {
        if (deviceIds.isEmpty()) {
            return 0;
        }
        return database.write(c -> {
            for (String deviceId : deviceIds) {
                deleteDeviceData(c, userId, deviceId);
                Jdbc.update(c, "DELETE FROM dehydrated_devices WHERE user_id = ? AND device_id = ?", userId, deviceId);
            }
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }

    private static void deleteDeviceData(Connection c, String userId, String deviceId) throws SQLException {
        for (String table : List.of("e2e_device_keys", "e2e_one_time_keys", "e2e_fallback_keys", "to_device_inbox")) {
            Jdbc.update(c, "DELETE FROM " + table + " WHERE user_id = ? AND device_id = ?", userId, deviceId);
        }
        Jdbc.update(c, "DELETE FROM e2e_key_signatures WHERE target_user = ? AND target_key = ?", userId, deviceId);
    }

    @Override
    public long deleteUser(String userId) {
        return database.write(c -> {
            for (String table : List.of("e2e_device_keys", "e2e_one_time_keys", "e2e_fallback_keys",
                    "to_device_inbox", "e2e_cross_signing_keys", "dehydrated_devices")) {
                Jdbc.update(c, "DELETE FROM " + table + " WHERE user_id = ?", userId);
            }
            Jdbc.update(c, "DELETE FROM e2e_key_signatures WHERE target_user = ? OR signer_user = ?", userId, userId);
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }

    @Override
    public long deviceRenamed(String userId, String deviceId) {
        return database.write(c -> SqlDeviceListStore.record(c, userId, null, null));
    }

    @Override
    public Optional<DehydratedDevice> dehydratedDevice(String userId) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT device_id, device_data FROM dehydrated_devices WHERE user_id = ?",
                row -> new DehydratedDevice(row.getString(1), row.getString(2)), userId));
    }

    @Override
    public long putDehydratedDevice(String userId, DehydratedDevice device, Optional<String> displayName,
                                    Upload keys, long nowTs) {
        return database.write(c -> {
            deleteDehydrated(c, userId);
            // A device id the user already uses for a real device must not be taken over.
            if (Jdbc.queryOne(c, "SELECT 1 FROM devices WHERE user_id = ? AND device_id = ?", row -> 1, userId,
                    device.deviceId()).isPresent()) {
                throw new KeyConflictException("Device id " + device.deviceId() + " is already in use");
            }
            Jdbc.update(c, "INSERT INTO devices (user_id, device_id, display_name, created_ts) VALUES (?, ?, ?, ?)",
                    userId, device.deviceId(), displayName, nowTs);
            Jdbc.update(c, "INSERT INTO dehydrated_devices (user_id, device_id, device_data) VALUES (?, ?, ?)",
                    userId, device.deviceId(), device.deviceData());
            upload(c, keys);
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }

    @Override
    public Optional<String> deleteDehydratedDevice(String userId) {
        return database.write(c -> {
            Optional<String> deleted = deleteDehydrated(c, userId);
            if (deleted.isPresent()) {
                SqlDeviceListStore.record(c, userId, null, null);
            }
            return deleted;
        });
    }

    private static Optional<String> deleteDehydrated(Connection c, String userId) throws SQLException {
        Optional<String> old = Jdbc.queryOne(c, "SELECT device_id FROM dehydrated_devices WHERE user_id = ?",
                row -> row.getString(1), userId);
        if (old.isPresent()) {
            deleteDeviceData(c, userId, old.get());
            Jdbc.update(c, "DELETE FROM devices WHERE user_id = ? AND device_id = ?", userId, old.get());
            Jdbc.update(c, "DELETE FROM dehydrated_devices WHERE user_id = ?", userId);
        }
        return old;
    }
}
