package dev.myelin.server.user;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void argon2idRoundTripInPhcFormat() {
        String hash = hasher.hash("correct horse battery staple");
        assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verify("correct horse battery stapler", hash)).isFalse();
        assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
        assertThat(hasher.needsRehash(hash)).isFalse();
    }

    @Test
    void hashesWithOtherParametersStillVerifyAndAskForARehash() {
        String older = new PasswordHasher(4096, 3, 1).hash("password");
        assertThat(older).startsWith("$argon2id$v=19$m=4096,t=3,p=1$");
        assertThat(hasher.verify("password", older)).isTrue();
        assertThat(hasher.verify("Password", older)).isFalse();
        assertThat(hasher.needsRehash(older)).isTrue();
    }

    @Test
    void bcryptHashesImportedFromSynapseVerify() {
        // Openwall's crypt_blowfish test vectors.
        assertThat(hasher.verify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isTrue();
        assertThat(hasher.verify("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK")).isTrue();
        assertThat(hasher.verify("U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isTrue();
        assertThat(hasher.verify("U*U", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isTrue();
        assertThat(hasher.verify("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isFalse();
    }

    @Test
    void malformedHashesNeverVerify() {
        assertThat(hasher.verify("x", null)).isFalse();
        assertThat(hasher.verify("x", "")).isFalse();
        assertThat(hasher.verify("x", "plaintext")).isFalse();
        assertThat(hasher.verify("x", "$argon2id$v=19$m=19456,t=2,p=1$!!$??")).isFalse();
        assertThat(hasher.verify("x", "$argon2id$v=19$m=999999999,t=2,p=1$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo")).isFalse();
        assertThat(hasher.verify("x", "$2a$05$short")).isFalse();
    }
}
