package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.config.MyelinConfig.TrustedKeyServer;
import dev.myelin.server.federation.keys.KeyRing;
import dev.myelin.server.federation.keys.LocalServerKeys;
import dev.myelin.server.federation.keys.RemoteKeyFetcher;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.storage.ServerKeyStore;
import dev.myelin.server.storage.ServerKeyStore.KeyResponse;
import dev.myelin.server.storage.ServerKeyStore.ServerKey;
import dev.myelin.spec.crypto.SigningKey;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Fetching keys directly and through notaries, their validity, rotation, without a network. */
class KeyRingTest {
    private final DiscoveryTest.MutableClock clock = new DiscoveryTest.MutableClock();
    private final MemoryKeyStore store = new MemoryKeyStore();
    private final SigningKey remoteKey = SigningKey.generate(new SecureRandom());
    private final SigningKey notaryKey = SigningKey.generate(new SecureRandom());
    private final LocalServerKeys remote = new LocalServerKeys("remote.example", remoteKey, new MemoryKeyStore(), clock);
    private final LocalServerKeys notary = new LocalServerKeys("notary.example", notaryKey, new MemoryKeyStore(), clock);
    private final List<String> requests = new ArrayList<>();
    private boolean remoteUp = true;

    private final FederationClient client = new FederationClient() {
        @Override
        public JsonNode get(String destination, String path) throws FederationException {
            requests.add("GET " + destination + path);
            if (destination.equals("remote.example") && remoteUp) {
                return remote.response();
            }
            if (destination.equals("notary.example")) {
                return notary.response();
            }
            throw new FederationException(destination, "unreachable", new java.io.IOException());
        }

        @Override
        public JsonNode put(String destination, String path, JsonNode body) {
            throw new AssertionError("fetching keys never PUTs: " + destination + path);
        }

        @Override
        public JsonNode post(String destination, String path, JsonNode body) throws FederationException {
            requests.add("POST " + destination + path + " " + body);
            if (!destination.equals("notary.example")) {
                throw new FederationException(destination, "unreachable", new java.io.IOException());
            }
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.putArray("server_keys").add(notary.cosign(remote.response()));
            return answer;
        }
    };

    private KeyRing ring(List<TrustedKeyServer> notaries) {
        var fetcher = new RemoteKeyFetcher(client, store, notaries, clock);
        var ring = new KeyRing(store, fetcher, clock);
        fetcher.notaryKeysFrom(ring);
        return ring;
    }

