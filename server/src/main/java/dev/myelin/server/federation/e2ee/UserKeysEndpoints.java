package dev.myelin.server.federation.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.CrossSigning;
import dev.myelin.server.e2ee.KeyService;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.storage.E2eKeyStore.Claim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The keys of local users, for other servers (spec: server-server-api "Device Management", "End-to-End
 * Encryption"; user_devices.yaml, user_keys.yaml): {@code GET /user/devices/{userId}}, {@code POST
 * /user/keys/query}, {@code POST /user/keys/claim}. Only local users may be asked for (403 otherwise); a local user
 * who does not exist has no devices (404 for {@code /user/devices}).
 */
public final class UserKeysEndpoints {
    private static final int MAX_CLAIMS = 10_000;

    private final KeyService keys;
    private final OutboundDeviceLists deviceLists;
    private final RoomServers servers;
    private final Predicate<String> userExists;

    public UserKeysEndpoints(KeyService keys, OutboundDeviceLists deviceLists, RoomServers servers,
                             Predicate<String> userExists) {
        this.keys = keys;
        this.deviceLists = deviceLists;
        this.servers = servers;
        this.userExists = userExists;
    }

    public void register(FederationRoutes routes) {
        routes.add("GET", FederationRoutes.V1 + "/user/devices/{userId}", (request, origin) -> devices(request));
        routes.add("POST", FederationRoutes.V1 + "/user/keys/query", (request, origin) -> query(request));
        routes.add("POST", FederationRoutes.V1 + "/user/keys/claim", (request, origin) -> claim(request));
    }

    private MatrixResponse devices(MatrixRequest request) {
        String userId = requireLocal(request.pathParam("userId"));
        if (!userExists.test(userId)) {
            throw MatrixException.notFound("No user " + userId);
        }
        ObjectNode answer = Json.MAPPER.createObjectNode().put("user_id", userId)
                .put("stream_id", deviceLists.streamId(userId));
        ArrayNode devices = answer.putArray("devices");
        keys.deviceKeys(userId, List.of()).forEach((deviceId, json) -> {
            ObjectNode device = devices.addObject().put("device_id", deviceId);
            JsonNode name = json.path("unsigned").path("device_display_name");
            if (name.isTextual()) {
                device.put("device_display_name", name.textValue());
            }
            ObjectNode signed = json.deepCopy();
            signed.remove("unsigned");
            device.set("keys", signed);
        });
        keys.crossSigningKey(userId, CrossSigning.MASTER).ifPresent(key -> answer.set("master_key", key));
        keys.crossSigningKey(userId, CrossSigning.SELF_SIGNING).ifPresent(key -> answer.set("self_signing_key", key));
        return MatrixResponse.ok(answer);
    }

    private MatrixResponse query(MatrixRequest request) throws Exception {
        JsonNode wanted = request.jsonObject().get("device_keys");
        if (wanted == null || !wanted.isObject()) {
            throw MatrixException.badJson("'device_keys' must be an object");
        }
        ObjectNode answer = KeyService.emptyQueryResponse();
        for (var user : wanted.properties()) {
            String userId = requireLocal(user.getKey());
            var deviceIds = new ArrayList<String>();
            if (!user.getValue().isArray() && !user.getValue().isNull()) {
                throw MatrixException.badJson("'device_keys' values must be arrays of device ids");
            }
            for (JsonNode device : user.getValue()) {
                if (!device.isTextual()) {
                    throw MatrixException.badJson("'device_keys' values must be arrays of device ids");
                }
                deviceIds.add(device.textValue());
            }
            keys.addLocalKeys(answer, userId, deviceIds, null);
        }
        answer.remove("user_signing_keys");
        return MatrixResponse.ok(answer);
    }

    private MatrixResponse claim(MatrixRequest request) throws Exception {
        JsonNode wanted = request.jsonObject().get("one_time_keys");
        if (wanted == null || !wanted.isObject()) {
            throw MatrixException.badJson("'one_time_keys' must be an object");
        }
        var claims = new ArrayList<Claim>();
        for (var user : wanted.properties()) {
            String userId = requireLocal(user.getKey());
            if (!user.getValue().isObject()) {
                throw MatrixException.badJson("'one_time_keys' values must be objects");
            }
            for (var device : user.getValue().properties()) {
                if (!device.getValue().isTextual()) {
                    throw MatrixException.badJson("Claimed algorithms must be strings");
                }
                claims.add(new Claim(userId, device.getKey(), device.getValue().textValue()));
            }
        }
        if (claims.size() > MAX_CLAIMS) {
            throw MatrixException.invalidParam("Too many keys claimed at once");
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.putObject("one_time_keys");
        keys.claimLocal(claims, answer);
        return MatrixResponse.ok(answer);
    }

    private String requireLocal(String userId) {
        if (!servers.isLocal(userId)) {
            throw MatrixException.forbidden(userId + " is not a user of this server");
        }
        return userId;
    }
}
