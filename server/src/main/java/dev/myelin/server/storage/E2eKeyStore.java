package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * End-to-end encryption keys (spec: client-server-api "End-to-End Encryption"): device keys, one-time and fallback
 * keys, cross-signing keys and the signatures uploaded for them, and MSC3814 dehydrated devices. Keys are JSON
 * text as uploaded. Every write that changes what {@code /keys/query} shows for a user also appends a row to the
 * device-list stream in the same transaction and returns its position (0 when nothing visible changed).
 */
public interface E2eKeyStore {

    /** A one-time or fallback key: {@code algorithm:keyId} in the upload, {@code json} its value (string or object). */
    record Key(String algorithm, String keyId, String json) {
    }

    /** What one {@code /keys/upload} stores for a device. */
    record Upload(String userId, String deviceId, Optional<String> deviceKeys, List<Key> oneTimeKeys,
                  List<Key> fallbackKeys) {
    }

    record DeviceKeys(String deviceId, String json, Optional<String> displayName) {
    }

    /** A cross-signing key; {@code usage} is master, self_signing or user_signing. */
    record CrossSigningKey(String usage, String publicKey, String json) {
    }

    record Signature(String targetUser, String targetKey, String signerUser, String signerKey, String signature) {
    }

    record Claim(String userId, String deviceId, String algorithm) {
    }

    record Claimed(String userId, String deviceId, Key key) {
    }

    /** An uploaded one-time key id already holds a different key. */
    final class KeyConflictException extends RuntimeException {
        public KeyConflictException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Stores the keys of one upload. A one-time key id already stored with the same key is skipped, with another
     * key it is a {@link KeyConflictException} (nothing is stored). A fallback key replaces the one of its
     * algorithm (keeping its "used" flag when it is the same key).
     *
     * @return the device-list position written when the device keys changed, else 0
     */
    long upload(Upload upload);

    /**
     * The keys a device has left: its unclaimed one-time keys by algorithm, and the algorithms of its fallback keys
     * not yet handed out (both sorted by algorithm).
     */
    record KeysLeft(Map<String, Long> oneTimeKeyCounts, List<String> unusedFallbackKeyTypes) {}

    /** What the device has left, in one read: sync sends both on every response. */
    KeysLeft keysLeft(String userId, String deviceId);

    /** Device keys of the user's devices (all when {@code deviceIds} is empty), with the device display name. */
    List<DeviceKeys> deviceKeys(String userId, Collection<String> deviceIds);

    /**
     * Hands out one key per claim, each at most once even under concurrent claims: a one-time key (deleted), or
     * else the device's fallback key of that algorithm (marked used).
     */
    List<Claimed> claim(List<Claim> claims);

    Map<String, CrossSigningKey> crossSigningKeys(String userId);

    /**
     * Replaces the given cross-signing keys (by usage). Signatures made for the old keys stay keyed by their old
     * public keys and so no longer show.
     *
     * @return the device-list position written
     */
    long putCrossSigningKeys(String userId, List<CrossSigningKey> keys);

    /** Signatures uploaded for a user's keys. */
    List<Signature> signaturesFor(String userId);

    /**
     * Stores signatures, each a change of its target user's keys.
     *
     * @return the device-list positions written, by target user
     */
    Map<String, Long> addSignatures(List<Signature> signatures);

    /**
     * Deletes everything the devices had: keys, signatures on them, their to-device inbox.
     *
     * @return the device-list position written, 0 when {@code deviceIds} is empty
     */
    long deleteDevices(String userId, Collection<String> deviceIds);

    /** Deletes all of a deactivated user's E2EE data; returns the device-list position written. */
    long deleteUser(String userId);

    /** A rename shows in {@code /keys/query} (device_display_name): records the change; returns its position. */
    long deviceRenamed(String userId, String deviceId);

    record DehydratedDevice(String deviceId, String deviceData) {
    }

    Optional<DehydratedDevice> dehydratedDevice(String userId);

    /**
     * Replaces the user's dehydrated device: the old one is deleted (device row, keys, inbox), the new one created
     * as a device without tokens, with its keys.
     *
     * @return the device-list position written
     */
    long putDehydratedDevice(String userId, DehydratedDevice device, Optional<String> displayName, Upload keys,
                             long nowTs);

    /** Deletes the dehydrated device; returns its id if there was one. */
    Optional<String> deleteDehydratedDevice(String userId);
}
