package dev.myelin.server.room;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A small LRU for facts that never change once written: parsed events by event nid (redaction is applied when
 * rendering), what a state event replaced, an event's transaction id, state entries by snapshot.
 */
final class LruCache<K, V> {
    private final Map<K, V> entries;

    LruCache(int capacity) {
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached value, or null when the key is not cached. */
    V getIfPresent(K key) {
        synchronized (entries) {
            return entries.get(key);
        }
    }

    void put(K key, V value) {
        synchronized (entries) {
            entries.put(key, value);
        }
    }

    V get(K key, Supplier<V> load) {
        synchronized (entries) {
            V cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
        }
        V loaded = load.get();
        synchronized (entries) {
            entries.put(key, loaded);
        }
        return loaded;
    }
}
