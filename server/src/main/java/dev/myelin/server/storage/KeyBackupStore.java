package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/** Server-side key backups (spec: client-server-api "Server-side key backups"), versions per user. */
public interface KeyBackupStore {

    /** A backup version; {@code etag} changes whenever its keys change. */
    record Backup(long version, String algorithm, String authData, long etag, long count) {
    }

    record RoomKey(String roomId, String sessionId, long firstMessageIndex, long forwardedCount, boolean verified,
                   String sessionData) {
    }

    /** Creates a version newer than every earlier one of the user (deleted ones included); returns it. */
    long create(String userId, String algorithm, String authData);

    Optional<Backup> latest(String userId);

    Optional<Backup> get(String userId, long version);

    /** Replaces the auth data of an existing, not deleted version; false when there is none. */
    boolean update(String userId, long version, String authData);

    /** Deletes a version and its keys; false when there is none. */
    boolean delete(String userId, long version);

    /**
     * Stores keys in the version when it is the latest: each replaces the stored session unless the stored one is
     * better (spec: verified beats unverified, then the lower first_message_index, then the lower
     * forwarded_count). Empty when {@code version} is not the user's latest version; otherwise the backup after.
     */
    Optional<Backup> put(String userId, long version, List<RoomKey> keys);

    /** Keys of a version, narrowed to a room and a session when given. */
    List<RoomKey> keys(String userId, long version, Optional<String> roomId, Optional<String> sessionId);

    /**
     * Deletes keys of a version, narrowed to a room and session when given; the backup after, empty when the
     * version does not exist.
     */
    Optional<Backup> deleteKeys(String userId, long version, Optional<String> roomId, Optional<String> sessionId);
}
