package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.e2ee.E2eeTestSupport.Device;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.myelin.server.e2ee.E2eeTestSupport.error;
import static dev.myelin.server.e2ee.E2eeTestSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Server-side key backups over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class KeyBackupHttpTest {
    static final String V3 = E2eeTestSupport.V3;
    static final String ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";

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

    static Reply call(Device device, String method, String path, String body) {
        return client.request(method, V3 + path, body, device.token());
    }

    static String createVersion(Device device) {
        return ok(call(device, "POST", "/room_keys/version", "{\"algorithm\":\"" + ALGORITHM
                + "\",\"auth_data\":{\"public_key\":\"pk\"}}")).path("version").asText();
    }

    static String session(long firstIndex, long forwarded, boolean verified, String data) {
        return "{\"first_message_index\":" + firstIndex + ",\"forwarded_count\":" + forwarded + ",\"is_verified\":"
                + verified + ",\"session_data\":{\"ciphertext\":\"" + data + "\"}}";
    }

    @Test
    void versionsAreCreatedReadUpdatedAndDeleted() {
        Device alice = E2eeTestSupport.register(client);
        error(call(alice, "GET", "/room_keys/version", null), 404, "M_NOT_FOUND");
        String first = createVersion(alice);
        String second = createVersion(alice);
        assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
        JsonNode latest = ok(call(alice, "GET", "/room_keys/version", null));
        assertThat(latest.path("version").asText()).isEqualTo(second);
        assertThat(latest.path("algorithm").asText()).isEqualTo(ALGORITHM);
        assertThat(latest.path("count").asLong()).isZero();
        assertThat(latest.path("etag").isTextual()).isTrue();
        assertThat(ok(call(alice, "GET", "/room_keys/version/" + first, null)).path("version").asText())
                .isEqualTo(first);

        ok(call(alice, "PUT", "/room_keys/version/" + second, "{\"algorithm\":\"" + ALGORITHM
                + "\",\"auth_data\":{\"public_key\":\"new\"},\"version\":\"" + second + "\"}"));
        assertThat(ok(call(alice, "GET", "/room_keys/version/" + second, null)).path("auth_data").path("public_key")
                .asText()).isEqualTo("new");
        error(call(alice, "PUT", "/room_keys/version/" + second, "{\"algorithm\":\"other\",\"auth_data\":{}}"), 400,
                "M_INVALID_PARAM");
        error(call(alice, "PUT", "/room_keys/version/" + second, "{\"algorithm\":\"" + ALGORITHM
                + "\",\"auth_data\":{},\"version\":\"999\"}"), 400, "M_INVALID_PARAM");

        ok(call(alice, "DELETE", "/room_keys/version/" + second, null));
        error(call(alice, "GET", "/room_keys/version/" + second, null), 404, "M_NOT_FOUND");
        error(call(alice, "DELETE", "/room_keys/version/" + second, null), 404, "M_NOT_FOUND");
        assertThat(ok(call(alice, "GET", "/room_keys/version", null)).path("version").asText()).isEqualTo(first);
        // A deleted version number is never reused.
        assertThat(Long.parseLong(createVersion(alice))).isGreaterThan(Long.parseLong(second));

        error(call(alice, "GET", "/room_keys/version/notanumber", null), 404, "M_NOT_FOUND");
        error(call(alice, "POST", "/room_keys/version", "{\"auth_data\":{}}"), 400, "M_MISSING_PARAM");
        error(call(alice, "POST", "/room_keys/version", "{\"algorithm\":\"a\",\"auth_data\":1}"), 400, "M_BAD_JSON");
        // Another user's versions are not visible.
        Device bob = E2eeTestSupport.register(client);
        error(call(bob, "GET", "/room_keys/version/" + first, null), 404, "M_NOT_FOUND");
    }

    @Test
    void keysAreStoredReplacedByBetterKeysAndDeleted() {
        Device alice = E2eeTestSupport.register(client);
        String version = createVersion(alice);
        String room = "!room:test.local";
        JsonNode put = ok(call(alice, "PUT", "/room_keys/keys?version=" + version, "{\"rooms\":{\"" + room
                + "\":{\"sessions\":{\"s1\":" + session(5, 1, false, "a") + ",\"s2\":" + session(0, 0, true, "b")
                + "}}}}"));
        assertThat(put.path("count").asLong()).isEqualTo(2);
        String etag = put.path("etag").asText();

        // Worse keys do not replace: unverified over verified, higher index, more forwards.
        JsonNode same = ok(call(alice, "PUT", "/room_keys/keys/" + room + "/s2?version=" + version,
                session(0, 0, false, "worse")));
        assertThat(same.path("etag").asText()).isEqualTo(etag);
        ok(call(alice, "PUT", "/room_keys/keys/" + room + "/s1?version=" + version, session(6, 0, true, "x")));
        ok(call(alice, "PUT", "/room_keys/keys/" + room + "/s1?version=" + version, session(6, 0, false, "y")));
        ok(call(alice, "PUT", "/room_keys/keys/" + room + "/s1?version=" + version, session(6, 2, true, "z")));
        assertThat(ok(call(alice, "GET", "/room_keys/keys/" + room + "/s1?version=" + version, null))
                .path("session_data").path("ciphertext").asText()).isEqualTo("x");
        ok(call(alice, "PUT", "/room_keys/keys/" + room + "?version=" + version, "{\"sessions\":{\"s1\":"
                + session(2, 3, true, "lower-index") + "}}"));
        JsonNode s1 = ok(call(alice, "GET", "/room_keys/keys/" + room + "/s1?version=" + version, null));
        assertThat(s1.path("session_data").path("ciphertext").asText()).isEqualTo("lower-index");
        assertThat(s1.path("first_message_index").asLong()).isEqualTo(2);

        JsonNode all = ok(call(alice, "GET", "/room_keys/keys?version=" + version, null));
        assertThat(all.path("rooms").path(room).path("sessions").size()).isEqualTo(2);
        assertThat(ok(call(alice, "GET", "/room_keys/keys/" + room + "?version=" + version, null)).path("sessions")
                .size()).isEqualTo(2);
        assertThat(ok(call(alice, "GET", "/room_keys/keys/!other:test.local?version=" + version, null))
                .path("sessions").size()).isZero();
        error(call(alice, "GET", "/room_keys/keys/" + room + "/nope?version=" + version, null), 404, "M_NOT_FOUND");
        JsonNode info = ok(call(alice, "GET", "/room_keys/version", null));
        assertThat(info.path("count").asLong()).isEqualTo(2);
        assertThat(info.path("etag").asText()).isNotEqualTo(etag);

        // Only the latest version takes keys.
        String newer = createVersion(alice);
        Reply wrong = call(alice, "PUT", "/room_keys/keys?version=" + version, "{\"rooms\":{}}");
        error(wrong, 403, "M_WRONG_ROOM_KEYS_VERSION");
        assertThat(wrong.json().path("current_version").asText()).isEqualTo(newer);

        JsonNode afterDelete = ok(call(alice, "DELETE", "/room_keys/keys/" + room + "/s1?version=" + version, null));
        assertThat(afterDelete.path("count").asLong()).isEqualTo(1);
        assertThat(ok(call(alice, "DELETE", "/room_keys/keys?version=" + version, null)).path("count").asLong())
                .isZero();

        error(call(alice, "GET", "/room_keys/keys", null), 400, "M_MISSING_PARAM");
        error(call(alice, "GET", "/room_keys/keys?version=12345", null), 404, "M_NOT_FOUND");
        error(call(alice, "PUT", "/room_keys/keys?version=" + newer, "{\"rooms\":{\"r\":{\"sessions\":{\"s\":"
                + "{\"first_message_index\":-1,\"forwarded_count\":0,\"is_verified\":true,\"session_data\":{}}}}}}"),
                400, "M_BAD_JSON");
        error(call(alice, "PUT", "/room_keys/keys?version=" + newer, "{}"), 400, "M_MISSING_PARAM");
        Device bob = E2eeTestSupport.register(client);
        error(call(bob, "PUT", "/room_keys/keys?version=" + newer, "{\"rooms\":{}}"), 404, "M_NOT_FOUND");
    }
}
