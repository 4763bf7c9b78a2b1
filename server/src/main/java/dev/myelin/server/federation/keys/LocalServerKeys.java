package dev.myelin.server.federation.keys;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.storage.ServerKeyStore;
import dev.myelin.server.storage.ServerKeyStore.ServerKey;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.SigningKey;

import java.time.Clock;
import java.time.Duration;

/**
 * This server's keys as published at /_matrix/key/v2/server (spec: server-server-api "Publishing Keys"): the
 * current signing key in verify_keys, keys used before (kept when the key file changes) in old_verify_keys with the
 * time they expired, valid for a day, self-signed.
 */
public final class LocalServerKeys {
    static final long VALIDITY_MS = Duration.ofDays(1).toMillis();

    private final String serverName;
    private final SigningKey signingKey;
    private final ServerKeyStore store;
    private final Clock clock;

    public LocalServerKeys(String serverName, SigningKey signingKey, ServerKeyStore store, Clock clock) {
        this.serverName = serverName;
        this.signingKey = signingKey;
        this.store = store;
        this.clock = clock;
        store.useLocalKey(serverName, signingKey.keyId(), signingKey.verifyKey().publicKeyBase64(), clock.millis());
    }

    public String serverName() {
        return serverName;
    }

    public SigningKey signingKey() {
        return signingKey;
    }

    /** The signed key response, built afresh (one signature). */
    public ObjectNode response() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("server_name", serverName);
        json.put("valid_until_ts", clock.millis() + VALIDITY_MS);
        json.putObject("verify_keys").putObject(signingKey.keyId()).put("key", signingKey.verifyKey().publicKeyBase64());
        ObjectNode old = json.putObject("old_verify_keys");
        for (ServerKey key : store.keys(serverName)) {
            if (key.expiredTs().isPresent() && !key.keyId().equals(signingKey.keyId())) {
                old.putObject(key.keyId()).put("key", key.publicKey()).put("expired_ts", key.expiredTs().get());
            }
        }
        return JsonSigner.sign(json, serverName, signingKey);
    }

    /** Adds our signature to another server's key response, as a notary (spec: "Querying Keys Through Another Server"). */
    public ObjectNode cosign(ObjectNode response) {
        return JsonSigner.sign(response, serverName, signingKey);
    }
}
