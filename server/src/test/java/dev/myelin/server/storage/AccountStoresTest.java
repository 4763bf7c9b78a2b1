package dev.myelin.server.storage;

import dev.myelin.server.storage.AccountStore.Account;
import dev.myelin.server.storage.AccountStore.NewSession;
import dev.myelin.server.storage.DeviceStore.DeviceKey;
import dev.myelin.server.storage.DeviceStore.LastSeen;
import dev.myelin.server.storage.sql.SqlAccountStore;
import dev.myelin.server.storage.sql.SqlDeviceStore;
import dev.myelin.server.storage.sql.SqlRegistrationTokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Contract of the account, device and registration token stores, on SQLite and PostgreSQL. */
class AccountStoresTest extends StoreContractTest {
    private AccountStore accounts;
    private DeviceStore devices;
    private RegistrationTokenStore tokens;

    @BeforeEach
    void stores() {
        accounts = new SqlAccountStore(database);
        devices = new SqlDeviceStore(database);
        tokens = new SqlRegistrationTokenStore(database);
    }

    private static Account account(String userId) {
        return new Account(userId, Optional.of("hash"), false, false, false, 1000);
    }

    private static NewSession session(String userId, String deviceId, String access, Optional<String> refresh) {
        return new NewSession(userId, deviceId, Optional.of("Phone"), access, 0, refresh, 2000);
    }

    @Test
    void createFindAndRefuseATakenId() {
        assertThat(accounts.create(account("@a:x"), Optional.empty(), Optional.empty())).isTrue();
        assertThat(accounts.create(account("@a:x"), Optional.of(session("@a:x", "D", "h1", Optional.empty())),
                Optional.empty())).isFalse();
        assertThat(devices.devices("@a:x")).isEmpty();
        Account found = accounts.find("@a:x").orElseThrow();
        assertThat(found.passwordHash()).contains("hash");
        assertThat(found.admin()).isFalse();
        assertThat(accounts.setAdmin("@a:x", true)).isTrue();
        assertThat(accounts.find("@a:x").orElseThrow().admin()).isTrue();
        assertThat(accounts.setAdmin("@nobody:x", true)).isFalse();
        assertThat(accounts.find("@b:x")).isEmpty();
    }

    @Test
    void registrationCompletesARegistrationTokenUseInTheSameTransaction() {
        tokens.create("tok", OptionalInt.of(2), OptionalLong.empty());
        assertThat(tokens.reservePending("tok", 0)).isTrue();
        accounts.create(account("@a:x"), Optional.of(session("@a:x", "D", "h1", Optional.empty())), Optional.of("tok"));
        var token = tokens.find("tok").orElseThrow();
        assertThat(token.pending()).isZero();
        assertThat(token.completed()).isEqualTo(1);
        assertThat(devices.findByAccessToken("h1").orElseThrow().deviceId()).isEqualTo("D");
    }

    @Test
    void sessionsAndTokenLookup() {
        accounts.create(account("@a:x"), Optional.of(session("@a:x", "D1", "h1", Optional.empty())), Optional.empty());
        var owner = devices.findByAccessToken("h1").orElseThrow();
        assertThat(owner.userId()).isEqualTo("@a:x");
        assertThat(owner.accessExpiresTs()).isZero();
        assertThat(owner.refreshPending()).isFalse();
        devices.startSession(session("@a:x", "D1", "h2", Optional.empty()));
        assertThat(devices.findByAccessToken("h1")).isEmpty();
        assertThat(devices.findByAccessToken("h2")).isPresent();
        assertThat(devices.device("@a:x", "D1").orElseThrow().displayName()).contains("Phone");
    }

    @Test
    void refreshRotationKeepsThePreviousTokenUntilTheNewOneIsUsed() {
        accounts.create(account("@a:x"), Optional.of(session("@a:x", "D", "a1", Optional.of("r1"))), Optional.empty());
        var first = devices.refresh("r1", "a2", 5000, "r2").orElseThrow();
        assertThat(first.replacedAccessTokenHash()).contains("a1");
        assertThat(devices.findByAccessToken("a1")).isEmpty();
        // A retry with r1 replaces the unused a2/r2.
        assertThat(devices.refresh("r1", "a3", 6000, "r3")).isPresent();
        assertThat(devices.findByAccessToken("a2")).isEmpty();
        assertThat(devices.refresh("r2", "x", 1, "y")).isEmpty();
        var owner = devices.findByAccessToken("a3").orElseThrow();
        assertThat(owner.accessExpiresTs()).isEqualTo(6000);
        assertThat(owner.refreshPending()).isTrue();
        devices.clearPreviousRefreshToken("@a:x", "D");
        assertThat(devices.findByAccessToken("a3").orElseThrow().refreshPending()).isFalse();
        assertThat(devices.refresh("r1", "a4", 1, "r4")).isEmpty();
        assertThat(devices.refresh("r3", "a4", 1, "r4")).isPresent();
        assertThat(devices.refresh("unknown", "a5", 1, "r5")).isEmpty();
    }

