package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.E2eeTestSupport.Device;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncResponse;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.myelin.server.e2ee.E2eeTestSupport.deviceKeys;
import static dev.myelin.server.e2ee.E2eeTestSupport.error;
import static dev.myelin.server.e2ee.E2eeTestSupport.ok;
import static dev.myelin.server.e2ee.E2eeTestSupport.post;
import static dev.myelin.server.e2ee.E2eeTestSupport.put;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Send-to-device messages, the to_device and device_lists sync contributors, and MSC3814 dehydrated devices, on
 * SQLite and PostgreSQL. Messages are sent over HTTP; the contributors are called as the sync service calls them.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ToDeviceHttpTest {
    static final String MSC3814 = "/_matrix/client/unstable/org.matrix.msc3814.v1";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;
    static int txn;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static void send(Device from, String txnId, String userId, String deviceId, String text) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putObject("messages").putObject(userId).putObject(deviceId).put("text", text);
        ok(put(client, from, "/sendToDevice/m.test/" + txnId, body));
    }

    /** One sync of the to_device section: the texts delivered and the position reached. */
    record Synced(List<String> texts, long position) {
    }

    static Synced syncToDevice(Device device, long since) {
        var contributor = server.homeserver().e2ee().toDeviceContributor();
        var response = new SyncResponse();
        long reached = contributor.contribute(new SyncContext(device.userId(), device.deviceId(), since == 0,
                Set.of(), Set.of(), false), since, contributor.currentPosition(), response);
        var texts = new ArrayList<String>();
        var events = response.topLevelEvents().get("to_device");
        if (events != null) {
            for (JsonNode event : events) {
                texts.add(event.path("content").path("text").asText());
                assertThat(event.path("type").asText()).isEqualTo("m.test");
            }
        }
        return new Synced(texts, reached);
    }

    @Test
    void messagesArriveOnceInOrderAndAreDeletedWhenAcknowledged() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        Device bob2 = E2eeTestSupport.login(client, bob, "BOBTWO");
        send(alice, "t1", bob.userId(), bob.deviceId(), "one");
        send(alice, "t1", bob.userId(), bob.deviceId(), "one");  // retried: not delivered twice
        send(alice, "t2", bob.userId(), "*", "all");
        // A message for a device that does not exist is dropped: no inbox row, the stream does not move.
        long before = server.homeserver().e2ee().toDeviceContributor().currentPosition();
        send(alice, "t3", bob.userId(), "NOSUCHDEVICE", "lost");
        assertThat(server.homeserver().e2ee().toDeviceContributor().currentPosition()).isEqualTo(before);

        Synced first = syncToDevice(bob, 0);
        assertThat(first.texts()).containsExactly("one", "all");
        assertThat(syncToDevice(bob2, 0).texts()).containsExactly("all");
        // Not acknowledged yet: an initial sync again gets them again.
        assertThat(syncToDevice(bob, 0).texts()).containsExactly("one", "all");
        // Syncing with the token acknowledges them: they are gone, even for a later initial sync.
        assertThat(syncToDevice(bob, first.position()).texts()).isEmpty();
        assertThat(syncToDevice(bob, 0).texts()).isEmpty();
        // A transaction id is per sending device: another device of Alice may use t1.
        Device alice2 = E2eeTestSupport.login(client, alice, "ALICETWO");
        send(alice2, "t1", bob.userId(), bob.deviceId(), "again");
        assertThat(syncToDevice(bob, first.position()).texts()).containsExactly("again");
    }

    static JsonNode sync(Device device, String since, int timeoutMs) {
        return ok(client.get(E2eeTestSupport.V3 + "/sync?timeout=" + timeoutMs
                + (since == null ? "" : "&since=" + since), device.token()));
    }

    @Test
    void syncDeliversToDeviceMessagesAndWakesOnThem() throws Exception {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        JsonNode initial = sync(bob, null, 0);
        assertThat(initial.path("device_one_time_keys_count").path("signed_curve25519").asLong()).isZero();
        String since = initial.path("next_batch").asText();

        // A long-poll wakes when a message arrives.
        long started = System.nanoTime();
        var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> sync(bob, since, 20_000));
        Thread.sleep(300);
        send(alice, "w1", bob.userId(), bob.deviceId(), "wake");
        JsonNode woken = pending.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(15_000);
        assertThat(woken.path("to_device").path("events").get(0).path("content").path("text").asText())
                .isEqualTo("wake");
        assertThat(woken.path("to_device").path("events").get(0).path("sender").asText()).isEqualTo(alice.userId());

        // Syncing with the new token acknowledges it.
        JsonNode next = sync(bob, woken.path("next_batch").asText(), 0);
        assertThat(next.path("to_device").path("events").size()).isZero();
        assertThat(sync(bob, null, 0).path("to_device").path("events").size()).isZero();
    }

    @Test
    void syncShowsDeviceListChangesOfRoomMembers() throws Exception {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        String roomId = ok(post(client, alice, "/createRoom", "{}")).path("room_id").asText();
        ok(post(client, alice, "/rooms/" + roomId + "/invite", "{\"user_id\":\"" + bob.userId() + "\"}"));
        ok(post(client, bob, "/rooms/" + roomId + "/join", "{}"));
        String since = sync(alice, null, 0).path("next_batch").asText();
        var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> sync(alice, since, 20_000));
        Thread.sleep(300);
        ok(post(client, bob, "/keys/upload", Json.MAPPER.createObjectNode().set("device_keys", deviceKeys(bob))));
        JsonNode woken = pending.get(15, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(woken.path("device_lists").path("changed").toString()).contains(bob.userId());
        JsonNode changes = ok(client.get(E2eeTestSupport.V3 + "/keys/changes?from=" + since + "&to="
                + woken.path("next_batch").asText(), alice.token()));
        assertThat(changes.path("changed").toString()).contains(bob.userId());
    }

    @Test
    void atMostAHundredMessagesPerSync() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        for (int i = 0; i < 150; i++) {
            send(alice, "many" + i, bob.userId(), bob.deviceId(), "m" + i);
        }
        Synced first = syncToDevice(bob, 0);
        assertThat(first.texts()).hasSize(100).startsWith("m0").endsWith("m99");
        Synced second = syncToDevice(bob, first.position());
        assertThat(second.texts()).hasSize(50).startsWith("m100").endsWith("m149");
    }

    @Test
    void badMessagesAreRefused() {
        Device alice = E2eeTestSupport.register(client);
        error(put(client, alice, "/sendToDevice/m.test/x1", "{}"), 400, "M_MISSING_PARAM");
        error(put(client, alice, "/sendToDevice/m.test/x2", "{\"messages\":[]}"), 400, "M_BAD_JSON");
        error(put(client, alice, "/sendToDevice/m.test/x3", "{\"messages\":{\"notauser\":{}}}"), 400,
                "M_INVALID_PARAM");
        error(put(client, alice, "/sendToDevice/m.test/x4", "{\"messages\":{\"" + alice.userId()
                + "\":{\"D\":\"text\"}}}"), 400, "M_BAD_JSON");
        error(client.request("PUT", E2eeTestSupport.V3 + "/sendToDevice/m.test/x5", "{\"messages\":{}}"), 401,
                "M_MISSING_TOKEN");
    }

    @Test
    void syncReportsKeyCountsAndDeviceListChanges() {
        Device alice = E2eeTestSupport.register(client);
        Device bob = E2eeTestSupport.register(client);
        var contributor = server.homeserver().e2ee().deviceListContributor();
        String roomId = ok(post(client, alice, "/createRoom", "{}")).path("room_id").asText();
        ok(post(client, alice, "/rooms/" + roomId + "/invite", "{\"user_id\":\"" + bob.userId() + "\"}"));
        long beforeJoin = contributor.currentPosition();
        ok(post(client, bob, "/rooms/" + roomId + "/join", "{}"));
        ObjectNode upload = Json.MAPPER.createObjectNode();
        upload.set("device_keys", deviceKeys(bob));
        upload.putObject("one_time_keys").put("curve25519:A", "k1").put("signed_curve25519:B", "k2");
        upload.putObject("fallback_keys").put("signed_curve25519:F", "f");
        ok(post(client, bob, "/keys/upload", upload));

        var response = new SyncResponse();
        var context = new SyncContext(alice.userId(), alice.deviceId(), false, Set.of(roomId), Set.of(), false);
        contributor.contribute(context, beforeJoin, contributor.currentPosition(), response);
        assertThat(response.hasContent()).isTrue();
        assertThat(response.topLevelJson().path("device_lists").path("changed").toString()).contains(bob.userId());

        var bobs = new SyncResponse();
        long now = contributor.currentPosition();
        contributor.contribute(new SyncContext(bob.userId(), bob.deviceId(), true, Set.of(roomId), Set.of(roomId),
                false),
                0, now, bobs);
        JsonNode top = bobs.topLevelJson();
        assertThat(top.path("device_one_time_keys_count").path("signed_curve25519").asLong()).isEqualTo(1);
        assertThat(top.path("device_one_time_keys_count").path("curve25519").asLong()).isEqualTo(1);
        assertThat(top.path("device_unused_fallback_key_types").toString()).isEqualTo("[\"signed_curve25519\"]");
        assertThat(top.has("device_lists")).isFalse();
        assertThat(bobs.hasContent()).isFalse();

        // Bob leaves: Alice, who shares no other room with him, sees him in left.
        ok(post(client, bob, "/rooms/" + roomId + "/leave", "{}"));
        var afterLeave = new SyncResponse();
        contributor.contribute(context, now, contributor.currentPosition(), afterLeave);
        assertThat(afterLeave.topLevelJson().path("device_lists").path("left").toString()).contains(bob.userId());
    }

    @Test
    void dehydratedDeviceIsStoredReceivesMessagesAndIsRehydratedInBatches() {
        Device alice = E2eeTestSupport.register(client);
        error(client.get(MSC3814 + "/dehydrated_device", alice.token()), 404, "M_NOT_FOUND");
        var dehydrated = new Device(alice.userId(), "DEHYDRATED1", null,
                dev.myelin.spec.crypto.SigningKey.generate(new java.security.SecureRandom()));
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("device_id", dehydrated.deviceId());
        body.putObject("device_data").put("algorithm", "m.dehydration.v2").put("device_pickle", "secret");
        body.put("initial_device_display_name", "Dehydrated");
        body.set("device_keys", deviceKeys(dehydrated));
        body.putObject("fallback_keys").put("signed_curve25519:F", "f");
        JsonNode created = ok(client.request("PUT", MSC3814 + "/dehydrated_device", body.toString(), alice.token()));
        assertThat(created.path("device_id").asText()).isEqualTo("DEHYDRATED1");
        JsonNode got = ok(client.get(MSC3814 + "/dehydrated_device", alice.token()));
        assertThat(got.path("device_data").path("device_pickle").asText()).isEqualTo("secret");

        // It is a device of Alice with keys, which others can message.
        assertThat(ok(client.get(E2eeTestSupport.V3 + "/devices", alice.token())).toString()).contains("DEHYDRATED1");
        Device bob = E2eeTestSupport.register(client);
        for (int i = 0; i < 120; i++) {
            send(bob, "d" + i, alice.userId(), "DEHYDRATED1", "hello" + i);
        }
        var texts = new ArrayList<String>();
        String path = MSC3814 + "/dehydrated_device/DEHYDRATED1/events";
        JsonNode batch = ok(client.request("POST", path, "{}", alice.token()));
        batch.path("events").forEach(e -> texts.add(e.path("content").path("text").asText()));
        assertThat(batch.has("next_batch")).isTrue();
        batch = ok(client.request("POST", path, "{\"next_batch\":\"" + batch.path("next_batch").asText() + "\"}",
                alice.token()));
        batch.path("events").forEach(e -> texts.add(e.path("content").path("text").asText()));
        String next = batch.path("next_batch").asText();
        batch = ok(client.get(path + "?from=" + next, alice.token()));
        assertThat(batch.path("events").size()).isZero();
        assertThat(batch.has("next_batch")).isFalse();
        assertThat(texts).hasSize(120).startsWith("hello0").endsWith("hello119");
        // Not deleted by reading: another client may start again.
        assertThat(ok(client.request("POST", path, "{}", alice.token())).path("events").size()).isEqualTo(100);

        error(client.request("POST", MSC3814 + "/dehydrated_device/OTHER/events", "{}", alice.token()), 403,
                "M_FORBIDDEN");
        error(client.request("POST", path, "{\"next_batch\":\"zz\"}", alice.token()), 400, "M_INVALID_PARAM");
        ObjectNode noKeys = body.deepCopy();
        noKeys.remove("device_keys");
        error(client.request("PUT", MSC3814 + "/dehydrated_device", noKeys.toString(), alice.token()), 400,
                "M_MISSING_PARAM");
        ObjectNode takeOver = body.deepCopy();
        takeOver.put("device_id", alice.deviceId());
        error(client.request("PUT", MSC3814 + "/dehydrated_device", takeOver.toString(), alice.token()), 400,
                "M_INVALID_PARAM");

        JsonNode deleted = ok(client.request("DELETE", MSC3814 + "/dehydrated_device", null, alice.token()));
        assertThat(deleted.path("device_id").asText()).isEqualTo("DEHYDRATED1");
        error(client.get(MSC3814 + "/dehydrated_device", alice.token()), 404, "M_NOT_FOUND");
        assertThat(ok(client.get(E2eeTestSupport.V3 + "/devices", alice.token())).toString())
                .doesNotContain("DEHYDRATED1");
    }
}
