package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.E2eeTestSupport.Device;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.myelin.server.e2ee.E2eeTestSupport.V3;
import static dev.myelin.server.e2ee.E2eeTestSupport.deviceKeys;
import static dev.myelin.server.e2ee.E2eeTestSupport.ok;
import static dev.myelin.server.e2ee.E2eeTestSupport.post;
import static dev.myelin.server.e2ee.E2eeTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * End-to-end encryption between two Myelin servers (one on SQLite, one on PostgreSQL): remote /keys/query and
 * /keys/claim, device list updates keeping the cached list current (and a missed one triggering a resync),
 * sync's device_lists.changed, to-device messages, and the /user/devices and /user/keys endpoints.
 */
class FederatedE2eeHttpTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    static FederatedTestServer a;
    static FederatedTestServer b;
    static TestClient clientA;
    static TestClient clientB;

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
        clientA = a.server().client();
        clientB = b.server().client();
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String sharedRoom(Device alice, Device bob) {
        String roomId = ok(post(clientA, alice, "/createRoom", "{\"preset\":\"public_chat\"}")).path("room_id")
                .asText();
        ok(post(clientB, bob, "/join/" + segment(roomId) + "?server_name=" + segment(a.serverName()), "{}"));
        return roomId;
    }

    static void uploadKeys(TestClient client, Device device, String oneTimeKeyId) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("device_keys", deviceKeys(device));
        if (oneTimeKeyId != null) {
            body.putObject("one_time_keys").putObject("signed_curve25519:" + oneTimeKeyId).put("key", oneTimeKeyId);
        }
        ok(post(client, device, "/keys/upload", body));
    }

    static JsonNode query(Device viewer, String userId) {
        return ok(post(clientA, viewer, "/keys/query", "{\"device_keys\":{\"" + userId + "\":[]}}"));
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** b's own answer to GET /user/devices for its user. */
    static JsonNode devicesAtB(String userId) throws FederationException {
        return a.federation().client().get(b.serverName(), "/_matrix/federation/v1/user/devices/" + segment(userId));
    }

    @Test
    void keysOfAUserOnAnotherServerAreQueriedAndClaimedThere() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        uploadKeys(clientB, bob, "AAAA");

        JsonNode answer = query(alice, bob.userId());
        assertThat(answer.path("failures").isEmpty()).as(answer.toString()).isTrue();
        assertThat(answer.path("device_keys").path(bob.userId()).path(bob.deviceId()).path("keys")
                .path("ed25519:" + bob.deviceId()).asText()).isEqualTo(bob.ed25519());

        JsonNode claimed = ok(post(clientA, alice, "/keys/claim", "{\"one_time_keys\":{\"" + bob.userId() + "\":{\""
                + bob.deviceId() + "\":\"signed_curve25519\"}}}"));
        assertThat(claimed.path("failures").isEmpty()).as(claimed.toString()).isTrue();
        assertThat(claimed.path("one_time_keys").path(bob.userId()).path(bob.deviceId())
                .path("signed_curve25519:AAAA").path("key").asText()).isEqualTo("AAAA");
        JsonNode again = ok(post(clientA, alice, "/keys/claim", "{\"one_time_keys\":{\"" + bob.userId() + "\":{\""
                + bob.deviceId() + "\":\"signed_curve25519\"}}}"));
        assertThat(again.path("one_time_keys").path(bob.userId()).path(bob.deviceId()).isEmpty()).isTrue();
    }

    @Test
    void anUnreachableServerIsAFailureAndTheRestIsAnswered() {
        Device alice = E2eeTestSupport.register(clientA);
        JsonNode answer = ok(post(clientA, alice, "/keys/query", "{\"timeout\":2000,\"device_keys\":{\""
                + alice.userId() + "\":[],\"@nobody:unreachable.invalid\":[]}}"));
        assertThat(answer.path("failures").has("unreachable.invalid")).isTrue();
        assertThat(answer.path("device_keys").has(alice.userId())).isTrue();
        JsonNode claimed = ok(post(clientA, alice, "/keys/claim", "{\"timeout\":2000,\"one_time_keys\":{"
                + "\"@nobody:unreachable.invalid\":{\"D\":\"signed_curve25519\"}}}"));
        assertThat(claimed.path("failures").has("unreachable.invalid")).isTrue();
    }

    @Test
    void aNewDeviceOnTheOtherServerReachesTheCachedListAndSync() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        uploadKeys(clientB, bob, null);
        assertThat(query(alice, bob.userId()).path("device_keys").path(bob.userId()).size()).isEqualTo(1);
        String since = ok(clientA.get(V3 + "/sync?timeout=0", alice.token())).path("next_batch").asText();

        Device bobsPhone = E2eeTestSupport.login(clientB, bob, "PHONE");
        uploadKeys(clientB, bobsPhone, null);

        eventually(() -> ok(clientA.get(V3 + "/sync?timeout=0&since=" + segment(since), alice.token()))
                .path("device_lists").path("changed").toString().contains(bob.userId()), "bob in changed at a");
        JsonNode devices = query(alice, bob.userId()).path("device_keys").path(bob.userId());
        assertThat(devices.has(bob.deviceId())).isTrue();
        assertThat(devices.path("PHONE").path("keys").path("ed25519:PHONE").asText()).isEqualTo(bobsPhone.ed25519());
        JsonNode changes = ok(clientA.get(V3 + "/keys/changes?from=" + segment(since) + "&to="
                + segment(ok(clientA.get(V3 + "/sync?timeout=0", alice.token())).path("next_batch").asText()),
                alice.token()));
        assertThat(changes.path("changed").toString()).contains(bob.userId());

        ok(clientB.request("DELETE", V3 + "/devices/PHONE", "{\"auth\":{\"type\":\"m.login.password\","
                + "\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + bob.userId() + "\"},\"password\":\""
                + E2eeTestSupport.PASSWORD + "\"}}", bob.token()));
        eventually(() -> !query(alice, bob.userId()).path("device_keys").path(bob.userId()).has("PHONE"),
                "the deleted device gone at a");
    }

    @Test
    void newCrossSigningKeysReachTheCachedListOnTheOtherServer() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        uploadKeys(clientB, bob, null);
        assertThat(query(alice, bob.userId()).path("master_keys").has(bob.userId())).isFalse();

        var master = E2eeTestSupport.CrossKey.generate();
        var selfSigning = E2eeTestSupport.CrossKey.generate();
        ObjectNode upload = Json.MAPPER.createObjectNode();
        upload.set("master_key", E2eeTestSupport.crossSigningKey(bob.userId(), "master", master));
        upload.set("self_signing_key", E2eeTestSupport.sign(E2eeTestSupport.crossSigningKey(bob.userId(),
                "self_signing", selfSigning), bob.userId(), master.keyId(), master.key()));
        ok(post(clientB, bob, "/keys/device_signing/upload", upload));

        eventually(() -> query(alice, bob.userId()).path("master_keys").path(bob.userId()).path("keys")
                .has(master.keyId()), "bob's master key at a");
        assertThat(query(alice, bob.userId()).path("self_signing_keys").path(bob.userId()).path("keys")
                .has(selfSigning.keyId())).isTrue();
    }

    @Test
    void aMissedDeviceListUpdateMakesTheServerFetchTheListAgain() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        uploadKeys(clientB, bob, null);
        assertThat(query(alice, bob.userId()).path("device_keys").path(bob.userId()).has(bob.deviceId())).isTrue();
        long streamId = devicesAtB(bob.userId()).path("stream_id").asLong();

        // An update that follows the cached version is applied as it says: bob's device is gone at a.
        sendEdu("m.device_list_update", Json.MAPPER.createObjectNode().put("user_id", bob.userId())
                .put("device_id", bob.deviceId()).put("stream_id", streamId + 1).put("deleted", true)
                .set("prev_id", Json.MAPPER.createArrayNode().add(streamId)));
        eventually(() -> !query(alice, bob.userId()).path("device_keys").path(bob.userId()).has(bob.deviceId()),
                "the applied update");

        // One naming a version a never saw is a gap: a fetches bob's list from b again, device included.
        sendEdu("m.device_list_update", Json.MAPPER.createObjectNode().put("user_id", bob.userId())
                .put("device_id", "OTHER").put("stream_id", streamId + 10).put("deleted", true)
                .set("prev_id", Json.MAPPER.createArrayNode().add(streamId + 5)));
        eventually(() -> query(alice, bob.userId()).path("device_keys").path(bob.userId()).has(bob.deviceId()),
                "bob's device back after the resync");
    }

    @Test
    void theCachedListOfAUserWhoNoLongerSharesARoomIsForgotten() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        String roomId = sharedRoom(alice, bob);
        uploadKeys(clientB, bob, null);
        assertThat(query(alice, bob.userId()).path("device_keys").path(bob.userId()).size()).isEqualTo(1);

        ok(post(clientB, bob, "/rooms/" + segment(roomId) + "/leave", "{}"));
        eventually(() -> a.server().homeserver().rooms().service().currentMembership(roomId, bob.userId())
                .equals("leave"), "bob's leave at a");
        // b no longer tells a of bob's devices; a must not answer from what it cached.
        Device bobsPhone = E2eeTestSupport.login(clientB, bob, "PHONE");
        uploadKeys(clientB, bobsPhone, null);
        assertThat(query(alice, bob.userId()).path("device_keys").path(bob.userId()).has("PHONE")).isTrue();
    }

    @Test
    void keyUpdatesFromAServerForUsersNotItsOwnAreIgnored() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        uploadKeys(clientA, alice, null);
        String since = ok(clientA.get(V3 + "/sync?timeout=0", alice.token())).path("next_batch").asText();

        ObjectNode forgedKeys = deviceKeys(new Device(alice.userId(), "EVIL", "", bob.key()));
        sendEdu("m.device_list_update", Json.MAPPER.createObjectNode().put("user_id", alice.userId())
                .put("device_id", "EVIL").put("stream_id", 1).set("keys", forgedKeys));
        ObjectNode toDevice = Json.MAPPER.createObjectNode().put("sender", alice.userId())
                .put("type", "m.room_key_request").put("message_id", "forged");
        toDevice.putObject("messages").putObject(alice.userId()).putObject("*").put("forged", true);
        sendEdu("m.direct_to_device", toDevice);

        JsonNode sync = ok(clientA.get(V3 + "/sync?timeout=0&since=" + segment(since), alice.token()));
        assertThat(sync.path("to_device").path("events").toString()).doesNotContain("forged");
        assertThat(query(alice, alice.userId()).path("device_keys").path(alice.userId()).has("EVIL")).isFalse();
    }

    @Test
    void toDeviceMessagesReachDevicesOnTheOtherServerOncePerTransaction() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        Device bob = E2eeTestSupport.register(clientB);
        sharedRoom(alice, bob);
        String since = ok(clientB.get(V3 + "/sync?timeout=0", bob.token())).path("next_batch").asText();
        String body = "{\"messages\":{\"" + bob.userId() + "\":{\"" + bob.deviceId() + "\":{\"n\":1}}}}";
        ok(put(clientA, alice, "/sendToDevice/m.test/txn1", body));
        ok(put(clientA, alice, "/sendToDevice/m.test/txn1", body)); // a retry
        ok(put(clientA, alice, "/sendToDevice/m.test/txn2",
                "{\"messages\":{\"" + bob.userId() + "\":{\"*\":{\"n\":2}}}}"));

        eventually(() -> ok(clientB.get(V3 + "/sync?timeout=0&since=" + segment(since), bob.token()))
                .path("to_device").path("events").size() >= 2, "the messages at bob's device");
        Thread.sleep(500); // the retry, had it been delivered, would have come before the second
        JsonNode events = ok(clientB.get(V3 + "/sync?timeout=0&since=" + segment(since), bob.token()))
                .path("to_device").path("events");
        assertThat(events.size()).isEqualTo(2);
        assertThat(events.get(0).path("sender").asText()).isEqualTo(alice.userId());
        assertThat(events.get(0).path("type").asText()).isEqualTo("m.test");
        assertThat(events.get(0).path("content").path("n").asInt()).isEqualTo(1);
        assertThat(events.get(1).path("content").path("n").asInt()).isEqualTo(2);
    }

    @Test
    void userKeyEndpointsServeLocalUsersOnly() throws Exception {
        Device alice = E2eeTestSupport.register(clientA);
        uploadKeys(clientA, alice, "BBBB");
        var fromB = b.federation().client();
        JsonNode devices = fromB.get(a.serverName(), "/_matrix/federation/v1/user/devices/" + segment(alice.userId()));
        assertThat(devices.path("user_id").asText()).isEqualTo(alice.userId());
        assertThat(devices.path("stream_id").asLong()).isPositive();
        assertThat(devices.path("devices").get(0).path("device_id").asText()).isEqualTo(alice.deviceId());

        JsonNode keys = fromB.post(a.serverName(), "/_matrix/federation/v1/user/keys/query",
                Json.MAPPER.readTree("{\"device_keys\":{\"" + alice.userId() + "\":[]}}"));
        assertThat(keys.path("device_keys").path(alice.userId()).has(alice.deviceId())).isTrue();
        assertThat(keys.has("user_signing_keys")).isFalse();
        JsonNode claimed = fromB.post(a.serverName(), "/_matrix/federation/v1/user/keys/claim",
                Json.MAPPER.readTree("{\"one_time_keys\":{\"" + alice.userId() + "\":{\"" + alice.deviceId()
                        + "\":\"signed_curve25519\"}}}"));
        assertThat(claimed.path("one_time_keys").path(alice.userId()).path(alice.deviceId())
                .has("signed_curve25519:BBBB")).isTrue();

        assertThatThrownBy(() -> fromB.get(a.serverName(), "/_matrix/federation/v1/user/devices/"
                + segment("@nobody:" + a.serverName())))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> fromB.get(a.serverName(), "/_matrix/federation/v1/user/devices/"
                + segment("@someone:" + b.serverName())))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> fromB.post(a.serverName(), "/_matrix/federation/v1/user/keys/query",
                Json.MAPPER.readTree("{\"device_keys\":{\"@someone:" + b.serverName() + "\":[]}}")))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> fromB.post(a.serverName(), "/_matrix/federation/v1/user/keys/claim",
                Json.MAPPER.readTree("{\"one_time_keys\":[]}")))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    /** b sends one EDU to a, signed as b. */
    private static void sendEdu(String type, ObjectNode content) throws Exception {
        ObjectNode txn = Json.MAPPER.createObjectNode().put("origin", b.serverName())
                .put("origin_server_ts", System.currentTimeMillis());
        txn.putArray("pdus");
        txn.putArray("edus").addObject().put("edu_type", type).set("content", content);
        b.federation().client().put(a.serverName(), "/_matrix/federation/v1/send/e2ee" + COUNTER.incrementAndGet(),
                txn);
    }
}