    @Test
    void renameDeleteAndLastSeen() {
        accounts.create(account("@a:x"), Optional.of(session("@a:x", "D1", "h1", Optional.empty())), Optional.empty());
        devices.startSession(session("@a:x", "D2", "h2", Optional.empty()));
        devices.startSession(session("@a:x", "D3", "h3", Optional.empty()));
        assertThat(devices.rename("@a:x", "D2", Optional.of("Laptop"))).isTrue();
        assertThat(devices.rename("@a:x", "D9", Optional.of("Laptop"))).isFalse();
        assertThat(devices.device("@a:x", "D2").orElseThrow().displayName()).contains("Laptop");
        assertThat(devices.rename("@a:x", "D2", Optional.empty())).isTrue();
        assertThat(devices.device("@a:x", "D2").orElseThrow().displayName()).isEmpty();
        devices.updateLastSeen(Map.of(new DeviceKey("@a:x", "D1"), new LastSeen("10.0.0.1", 1234)));
        var d1 = devices.device("@a:x", "D1").orElseThrow();
        assertThat(d1.lastSeenIp()).contains("10.0.0.1");
        assertThat(d1.lastSeenTs()).contains(1234L);
        assertThat(devices.delete("@a:x", List.of("D2", "D9"))).containsExactly("D2");
        assertThat(devices.findByAccessToken("h2")).isEmpty();
        assertThat(devices.devices("@a:x")).extracting(DeviceStore.Device::deviceId).containsExactly("D1", "D3");
        assertThat(devices.deleteAll("@a:x")).containsExactlyInAnyOrder("D1", "D3");
        assertThat(devices.devices("@a:x")).isEmpty();
    }

    @Test
    void passwordChangeAndDeactivation() {
        accounts.create(account("@a:x"), Optional.of(session("@a:x", "D1", "h1", Optional.empty())), Optional.empty());
        devices.startSession(session("@a:x", "D2", "h2", Optional.empty()));
        assertThat(accounts.changePassword("@a:x", "new", Optional.empty())).isEmpty();
        assertThat(devices.devices("@a:x")).hasSize(2);
        assertThat(accounts.changePassword("@a:x", "newer", Optional.of("D1"))).containsExactly("D2");
        assertThat(accounts.find("@a:x").orElseThrow().passwordHash()).contains("newer");
        assertThat(devices.findByAccessToken("h1")).isPresent();
        accounts.createLoginToken("lt", "@a:x", 99_999);
        accounts.deactivate("@a:x");
        assertThat(accounts.find("@a:x").orElseThrow().deactivated()).isTrue();
        assertThat(devices.devices("@a:x")).isEmpty();
        assertThat(accounts.consumeLoginToken("lt", 0)).isEmpty();
    }

    @Test
    void guestsUpgradeOnce() {
        accounts.create(new Account("@123:x", Optional.empty(), true, false, false, 1), Optional.empty(), Optional.empty());
        accounts.create(account("@a:x"), Optional.empty(), Optional.empty());
        assertThat(accounts.upgradeGuest("@a:x", "h", Optional.empty(), Optional.empty())).isFalse();
        assertThat(accounts.upgradeGuest("@123:x", "h", Optional.of(session("@123:x", "D", "t1", Optional.empty())),
                Optional.empty())).isTrue();
        var upgraded = accounts.find("@123:x").orElseThrow();
        assertThat(upgraded.guest()).isFalse();
        assertThat(upgraded.passwordHash()).contains("h");
        assertThat(devices.findByAccessToken("t1").orElseThrow().guest()).isFalse();
        assertThat(accounts.upgradeGuest("@123:x", "h2", Optional.empty(), Optional.empty())).isFalse();
    }

    @Test
    void loginTokensAreSingleUseAndExpire() {
        accounts.create(account("@a:x"), Optional.empty(), Optional.empty());
        accounts.createLoginToken("t1", "@a:x", 5000);
        assertThat(accounts.consumeLoginToken("t1", 4000)).contains("@a:x");
        assertThat(accounts.consumeLoginToken("t1", 4000)).isEmpty();
        accounts.createLoginToken("t2", "@a:x", 5000);
        assertThat(accounts.consumeLoginToken("t2", 5000)).isEmpty();
    }

    @Test
    void registrationTokens() {
        assertThat(tokens.create("a", OptionalInt.of(1), OptionalLong.of(10_000))).isTrue();
        assertThat(tokens.create("a", OptionalInt.empty(), OptionalLong.empty())).isFalse();
        assertThat(tokens.create("b", OptionalInt.empty(), OptionalLong.empty())).isTrue();
        assertThat(tokens.list()).extracting(RegistrationTokenStore.RegistrationToken::token).containsExactly("a", "b");
        assertThat(tokens.reservePending("a", 20_000)).isFalse();
        assertThat(tokens.reservePending("a", 5_000)).isTrue();
        assertThat(tokens.reservePending("a", 5_000)).isFalse();
        assertThat(tokens.find("a").orElseThrow().valid(5_000)).isFalse();
        tokens.releasePending("a");
        assertThat(tokens.find("a").orElseThrow().pending()).isZero();
        assertThat(tokens.find("a").orElseThrow().valid(5_000)).isTrue();
        var updated = tokens.update("a", Optional.of(OptionalInt.empty()), Optional.of(OptionalLong.empty())).orElseThrow();
        assertThat(updated.usesAllowed()).isEmpty();
        assertThat(updated.expiryTime()).isEmpty();
        assertThat(tokens.update("a", Optional.of(OptionalInt.of(7)), Optional.empty()).orElseThrow().usesAllowed()).hasValue(7);
        assertThat(tokens.update("zz", Optional.empty(), Optional.empty())).isEmpty();
        assertThat(tokens.delete("a")).isTrue();
        assertThat(tokens.delete("a")).isFalse();
        assertThat(tokens.find("a")).isEmpty();
        assertThat(tokens.reservePending("nope", 0)).isFalse();
    }
}
