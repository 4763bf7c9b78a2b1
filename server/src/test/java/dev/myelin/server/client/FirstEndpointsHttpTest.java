package dev.myelin.server.client;

import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The foundation's endpoints on a real homeserver. */
class FirstEndpointsHttpTest {
    private static TestHomeserver server;
    private static TestClient client;

    @BeforeAll
    static void start() throws Exception {
        server = TestHomeserver.start("public_baseurl=https://matrix.test.local/");
        client = server.client();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void versionsListsVersionsAndUnstableFeatures() {
        var reply = client.get("/_matrix/client/versions");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("versions").isArray()).isTrue();
        // Authenticated media (v1.11) is what clients switch on; the list stops where a version's additions stop.
        assertThat(reply.json().path("versions").toString()).contains("\"v1.11\"").doesNotContain("\"v1.18\"");
        assertThat(reply.json().path("unstable_features").isObject()).isTrue();
    }

    @Test
    void wellKnownClientPointsAtThePublicBaseUrl() {
        var reply = client.get("/.well-known/matrix/client");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("m.homeserver").path("base_url").asText()).isEqualTo("https://matrix.test.local");
    }

    @Test
    void wellKnownServerDelegatesFederation() {
        var reply = client.get("/.well-known/matrix/server");
        assertThat(reply.json().path("m.server").asText()).isEqualTo("test.local:0");
    }

    @Test
    void capabilitiesNeedAnAccessToken() {
        var missing = client.get("/_matrix/client/v3/capabilities");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errcode()).isEqualTo("M_MISSING_TOKEN");
        var unknown = client.get("/_matrix/client/r0/capabilities", "not-a-token");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void healthAnswersOk() {
        var reply = client.get("/health");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("OK");
    }

    @Test
    void metricsCountRequestsByRouteTemplate() {
        client.get("/_matrix/client/versions");
        var reply = client.get("/metrics");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body())
                .contains("myelin_http_requests_total{method=\"GET\",route=\"/_matrix/client/versions\",status=\"200\"}")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void unknownEndpointOfTheClientApiIs404() {
        var reply = client.get("/_matrix/client/v3/not_an_endpoint");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.errcode()).isEqualTo("M_UNRECOGNIZED");
    }
}
