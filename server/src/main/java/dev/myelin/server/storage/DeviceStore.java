package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Devices and the tokens bound to them: one access token and at most one refresh token per device. Token columns
 * hold SHA-256 hashes.
 */
public interface DeviceStore {

    record Device(String userId, String deviceId, Optional<String> displayName, Optional<String> lastSeenIp,
                  Optional<Long> lastSeenTs) {
    }

    /**
     * Whom an access token belongs to.
     *
     * @param accessExpiresTs 0 when it never expires
     * @param refreshPending  whether an older refresh token is still valid because this token was never used yet
     */
    record TokenOwner(String userId, String deviceId, boolean guest, boolean deactivated, boolean locked,
                      boolean suspended, long accessExpiresTs, boolean refreshPending) {
    }

    /** The device a refresh token belongs to, and the access token it replaced. */
    record Refreshed(String userId, String deviceId, Optional<String> replacedAccessTokenHash) {
    }

    record LastSeen(String ip, long ts) {
    }

    /** Creates the device if missing, and gives it these tokens (replacing any it had). */
    void startSession(AccountStore.NewSession session);

    Optional<TokenOwner> findByAccessToken(String accessTokenHash);

    /** The access token was used: a refresh token kept for a retried refresh is no longer valid. */
    void clearPreviousRefreshToken(String userId, String deviceId);

    /**
     * Swaps a refresh token for new tokens. The current refresh token becomes the "previous" one, still accepted until
     * the new tokens are used; presenting the previous one again replaces the unused new tokens.
     *
     * @return empty when the refresh token is unknown or already superseded
     */
    Optional<Refreshed> refresh(String refreshTokenHash, String newAccessTokenHash, long newAccessExpiresTs,
                                String newRefreshTokenHash);

    List<Device> devices(String userId);

    Optional<Device> device(String userId, String deviceId);

    /** Sets (or, with empty, clears) a device's display name; false when there is no such device. */
    boolean rename(String userId, String deviceId, Optional<String> displayName);

    /** Deletes the devices (and their tokens); returns the ids that existed. */
    List<String> delete(String userId, Collection<String> deviceIds);

    /** Deletes every device of the user; returns their ids. */
    List<String> deleteAll(String userId);

    /** Records when and from where devices were last seen (batched by the caller). */
    void updateLastSeen(Map<DeviceKey, LastSeen> seen);

    record DeviceKey(String userId, String deviceId) {
    }
}
