package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.EventLookup;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Stored events of one room version as PDUs for the authorizer, auth chains and state resolution, and events about
 * to be stored ({@code pending}), which are looked up first.
 */
public final class StoredEventLookup implements EventLookup {
    private final RoomService rooms;
    private final RoomVersion version;
    private final Function<String, EncodedPdu> pending;
    private final Function<String, Optional<StoredEvent>> stored;

    public StoredEventLookup(RoomService rooms, RoomVersion version, Map<String, EncodedPdu> pending) {
        this(rooms, version, pending::get, rooms.store()::event);
    }

    /** {@code pending} gives an event to be stored, or null; stored events are read through {@code stored}. */
    StoredEventLookup(RoomService rooms, RoomVersion version, Function<String, EncodedPdu> pending,
                      Function<String, Optional<StoredEvent>> stored) {
        this.rooms = rooms;
        this.version = version;
        this.pending = pending;
        this.stored = stored;
    }

    public StoredEventLookup(RoomService rooms, RoomVersion version) {
        this(rooms, version, Map.of());
    }

    @Override
    public Pdu get(String eventId) {
        EncodedPdu event = pending.apply(eventId);
        if (event != null) {
            return event.pdu();
        }
        return stored.apply(eventId).map(found -> rooms.pdu(found, version)).orElse(null);
    }

    @Override
    public boolean isRejected(String eventId) {
        return stored.apply(eventId).map(StoredEvent::rejected).orElse(false);
    }
}
