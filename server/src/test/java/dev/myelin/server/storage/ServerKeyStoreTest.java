package dev.myelin.server.storage;

import dev.myelin.server.storage.ServerKeyStore.ServerKey;
import dev.myelin.server.storage.sql.SqlServerKeyStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ServerKeyStoreTest extends StoreContractTest {

    private ServerKeyStore store() {
        return new SqlServerKeyStore(database);
    }

    private static ServerKey current(String keyId, long validUntil) {
        return new ServerKey("remote.example", keyId, "pub" + keyId, validUntil, Optional.empty(), 100);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void storedKeysAreFoundWithTheirValidity() {
        store().store("remote.example", List.of(current("ed25519:a", 1000)), json("{\"r\":1}"));

        assertThat(store().key("remote.example", "ed25519:a")).contains(current("ed25519:a", 1000));
        assertThat(store().key("remote.example", "ed25519:b")).isEmpty();
        assertThat(store().key("other.example", "ed25519:a")).isEmpty();
    }

    @Test
    void anOlderResponseCannotShortenAKeysValidity() {
        store().store("remote.example", List.of(current("ed25519:a", 2000)), json("{\"r\":2}"));
        store().store("remote.example", List.of(current("ed25519:a", 1000)), json("{\"r\":1}"));

        assertThat(store().key("remote.example", "ed25519:a").orElseThrow().validUntilTs()).isEqualTo(2000);
        assertThat(store().responses("remote.example")).singleElement()
                .satisfies(r -> assertThat(new String(r.json(), StandardCharsets.UTF_8)).isEqualTo("{\"r\":2}"));
    }

    @Test
    void aKeySeenAsExpiredStaysExpired() {
        store().store("remote.example", List.of(current("ed25519:a", 2000)), json("{\"r\":1}"));
        var expired = new ServerKey("remote.example", "ed25519:a", "puba", 1500, Optional.of(1500L), 200);
        store().store("remote.example", List.of(expired, current("ed25519:b", 3000)), json("{\"r\":2}"));
        store().store("remote.example", List.of(current("ed25519:a", 2500)), json("{\"r\":3}"));

        assertThat(store().key("remote.example", "ed25519:a").orElseThrow().expiredTs()).contains(1500L);
        assertThat(store().keys("remote.example")).extracting(ServerKey::keyId).containsExactly("ed25519:a", "ed25519:b");
    }

    @Test
    void responsesAreDistinctAndNewestFirst() {
        store().store("remote.example", List.of(current("ed25519:a", 1000), current("ed25519:b", 1000)), json("{\"r\":1}"));
        store().store("remote.example", List.of(current("ed25519:c", 5000)), json("{\"r\":2}"));

        assertThat(store().responses("remote.example")).extracting(ServerKeyStore.KeyResponse::validUntilTs)
                .containsExactly(5000L, 1000L);
        assertThat(store().responses("nobody.example")).isEmpty();
    }

    @Test
    void rotatingTheLocalKeyExpiresThePreviousOne() {
        store().useLocalKey("me.example", "ed25519:old", "pubold", 100);
        store().useLocalKey("me.example", "ed25519:old", "pubold", 150);
        reopen();
        store().useLocalKey("me.example", "ed25519:new", "pubnew", 200);

        ServerKey old = store().key("me.example", "ed25519:old").orElseThrow();
        ServerKey current = store().key("me.example", "ed25519:new").orElseThrow();
        assertThat(old.expiredTs()).contains(200L);
        assertThat(current.expiredTs()).isEmpty();
        assertThat(current.validUntilTs()).isEqualTo(Long.MAX_VALUE);
        assertThat(store().responses("me.example")).isEmpty();
    }
}
