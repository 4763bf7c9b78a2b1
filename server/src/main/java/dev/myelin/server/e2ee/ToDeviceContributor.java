package dev.myelin.server.e2ee;

import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.ToDeviceStore;
import dev.myelin.server.storage.ToDeviceStore.Delivery;
import dev.myelin.server.storage.sql.SqlToDeviceStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

import java.util.List;

/**
 * The {@code to_device} section of sync: the syncing device's messages in order of arrival, at most
 * {@value #LIMIT} per response (spec: send_to_device "Server behaviour"). Syncing with a token acknowledges what
 * the response that gave it delivered, which is then deleted.
 */
public final class ToDeviceContributor implements SyncContributor {
    static final int LIMIT = 100;

    private final ToDeviceStore store;

    public ToDeviceContributor(ToDeviceStore store) {
        this.store = store;
    }

    @Override
    public StreamName stream() {
        return SqlToDeviceStore.TO_DEVICE;
    }

    @Override
    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        if (since > 0) {
            store.acknowledge(context.userId(), context.deviceId(), since);
        }
        List<Delivery> deliveries = since < upTo
                ? store.inbox(context.userId(), context.deviceId(), since, upTo, LIMIT) : List.of();
        for (Delivery delivery : deliveries) {
            response.addEvent("to_device", SignedKeys.parse(delivery.eventJson()));
        }
        return deliveries.size() == LIMIT ? deliveries.getLast().position() : upTo;
    }
}
