package dev.myelin.server.user;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class SharedSecretRegistrationTest {

    @Test
    void macMatchesSynapsesScheme() throws Exception {
        // hmac.new(b"secret", b"nonce\x00alice\x00pass\x00notadmin", hashlib.sha1).hexdigest(), computed independently:
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec("secret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        byte[] expected = mac.doFinal("nonce\u0000alice\u0000pass\u0000notadmin".getBytes(StandardCharsets.UTF_8));
        assertThat(SharedSecretRegistration.mac("secret".getBytes(StandardCharsets.UTF_8), "nonce", "alice", "pass", false))
                .isEqualTo(expected);
        assertThat(HexFormat.of().formatHex(SharedSecretRegistration.mac("secret".getBytes(StandardCharsets.UTF_8),
                "nonce", "alice", "pass", true))).isEqualTo(PYTHON_ADMIN_MAC);
    }

    /** python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",b"nonce\0alice\0pass\0admin",hashlib.sha1).hexdigest())' */
    static final String PYTHON_ADMIN_MAC = "f62fca97d1ba6f156e9f2a56cb77295fe732e6d5";

    @Test
    void verifyChecksEveryFieldAndNoncesAreSingleUse() {
        var clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);
        var registration = new SharedSecretRegistration("s3cret", clock);
        String nonce = registration.newNonce();
        String mac = HexFormat.of().formatHex(SharedSecretRegistration.mac("s3cret".getBytes(StandardCharsets.UTF_8),
                nonce, "bob", "pw", true));
        assertThat(registration.verify(nonce, "bob", "pw", true, mac)).isTrue();
        assertThat(registration.verify(nonce, "bob", "pw", true, mac.toUpperCase())).isTrue();
        assertThat(registration.verify(nonce, "bob", "pw", false, mac)).isFalse();
        assertThat(registration.verify(nonce, "bob", "px", true, mac)).isFalse();
        assertThat(registration.verify(nonce, "bob", "pw", true, "zz")).isFalse();
        assertThat(registration.consumeNonce(nonce)).isTrue();
        assertThat(registration.consumeNonce(nonce)).isFalse();
        assertThat(registration.consumeNonce("never-issued")).isFalse();
    }

    @Test
    void noncesExpireAfterAMinute() {
        var now = new long[]{1_000_000};
        var clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(now[0]); }
        };
        var registration = new SharedSecretRegistration("s3cret", clock);
        String nonce = registration.newNonce();
        now[0] += SharedSecretRegistration.NONCE_LIFETIME_MS + 1;
        assertThat(registration.consumeNonce(nonce)).isFalse();
    }
}
