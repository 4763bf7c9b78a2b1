package dev.myelin.server.federation.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.config.MyelinConfig.TrustedKeyServer;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.federation.transport.OriginKeys;
import dev.myelin.server.storage.ServerKeyStore;
import dev.myelin.spec.crypto.JsonSigner;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.json.CanonicalJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches a server's keys (spec: server-server-api "Retrieving server keys"): from the server itself at
 * /_matrix/key/v2/server, and when that fails or lacks the key, from each trusted notary through
 * /_matrix/key/v2/query, whose answers must carry both the server's and the notary's signatures.
 */
public final class RemoteKeyFetcher implements KeyRing.KeyFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteKeyFetcher.class);

    private final FederationClient client;
    private final ServerKeyStore store;
    private final List<TrustedKeyServer> notaries;
    private final Clock clock;
    private OriginKeys notaryKeys;

    public RemoteKeyFetcher(FederationClient client, ServerKeyStore store, List<TrustedKeyServer> notaries, Clock clock) {
        this.client = client;
        this.store = store;
        this.notaries = notaries;
        this.clock = clock;
    }

    /** Where the keys of notaries without configured keys are found (the key ring this fetcher serves). */
    public void notaryKeysFrom(OriginKeys keys) {
        this.notaryKeys = keys;
    }

    @Override
    public boolean fetchAndStore(String serverName, String keyId) {
        boolean stored = false;
        try {
            stored = storeChecked(ServerKeyResponse.check(client.get(serverName, "/_matrix/key/v2/server"),
                    serverName, clock.millis()), serverName, keyId);
        } catch (FederationException | InvalidKeyResponseException e) {
            LOG.info("Could not fetch the keys of {} directly: {}", serverName, e.getMessage());
        }
        if (stored) {
            return true;
        }
        for (TrustedKeyServer notary : notaries) {
            if (notary.serverName().equals(serverName)) {
                continue;
            }
            try {
                if (fromNotary(notary, serverName, keyId)) {
                    return true;
                }
            } catch (FederationException | InvalidKeyResponseException e) {
                LOG.info("Could not fetch the keys of {} through {}: {}", serverName, notary.serverName(), e.getMessage());
            }
        }
        return false;
    }

    /** Stores the response's keys; true when it holds the key sought. */
    private boolean storeChecked(ServerKeyResponse.Checked checked, String serverName, String keyId) {
        store.store(serverName, checked.keys(), checked.json());
        return checked.keys().stream().anyMatch(key -> key.keyId().equals(keyId));
    }

    private boolean fromNotary(TrustedKeyServer notary, String serverName, String keyId)
            throws FederationException, InvalidKeyResponseException {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        // minimum_valid_until_ts is optional in the spec, but Synapse's notary refuses criteria without it.
        request.putObject("server_keys").putObject(serverName).putObject(keyId)
                .put("minimum_valid_until_ts", clock.millis());
        JsonNode answer = client.post(notary.serverName(), "/_matrix/key/v2/query", request);
        boolean found = false;
        for (JsonNode response : answer.path("server_keys")) {
            if (!(response instanceof ObjectNode object) || !serverName.equals(object.path("server_name").textValue())) {
                continue;
            }
            if (!signedByNotary(object, notary)) {
                throw new InvalidKeyResponseException("a key response is not signed by the notary");
            }
            found |= storeChecked(ServerKeyResponse.check(object, serverName, clock.millis()), serverName, keyId);
        }
        return found;
    }

    private boolean signedByNotary(ObjectNode response, TrustedKeyServer notary) {
        for (String signingKeyId : JsonSigner.keyIds(response, notary.serverName())) {
            Optional<VerifyKey> key = notary.verifyKeys().isEmpty()
                    ? Optional.ofNullable(notaryKeys).flatMap(keys -> keys.currentKey(notary.serverName(), signingKeyId))
                    : configured(notary.verifyKeys(), signingKeyId);
            if (key.isPresent() && JsonSigner.verify(response, notary.serverName(), key.get(), CanonicalJson.LENIENT)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<VerifyKey> configured(Map<String, String> keys, String keyId) {
        String base64 = keys.get(keyId);
        return base64 == null ? Optional.empty() : Optional.of(VerifyKey.fromBase64(keyId, base64));
    }
}
