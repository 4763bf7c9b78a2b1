package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.VerifyKey;

import java.util.List;
import java.util.Map;

/**
 * The real {@link ThirdPartyInviteSignatureChecker}: tries every signature of {@code signed}
 * (any entity, any key id) against every Ed25519 public key of the m.room.third_party_invite event
 * (spec: rooms v1 authorization rules, m.room.member invite with third_party_invite).
 */
public final class Ed25519ThirdPartyInviteSignatures implements ThirdPartyInviteSignatureChecker {

    @Override
    public boolean anySignatureMatches(ObjectNode signed, List<String> publicKeys) {
        JsonNode signatures = signed.get("signatures");
        if (signatures == null || !signatures.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> entity : signatures.properties()) {
            if (!entity.getValue().isObject()) {
                continue;
            }
            for (Map.Entry<String, JsonNode> signature : entity.getValue().properties()) {
                for (String publicKey : publicKeys) {
                    VerifyKey key;
                    try {
                        key = VerifyKey.fromBase64(signature.getKey(), publicKey);
                    } catch (IllegalArgumentException notAKey) {
                        continue;
                    }
                    if (JsonSigner.verify(signed, entity.getKey(), key)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
