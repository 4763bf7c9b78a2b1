package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/**
 * Media repository metadata: one row per {@code mxc://} URI, the thumbnails made of each file, and cached URL
 * previews. Files themselves are on disk, named by their SHA-256; this store never touches them. Each method is one
 * transaction.
 */
public interface MediaStore {

    /**
     * What a media row is for: counted in the uploader's quota, an image fetched for a URL preview, or a copy of
     * another server's media.
     */
    enum Kind { UPLOAD, PREVIEW, REMOTE }

    /**
     * One {@code mxc://serverName/mediaId}. A pending row (from POST /media/v1/create) has no sha256 yet and
     * {@code unusedExpiresTs} set; an uploaded one has its sha256, size and {@code uploadedTs}.
     */
    record Media(String serverName, String mediaId, Optional<String> userId, Kind kind, Optional<String> contentType,
                 Optional<String> uploadName, Optional<String> sha256, long size, Optional<Integer> width,
                 Optional<Integer> height, long createdTs, Optional<Long> uploadedTs, Optional<Long> unusedExpiresTs,
                 long lastAccessTs) {

        public boolean uploaded() {
            return sha256.isPresent();
        }
    }

    /** The content of an upload, as measured while it was written to disk. */
    record Content(Optional<String> contentType, Optional<String> uploadName, String sha256, long size,
                   Optional<Integer> width, Optional<Integer> height) {
    }

    record Thumbnail(String sha256, int width, int height, String method, String contentType, long size) {
    }

    record CachedPreview(String url, String json, long fetchedTs, long expiresTs) {
    }

    /** Why an upload into a created id was refused, or {@code OK}. */
    enum FillResult { OK, NOT_FOUND, NOT_CREATOR, ALREADY_UPLOADED, QUOTA_EXCEEDED }

    Optional<Media> find(String serverName, String mediaId);

    /**
     * Inserts an uploaded media row, unless the user's uploads would then exceed {@code quotaBytes} (0: no quota).
     *
     * @return false (and nothing written) when over quota
     */
    boolean insertUploaded(String serverName, String mediaId, Optional<String> userId, Kind kind, Content content,
                           long nowTs, long quotaBytes);

    /** Records (or replaces) the cached copy of another server's media. */
    void putRemote(String serverName, String mediaId, Content content, long nowTs);

    /** The bytes cached remote media takes (rows whose server name is not {@code localServerName}). */
    long remoteBytes(String localServerName);

    /**
     * Creates a pending id for {@code userId} unless the user already holds {@code maxPending} unexpired pending ids.
     *
     * @return empty on success, else the earliest expiry of the user's pending ids (to compute a retry delay)
     */
    Optional<Long> createPending(String serverName, String mediaId, String userId, long nowTs, long expiresTs,
                                 int maxPending);

    /** Fills a pending id with its content, checking the creator, expiry and quota in the same transaction. */
    FillResult fillPending(String serverName, String mediaId, String userId, Content content, long nowTs,
                           long quotaBytes);

    /** The bytes a user's uploads take (duplicates counted each time). */
    long usedBytes(String userId);

    /** Records a download, at most once per {@code minIntervalMs} per media. */
    void touch(String serverName, String mediaId, long nowTs);

    Optional<Thumbnail> findThumbnail(String sha256, int width, int height, String method, String contentType);

    List<Thumbnail> thumbnails(String sha256);

    /** Records a thumbnail; a second record of the same one is ignored. */
    void insertThumbnail(Thumbnail thumbnail, long nowTs);

    /** Forgets pending ids whose time ran out; returns how many. */
    int deletePendingExpired(long nowTs);

    /**
     * Deletes up to {@code limit} uploaded media rows last downloaded before {@code beforeTs}: local ones when
     * {@code local}, else remote ones (server name other than {@code localServerName}).
     *
     * @return the sha256 of each row deleted (the caller deletes files nobody references any more)
     */
    List<String> deleteNotAccessedSince(String localServerName, boolean local, long beforeTs, int limit);

    /** Whether any media row still uses this file. */
    boolean referenced(String sha256);

    /** Deletes the thumbnail rows of a file; returns them so their files can be deleted. */
    List<Thumbnail> deleteThumbnails(String sha256);

    Optional<CachedPreview> findPreview(String url, long nowTs);

    void putPreview(CachedPreview preview);

    int deleteExpiredPreviews(long nowTs);
}
