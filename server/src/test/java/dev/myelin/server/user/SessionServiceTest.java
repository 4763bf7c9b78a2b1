package dev.myelin.server.user;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.AccountStore.Account;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.SqlAccountStore;
import dev.myelin.server.storage.sql.SqlDeviceStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Token issuance, cached resolution, expiry and refresh rotation, on both databases. */
class SessionServiceTest extends StoreContractTest {
    private final long[] now = {1_000_000};
    private final Clock clock = new Clock() {
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now[0]); }
    };
    private SqlDeviceStore devices;
    private SessionService sessions;

    @BeforeEach
    void services() {
        devices = new SqlDeviceStore(database);
        sessions = new SessionService(devices, new DeviceActivity(devices, clock), clock, 0, 60_000);
        new SqlAccountStore(database).create(new Account("@a:x", Optional.empty(), false, false, false, 1),
                Optional.empty(), Optional.empty());
    }

    @Test
    void tokensAreRandomPrefixedAndStoredOnlyAsHashes() {
        var issued = sessions.startSession("@a:x", "D", Optional.empty(), false);
        assertThat(issued.accessToken()).startsWith("mya_").hasSize(4 + 43);
        assertThat(issued.refreshToken()).isEmpty();
        assertThat(issued.expiresInMs()).isZero();
        assertThat(devices.findByAccessToken(issued.accessToken())).isEmpty();
        assertThat(devices.findByAccessToken(Tokens.hash(issued.accessToken()))).isPresent();
        assertThat(sessions.resolve(issued.accessToken()).orElseThrow().deviceId()).isEqualTo("D");
        assertThat(sessions.resolve("mya_unknown")).isEmpty();
    }

    @Test
    void cachedLookupsAreInvalidatedWithTheDevice() {
        var issued = sessions.startSession("@a:x", "D", Optional.empty(), false);
        assertThat(sessions.resolve(issued.accessToken())).isPresent();
        assertThat(sessions.cachedTokens()).isEqualTo(1);
        devices.delete("@a:x", List.of("D"));
        assertThat(sessions.resolve(issued.accessToken())).as("still cached until invalidated").isPresent();
        sessions.invalidateDevice("@a:x", "D");
        assertThat(sessions.resolve(issued.accessToken())).isEmpty();
    }

    @Test
    void expiredRefreshableTokensAreASoftLogoutAndRefreshRotates() {
        var issued = sessions.startSession("@a:x", "D", Optional.empty(), true);
        assertThat(issued.expiresInMs()).isEqualTo(60_000);
        String refresh1 = issued.refreshToken().orElseThrow();
        assertThat(refresh1).startsWith("myr_");
        assertThat(sessions.resolve(issued.accessToken())).isPresent();
        now[0] += 60_000;
        assertThatThrownBy(() -> sessions.resolve(issued.accessToken()))
                .isInstanceOfSatisfying(MatrixException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.extra()).containsEntry("soft_logout", true);
                });

        var second = sessions.refresh(refresh1);
        assertThat(sessions.resolve(issued.accessToken())).isEmpty();
        var retried = sessions.refresh(refresh1);
        assertThat(sessions.resolve(second.accessToken())).isEmpty();
        assertThatThrownBy(() -> sessions.refresh(second.refreshToken().orElseThrow())).isInstanceOf(MatrixException.class);
        assertThat(sessions.resolve(retried.accessToken()).orElseThrow().deviceId()).isEqualTo("D");
        assertThatThrownBy(() -> sessions.refresh(refresh1)).isInstanceOf(MatrixException.class);
        var third = sessions.refresh(retried.refreshToken().orElseThrow());
        assertThat(sessions.resolve(third.accessToken())).isPresent();
        assertThatThrownBy(() -> sessions.refresh("myr_unknown")).isInstanceOf(MatrixException.class);
    }
}
