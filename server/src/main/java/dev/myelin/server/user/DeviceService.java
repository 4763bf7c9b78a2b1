package dev.myelin.server.user;

import dev.myelin.server.storage.DeviceStore;
import dev.myelin.server.storage.DeviceStore.Device;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A user's devices (spec: client-server-api "Device management"), with last-seen data not yet flushed merged in. */
public final class DeviceService {
    private final DeviceStore devices;
    private final SessionService sessions;
    private final DeviceActivity activity;
    private final Clock clock;
    private final List<DeviceListener> listeners = new CopyOnWriteArrayList<>();

    public DeviceService(DeviceStore devices, SessionService sessions, DeviceActivity activity, Clock clock) {
        this.clock = clock;
        this.devices = devices;
        this.sessions = sessions;
        this.activity = activity;
    }

    public void addListener(DeviceListener listener) {
        listeners.add(listener);
    }

    public List<Device> list(String userId) {
        return devices.devices(userId).stream().map(this::withPending).toList();
    }

    public Optional<Device> get(String userId, String deviceId) {
        return devices.device(userId, deviceId).map(this::withPending);
    }

    private Device withPending(Device device) {
        return activity.pending(device.userId(), device.deviceId())
                .map(seen -> new Device(device.userId(), device.deviceId(), device.displayName(),
                        Optional.of(seen.ip()), Optional.of(seen.ts())))
                .orElse(device);
    }

    /** Creates a device without an access token (for application services, MSC4190); false if it exists. */
    public boolean create(String userId, String deviceId, Optional<String> displayName) {
        return devices.createWithoutToken(userId, deviceId, displayName, clock.millis());
    }

    public boolean rename(String userId, String deviceId, Optional<String> displayName) {
        boolean renamed = devices.rename(userId, deviceId, displayName);
        if (renamed) {
            listeners.forEach(listener -> listener.renamed(userId, deviceId));
        }
        return renamed;
    }

    /** Deletes devices and their tokens; returns the ids that existed. */
    public List<String> delete(String userId, Collection<String> deviceIds) {
        List<String> deleted = devices.delete(userId, deviceIds);
        deleted.forEach(deviceId -> sessions.invalidateDevice(userId, deviceId));
        if (!deleted.isEmpty()) {
            listeners.forEach(listener -> listener.deleted(userId, deleted));
        }
        return deleted;
    }

    /** POST /logout: the token's device is deleted with it. */
    public void logout(String userId, String deviceId) {
        delete(userId, List.of(deviceId));
    }

    /** POST /logout/all. */
    public void logoutAll(String userId) {
        List<String> deleted = devices.deleteAll(userId);
        sessions.invalidateUser(userId);
        if (!deleted.isEmpty()) {
            listeners.forEach(listener -> listener.deleted(userId, deleted));
        }
    }
}
