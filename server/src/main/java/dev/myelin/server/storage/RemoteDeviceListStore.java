package dev.myelin.server.storage;

import java.util.Optional;

/**
 * Cached device lists of users on other servers (spec: server-server-api "Device Management"). Every write also
 * appends a key-change row for the user to the device-list stream in the same transaction, so that local users
 * sharing a room see the user in {@code device_lists.changed}, and returns its position.
 */
public interface RemoteDeviceListStore {

    /** A cached list: {@code json} is a {@code GET /user/devices} answer, {@code streamId} its version. */
    record Cached(String userId, long streamId, String json) {
    }

    Optional<Cached> cached(String userId);

    /** Replaces the cached list; returns the device-list position written. */
    long save(String userId, long streamId, String json);

    /** Forgets the cached list (it will be fetched again when needed); returns the device-list position written. */
    long forget(String userId);
}
