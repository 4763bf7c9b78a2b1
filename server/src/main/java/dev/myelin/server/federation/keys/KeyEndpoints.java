package dev.myelin.server.federation.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.ServerKeyStore;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.ServerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The key API (spec: server-server-api "Retrieving server keys"), unauthenticated: our own keys at
 * GET /_matrix/key/v2/server, and as a notary GET /_matrix/key/v2/query/{serverName} and POST /_matrix/key/v2/query,
 * which answer other servers' key responses (from the cache when fresh enough, fetched otherwise, the cache again
 * when the server cannot be reached) with our signature added.
 */
public final class KeyEndpoints {
    private static final Logger LOG = LoggerFactory.getLogger(KeyEndpoints.class);
    /** The most servers one POST /query may ask about. */
    static final int MAX_SERVERS_PER_QUERY = 100;

    private final LocalServerKeys local;
    private final ServerKeyStore store;
    private final FederationClient client;
    private final Clock clock;

    public KeyEndpoints(LocalServerKeys local, ServerKeyStore store, FederationClient client, Clock clock) {
        this.local = local;
        this.store = store;
        this.client = client;
        this.clock = clock;
    }

    public void register(Router router) {
        router.add("GET", "/_matrix/key/v2/server", request -> MatrixResponse.ok(local.response()));
        router.add("GET", "/_matrix/key/v2/query/{serverName}", this::queryOne);
        router.add("POST", "/_matrix/key/v2/query", this::queryMany);
    }

    private MatrixResponse queryOne(MatrixRequest request) {
        String serverName = serverName(request.pathParam("serverName"));
        OptionalLong minimum = request.query("minimum_valid_until_ts").map(KeyEndpoints::timestamp)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        keys.addAll(responses(serverName, minimum));
        return MatrixResponse.ok(Map.of("server_keys", keys));
    }

    private MatrixResponse queryMany(MatrixRequest request) throws IOException {
        JsonNode serverKeys = request.jsonObject().get("server_keys");
        if (!(serverKeys instanceof ObjectNode servers)) {
            throw MatrixException.badJson("server_keys must be an object of server names");
        }
        if (servers.size() > MAX_SERVERS_PER_QUERY) {
            throw MatrixException.invalidParam("At most " + MAX_SERVERS_PER_QUERY + " servers per query");
        }
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        for (Map.Entry<String, JsonNode> server : servers.properties()) {
            String serverName = serverName(server.getKey());
            if (!server.getValue().isObject()) {
                throw MatrixException.badJson("server_keys." + serverName + " must be an object of key ids");
            }
            // The latest minimum_valid_until_ts asked for any of the server's keys applies to its response.
            OptionalLong minimum = OptionalLong.empty();
            for (JsonNode criteria : server.getValue()) {
                JsonNode value = criteria.get("minimum_valid_until_ts");
                if (value != null) {
                    if (!value.canConvertToLong()) {
                        throw MatrixException.badJson("minimum_valid_until_ts must be an integer");
                    }
                    minimum = OptionalLong.of(Math.max(minimum.orElse(0), value.longValue()));
                }
            }
            keys.addAll(responses(serverName, minimum));
        }
        return MatrixResponse.ok(Map.of("server_keys", keys));
    }

    /** Our own response, or the cached/fetched responses of another server, each signed by us. */
    private java.util.List<ObjectNode> responses(String serverName, OptionalLong minimum) {
        if (serverName.equals(local.serverName())) {
            return java.util.List.of(local.response());
        }
        var cached = store.responses(serverName);
        long wanted = minimum.orElse(clock.millis());
        boolean fresh = cached.stream().anyMatch(response -> response.validUntilTs() >= wanted);
        if (!fresh) {
            try {
                var checked = ServerKeyResponse.check(client.get(serverName, "/_matrix/key/v2/server"), serverName,
                        clock.millis());
                store.store(serverName, checked.keys(), checked.json());
                cached = store.responses(serverName);
            } catch (FederationException | InvalidKeyResponseException e) {
                LOG.info("Notary: could not fetch the keys of {}: {}", serverName, e.getMessage());
            }
        }
        var signed = new java.util.ArrayList<ObjectNode>();
        for (ServerKeyStore.KeyResponse response : cached) {
            try {
                if (Json.MAPPER.readTree(response.json()) instanceof ObjectNode json) {
                    signed.add(local.cosign(json));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("A stored key response of {} cannot be served: {}", serverName, e.getMessage());
            }
        }
        return signed;
    }

    private static String serverName(String value) {
        try {
            ServerName.parse(value);
            return value;
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Not a valid server name: " + value);
        }
    }

    private static long timestamp(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("minimum_valid_until_ts must be an integer");
        }
    }
}
