package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.PresenceStore;
import dev.myelin.server.storage.StreamName;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

public final class SqlPresenceStore implements PresenceStore {
    public static final StreamName STREAM = StreamName.of("presence");
    private static final int USERS_PER_QUERY = 500;
    private static final String COLUMNS = "user_id, state, status_msg, last_active_ts, currently_active, stream_pos";

    private final Database database;

    public SqlPresenceStore(Database database) {
        this.database = database;
    }

    @Override
    public long put(Presence presence) {
        return database.write(c -> {
            long position = SqlStreamPositions.next(c, STREAM);
            Jdbc.update(c, """
                    INSERT INTO presence (user_id, state, status_msg, last_active_ts, currently_active, stream_pos)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, status_msg = excluded.status_msg,
                        last_active_ts = excluded.last_active_ts, currently_active = excluded.currently_active,
                        stream_pos = excluded.stream_pos""",
                    presence.userId(), presence.state(), presence.statusMsg(), presence.lastActiveTs(),
                    presence.currentlyActive(), position);
            return position;
        });
    }

    @Override
    public Optional<Stored> get(String userId) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT " + COLUMNS + " FROM presence WHERE user_id = ?",
                SqlPresenceStore::stored, userId));
    }

    @Override
    public List<Stored> changed(long since, long upTo) {
        return database.read(c -> Jdbc.queryList(c, "SELECT " + COLUMNS
                        + " FROM presence WHERE stream_pos > ? AND stream_pos <= ? ORDER BY stream_pos",
                SqlPresenceStore::stored, since, upTo));
    }

    @Override
    public List<Stored> of(Collection<String> userIds) {
        List<String> ids = new ArrayList<>(userIds);
        return database.read(c -> {
            var out = new ArrayList<Stored>();
            for (int from = 0; from < ids.size(); from += USERS_PER_QUERY) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + USERS_PER_QUERY));
                String marks = Jdbc.marks(chunk.size());
                out.addAll(Jdbc.queryList(c, "SELECT " + COLUMNS + " FROM presence WHERE user_id IN (" + marks + ")",
                        SqlPresenceStore::stored, chunk.toArray()));
            }
            return out;
        });
    }

    @Override
    public List<Stored> notOffline() {
        return database.read(c -> Jdbc.queryList(c, "SELECT " + COLUMNS + " FROM presence WHERE state <> 'offline'",
                SqlPresenceStore::stored));
    }

    private static Stored stored(ResultSet row) throws SQLException {
        return new Stored(new Presence(row.getString(1), row.getString(2), Optional.ofNullable(row.getString(3)),
                row.getLong(4), row.getBoolean(5)), row.getLong(6));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, STREAM));
    }
}
