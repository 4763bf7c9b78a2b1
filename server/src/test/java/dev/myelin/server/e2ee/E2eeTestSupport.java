package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.json.CanonicalJson;
import dev.myelin.spec.json.UnpaddedBase64;

import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, devices and signed keys for E2EE endpoint tests. */
final class E2eeTestSupport {
    static final String V3 = "/_matrix/client/v3";
    static final String PASSWORD = "correct horse battery";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicInteger NAMES = new AtomicInteger();

    private E2eeTestSupport() {
    }

    /** A logged-in device with its Ed25519 identity key. */
    record Device(String userId, String deviceId, String token, SigningKey key) {
        String ed25519() {
            return key.verifyKey().publicKeyBase64();
        }
    }

    /** An Ed25519 key pair that signs as {@code ed25519:<its public key>}, as cross-signing keys do. */
    record CrossKey(SigningKey key) {
        static CrossKey generate() {
            return new CrossKey(SigningKey.generate(RANDOM));
        }

        String publicKey() {
            return key.verifyKey().publicKeyBase64();
        }

        String keyId() {
            return "ed25519:" + publicKey();
        }
    }

    static Device register(TestClient client) {
        String name = "e2ee" + System.nanoTime() % 1_000_000_000L + "x" + NAMES.incrementAndGet();
        String request = "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"";
        String session = client.request("POST", V3 + "/register", request + "}").json().path("session").asText();
        JsonNode body = ok(client.request("POST", V3 + "/register",
                request + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}"));
        return new Device(body.path("user_id").asText(), body.path("device_id").asText(),
                body.path("access_token").asText(), SigningKey.generate(RANDOM));
    }

    /** Another device of the same user, by password login. */
    static Device login(TestClient client, Device user, String deviceId) {
        JsonNode body = ok(client.request("POST", V3 + "/login", "{\"type\":\"m.login.password\",\"identifier\":"
                + "{\"type\":\"m.id.user\",\"user\":\"" + user.userId() + "\"},\"password\":\"" + PASSWORD
                + "\",\"device_id\":\"" + deviceId + "\"}"));
        return new Device(user.userId(), body.path("device_id").asText(), body.path("access_token").asText(),
                SigningKey.generate(RANDOM));
    }

    static ObjectNode deviceKeys(Device device) {
        ObjectNode keys = Json.MAPPER.createObjectNode();
        keys.put("user_id", device.userId());
        keys.put("device_id", device.deviceId());
        keys.putArray("algorithms").add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2");
        keys.putObject("keys").put("curve25519:" + device.deviceId(), "curve" + device.deviceId())
                .put("ed25519:" + device.deviceId(), device.ed25519());
        sign(keys, device.userId(), "ed25519:" + device.deviceId(), device.key());
        return keys;
    }

    /** Signs like a client: canonical JSON without signatures and unsigned, under the given key id. */
    static ObjectNode sign(ObjectNode json, String signer, String keyId, SigningKey key) {
        byte[] message = CanonicalJson.STRICT.encodeWithout(json, Set.of("signatures", "unsigned"));
        json.withObjectProperty("signatures").withObjectProperty(signer)
                .put(keyId, UnpaddedBase64.encode(key.sign(message)));
        return json;
    }

    static ObjectNode crossSigningKey(String userId, String usage, CrossKey key) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("user_id", userId);
        json.putArray("usage").add(usage);
        json.putObject("keys").put(key.keyId(), key.publicKey());
        return json;
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    static Reply post(TestClient client, Device device, String path, Object body) {
        return client.request("POST", V3 + path, body.toString(), device.token());
    }

    static Reply put(TestClient client, Device device, String path, Object body) {
        return client.request("PUT", V3 + path, body.toString(), device.token());
    }
}
