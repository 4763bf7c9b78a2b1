package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.E2eeTestSupport.CrossKey;
import dev.myelin.server.e2ee.E2eeTestSupport.Device;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.myelin.server.e2ee.E2eeTestSupport.crossSigningKey;
import static dev.myelin.server.e2ee.E2eeTestSupport.deviceKeys;
import static dev.myelin.server.e2ee.E2eeTestSupport.error;
import static dev.myelin.server.e2ee.E2eeTestSupport.ok;
import static dev.myelin.server.e2ee.E2eeTestSupport.post;
import static dev.myelin.server.e2ee.E2eeTestSupport.sign;
import static org.assertj.core.api.Assertions.assertThat;

/** /keys/upload, /keys/query, /keys/claim, /keys/changes and cross-signing over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class KeysHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static ObjectNode body() {
        return Json.MAPPER.createObjectNode();
    }

    static ObjectNode oneTimeKeys(Device device, int from, int count) {
        ObjectNode keys = body();
        for (int i = from; i < from + count; i++) {
            ObjectNode key = body().put("key", "otk" + i);
            sign(key, device.userId(), "ed25519:" + device.deviceId(), device.key());
            keys.set("signed_curve25519:K" + i, key);
        }
        return keys;
    }

    static JsonNode upload(Device device, ObjectNode body) {
        return ok(post(client, device, "/keys/upload", body));
    }

    static JsonNode query(Device requester, String userId) {
        ObjectNode body = body();
        body.putObject("device_keys").putArray(userId);
        return ok(post(client, requester, "/keys/query", body));
    }

    static JsonNode claim(Device requester, Device target) {
        ObjectNode body = body();
        body.putObject("one_time_keys").putObject(target.userId()).put(target.deviceId(), "signed_curve25519");
        return ok(post(client, requester, "/keys/claim", body)).path("one_time_keys").path(target.userId())
                .path(target.deviceId());
    }

    @Test
    void uploadedKeysAreCountedQueriedAndShowTheDeviceName() {
        Device alice = E2eeTestSupport.register(client);
        ok(client.request("PUT", E2eeTestSupport.V3 + "/devices/" + alice.deviceId(),
                "{\"display_name\":\"Alice's phone\"}", alice.token()));
        ObjectNode upload = body();
        upload.set("device_keys", deviceKeys(alice));
        upload.set("one_time_keys", oneTimeKeys(alice, 0, 3));
        upload.putObject("fallback_keys").set("signed_curve25519:F1",
                sign(body().put("key", "fb1").put("fallback", true), alice.userId(), "ed25519:" + alice.deviceId(),
                        alice.key()));
        JsonNode counts = upload(alice, upload).path("one_time_key_counts");
        assertThat(counts.path("signed_curve25519").asLong()).isEqualTo(3);

        // The same keys again change nothing.
        assertThat(upload(alice, upload).path("one_time_key_counts").path("signed_curve25519").asLong()).isEqualTo(3);

        Device bob = E2eeTestSupport.register(client);
        assertThat(upload(bob, body()).path("one_time_key_counts").path("signed_curve25519").asLong()).isZero();
        JsonNode result = query(bob, alice.userId());
        JsonNode keys = result.path("device_keys").path(alice.userId()).path(alice.deviceId());
        assertThat(keys.path("keys").path("ed25519:" + alice.deviceId()).asText()).isEqualTo(alice.ed25519());
        assertThat(keys.path("unsigned").path("device_display_name").asText()).isEqualTo("Alice's phone");
        assertThat(keys.path("signatures").path(alice.userId()).has("ed25519:" + alice.deviceId())).isTrue();
        assertThat(result.path("failures").isObject()).isTrue();

        // Only the devices asked for, and nothing for a user without keys.
        ObjectNode narrow = body();
        narrow.putObject("device_keys").putArray(alice.userId()).add("NOSUCHDEVICE");
        narrow.withObjectProperty("device_keys").putArray(bob.userId());
        JsonNode narrowed = ok(post(client, bob, "/keys/query", narrow));
        assertThat(narrowed.path("device_keys").path(alice.userId()).size()).isZero();
        assertThat(narrowed.path("device_keys").path(bob.userId()).size()).isZero();
    }

    @Test
    void badUploadsAreRefused() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        // Keys of another device, another user, unsigned, or with a bad signature.
        error(post(client, alice, "/keys/upload", body().set("device_keys", deviceKeys(bob))), 400, "M_INVALID_PARAM");
        ObjectNode unsigned = deviceKeys(alice);
        unsigned.remove("signatures");
        error(post(client, alice, "/keys/upload", body().set("device_keys", unsigned)), 400, "M_MISSING_PARAM");
        ObjectNode tampered = deviceKeys(alice);
        tampered.withObjectProperty("keys").put("curve25519:" + alice.deviceId(), "other");
        error(post(client, alice, "/keys/upload", body().set("device_keys", tampered)), 400, "M_INVALID_SIGNATURE");
        error(post(client, alice, "/keys/upload", "{\"device_keys\":[]}"), 400, "M_BAD_JSON");
        error(post(client, alice, "/keys/upload", "{\"one_time_keys\":{\"nocolon\":\"k\"}}"), 400, "M_INVALID_PARAM");
        error(post(client, alice, "/keys/upload", "{\"one_time_keys\":{\"a:b\":5}}"), 400, "M_BAD_JSON");
        error(post(client, alice, "/keys/upload", "not json"), 400, "M_NOT_JSON");
        error(client.request("POST", E2eeTestSupport.V3 + "/keys/upload", "{}"), 401, "M_MISSING_TOKEN");

        // A one-time key id cannot be reused for another key.
        upload(alice, body().set("one_time_keys", oneTimeKeys(alice, 0, 1)));
        ObjectNode conflicting = body();
        conflicting.putObject("one_time_keys").put("signed_curve25519:K0", "different");
        error(post(client, alice, "/keys/upload", conflicting), 400, "M_INVALID_PARAM");

        error(post(client, alice, "/keys/query", "{}"), 400, "M_MISSING_PARAM");
        error(post(client, alice, "/keys/query", "{\"device_keys\":{\"@a:test.local\":\"x\"}}"), 400, "M_BAD_JSON");
        error(post(client, alice, "/keys/claim", "{}"), 400, "M_MISSING_PARAM");
        error(post(client, alice, "/keys/claim", "{\"one_time_keys\":{\"@a:test.local\":{\"D\":1}}}"), 400,
                "M_BAD_JSON");
    }

    @Test
    void claimsTakeEachOneTimeKeyOnceThenTheFallbackKey() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        ObjectNode upload = body();
        upload.set("device_keys", deviceKeys(alice));
        upload.set("one_time_keys", oneTimeKeys(alice, 0, 2));
        upload.putObject("fallback_keys").set("signed_curve25519:F1", body().put("key", "fb1").put("fallback", true));
        upload(alice, upload);
        assertThat(server.homeserver().e2ee().keys().unusedFallbackKeyTypes(alice.userId(), alice.deviceId()))
                .containsExactly("signed_curve25519");

        var seen = new HashSet<String>();
        seen.add(claim(bob, alice).fieldNames().next());
        seen.add(claim(bob, alice).fieldNames().next());
        assertThat(seen).containsExactlyInAnyOrder("signed_curve25519:K0", "signed_curve25519:K1");
        JsonNode fallback = claim(bob, alice);
        assertThat(fallback.path("signed_curve25519:F1").path("key").asText()).isEqualTo("fb1");
        assertThat(claim(bob, alice).has("signed_curve25519:F1")).isTrue();
        assertThat(server.homeserver().e2ee().keys().unusedFallbackKeyTypes(alice.userId(), alice.deviceId()))
                .isEmpty();
        assertThat(upload(alice, body()).path("one_time_key_counts").path("signed_curve25519").asLong()).isZero();

        // A new fallback key is unused again.
        ObjectNode next = body();
        next.putObject("fallback_keys").set("signed_curve25519:F2", body().put("key", "fb2").put("fallback", true));
        upload(alice, next);
        assertThat(server.homeserver().e2ee().keys().unusedFallbackKeyTypes(alice.userId(), alice.deviceId()))
                .containsExactly("signed_curve25519");

        // Unknown devices and users without keys are simply absent.
        ObjectNode unknown = body();
        unknown.putObject("one_time_keys").putObject(alice.userId()).put("NOPE", "signed_curve25519");
        assertThat(ok(post(client, bob, "/keys/claim", unknown)).path("one_time_keys").size()).isZero();
    }

    @Test
    void concurrentClaimsNeverHandOutTheSameKeyTwice() throws Exception {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        int keys = 40;
        upload(alice, body().set("one_time_keys", oneTimeKeys(alice, 0, keys)));
        var claimed = new ArrayList<String>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            var futures = new ArrayList<Future<JsonNode>>();
            for (int i = 0; i < keys + 10; i++) {
                futures.add(pool.submit(() -> claim(bob, alice)));
            }
            for (Future<JsonNode> future : futures) {
                JsonNode got = future.get();
                got.fieldNames().forEachRemaining(claimed::add);
            }
        }
        assertThat(claimed).hasSize(keys).doesNotHaveDuplicates();
    }

    @Test
    void crossSigningKeysNeedAuthOnlyToReplaceThem() {
        Device alice = E2eeTestSupport.register(client);
        var master = CrossKey.generate();
        var selfSigning = CrossKey.generate();
        var userSigning = CrossKey.generate();
        ObjectNode upload = body();
        upload.set("master_key", crossSigningKey(alice.userId(), "master", master));
        upload.set("self_signing_key", sign(crossSigningKey(alice.userId(), "self_signing", selfSigning),
                alice.userId(), master.keyId(), master.key()));
        upload.set("user_signing_key", sign(crossSigningKey(alice.userId(), "user_signing", userSigning),
                alice.userId(), master.keyId(), master.key()));
        ok(post(client, alice, "/keys/device_signing/upload", upload));
        // The same keys again: no UIA (the request may be a retry).
        ok(post(client, alice, "/keys/device_signing/upload", upload));

        var newMaster = CrossKey.generate();
        ObjectNode replace = body();
        replace.set("master_key", crossSigningKey(alice.userId(), "master", newMaster));
        var challenge = post(client, alice, "/keys/device_signing/upload", replace);
        assertThat(challenge.status()).isEqualTo(401);
        String session = challenge.json().path("session").asText();
        replace.putObject("auth").put("type", "m.login.password").put("session", session)
                .put("password", "wrong").putObject("identifier").put("type", "m.id.user").put("user", alice.userId());
        assertThat(post(client, alice, "/keys/device_signing/upload", replace).errcode()).isEqualTo("M_FORBIDDEN");
        replace.withObjectProperty("auth").put("password", E2eeTestSupport.PASSWORD);
        ok(post(client, alice, "/keys/device_signing/upload", replace));

        Device bob = E2eeTestSupport.register(client);
        JsonNode seenByBob = query(bob, alice.userId());
        assertThat(seenByBob.path("master_keys").path(alice.userId()).path("keys").path(newMaster.keyId()).asText())
                .isEqualTo(newMaster.publicKey());
        assertThat(seenByBob.path("self_signing_keys").path(alice.userId()).path("keys").has(selfSigning.keyId()))
                .isTrue();
        assertThat(seenByBob.path("user_signing_keys").has(alice.userId())).isFalse();
        assertThat(query(alice, alice.userId()).path("user_signing_keys").path(alice.userId()).path("keys")
                .has(userSigning.keyId())).isTrue();
    }

    @Test
    void badCrossSigningKeysAreRefused() {
        Device alice = E2eeTestSupport.register(client);
        var master = CrossKey.generate();
        var selfSigning = CrossKey.generate();
        ObjectNode unsignedSsk = body();
        unsignedSsk.set("master_key", crossSigningKey(alice.userId(), "master", master));
        unsignedSsk.set("self_signing_key", crossSigningKey(alice.userId(), "self_signing", selfSigning));
        error(post(client, alice, "/keys/device_signing/upload", unsignedSsk), 400, "M_INVALID_SIGNATURE");
        ObjectNode wrongUsage = body();
        wrongUsage.set("master_key", crossSigningKey(alice.userId(), "self_signing", master));
        error(post(client, alice, "/keys/device_signing/upload", wrongUsage), 400, "M_INVALID_PARAM");
        ObjectNode otherUser = body();
        otherUser.set("master_key", crossSigningKey("@someone:test.local", "master", master));
        error(post(client, alice, "/keys/device_signing/upload", otherUser), 400, "M_INVALID_PARAM");
        ObjectNode noMaster = body();
        noMaster.set("self_signing_key", sign(crossSigningKey(alice.userId(), "self_signing", selfSigning),
                alice.userId(), master.keyId(), master.key()));
        error(post(client, alice, "/keys/device_signing/upload", noMaster), 400, "M_INVALID_PARAM");
    }

    @Test
    void signaturesAreCheckedStoredAndShownToWhoMayeSeeThem() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        var master = CrossKey.generate();
        var selfSigning = CrossKey.generate();
        upload(alice, body().set("device_keys", deviceKeys(alice)));
        ObjectNode keys = body();
        keys.set("master_key", crossSigningKey(alice.userId(), "master", master));
        keys.set("self_signing_key", sign(crossSigningKey(alice.userId(), "self_signing", selfSigning),
                alice.userId(), master.keyId(), master.key()));
        ok(post(client, alice, "/keys/device_signing/upload", keys));

        var bobMaster = CrossKey.generate();
        var bobUserSigning = CrossKey.generate();
        ObjectNode bobKeys = body();
        bobKeys.set("master_key", crossSigningKey(bob.userId(), "master", bobMaster));
        bobKeys.set("user_signing_key", sign(crossSigningKey(bob.userId(), "user_signing", bobUserSigning),
                bob.userId(), bobMaster.keyId(), bobMaster.key()));
        ok(post(client, bob, "/keys/device_signing/upload", bobKeys));

        // Alice signs her device with her self-signing key, and her master key with her device.
        ObjectNode signedDevice = sign(deviceKeys(alice), alice.userId(), selfSigning.keyId(), selfSigning.key());
        ObjectNode signedMaster = sign(crossSigningKey(alice.userId(), "master", master), alice.userId(),
                "ed25519:" + alice.deviceId(), alice.key());
        ObjectNode forgedDevice = deviceKeys(alice);
        forgedDevice.withObjectProperty("signatures").withObjectProperty(alice.userId())
                .put(selfSigning.keyId(), "AAAA");
        ObjectNode upload = body();
        upload.putObject(alice.userId()).set(alice.deviceId(), signedDevice);
        upload.withObjectProperty(alice.userId()).set(master.publicKey(), signedMaster);
        upload.withObjectProperty(alice.userId()).set("UNKNOWN", deviceKeys(alice));
        JsonNode failures = ok(post(client, alice, "/keys/signatures/upload", upload)).path("failures");
        assertThat(failures.path(alice.userId()).path("UNKNOWN").path("errcode").asText()).isEqualTo("M_NOT_FOUND");
        assertThat(failures.path(alice.userId()).has(alice.deviceId())).isFalse();
        assertThat(failures.path(alice.userId()).has(master.publicKey())).isFalse();

        ObjectNode forged = body();
        forged.putObject(alice.userId()).set(alice.deviceId(), forgedDevice);
        assertThat(ok(post(client, alice, "/keys/signatures/upload", forged)).path("failures").path(alice.userId())
                .path(alice.deviceId()).path("errcode").asText()).isEqualTo("M_INVALID_SIGNATURE");

        // Bob signs Alice's master key with his user-signing key: only Bob sees that signature.
        ObjectNode bobSigns = body();
        bobSigns.putObject(alice.userId()).set(master.publicKey(), sign(crossSigningKey(alice.userId(), "master",
                master), bob.userId(), bobUserSigning.keyId(), bobUserSigning.key()));
        assertThat(ok(post(client, bob, "/keys/signatures/upload", bobSigns)).path("failures").size()).isZero();

        JsonNode seenByBob = query(bob, alice.userId());
        assertThat(seenByBob.path("device_keys").path(alice.userId()).path(alice.deviceId()).path("signatures")
                .path(alice.userId()).has(selfSigning.keyId())).isTrue();
        JsonNode masterSignatures = seenByBob.path("master_keys").path(alice.userId()).path("signatures");
        assertThat(masterSignatures.path(alice.userId()).has("ed25519:" + alice.deviceId())).isTrue();
        assertThat(masterSignatures.path(bob.userId()).has(bobUserSigning.keyId())).isTrue();
        assertThat(query(alice, alice.userId()).path("master_keys").path(alice.userId()).path("signatures")
                .has(bob.userId())).isFalse();
    }

    /** A sync token as next_batch carries it, with only the device-list stream. */
    static String token(long deviceListPosition) {
        return "s0~device_lists." + deviceListPosition;
    }

    @Test
    void keyChangesListUsersSharingARoom() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        Device stranger = E2eeTestSupport.register(client);
        long before = server.homeserver().e2ee().deviceLists().currentPosition();
        String roomId = ok(post(client, alice, "/createRoom", "{}")).path("room_id").asText();
        ok(post(client, alice, "/rooms/" + roomId + "/invite", "{\"user_id\":\"" + bob.userId() + "\"}"));
        ok(post(client, bob, "/rooms/" + roomId + "/join", "{}"));
        long joined = server.homeserver().e2ee().deviceLists().currentPosition();
        upload(bob, body().set("device_keys", deviceKeys(bob)));
        upload(stranger, body().set("device_keys", deviceKeys(stranger)));
        long after = server.homeserver().e2ee().deviceLists().currentPosition();

        JsonNode changes = ok(client.get(E2eeTestSupport.V3 + "/keys/changes?from=" + token(joined) + "&to=" + token(after),
                alice.token()));
        assertThat(changes.path("changed").toString()).contains(bob.userId()).doesNotContain(stranger.userId());
        // Bob's join shows him as changed for Alice.
        JsonNode sinceBefore = ok(client.get(E2eeTestSupport.V3 + "/keys/changes?from=" + token(before) + "&to=" + token(joined),
                alice.token()));
        assertThat(sinceBefore.path("changed").toString()).contains(bob.userId());

        ok(post(client, bob, "/rooms/" + roomId + "/leave", "{}"));
        long left = server.homeserver().e2ee().deviceLists().currentPosition();
        JsonNode afterLeave = ok(client.get(E2eeTestSupport.V3 + "/keys/changes?from=" + token(after) + "&to=" + token(left),
                alice.token()));
        assertThat(afterLeave.path("left").toString()).contains(bob.userId());

        error(client.get(E2eeTestSupport.V3 + "/keys/changes?from=x&to=s1", alice.token()), 400, "M_INVALID_PARAM");
        error(client.get(E2eeTestSupport.V3 + "/keys/changes?to=s1", alice.token()), 400, "M_MISSING_PARAM");
    }

    @Test
    void deletingADeviceDeletesItsKeys() {
        Device alice = E2eeTestSupport.register(client);
        Device second = E2eeTestSupport.login(client, alice, "SECOND");
        upload(second, body().set("device_keys", deviceKeys(second)));
        assertThat(query(alice, alice.userId()).path("device_keys").path(alice.userId()).has("SECOND")).isTrue();
        ok(post(client, second, "/logout", "{}"));
        assertThat(query(alice, alice.userId()).path("device_keys").path(alice.userId()).has("SECOND")).isFalse();
    }
}