    @Test
    void aMissingKeyIsFetchedOnceAndThenServedFromTheStore() {
        KeyRing ring = ring(List.of());

        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).contains(remoteKey.verifyKey());
        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).contains(remoteKey.verifyKey());

        assertThat(requests).containsExactly("GET remote.example/_matrix/key/v2/server");
    }

    @Test
    void fetchedKeysCountOnlyUntilTheirValidUntilTs() {
        KeyRing ring = ring(List.of());
        ring.currentKey("remote.example", remoteKey.keyId());
        long fetched = clock.millis();

        assertThat(ring.find("remote.example", remoteKey.keyId(), OptionalLong.of(fetched + Duration.ofHours(23).toMillis())))
                .isPresent();
        assertThat(ring.find("remote.example", remoteKey.keyId(), OptionalLong.of(fetched + Duration.ofDays(2).toMillis())))
                .isEmpty();
        assertThat(ring.find("remote.example", remoteKey.keyId(), OptionalLong.empty())).isPresent();
    }

    @Test
    void aServerThatCannotBeReachedIsNotAskedAgainForAMinute() {
        remoteUp = false;
        KeyRing ring = ring(List.of());

        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).isEmpty();
        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).isEmpty();
        assertThat(requests).hasSize(1);

        remoteUp = true;
        clock.advance(Duration.ofSeconds(61));
        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).contains(remoteKey.verifyKey());
    }

    @Test
    void aNotaryWithConfiguredKeysIsAskedWhenTheServerIsDown() {
        remoteUp = false;
        KeyRing ring = ring(List.of(new TrustedKeyServer("notary.example",
                Map.of(notaryKey.keyId(), notaryKey.verifyKey().publicKeyBase64()))));

        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).contains(remoteKey.verifyKey());
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1)).startsWith("POST notary.example/_matrix/key/v2/query")
                .contains("minimum_valid_until_ts");
    }

    @Test
    void aNotaryWithoutConfiguredKeysHasItsOwnKeysFetched() {
        remoteUp = false;
        KeyRing ring = ring(List.of(new TrustedKeyServer("notary.example", Map.of())));

        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).contains(remoteKey.verifyKey());
        assertThat(requests).contains("GET notary.example/_matrix/key/v2/server");
    }

    @Test
    void aNotaryAnswerWithoutTheNotarysValidSignatureIsRefused() {
        remoteUp = false;
        var impostor = SigningKey.generate(notaryKey.keyId(), new SecureRandom());
        KeyRing ring = ring(List.of(new TrustedKeyServer("notary.example",
                Map.of(notaryKey.keyId(), impostor.verifyKey().publicKeyBase64()))));

        assertThat(ring.currentKey("remote.example", remoteKey.keyId())).isEmpty();
    }

    @Test
    void aRotatedLocalKeyIsPublishedAsOldAndStillVerifiesWhatItSigned() {
        var keys = new MemoryKeyStore();
        SigningKey first = SigningKey.generate(new SecureRandom());
        new LocalServerKeys("me.example", first, keys, clock);
        clock.advance(Duration.ofDays(1));
        SigningKey second = SigningKey.generate(new SecureRandom());

        ObjectNode published = new LocalServerKeys("me.example", second, keys, clock).response();

        assertThat(published.path("verify_keys").has(second.keyId())).isTrue();
        assertThat(published.path("verify_keys").has(first.keyId())).isFalse();
        assertThat(published.path("old_verify_keys").path(first.keyId()).path("expired_ts").asLong()).isEqualTo(clock.millis());
        var ring = new KeyRing(keys, (server, keyId) -> false, clock);
        assertThat(ring.find("me.example", first.keyId(), OptionalLong.of(clock.millis() - 1000))).isPresent();
        assertThat(ring.find("me.example", first.keyId(), OptionalLong.of(clock.millis() + 1000))).isEmpty();
        assertThat(ring.currentKey("me.example", first.keyId())).isEmpty();
    }

    /** The store contract, in memory (the SQL store has its own tests on both databases). */
    static final class MemoryKeyStore implements ServerKeyStore {
        private final Map<String, ServerKey> keys = new ConcurrentHashMap<>();
        private final Map<String, byte[]> json = new ConcurrentHashMap<>();

        @Override
        public Optional<ServerKey> key(String serverName, String keyId) {
            return Optional.ofNullable(keys.get(serverName + " " + keyId));
        }

        @Override
        public List<ServerKey> keys(String serverName) {
            return keys.values().stream().filter(k -> k.serverName().equals(serverName))
                    .sorted(Comparator.comparing(ServerKey::keyId)).toList();
        }

        @Override
        public void store(String serverName, List<ServerKey> fresh, byte[] responseJson) {
            for (ServerKey key : fresh) {
                keys.merge(serverName + " " + key.keyId(), key, (old, neu) -> neu.validUntilTs() >= old.validUntilTs() ? neu : old);
                json.put(serverName + " " + key.keyId(), responseJson);
            }
        }

        @Override
        public List<KeyResponse> responses(String serverName) {
            return List.of();
        }

        @Override
        public void useLocalKey(String serverName, String keyId, String publicKey, long nowTs) {
            for (ServerKey key : keys(serverName)) {
                if (!key.keyId().equals(keyId) && key.expiredTs().isEmpty()) {
                    keys.put(serverName + " " + key.keyId(), new ServerKey(serverName, key.keyId(), key.publicKey(),
                            nowTs, Optional.of(nowTs), key.fetchedTs()));
                }
            }
            keys.put(serverName + " " + keyId, new ServerKey(serverName, keyId, publicKey, Long.MAX_VALUE, Optional.empty(), nowTs));
        }
    }
}
