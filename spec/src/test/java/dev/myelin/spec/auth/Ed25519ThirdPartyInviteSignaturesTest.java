package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.SigningKey;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class Ed25519ThirdPartyInviteSignaturesTest {
    private final SigningKey identityServerKey = SigningKey.generate("ed25519:0", new SecureRandom());
    private final SigningKey otherKey = SigningKey.generate("ed25519:0", new SecureRandom());
    private final Ed25519ThirdPartyInviteSignatures checker = new Ed25519ThirdPartyInviteSignatures();

    private ObjectNode signed(SigningKey key) {
        ObjectNode signed = new ObjectMapper().createObjectNode()
                .put("mxid", "@bob:example.org").put("token", "abc123");
        return JsonSigner.sign(signed, "id.example.org", key);
    }

    private static String publicKey(SigningKey key) {
        return key.verifyKey().publicKeyBase64();
    }

    @Test
    void aSignatureByOneOfThePublicKeysMatches() {
        assertThat(checker.anySignatureMatches(signed(identityServerKey),
                List.of(publicKey(otherKey), publicKey(identityServerKey)))).isTrue();
    }

    @Test
    void aSignatureByAnotherKeyDoesNotMatch() {
        assertThat(checker.anySignatureMatches(signed(otherKey), List.of(publicKey(identityServerKey)))).isFalse();
    }

    @Test
    void aTamperedObjectDoesNotMatch() {
        ObjectNode signed = signed(identityServerKey);
        signed.put("mxid", "@mallory:example.org");
        assertThat(checker.anySignatureMatches(signed, List.of(publicKey(identityServerKey)))).isFalse();
    }

    @Test
    void missingSignaturesOrBadKeysDoNotMatch() {
        ObjectNode unsigned = new ObjectMapper().createObjectNode().put("mxid", "@bob:example.org");
        assertThat(checker.anySignatureMatches(unsigned, List.of(publicKey(identityServerKey)))).isFalse();
        assertThat(checker.anySignatureMatches(signed(identityServerKey), List.of("not base64!", "AAAA"))).isFalse();
    }
}
