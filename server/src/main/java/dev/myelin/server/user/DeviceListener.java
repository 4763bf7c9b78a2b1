package dev.myelin.server.user;

import java.util.List;

/**
 * Told after a user's devices changed through {@link DeviceService}, e.g. so E2EE can drop a deleted device's keys
 * and announce the change in other users' device lists.
 */
public interface DeviceListener {
    void renamed(String userId, String deviceId);

    void deleted(String userId, List<String> deviceIds);
}
