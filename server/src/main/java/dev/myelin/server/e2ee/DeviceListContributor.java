package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.E2eKeyStore;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlDeviceListStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

/**
 * The E2EE extensions to sync (spec: end_to_end_encryption "Extensions to /sync"): {@code device_lists} on
 * incremental syncs, and in every response the syncing device's {@code device_one_time_keys_count} and
 * {@code device_unused_fallback_key_types}.
 */
public final class DeviceListContributor implements SyncContributor {
    private final DeviceLists deviceLists;
    private final KeyService keys;

    public DeviceListContributor(DeviceLists deviceLists, KeyService keys) {
        this.deviceLists = deviceLists;
        this.keys = keys;
    }

    @Override
    public StreamName stream() {
        return SqlDeviceListStore.DEVICE_LISTS;
    }

    @Override
    public long currentPosition() {
        return deviceLists.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        if (!context.initial() && since < upTo) {
            DeviceLists.Delta delta = deviceLists.delta(context.userId(), since, upTo);
            delta.changed().forEach(response::deviceListChanged);
            delta.left().forEach(response::deviceListLeft);
        }
        E2eKeyStore.KeysLeft left = keys.keysLeft(context.userId(), context.deviceId());
        ObjectNode counts = Json.MAPPER.createObjectNode();
        left.oneTimeKeyCounts().forEach(counts::put);
        response.setAlways("device_one_time_keys_count", counts);
        var fallback = Json.MAPPER.createArrayNode();
        left.unusedFallbackKeyTypes().forEach(fallback::add);
        response.setAlways("device_unused_fallback_key_types", fallback);
        return upTo;
    }
}
