package dev.myelin.server.federation.keys;

import dev.myelin.server.federation.transport.OriginKeys;
import dev.myelin.server.storage.ServerKeyStore;
import dev.myelin.server.storage.ServerKeyStore.ServerKey;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.crypto.VerifyKeyLookup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The verify keys of every server, from the database, fetched (directly, then through the trusted notaries) when a
 * key is missing or no longer valid. A server whose keys could not be fetched is not asked again for a minute, so a
 * flood of badly signed requests cannot turn into a flood of key requests. Keys read from the database are kept in
 * memory for a minute, as every inbound PDU and request asks for one.
 */
public final class KeyRing implements VerifyKeyLookup, OriginKeys {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);
    static final long REFETCH_PAUSE_MS = Duration.ofMinutes(1).toMillis();
    static final long KEEP_IN_MEMORY_MS = Duration.ofMinutes(1).toMillis();

    private final ServerKeyStore store;
    private final KeyFetcher fetcher;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> pausedUntil = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

    /** A stored key, decoded, and when it was read. */
    private record Known(ServerKey key, VerifyKey verifyKey, long readAt) {}

    /** Fetches a server's keys from wherever it can and stores them. */
    @FunctionalInterface
    public interface KeyFetcher {
        /** @return whether any fresh keys were stored */
        boolean fetchAndStore(String serverName, String keyId);
    }

    public KeyRing(ServerKeyStore store, KeyFetcher fetcher, Clock clock) {
        this.store = store;
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** From the database only. See {@link VerifyKeyLookup} for {@code validAt}. */
    @Override
    public Optional<VerifyKey> find(String serverName, String keyId, OptionalLong validAt) {
        return stored(serverName, keyId, false)
                .filter(key -> validAt.isEmpty() || validAt(key.key(), validAt.getAsLong())).map(Known::verifyKey);
    }

    /** A key valid now for signing requests: current (not an old key) and not past its validity. */
    @Override
    public Optional<VerifyKey> currentKey(String serverName, String keyId) {
        return fetchIfNeeded(serverName, keyId, key -> key.expiredTs().isEmpty() && key.validUntilTs() >= clock.millis());
    }

    /** Like {@link #find}, fetching the server's keys when the key is missing or not valid at {@code validAt}. */
    public Optional<VerifyKey> findOrFetch(String serverName, String keyId, OptionalLong validAt) {
        return fetchIfNeeded(serverName, keyId, key -> validAt.isEmpty() || validAt(key, validAt.getAsLong()));
    }

    private Optional<VerifyKey> fetchIfNeeded(String serverName, String keyId,
                                              java.util.function.Predicate<ServerKey> usable) {
        Optional<Known> stored = stored(serverName, keyId, false).filter(key -> usable.test(key.key()));
        if (stored.isPresent()) {
            return stored.map(Known::verifyKey);
        }
        long now = clock.millis();
        Long paused = pausedUntil.get(serverName);
        if (paused != null && paused > now) {
            return Optional.empty();
        }
        boolean fetched = fetcher.fetchAndStore(serverName, keyId);
        Optional<Known> after = stored(serverName, keyId, true).filter(key -> usable.test(key.key()));
        if (after.isEmpty()) {
            LOG.debug("No usable key {} of {} (fetched: {})", keyId, serverName, fetched);
            pausedUntil.put(serverName, now + REFETCH_PAUSE_MS);
        } else {
            pausedUntil.remove(serverName);
        }
        return after.map(Known::verifyKey);
    }

    /** The stored key, from memory when read less than a minute ago unless {@code fresh}. */
    private Optional<Known> stored(String serverName, String keyId, boolean fresh) {
        String id = serverName + " " + keyId;
        long now = clock.millis();
        Known cached = known.get(id);
        if (!fresh && cached != null && now - cached.readAt() < KEEP_IN_MEMORY_MS) {
            return Optional.of(cached);
        }
        Optional<Known> read = store.key(serverName, keyId)
                .map(key -> new Known(key, VerifyKey.fromBase64(key.keyId(), key.publicKey()), now));
        read.ifPresentOrElse(key -> known.put(id, key), () -> known.remove(id));
        return read;
    }

    /**
     * Whether the key counts for something signed at {@code ts}: a current key until its validity, an old key
     * until it expired.
     */
    private static boolean validAt(ServerKey key, long ts) {
        return key.expiredTs().map(expired -> expired >= ts).orElse(key.validUntilTs() >= ts);
    }
}
