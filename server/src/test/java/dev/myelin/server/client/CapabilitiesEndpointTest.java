package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.HttpServer;
import dev.myelin.server.http.MatrixDispatcher;
import dev.myelin.server.http.RateLimit;
import dev.myelin.server.http.RateLimiter;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.metrics.Metrics;
import dev.myelin.server.testing.TestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Capabilities as an authenticated client sees them (the token check is stood in by a fixed resolver). */
class CapabilitiesEndpointTest {
    @Test
    void advertisesRoomVersionsOneToTwelveWithTwelveAsDefault() throws Exception {
        var authenticator = new Authenticator(token -> token.equals("good")
                ? Optional.of(new Requester("@a:test.local", "DEVICE", false)) : Optional.empty());
        var router = new Router().add("GET", Router.CLIENT_V3_AND_R0, "/capabilities", new CapabilitiesEndpoint(authenticator, requester -> false));
        var dispatcher = new MatrixDispatcher(router, new Metrics(), 1024, new RateLimiter(RateLimit.UNLIMITED));
        try (var http = new HttpServer(List.of(new HttpServer.Binding("127.0.0.1", 0, Optional.empty(), false, dispatcher)), Duration.ZERO)) {
            http.start();
            var client = new TestClient("http://127.0.0.1:" + http.port(0));
            var reply = client.get("/_matrix/client/v3/capabilities", "good");
            assertThat(reply.status()).isEqualTo(200);
            JsonNode versions = reply.json().path("capabilities").path("m.room_versions");
            assertThat(versions.path("default").asText()).isEqualTo("12");
            for (int v = 1; v <= 12; v++) {
                assertThat(versions.path("available").path(Integer.toString(v)).asText()).isEqualTo("stable");
            }
            assertThat(versions.path("available").size()).isEqualTo(12);
            assertThat(client.get("/_matrix/client/r0/capabilities", "good").status()).isEqualTo(200);
            assertThat(client.get("/_matrix/client/v3/capabilities", "bad").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        }
    }
}
