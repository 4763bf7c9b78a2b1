package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.MediaStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

public final class SqlMediaStore implements MediaStore {
    /** A download refreshes last_access_ts only when it is older than this, to keep downloads read-only. */
    private static final long TOUCH_INTERVAL_MS = 3_600_000L;

    private final Database database;

    public SqlMediaStore(Database database) {
        this.database = database;
    }

    private static Media media(ResultSet row) throws SQLException {
        return new Media(row.getString("server_name"), row.getString("media_id"),
                Optional.ofNullable(row.getString("user_id")),
                Kind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT)),
                Optional.ofNullable(row.getString("content_type")), Optional.ofNullable(row.getString("upload_name")),
                Optional.ofNullable(row.getString("sha256")), row.getLong("size"), optionalInt(row, "width"),
                optionalInt(row, "height"), row.getLong("created_ts"), Jdbc.optionalLong(row, "uploaded_ts"),
                Jdbc.optionalLong(row, "unused_expires_ts"), row.getLong("last_access_ts"));
    }

    private static Optional<Integer> optionalInt(ResultSet row, String column) throws SQLException {
        int value = row.getInt(column);
        return row.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static String kind(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<Media> find(String serverName, String mediaId) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT * FROM media WHERE server_name = ? AND media_id = ?", SqlMediaStore::media,
                serverName, mediaId));
    }

    @Override
    public boolean insertUploaded(String serverName, String mediaId, Optional<String> userId, Kind kind,
                                  Content content, long nowTs, long quotaBytes) {
        return database.write(connection -> {
            if (kind == Kind.UPLOAD && userId.isPresent() && overQuota(connection, userId.get(), content.size(), quotaBytes)) {
                return false;
            }
            Jdbc.update(connection, """
                    INSERT INTO media (server_name, media_id, user_id, kind, content_type, upload_name, sha256, size,
                                       width, height, created_ts, uploaded_ts, last_access_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    serverName, mediaId, userId, kind(kind), content.contentType(), content.uploadName(),
                    content.sha256(), content.size(), content.width(), content.height(), nowTs, nowTs, nowTs);
            return true;
        });
    }

    @Override
    public void putRemote(String serverName, String mediaId, Content content, long nowTs) {
        database.write(connection -> Jdbc.update(connection, """
                INSERT INTO media (server_name, media_id, kind, content_type, upload_name, sha256, size,
                                   width, height, created_ts, uploaded_ts, last_access_ts)
                VALUES (?, ?, 'remote', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (server_name, media_id) DO UPDATE SET content_type = excluded.content_type,
                    upload_name = excluded.upload_name, sha256 = excluded.sha256, size = excluded.size,
                    width = excluded.width, height = excluded.height, uploaded_ts = excluded.uploaded_ts,
                    last_access_ts = excluded.last_access_ts""",
                serverName, mediaId, content.contentType(), content.uploadName(), content.sha256(), content.size(),
                content.width(), content.height(), nowTs, nowTs, nowTs));
    }

    @Override
    public long remoteBytes(String localServerName) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT COALESCE(SUM(size), 0) FROM media WHERE server_name <> ? AND sha256 IS NOT NULL",
                row -> row.getLong(1), localServerName).orElse(0L));
    }

    private static boolean overQuota(Connection connection, String userId, long adding, long quotaBytes)
            throws SQLException {
        if (quotaBytes <= 0) {
            return false;
        }
        return usedBytes(connection, userId) + adding > quotaBytes;
    }

    private static long usedBytes(Connection connection, String userId) throws SQLException {
        return Jdbc.queryOne(connection,
                "SELECT COALESCE(SUM(size), 0) FROM media WHERE user_id = ? AND kind = 'upload'",
                row -> row.getLong(1), userId).orElse(0L);
    }

    @Override
    public Optional<Long> createPending(String serverName, String mediaId, String userId, long nowTs, long expiresTs,
                                        int maxPending) {
        return database.write(connection -> {
            record Pending(long count, long earliest) {
            }
            Pending pending = Jdbc.queryOne(connection, """
                    SELECT COUNT(*), MIN(unused_expires_ts) FROM media
                     WHERE user_id = ? AND sha256 IS NULL AND unused_expires_ts > ?""",
                    row -> new Pending(row.getLong(1), row.getLong(2)), userId, nowTs).orElseThrow();
            if (pending.count() >= maxPending) {
                return Optional.of(pending.earliest());
            }
            Jdbc.update(connection, """
                    INSERT INTO media (server_name, media_id, user_id, kind, created_ts, unused_expires_ts,
                                       last_access_ts)
                    VALUES (?, ?, ?, 'upload', ?, ?, ?)""",
                    serverName, mediaId, userId, nowTs, expiresTs, nowTs);
            return Optional.<Long>empty();
        });
    }

    @Override
    public FillResult fillPending(String serverName, String mediaId, String userId, Content content, long nowTs,
                                  long quotaBytes) {
        return database.write(connection -> {
            Optional<Media> found = Jdbc.queryOne(connection,
                    "SELECT * FROM media WHERE server_name = ? AND media_id = ?", SqlMediaStore::media,
                    serverName, mediaId);
            if (found.isEmpty()) {
                return FillResult.NOT_FOUND;
            }
            Media media = found.get();
            if (media.uploaded()) {
                return FillResult.ALREADY_UPLOADED;
            }
            if (media.unusedExpiresTs().orElse(0L) <= nowTs) {
                return FillResult.NOT_FOUND;
            }
            if (!media.userId().equals(Optional.of(userId))) {
                return FillResult.NOT_CREATOR;
            }
            if (overQuota(connection, userId, content.size(), quotaBytes)) {
                return FillResult.QUOTA_EXCEEDED;
            }
            int updated = Jdbc.update(connection, """
                    UPDATE media SET content_type = ?, upload_name = ?, sha256 = ?, size = ?, width = ?, height = ?,
                                     uploaded_ts = ?, unused_expires_ts = NULL, last_access_ts = ?
                     WHERE server_name = ? AND media_id = ? AND sha256 IS NULL""",
                    content.contentType(), content.uploadName(), content.sha256(), content.size(), content.width(),
                    content.height(), nowTs, nowTs, serverName, mediaId);
            return updated == 1 ? FillResult.OK : FillResult.ALREADY_UPLOADED;
        });
    }

    @Override
    public long usedBytes(String userId) {
        return database.read(connection -> usedBytes(connection, userId));
    }

    @Override
    public void touch(String serverName, String mediaId, long nowTs) {
        database.write(connection -> Jdbc.update(connection, """
                UPDATE media SET last_access_ts = ? WHERE server_name = ? AND media_id = ? AND last_access_ts < ?""",
                nowTs, serverName, mediaId, nowTs - TOUCH_INTERVAL_MS));
    }

    private static Thumbnail thumbnail(ResultSet row) throws SQLException {
        return new Thumbnail(row.getString("sha256"), row.getInt("width"), row.getInt("height"),
                row.getString("method"), row.getString("content_type"), row.getLong("size"));
    }

    @Override
    public Optional<Thumbnail> findThumbnail(String sha256, int width, int height, String method, String contentType) {
        return database.read(connection -> Jdbc.queryOne(connection, """
                SELECT * FROM media_thumbnails
                 WHERE sha256 = ? AND width = ? AND height = ? AND method = ? AND content_type = ?""",
                SqlMediaStore::thumbnail, sha256, width, height, method, contentType));
    }

    @Override
    public List<Thumbnail> thumbnails(String sha256) {
        return database.read(connection -> Jdbc.queryList(connection,
                "SELECT * FROM media_thumbnails WHERE sha256 = ? ORDER BY width, height", SqlMediaStore::thumbnail,
                sha256));
    }

    @Override
    public void insertThumbnail(Thumbnail thumbnail, long nowTs) {
        database.write(connection -> Jdbc.update(connection, """
                INSERT INTO media_thumbnails (sha256, width, height, method, content_type, size, created_ts)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sha256, width, height, method, content_type) DO NOTHING""",
                thumbnail.sha256(), thumbnail.width(), thumbnail.height(), thumbnail.method(),
                thumbnail.contentType(), thumbnail.size(), nowTs));
    }

    @Override
    public int deletePendingExpired(long nowTs) {
        return database.write(connection -> Jdbc.update(connection,
                "DELETE FROM media WHERE sha256 IS NULL AND unused_expires_ts <= ?", nowTs));
    }

    @Override
    public List<String> deleteNotAccessedSince(String localServerName, boolean local, long beforeTs, int limit) {
        return database.write(connection -> {
            record Key(String serverName, String mediaId, String sha256) {
            }
            List<Key> keys = Jdbc.queryList(connection, "SELECT server_name, media_id, sha256 FROM media"
                            + " WHERE sha256 IS NOT NULL AND last_access_ts < ? AND server_name "
                            + (local ? "=" : "<>") + " ? ORDER BY last_access_ts LIMIT ?",
                    row -> new Key(row.getString(1), row.getString(2), row.getString(3)),
                    beforeTs, localServerName, limit);
            for (Key key : keys) {
                Jdbc.update(connection, "DELETE FROM media WHERE server_name = ? AND media_id = ?",
                        key.serverName(), key.mediaId());
            }
            return keys.stream().map(Key::sha256).toList();
        });
    }

    @Override
    public boolean referenced(String sha256) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT 1 FROM media WHERE sha256 = ? LIMIT 1", row -> true, sha256).isPresent());
    }

    @Override
    public List<Thumbnail> deleteThumbnails(String sha256) {
        return database.write(connection -> {
            List<Thumbnail> thumbnails = Jdbc.queryList(connection,
                    "SELECT * FROM media_thumbnails WHERE sha256 = ?", SqlMediaStore::thumbnail, sha256);
            Jdbc.update(connection, "DELETE FROM media_thumbnails WHERE sha256 = ?", sha256);
            return thumbnails;
        });
    }

    @Override
    public Optional<CachedPreview> findPreview(String url, long nowTs) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT * FROM url_previews WHERE url = ? AND expires_ts > ?",
                row -> new CachedPreview(row.getString("url"), row.getString("preview"), row.getLong("fetched_ts"),
                        row.getLong("expires_ts")),
                url, nowTs));
    }

    @Override
    public void putPreview(CachedPreview preview) {
        database.write(connection -> Jdbc.update(connection, """
                INSERT INTO url_previews (url, preview, fetched_ts, expires_ts) VALUES (?, ?, ?, ?)
                ON CONFLICT (url) DO UPDATE SET preview = excluded.preview, fetched_ts = excluded.fetched_ts,
                                                expires_ts = excluded.expires_ts""",
                preview.url(), preview.json(), preview.fetchedTs(), preview.expiresTs()));
    }

    @Override
    public int deleteExpiredPreviews(long nowTs) {
        return database.write(connection -> Jdbc.update(connection,
                "DELETE FROM url_previews WHERE expires_ts <= ?", nowTs));
    }
}
