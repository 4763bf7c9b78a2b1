package dev.myelin.server.user;

import dev.myelin.server.storage.DeviceStore;
import dev.myelin.server.storage.DeviceStore.DeviceKey;
import dev.myelin.server.storage.DeviceStore.LastSeen;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where and when devices were last seen, kept in memory and written in one batch per flush (every minute and at
 * shutdown), so a request never costs a database write.
 */
public final class DeviceActivity implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceActivity.class);
    public static final long FLUSH_INTERVAL_MS = 60_000;

    private final DeviceStore devices;
    private final Clock clock;
    private final ConcurrentHashMap<DeviceKey, LastSeen> pending = new ConcurrentHashMap<>();
    private final Thread flusher;
    private volatile boolean closed;

    public DeviceActivity(DeviceStore devices, Clock clock) {
        this.devices = devices;
        this.clock = clock;
        this.flusher = Thread.ofVirtual().name("device-activity-flush").unstarted(this::run);
    }

    public DeviceActivity start() {
        flusher.start();
        return this;
    }

    public void seen(String userId, String deviceId, String ip) {
        pending.put(new DeviceKey(userId, deviceId), new LastSeen(ip, clock.millis()));
    }

    /** The not yet written sighting of a device, if any. */
    public Optional<LastSeen> pending(String userId, String deviceId) {
        return Optional.ofNullable(pending.get(new DeviceKey(userId, deviceId)));
    }

    public void forget(String userId, String deviceId) {
        pending.remove(new DeviceKey(userId, deviceId));
    }

    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<DeviceKey, LastSeen> batch = new HashMap<>();
        for (var key : pending.keySet()) {
            LastSeen seen = pending.remove(key);
            if (seen != null) {
                batch.put(key, seen);
            }
        }
        try {
            devices.updateLastSeen(batch);
        } catch (RuntimeException e) {
            LOG.warn("Could not record device activity for {} devices: {}", batch.size(), e.toString());
        }
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(FLUSH_INTERVAL_MS);
            } catch (InterruptedException e) {
                break;
            }
            flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        flush();
    }
}
