package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.ReportStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reports in {@code content_reports}. */
public final class SqlReportStore implements ReportStore {
    private final Database database;

    public SqlReportStore(Database database) {
        this.database = database;
    }

    @Override
    public long add(Kind kind, long receivedTs, String reporter, String roomId, String eventId, String targetUserId,
                    String reason, Integer score) {
        return database.write(c -> Jdbc.queryOne(c, """
                INSERT INTO content_reports (kind, received_ts, reporter, room_id, event_id, target_user_id, reason,
                                             score)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING report_id""", row -> row.getLong(1),
                kind.name().toLowerCase(Locale.ROOT), receivedTs, reporter, roomId, eventId, targetUserId, reason,
                score).orElseThrow());
    }

    private static Report row(ResultSet row) throws SQLException {
        int score = row.getInt("score");
        Optional<Integer> scoreValue = row.wasNull() ? Optional.empty() : Optional.of(score);
        return new Report(row.getLong("report_id"), Kind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT)),
                row.getLong("received_ts"), row.getString("reporter"), Optional.ofNullable(row.getString("room_id")),
                Optional.ofNullable(row.getString("event_id")), Optional.ofNullable(row.getString("target_user_id")),
                Optional.ofNullable(row.getString("reason")), scoreValue);
    }

    private record Where(String sql, List<Object> params) {}

    private static Where where(Kind kind, Optional<String> reporter, Optional<String> roomId) {
        var sql = new StringBuilder(" WHERE kind = ?");
        var params = new ArrayList<Object>();
        params.add(kind.name().toLowerCase(Locale.ROOT));
        reporter.ifPresent(user -> {
            sql.append(" AND reporter = ?");
            params.add(user);
        });
        roomId.ifPresent(room -> {
            sql.append(" AND room_id = ?");
            params.add(room);
        });
        return new Where(sql.toString(), params);
    }

    @Override
    public List<Report> list(Kind kind, int from, int limit, boolean oldestFirst, Optional<String> reporter,
                             Optional<String> roomId) {
        Where where = where(kind, reporter, roomId);
        var params = new ArrayList<>(where.params());
        params.add(limit);
        params.add(from);
        String direction = oldestFirst ? "ASC" : "DESC";
        return database.read(c -> Jdbc.queryList(c, "SELECT * FROM content_reports" + where.sql()
                + " ORDER BY received_ts " + direction + ", report_id " + direction + " LIMIT ? OFFSET ?",
                SqlReportStore::row, params.toArray()));
    }

    @Override
    public long count(Kind kind, Optional<String> reporter, Optional<String> roomId) {
        Where where = where(kind, reporter, roomId);
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM content_reports" + where.sql(),
                r -> r.getLong(1), where.params().toArray()).orElse(0L));
    }

    @Override
    public Optional<Report> find(long id) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT * FROM content_reports WHERE report_id = ?",
                SqlReportStore::row, id));
    }

    @Override
    public boolean delete(long id) {
        return database.write(c -> Jdbc.update(c, "DELETE FROM content_reports WHERE report_id = ?", id) > 0);
    }
}
