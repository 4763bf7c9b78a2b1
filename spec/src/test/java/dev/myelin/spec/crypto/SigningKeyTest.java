package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningKeyTest {
    private static final SigningKey KEY = SpecTestVectorsTest.KEY;

    @Test
    void roundTripsTheSeed() {
        assertThat(KEY.seedBase64()).isEqualTo("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0");
        SigningKey again = SigningKey.fromSeed("ed25519:1", KEY.seed());
        assertThat(again.verifyKey()).isEqualTo(KEY.verifyKey());
    }

    @Test
    void derivesTheRfc8032PublicKey() {
        // RFC 8032 section 7.1, TEST 1
        byte[] seed = java.util.HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        SigningKey key = SigningKey.fromSeed("ed25519:rfc", seed);
        assertThat(java.util.HexFormat.of().formatHex(key.verifyKey().publicKey()))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(java.util.HexFormat.of().formatHex(key.sign(new byte[0]))).isEqualTo(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    }

    @Test
    void generatesKeysWithTheUsualIdShape() {
        SigningKey key = SigningKey.generate(new SecureRandom());
        assertThat(key.keyId()).matches("ed25519:a_[A-Za-z0-9]{4}");
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        assertThat(key.verifyKey().verify(message, key.sign(message))).isTrue();
        assertThat(KEY.verifyKey().verify(message, key.sign(message))).isFalse();
    }

    @Test
    void rejectsMalformedKeys() {
        assertThatThrownBy(() -> SigningKey.fromSeed("ed25519:1", new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromSeed("curve25519:1", new byte[32])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromSeed("ed25519:a-b", new byte[32])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKey.fromSeed("ed25519:", new byte[32])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VerifyKey.of("ed25519:1", new byte[33])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verifyKeyRoundTripsThroughBase64() {
        VerifyKey key = VerifyKey.fromBase64("ed25519:1", KEY.verifyKey().publicKeyBase64());
        assertThat(key).isEqualTo(KEY.verifyKey());
        assertThat(key.toString()).doesNotContain(KEY.seedBase64());
        assertThat(KEY.toString()).doesNotContain(KEY.seedBase64());
    }

    @Test
    void verificationFailsOnTamperingOrMissingSignatures() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode signed = JsonSigner.sign((ObjectNode) mapper.readTree("{\"a\":1,\"unsigned\":{\"x\":1}}"), "domain", KEY);
        assertThat(JsonSigner.verify(signed, "domain", KEY.verifyKey())).isTrue();
        signed.putObject("unsigned").put("y", 2);
        assertThat(JsonSigner.verify(signed, "domain", KEY.verifyKey())).isTrue();
        assertThat(JsonSigner.verify(signed, "other", KEY.verifyKey())).isFalse();
        assertThat(JsonSigner.keyIds(signed, "domain")).containsExactly("ed25519:1");
        signed.put("a", 2);
        assertThat(JsonSigner.verify(signed, "domain", KEY.verifyKey())).isFalse();
        ((ObjectNode) signed.get("signatures").get("domain")).put("ed25519:1", "not base64!");
        assertThat(JsonSigner.verify(signed, "domain", KEY.verifyKey())).isFalse();
    }
}
