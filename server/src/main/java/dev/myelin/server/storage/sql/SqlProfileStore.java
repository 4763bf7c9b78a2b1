package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.ProfileStore;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Profile fields in {@code profile_fields}; each write also refreshes the user's directory entry. */
public final class SqlProfileStore implements ProfileStore {
    private final Database database;

    public SqlProfileStore(Database database) {
        this.database = database;
    }

    @Override
    public Map<String, String> fields(String userId) {
        return database.read(c -> {
            var fields = new LinkedHashMap<String, String>();
            Jdbc.queryList(c, "SELECT field, value FROM profile_fields WHERE user_id = ? ORDER BY field",
                    row -> fields.put(row.getString(1), row.getString(2)), userId);
            return fields;
        });
    }

    @Override
    public Optional<String> field(String userId, String field) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT value FROM profile_fields WHERE user_id = ? AND field = ?", row -> row.getString(1),
                userId, field));
    }

    @Override
    public boolean set(String userId, String field, String jsonValue, int maxProfileBytes) {
        return database.write(c -> {
            long others = 0;
            for (String[] row : Jdbc.queryList(c, "SELECT field, value FROM profile_fields WHERE user_id = ?"
                    + " AND field <> ?", row -> new String[]{row.getString(1), row.getString(2)}, userId, field)) {
                others += utf8Length(row[0]) + utf8Length(row[1]);
            }
            if (others + utf8Length(field) + utf8Length(jsonValue) > maxProfileBytes) {
                return false;
            }
            Jdbc.update(c, """
                    INSERT INTO profile_fields (user_id, field, value) VALUES (?, ?, ?)
                    ON CONFLICT (user_id, field) DO UPDATE SET value = excluded.value""", userId, field, jsonValue);
            SqlUserDirectoryStore.refreshLocal(c, userId);
            return true;
        });
    }

    private static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public void delete(String userId, String field) {
        database.write(c -> {
            Jdbc.update(c, "DELETE FROM profile_fields WHERE user_id = ? AND field = ?", userId, field);
            SqlUserDirectoryStore.refreshLocal(c, userId);
            return null;
        });
    }

    @Override
    public void deleteAll(String userId) {
        database.write(c -> {
            Jdbc.update(c, "DELETE FROM profile_fields WHERE user_id = ?", userId);
            SqlUserDirectoryStore.refreshLocal(c, userId);
            return null;
        });
    }
}
