package dev.myelin.server.federation.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.storage.ServerKeyStore.ServerKey;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.json.CanonicalJson;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a server's /_matrix/key/v2/server response, fetched directly or through a notary (spec: server-server-api
 * "Publishing Keys", keys_server): it must name the expected server, list at least one verify key, and be signed
 * by every key in verify_keys. Keys are valid until the lesser of valid_until_ts and 7 days after fetching.
 */
public final class ServerKeyResponse {
    static final long MAX_VALIDITY_MS = Duration.ofDays(7).toMillis();

    private ServerKeyResponse() {
    }

    /** A checked response: its keys to store, and the canonical bytes to keep for notary queries. */
    public record Checked(List<ServerKey> keys, byte[] json) {
    }

    /** @throws InvalidKeyResponseException when the response is malformed, for another server, or badly signed */
    public static Checked check(JsonNode response, String serverName, long nowTs) throws InvalidKeyResponseException {
        if (!(response instanceof ObjectNode json)) {
            throw new InvalidKeyResponseException("the key response is not an object");
        }
        if (!serverName.equals(json.path("server_name").textValue())) {
            throw new InvalidKeyResponseException("the key response is for " + json.path("server_name") + ", not " + serverName);
        }
        JsonNode validUntil = json.get("valid_until_ts");
        if (validUntil == null || !validUntil.canConvertToLong()) {
            throw new InvalidKeyResponseException("valid_until_ts is missing or not an integer");
        }
        long validUntilTs = Math.min(validUntil.longValue(), nowTs + MAX_VALIDITY_MS);
        List<ServerKey> keys = new ArrayList<>();
        JsonNode verifyKeys = json.path("verify_keys");
        if (!verifyKeys.isObject() || verifyKeys.isEmpty()) {
            throw new InvalidKeyResponseException("verify_keys is missing or empty");
        }
        for (Map.Entry<String, JsonNode> entry : verifyKeys.properties()) {
            VerifyKey key = parseKey(entry.getKey(), entry.getValue());
            if (key == null) {
                continue; // an algorithm we do not know
            }
            if (!JsonSigner.verify(json, serverName, key, CanonicalJson.LENIENT)) {
                throw new InvalidKeyResponseException("the key response is not signed by its key " + key.keyId());
            }
            keys.add(new ServerKey(serverName, key.keyId(), key.publicKeyBase64(), validUntilTs, Optional.empty(), nowTs));
        }
        if (keys.isEmpty()) {
            throw new InvalidKeyResponseException("no ed25519 key in verify_keys");
        }
        JsonNode oldKeys = json.path("old_verify_keys");
        if (oldKeys.isObject()) {
            for (Map.Entry<String, JsonNode> entry : oldKeys.properties()) {
                VerifyKey key = parseKey(entry.getKey(), entry.getValue());
                JsonNode expired = entry.getValue().get("expired_ts");
                if (key != null && expired != null && expired.canConvertToLong()) {
                    keys.add(new ServerKey(serverName, key.keyId(), key.publicKeyBase64(), expired.longValue(),
                            Optional.of(expired.longValue()), nowTs));
                }
            }
        }
        return new Checked(List.copyOf(keys), CanonicalJson.LENIENT.encode(json));
    }

    private static VerifyKey parseKey(String keyId, JsonNode value) throws InvalidKeyResponseException {
        if (!keyId.startsWith("ed25519:")) {
            return null;
        }
        JsonNode key = value.path("key");
        if (!key.isTextual()) {
            throw new InvalidKeyResponseException("key " + keyId + " has no base64 'key'");
        }
        try {
            return VerifyKey.fromBase64(keyId, key.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyResponseException("key " + keyId + " is malformed: " + e.getMessage());
        }
    }
}
