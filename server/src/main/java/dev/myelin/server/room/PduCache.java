package dev.myelin.server.room;

import dev.myelin.spec.event.Pdu;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** A small LRU of parsed events by event nid (events never change; redaction is applied when rendering). */
final class PduCache {
    private final Map<Long, Pdu> entries;

    PduCache(int capacity) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Pdu> eldest) {
                return size() > capacity;
            }
        };
    }

    Pdu get(long nid, Supplier<Pdu> load) {
        synchronized (entries) {
            Pdu cached = entries.get(nid);
            if (cached != null) {
                return cached;
            }
        }
        Pdu loaded = load.get();
        synchronized (entries) {
            entries.put(nid, loaded);
        }
        return loaded;
    }
}
